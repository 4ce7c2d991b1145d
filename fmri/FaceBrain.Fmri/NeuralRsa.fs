/// `facebrain fmri rsa`: RSA on neural data. Per subject and ROI, an RDM over stimuli (repeats averaged), pooled
/// over subjects and compared with every layer's RDM; the Nili et al. (2014) noise ceiling from leave-one-subject-out.
/// RDMs and comparisons are the analysis project's (Rdm, Comparison): nothing here recomputes them.
module FaceBrain.Fmri.NeuralRsa

open System
open System.Globalization
open System.IO
open System.Text
open TorchSharp
open FaceBrain.Core
open FaceBrain.Core.IO
open FaceBrain.Analysis


type Request =
    { Stores: string[]
      Layers: string[]
      Responses: string[]
      Trials: string[]
      /// One voxel/roi table for all subjects, or one per subject (same order); empty: all voxels, ROI "all".
      RoiTables: string[]
      /// Restrict to these ROIs (empty: every ROI of the tables).
      RoiNames: string[]
      /// Correlation, Euclidean or cosine (crossnobis needs runs, which this verb does not model).
      Distance: Rdm.Distance
      Compare: Comparison.Method }

/// Lower and upper bound of the noise ceiling.
type Ceiling = { Lower: float; Upper: float }

type RoiSummary =
    { Roi: string
      /// Voxels of the ROI in each subject, in subject order.
      Voxels: int[]
      /// None with one subject: a ceiling from one subject cannot be estimated.
      Ceiling: Ceiling option }

type Score =
    { Network: string
      Layer: string
      Roi: string
      /// The pooled (group) neural RDM against the layer RDM.
      Group: float
      /// Mean over subjects of each subject's RDM against the layer RDM.
      SubjectMean: float }

type Result =
    { Distance: string
      Compare: string
      Subjects: int
      Stimuli: int
      Rois: RoiSummary[]
      Scores: Score[] }

/// rsatoolbox's pool_rdm: RDMs are made comparable before averaging (ranks for rank-based comparisons,
/// z-scores for Pearson), so the pooled RDM is the one a subject's RDM is compared with.
let private prepare (c: Comparison.Method) (v: float[]) =
    match c with
    | Comparison.Method.Spearman | Comparison.Method.KendallTauA -> Metrics.rank v
    | Comparison.Method.Pearson ->
        let m = Array.average v
        let sd = sqrt (v |> Array.averageBy (fun x -> (x - m) * (x - m)))
        if sd = 0.0 then v |> Array.map (fun x -> x - m) else v |> Array.map (fun x -> (x - m) / sd)

/// The pooled RDM of several subjects' condensed RDMs (same length).
let pool (c: Comparison.Method) (rdms: float[][]) : float[] =
    let prepared = rdms |> Array.map (prepare c)
    Array.init prepared[0].Length (fun k -> prepared |> Array.averageBy (fun r -> r[k]))

/// Nili et al. 2014 (rsatoolbox boot_noise_ceiling without the bootstrap): upper = mean over subjects of
/// compare(subject, pool of all); lower = mean over subjects of compare(subject, pool of the others).
/// None for fewer than two subjects.
let noiseCeiling (c: Comparison.Method) (rdms: float[][]) : Ceiling option =
    if rdms.Length < 2 then None
    else
        let all = pool c rdms
        let upper = rdms |> Array.averageBy (fun r -> Comparison.compare' c r all)
        let lower =
            rdms |> Array.mapi (fun s r ->
                let others = rdms |> Array.indexed |> Array.filter (fun (t, _) -> t <> s) |> Array.map snd
                Comparison.compare' c r (pool c others))
            |> Array.average
        Some { Lower = lower; Upper = upper }

// Crossnobis needs independent runs per stimulus, which this verb does not model yet.
let private supported (d: Rdm.Distance) =
    match d with
    | Rdm.Distance.Crossnobis _ -> raise (InputException "`distance` crossnobis is not supported by fmri rsa (it needs runs); use correlation, euclidean or cosine")
    | d -> d

/// The `distance` setting of this verb: correlation, euclidean or cosine.
let parseDistance (name: string) : Rdm.Distance =
    if name.Trim().ToLowerInvariant() = "crossnobis" then supported (Rdm.Distance.Crossnobis { FoldColumn = ""; NoiseCovariance = None; BlockColumns = 0 })
    else Rdm.parseDistance name "" ""
let private nonEmpty (a: string[]) = if isNull a then [||] else a |> Array.filter (String.IsNullOrWhiteSpace >> not)

/// A subject's responses averaged per stimulus, rows in `order`; refuses a subject lacking any stimulus.
let private loadSubject (order: string[]) (orderSource: string) (responsesPath: string) (trialsPath: string) : Matrix =
    let raw = Matrix.readNpy responsesPath
    let trials = TrialTable.read trialsPath
    TrialTable.requireRows responsesPath raw.Rows trials
    let shown = trials.StimulusIds |> Set.ofArray
    let missing = order |> Array.filter (fun id -> not (shown.Contains id))
    if missing.Length > 0 then
        let list = missing |> Array.truncate 5 |> String.concat ", "
        raise (InputException(trialsPath, sprintf "lacks %d stimulus(es) of %s (%s%s): every subject needs every stimulus" missing.Length orderSource list (if missing.Length > 5 then ", ..." else "")))
    let groups = Responses.trialsPerStimulus trials.Source trials.StimulusIds order
    let averaged = Responses.averageRepeats groups raw
    let bad = Responses.screen averaged |> Array.filter (fun e -> e.Problem = Responses.NonFinite)
    if bad.Length > 0 then
        raise (InputException(responsesPath, sprintf "%d voxel(s) have NaN or infinite values: %s" bad.Length (Responses.listing bad)))
    averaged

/// The ROI of each voxel of one subject (None: outside every ROI).
let private roiTable (path: string option) (voxels: int) : string option[] =
    match path with
    | Some p -> Profile.readRoiTable p voxels
    | None -> Array.create voxels (Some "all")

/// The condensed RDM, in `order`, of a square-form RDM whose items are in `items`.
let reorder (items: string[]) (values: float[]) (order: string[]) : float[] =
    let n = order.Length
    let index = Collections.Generic.Dictionary<string, int>()
    items |> Array.iteri (fun i id -> index[id] <- i)
    [| for i in 0 .. n - 1 do
         for j in i + 1 .. n - 1 ->
             let a, b = index[order[i]], index[order[j]]
             values[Rdm.condensedIndex items.Length (min a b) (max a b)] |]

let private networkName (dir: string) = Path.GetFileName(dir.TrimEnd('/', '\\'))

let run (req: Request) (device: torch.Device) : Result =
    let stores = nonEmpty req.Stores
    if stores.Length = 0 then raise (InputException "give at least one `store`")
    let responses, trials = nonEmpty req.Responses, nonEmpty req.Trials
    if responses.Length = 0 then raise (InputException "give at least one `responses` (one per subject)")
    if trials.Length <> responses.Length then
        raise (InputException(sprintf "give one `trials` per `responses` (same order): %d `responses`, %d `trials`" responses.Length trials.Length))
    let roiTables = nonEmpty req.RoiTables
    if roiTables.Length > 1 && roiTables.Length <> responses.Length then
        raise (InputException(sprintf "give one `rois` for all subjects or one per subject: %d `rois`, %d subjects" roiTables.Length responses.Length))
    let distance = supported req.Distance
    let compare = req.Compare
    // The stimulus order is the first store's; every store must hold the same stimuli (any order).
    let opened = stores |> Array.map (fun dir -> dir, Store.openStore dir)
    let firstStore = snd opened[0]
    let order = Array.ofSeq firstStore.Stimuli.Ids
    let orderSource = firstStore.Stimuli.Source
    for dir, s in opened do
        let ids = Array.ofSeq s.Stimuli.Ids
        if Set.ofArray ids <> Set.ofArray order then
            raise (InputException(s.Stimuli.Source, sprintf "its stimuli differ from those of %s (stores compared need the same stimuli)" orderSource))
    // Layers are checked before any RDM is computed, so a typo fails at once.
    let wantedLayers = nonEmpty req.Layers
    let layersOf =
        opened |> Array.map (fun (dir, store) ->
            let names = Store.layerNames store |> Array.ofList
            for l in wantedLayers do
                if not (Array.contains l names) then
                    raise (InputException(Path.Combine(dir, "manifest.json"), sprintf "no layer '%s' (layers: %s)" l (String.concat ", " names)))
            if wantedLayers.Length = 0 then names else wantedLayers)
    if order.Length < 3 then raise (InputException(orderSource, "RSA needs at least three stimuli"))
    let subjects = Array.map2 (loadSubject order orderSource) responses trials
    let roiOf =
        subjects |> Array.mapi (fun s m ->
            let table = if roiTables.Length = 0 then None elif roiTables.Length = 1 then Some roiTables[0] else Some roiTables[s]
            roiTable table m.Cols)
    let allRois = roiOf |> Array.collect (Array.choose id) |> Array.distinct
    let wanted = nonEmpty req.RoiNames
    for r in wanted do
        if not (Array.contains r allRois) then
            raise (InputException(sprintf "`roi`: unknown ROI '%s' (the ROI tables have: %s)" r (String.concat ", " allRois)))
    let rois = if wanted.Length = 0 then allRois else wanted |> Array.distinct
    let source s = responses[s]
    // Per ROI, every subject's condensed RDM.
    let neural =
        rois |> Array.map (fun roi ->
            let voxels = roiOf |> Array.map (fun r -> [| for v in 0 .. r.Length - 1 do if r[v] = Some roi then v |])
            voxels |> Array.iteri (fun s v ->
                if v.Length = 0 then
                    let table = if roiTables.Length = 0 then "" else sprintf " in %s" (if roiTables.Length = 1 then roiTables[0] else roiTables[s])
                    raise (InputException(source s, sprintf "ROI '%s' has no voxels for this subject%s" roi table)))
            let rdms =
                subjects |> Array.mapi (fun s m ->
                    let sub = Matrix.selectCols voxels[s] m
                    use x = Tensors.matrix device sub.Rows sub.Cols sub.Data
                    use sq = Rdm.pairwise (sprintf "%s (ROI %s)" (source s) roi) order distance x
                    Rdm.upper sq)
            roi, voxels |> Array.map Array.length, rdms)
    let summaries =
        neural |> Array.map (fun (roi, counts, rdms) -> { Roi = roi; Voxels = counts; Ceiling = noiseCeiling compare rdms })
    let pooled = neural |> Array.map (fun (roi, _, rdms) -> roi, rdms, pool compare rdms)
    let scores =
        [| for (dir, store), layers in Array.zip opened layersOf do
               for layer in layers do
                   let d = Store.layer store layer
                   let rdm = Rdm.compute device d None distance
                   let model = reorder rdm.Items rdm.Values order
                   for roi, rdms, group in pooled ->
                       { Network = networkName dir
                         Layer = layer
                         Roi = roi
                         Group = Comparison.compare' compare group model
                         SubjectMean = rdms |> Array.averageBy (fun r -> Comparison.compare' compare r model) } |]
    { Distance = distance.Name; Compare = compare.Name; Subjects = subjects.Length; Stimuli = order.Length; Rois = summaries; Scores = scores }

let private num (x: float) = x.ToString("R", CultureInfo.InvariantCulture)

/// One row per (network, layer, ROI); the ceiling columns are "NA" when unavailable (one subject).
let toTsv (r: Result) =
    let sb = StringBuilder("network\tlayer\troi\tgroup\tsubject_mean\tceiling_lower\tceiling_upper\n")
    for s in r.Scores do
        let ceiling = r.Rois |> Array.find (fun x -> x.Roi = s.Roi)
        let lo, hi =
            match ceiling.Ceiling with
            | Some c -> num c.Lower, num c.Upper
            | None -> "NA", "NA"
        sb.Append(sprintf "%s\t%s\t%s\t%s\t%s\t%s\t%s\n" s.Network s.Layer s.Roi (num s.Group) (num s.SubjectMean) lo hi) |> ignore
    sb.ToString()
