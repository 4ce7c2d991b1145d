/// `facebrain fmri simulate`: fMRI-like responses with known ground truth. Each ROI's voxels are tuned to one
/// feature source (a store layer, a feature file, the one-hot codes of a label column such as identity or
/// expression, or nothing at all); trials repeat every stimulus with independent Gaussian noise, so the true
/// noise ceiling of every voxel is known exactly.
module FaceBrain.Fmri.Simulate

open System
open System.Globalization
open System.IO
open System.Text
open FaceBrain.Core
open FaceBrain.Core.IO
open FaceBrain.Analysis
open FaceBrain.Fmri.FeatureSource

[<RequireQualifiedAccess>]
type TuningSource =
    | Layer of name: string
    | FeatureFile of path: string
    | Labels of column: string
    /// Pure-noise voxels: their true ceiling is 0 and any model should score about 0.
    | NoSignal

type RoiSpec = { Name: string; Source: TuningSource }

let describeSource =
    function
    | TuningSource.Layer l -> "layer:" + l
    | TuningSource.FeatureFile p -> "features:" + Path.GetFileName p
    | TuningSource.Labels c -> "labels:" + c
    | TuningSource.NoSignal -> "none"

type Request =
    { /// The activation store whose layers (and stimulus table) voxels are tuned to.
      Store: string option
      /// The layer of ROIs given without `:source`.
      Layer: string option
      /// A feature matrix [stimuli, features] to tune to instead of a store.
      Features: string option
      /// The stimulus table (label tuning; the row order of `Features`).
      Stimuli: string option
      /// `NAME[:SOURCE],...` (see parseRois).
      Rois: string
      Voxels: int
      Repeats: int
      Snr: double
      Seed: int
      /// Whether the NIfTI version will be written too (it counts in the memory check).
      WriteNifti: bool }

type Truth =
    { Roi: string[]
      Source: string[]
      Snr: double[]
      NoiseSd: double[]
      /// The share of the variance of repeat-averaged responses that is signal: signal / (signal + noise / repeats).
      CeilingR2: double[]
      CeilingR: double[] }

type Simulation =
    { Stimuli: StimulusTable
      Trials: TrialTable
      /// [trials, voxels]
      Responses: Matrix
      /// [stimuli, voxels], the noiseless tuning (unit variance across stimuli per tuned voxel).
      Signal: Matrix
      Truth: Truth
      Rois: RoiSpec[] }

/// The simulation's random stream, one seeded generator for every draw: Gaussian draws by Metrics.gaussian (taken
/// 64 at a time, handed out one by one), uniforms, and Fisher–Yates permutations (this order of draws is what makes
/// a seed's data reproducible).
type private Draws(seed: int) =
    let rng = Random(seed)
    let mutable block : float[] = [||]
    let mutable next = 0
    member _.Uniform() = rng.NextDouble()
    member _.Next() =
        if next = block.Length then
            block <- Metrics.gaussian rng 64
            next <- 0
        next <- next + 1
        block[next - 1]
    member _.Permutation(n: int) =
        let p = Array.init n id
        for i in n - 1 .. -1 .. 1 do
            let j = rng.Next(i + 1)
            let t = p[i]
            p[i] <- p[j]
            p[j] <- t
        p

/// `name:source,...`; a source is `none`, a store layer, a stimulus-table column (label tuning) or
/// `features` (the --features file); a bare name uses --layer or --features.
let parseRois (req: Request) (stimuli: StimulusTable option) : RoiSpec[] =
    let layers = req.Store |> Option.map storeLayers |> Option.defaultValue [||]
    let defaultSource () =
        match req.Layer, req.Features with
        | Some l, _ -> TuningSource.Layer l
        | None, Some f -> TuningSource.FeatureFile f
        | None, None -> raise (InputException "`rois`: an ROI without ':source' needs `layer` or `features`")
    let resolve (roi: string) (source: string) =
        if source = "none" then TuningSource.NoSignal
        elif Array.contains source layers then TuningSource.Layer source
        elif source = "features" && req.Features.IsSome then TuningSource.FeatureFile req.Features.Value
        elif stimuli |> Option.exists (fun t -> t.HasColumn source) then TuningSource.Labels source
        else
            let columns = stimuli |> Option.map (fun t -> String.concat ", " t.Columns) |> Option.defaultValue "no stimulus table"
            raise (InputException(sprintf "`rois`: '%s:%s': '%s' is not none, a store layer (%s), features, or a stimulus-table column (%s)" roi source source (String.concat ", " layers) columns))
    let specs =
        (if isNull req.Rois then "" else req.Rois).Split(',', StringSplitOptions.RemoveEmptyEntries ||| StringSplitOptions.TrimEntries)
        |> Array.map (fun part ->
            match part.Split(':') with
            | [| name |] when name <> "" -> { Name = name; Source = defaultSource () }
            | [| name; source |] when name <> "" && source <> "" -> { Name = name; Source = resolve name source }
            | _ -> raise (InputException(sprintf "`rois`: '%s' is not NAME or NAME:SOURCE" part)))
    if specs.Length = 0 then raise (InputException "`rois`: no ROI given")
    match specs |> Array.countBy (fun s -> s.Name) |> Array.tryFind (fun (_, c) -> c > 1) with
    | Some (n, _) -> raise (InputException(sprintf "`rois`: ROI '%s' appears twice" n))
    | None -> specs

/// The stimulus table every source must agree on: the store's, or --stimuli.
let private loadStimuli (req: Request) =
    match req.Store, req.Stimuli with
    | Some dir, _ ->
        if not (Directory.Exists dir) then raise (InputException(dir, "activation store folder not found"))
        Some(StimulusTable.Read(Path.Combine(dir, "stimuli.tsv")))
    | None, Some s -> Some(StimulusTable.Read s)
    | None, None -> None

let private featuresOf (req: Request) (stimuli: StimulusTable option) (source: TuningSource) : Matrix option =
    match source with
    | TuningSource.NoSignal -> None
    | TuningSource.Layer l -> Some (readStoreLayer req.Store.Value l).Matrix
    | TuningSource.FeatureFile f -> Some (readNpy f req.Stimuli).Matrix
    | TuningSource.Labels c -> Some (ofLabels stimuli.Value c).Matrix

/// Noiseless tuning: random Gaussian weights on z-scored features, each voxel scaled to unit variance.
let private tune (g: Draws) (features: Matrix) (voxels: int) (source: string) =
    let n = features.Rows
    let cols =
        [| for j in 0 .. features.Cols - 1 do
               let c = Matrix.column features j
               let m = Array.average c
               let sd = sqrt (c |> Array.averageBy (fun v -> (v - m) ** 2.0))
               if sd > 0.0 then yield c |> Array.map (fun v -> (v - m) / sd) |]
    if cols.Length = 0 then raise (InputException(source, "every feature is constant across stimuli; nothing to tune to"))
    Array.init voxels (fun _ ->
        let w = Array.init cols.Length (fun _ -> g.Next())
        let s = Array.init n (fun i -> Array.fold2 (fun acc (c: double[]) wj -> acc + c[i] * wj) 0.0 cols w)
        let m = Array.average s
        let sd = sqrt (s |> Array.averageBy (fun v -> (v - m) ** 2.0))
        s |> Array.map (fun v -> (v - m) / sd))

/// Refuses, before any allocation, a simulation whose matrices cannot fit: every [trials, voxels] and
/// [stimuli, voxels] matrix must fit one .NET array, and all of them (plus the NIfTI background) the memory
/// this process may use. The message gives the memory needed.
let private requireMemory (voxelsPerRoi: int) (roiCount: int) (stimuli: int) (repeats: int) (nifti: bool) =
    let voxels = double voxelsPerRoi * double roiCount
    let trials = double stimuli * double repeats
    // responses + signal + per-voxel tuning, and with NIfTI the background grid (half as many voxels again).
    let values = trials * voxels + 2.0 * double stimuli * voxels + (if nifti then trials * voxels * 1.5 else 0.0)
    let bytes = values * 8.0
    let available = double (GC.GetGCMemoryInfo().TotalAvailableMemoryBytes)
    let gb (b: double) = b / 1e9
    let largest = max (trials * voxels) (double stimuli * voxels)
    if voxels > double Int32.MaxValue || largest > double Array.MaxLength || bytes > available then
        raise (InputException(sprintf "`voxels` %d x %d ROIs over %d trials needs about %.1f GB of memory (%.0f values); this process can use %.1f GB: simulate fewer voxels" voxelsPerRoi roiCount (int trials) (gb bytes) values (gb available)))

let run (req: Request) : Simulation =
    if req.Voxels < 1 then raise (InputException "`voxels` must be at least 1")
    if req.Repeats < 1 then raise (InputException "`repeats` must be at least 1")
    if not (req.Snr > 0.0) || Double.IsInfinity req.Snr then raise (InputException "`snr` must be a positive number")
    if req.Store.IsSome && req.Features.IsSome then raise (InputException "give either `store` or `features`, not both")
    let stimuliTable = loadStimuli req
    let rois = parseRois req stimuliTable
    let featureSets = rois |> Array.map (fun r -> featuresOf req stimuliTable r.Source)
    let nStimuli =
        match stimuliTable, featureSets |> Array.choose id |> Array.tryHead with
        | Some t, _ -> t.Count
        | None, Some f -> f.Rows
        | None, None -> raise (InputException "only 'none' ROIs and no stimulus table: give `stimuli` or a feature source")
    let stimuli =
        stimuliTable
        |> Option.defaultWith (fun () ->
            StimulusTable([ StimulusTable.IdColumn ], [ for i in 0 .. nStimuli - 1 -> [| sprintf "s%04d" i |] :> Collections.Generic.IReadOnlyList<string> ], "<simulated>"))
    requireMemory req.Voxels rois.Length nStimuli req.Repeats req.WriteNifti
    let g = Draws(req.Seed)
    // Tuning per ROI, voxels side by side in ROI order.
    let signals =
        Array.map2 (fun (roi: RoiSpec) (f: Matrix option) ->
            match f with
            | Some m -> tune g m req.Voxels (describeSource roi.Source)
            | None -> Array.init req.Voxels (fun _ -> Array.zeroCreate nStimuli)) rois featureSets
        |> Array.concat
    let voxels = signals.Length
    let tuned = Array.map2 (fun (roi: RoiSpec) _ -> Array.create req.Voxels (roi.Source <> TuningSource.NoSignal)) rois featureSets |> Array.concat
    // SNR per voxel spread over one decade around --snr, so ceilings vary and can be compared.
    let snr = Array.init voxels (fun _ -> req.Snr * Math.Pow(10.0, g.Uniform() - 0.5))
    let noiseSd = snr |> Array.map (fun s -> 1.0 / sqrt s)
    let baseline = Array.init voxels (fun _ -> 10.0 * g.Uniform())
    let k = double req.Repeats
    let ceilingR2 = Array.init voxels (fun v -> if tuned[v] then 1.0 / (1.0 + noiseSd[v] ** 2.0 / k) else 0.0)
    // Trials: every repeat shows every stimulus once, in its own random order.
    let order = [| for r in 0 .. req.Repeats - 1 do for s in g.Permutation nStimuli -> r, s |]
    let responses =
        Matrix.init order.Length voxels (fun t v ->
            let _, s = order[t]
            baseline[v] + signals[v][s] + noiseSd[v] * g.Next())
    let ids = Array.ofSeq stimuli.Ids
    let trials =
        TrialTable.make "<simulated>" [| "trial"; StimulusTable.IdColumn; "repeat" |]
            (order |> Array.mapi (fun t (r, s) -> [| string t; ids[s]; string r |]))
    { Stimuli = stimuli
      Trials = trials
      Responses = responses
      Signal = Matrix.init nStimuli voxels (fun s v -> signals[v][s])
      Truth =
        { Roi = rois |> Array.collect (fun r -> Array.create req.Voxels r.Name)
          Source = rois |> Array.collect (fun r -> Array.create req.Voxels (describeSource r.Source))
          Snr = Array.init voxels (fun v -> if tuned[v] then snr[v] else 0.0)
          NoiseSd = noiseSd
          CeilingR2 = ceilingR2
          CeilingR = ceilingR2 |> Array.map sqrt }
      Rois = rois }

let private f (x: double) = x.ToString("R", CultureInfo.InvariantCulture)

let truthTsv (t: Truth) =
    let sb = StringBuilder("voxel\troi\tsource\tsnr\tnoise_sd\tceiling_r2\tceiling_r\n")
    for v in 0 .. t.Roi.Length - 1 do
        sb.Append(String.concat "\t" [ string v; t.Roi[v]; t.Source[v]; f t.Snr[v]; f t.NoiseSd[v]; f t.CeilingR2[v]; f t.CeilingR[v] ]).Append('\n') |> ignore
    sb.ToString()

/// The smallest cube holding every voxel plus background (half as many again).
let gridSide (voxels: int) = int (ceil (Math.Cbrt(1.5 * double voxels)))

/// Writes every file of the simulation into `dir` (each atomically). Returns the file names.
let private writeInto (dir: string) (writeNifti: bool) (seed: int) (sim: Simulation) =
    let file name = Path.Combine(dir, name)
    Matrix.writeNpy (file "responses.npy") sim.Responses
    Matrix.writeNpy (file "signal.npy") sim.Signal
    TrialTable.write (file "trials.tsv") sim.Trials
    sim.Stimuli.Write(file "stimuli.tsv")
    AtomicFile.WriteAllText(file "truth.tsv", truthTsv sim.Truth)
    let written = ResizeArray [ "responses.npy"; "signal.npy"; "trials.tsv"; "stimuli.tsv"; "truth.tsv" ]
    // Label tuning has no feature file of its own: write the one-hot codes so `encode` can use them.
    for roi in sim.Rois do
        match roi.Source with
        | TuningSource.Labels c ->
            let name = sprintf "labels_%s.npy" c
            if not (written.Contains name) then
                Matrix.writeNpy (file name) (ofLabels sim.Stimuli c).Matrix
                written.Add name
        | _ -> ()
    if writeNifti then
        // ROI voxels occupy the first flat indices in ROI order (x fastest), so `fmri roi --label k`
        // returns exactly ROI k's columns of responses.npy; the remaining voxels are pure noise, label 0.
        let voxels = sim.Responses.Cols
        let side = gridSide voxels
        let perVolume = side * side * side
        let affine = [| [| 3.0; 0.0; 0.0; -30.0 |]; [| 0.0; 3.0; 0.0; -30.0 |]; [| 0.0; 0.0; 3.0; -30.0 |] |]
        let g = Draws(seed + 1)
        let background = Array.init (sim.Responses.Rows * (perVolume - voxels)) (fun _ -> 100.0 + g.Next())
        let dims = [| int64 side; int64 side; int64 side; int64 sim.Responses.Rows |]
        NiftiWriter.write (file "bold.nii.gz") dims Nifti.DataType.Float32 affine (fun t ->
            Array.init perVolume (fun i ->
                if i < voxels then Matrix.get sim.Responses t i else background[t * (perVolume - voxels) + i - voxels]))
        let perRoi = voxels / sim.Rois.Length
        NiftiWriter.write (file "rois.nii.gz") (Array.truncate 3 dims) Nifti.DataType.Int16 affine (fun _ ->
            Array.init perVolume (fun i -> if i < voxels then double (i / perRoi + 1) else 0.0))
        let labels = StringBuilder("label\troi\tsource\tvoxels\n")
        sim.Rois |> Array.iteri (fun i r -> labels.Append(sprintf "%d\t%s\t%s\t%d\n" (i + 1) r.Name (describeSource r.Source) perRoi) |> ignore)
        AtomicFile.WriteAllText(file "rois.tsv", labels.ToString())
        written.AddRange [ "bold.nii.gz"; "rois.nii.gz"; "rois.tsv" ]
    written.ToArray()

/// Writes the simulation. A new folder appears only once complete (written under a temporary name, then
/// renamed); into an existing folder every file is written atomically. Returns the file names.
let write (out: string) (writeNifti: bool) (seed: int) (sim: Simulation) =
    let full = Path.GetFullPath out
    if Directory.Exists full then writeInto full writeNifti seed sim
    else
        let parent = Path.GetDirectoryName full
        if not (Directory.Exists parent) then raise (InputException(out, "the folder to write into does not exist"))
        let temp = Path.Combine(parent, sprintf ".%s.%s.tmp" (Path.GetFileName full) (Guid.NewGuid().ToString("N")))
        use _pending = PendingOutputs.Register temp // a signal that ends the process removes it too
        OutputException.Guard(full, Action(fun () -> Directory.CreateDirectory temp |> ignore))
        try
            try
                let files = writeInto temp writeNifti seed sim
                OutputException.Guard(full, Action(fun () -> Directory.Move(temp, full)))
                files
            with :? OutputException as e when e.Path.StartsWith temp ->
                // Name the file where it was going, not the temporary folder.
                raise (OutputException(Path.Combine(full, Path.GetFileName e.Path), e.Problem, e))
        with _ ->
            (try Directory.Delete(temp, true) with _ -> ())
            reraise ()
