/// `facebrain encode`: read features and responses, screen voxels, average repeats, estimate noise
/// ceilings, cross-validate, and shape the report. Takes typed options; the C# verb parses its flags into them.
module FaceBrain.Fmri.EncodeWorkflow

open System
open System.Collections.Generic
open System.Globalization
open System.Text
open TorchSharp
open FaceBrain.Core
open FaceBrain.Analysis
open FaceBrain.Core.IO

/// Where the features come from.
[<RequireQualifiedAccess>]
type FeatureInput =
    /// A [stimuli, features] .npy, with the stimulus table giving its rows when there is one.
    | Npy of path: string * stimuli: string option
    /// One layer of an activation store.
    | StoreLayer of dir: string * layer: string

/// What to encode, and how (typed: the CLI parses its strings into these).
type Request =
    { Features: FeatureInput
      Responses: string
      /// Trial table (stimulus_id per row of the responses): repeats are averaged and give the noise ceiling.
      Trials: string option
      Cv: CrossValidation.Scheme
      Alpha: Encoding.AlphaSpec
      BatchVoxels: int option
      DropBadVoxels: bool }

/// The study's defaults: 5 contiguous outer folds; one alpha per voxel from 25 log-spaced values in
/// 1e-2..1e6 chosen by 5 inner folds.
let defaultCv = CrossValidation.Scheme.KFold(5, None)
let defaultGrid = AlphaGrid.parse "alphas" "1e-2..1e6:25"
let defaultInnerCv = CrossValidation.Scheme.KFold(5, None)
let defaultAlpha = Encoding.AlphaSpec.PerVoxel(defaultGrid, defaultInnerCv)

type Report =
    { Voxels: int
      Rows: int
      FeatureCount: int
      FeatureName: string
      Excluded: Responses.ExcludedVoxel[]
      Kept: int[]
      Result: Encoding.Result
      Ceiling: Reliability.NoiseCeiling option
      CeilingNote: string option
      Options: Encoding.Options }

/// Features, rows-as-stimuli; responses averaged per stimulus; the ceiling when repeats allow one.
let loadData (input: FeatureInput) (responsesPath: string) (trialsPath: string option) =
    let features =
        match input with
        | FeatureInput.StoreLayer (dir, layer) -> FeatureSource.readStoreLayer dir layer
        | FeatureInput.Npy (f, stimuli) -> FeatureSource.readNpy f stimuli
    if String.IsNullOrWhiteSpace responsesPath then raise (InputException "`responses` is required")
    let raw = Matrix.readNpy responsesPath
    match trialsPath with
    | None ->
        if raw.Rows <> features.Matrix.Rows then
            raise (InputException(responsesPath, sprintf "has %d rows but the features have %d (give `trials` for repeated presentations)" raw.Rows features.Matrix.Rows))
        features, raw, raw, None, None
    | Some trialsPath ->
        let trials = TrialTable.read trialsPath
        TrialTable.requireRows responsesPath raw.Rows trials
        let stimuli =
            features.Stimuli |> Option.defaultWith (fun () -> raise (InputException "`trials` needs the stimulus table of the features (`stimuli` S.tsv, or a store)"))
        let order = Array.ofSeq stimuli.Ids
        let groups = Responses.trialsPerStimulus trials.Source trials.StimulusIds order
        let averaged = Responses.averageRepeats groups raw
        let ceiling, note =
            if groups |> Array.forall (fun g -> g.Length >= 2) then
                Some(Reliability.splitHalf trials.Source groups order raw), None
            else None, Some "no noise ceiling: some stimuli were presented only once"
        features, raw, averaged, ceiling, note

let run (req: Request) (device: torch.Device) : Report =
    let features, trials, responses, ceiling, note = loadData req.Features req.Responses req.Trials
    let excluded =
        Array.append (Responses.screen trials) (Responses.screen responses)
        |> Array.distinctBy (fun e -> e.Voxel)
        |> Array.sortBy (fun e -> e.Voxel)
    if not req.DropBadVoxels then Responses.requireUsable req.Responses excluded
    let kept = Responses.kept responses.Cols excluded
    if kept.Length = 0 then raise (InputException(req.Responses, "no usable voxels left"))
    let options =
        { Encoding.Options.Cv = req.Cv
          Encoding.Options.Alpha = req.Alpha
          Encoding.Options.Device = device
          Encoding.Options.BatchVoxels = req.BatchVoxels }
    let groups column =
        match features.Stimuli with
        | Some t -> Array.ofSeq (t.Column column)
        | None -> raise (InputException(sprintf "`cv` logo:%s needs a stimulus table (`stimuli` or a store)" column))
    let result = Encoding.crossValidate req.Responses options groups features.Matrix (Matrix.selectCols kept responses)
    { Voxels = responses.Cols
      Rows = responses.Rows
      FeatureCount = features.Matrix.Cols
      FeatureName = features.Name
      Excluded = excluded
      Kept = kept
      Result = result
      Ceiling = ceiling |> Option.map (Reliability.select kept)
      CeilingNote = note
      Options = options }

/// Per-voxel values in the original voxel order; excluded voxels are null.
let private spread (report: Report) (values: double[]) : Nullable<double>[] =
    let out = Array.create report.Voxels (Nullable<double>())
    Array.iteri2 (fun k v x -> out[v] <- Nullable x) report.Kept values
    out

/// The `--json` object: `r` and `r2` first (the contract), `alphas` only when they were selected.
let toJson (report: Report) : IDictionary<string, obj> =
    let d = Dictionary<string, obj>()
    let r = report.Result
    d["r"] <- spread report r.R
    d["r2"] <- spread report r.R2
    r.Alphas |> Option.iter (fun a -> d["alphas"] <- spread report a)
    d["r_fold_mean"] <- spread report r.RFoldMean
    match report.Ceiling with
    | Some c ->
        d["ceiling_r"] <- spread report c.CeilingR
        d["ceiling_r2"] <- spread report c.CeilingR2
        d["split_half_r"] <- spread report c.SplitHalfR
        d["ceiling_r2_variance"] <- spread report c.VarianceCeilingR2
        d["r_normalized"] <- spread report (Scores.normalize r.R c.CeilingR)
        d["r2_normalized"] <- spread report (Scores.normalize r.R2 c.CeilingR2)
    | None -> ()
    report.CeilingNote |> Option.iter (fun n -> d["note"] <- n)
    d["excluded"] <- report.Excluded |> Array.map (fun e -> {| voxel = e.Voxel; problem = (match e.Problem with Responses.NonFinite -> "non-finite" | Responses.Constant -> "constant") |})
    d["cv"] <- report.Options.Cv.Text
    d["folds"] <- r.Folds
    match report.Options.Alpha with
    | Encoding.AlphaSpec.Fixed a -> d["alpha"] <- a
    | Encoding.AlphaSpec.PerVoxel (grid, inner) ->
        d["alpha_grid"] <- grid
        d["inner_cv"] <- inner.Text
    d["rows"] <- report.Result.Predictions.Rows
    d["features"] <- report.FeatureCount
    d :> IDictionary<string, obj>

/// A per-voxel TSV (voxel, r, r2, alpha, ceilings) for `--out`.
let toTsv (report: Report) =
    let f (x: double) = x.ToString("R", CultureInfo.InvariantCulture)
    let sb = StringBuilder("voxel\tr\tr2\tr_fold_mean\talpha\tceiling_r\tceiling_r2\tr_normalized\tr2_normalized\n")
    let r = report.Result
    let normalized = report.Ceiling |> Option.map (fun c -> Scores.normalize r.R c.CeilingR, Scores.normalize r.R2 c.CeilingR2)
    report.Kept
    |> Array.iteri (fun k v ->
        let alpha =
            match r.Alphas, report.Options.Alpha with
            | Some a, _ -> f a[k]
            | None, Encoding.AlphaSpec.Fixed a -> f a
            | None, _ -> ""
        let c =
            match report.Ceiling, normalized with
            | Some c, Some (nr, nr2) -> [ f c.CeilingR[k]; f c.CeilingR2[k]; f nr[k]; f nr2[k] ]
            | _ -> [ ""; ""; ""; "" ]
        sb.Append(String.concat "\t" ([ string v; f r.R[k]; f r.R2[k]; f r.RFoldMean[k]; alpha ] @ c)).Append('\n') |> ignore)
    sb.ToString()

let summary (report: Report) =
    let r = report.Result
    let med (a: double[]) = FaceBrain.Analysis.Metrics.median (a |> Array.filter (Double.IsNaN >> not))
    let lines =
        [ sprintf "encoded %d of %d voxels from %d features (%s), %d rows, %s (%d folds)" report.Kept.Length report.Voxels report.FeatureCount report.FeatureName r.Predictions.Rows (report.Options.Cv.Text) r.Folds
          sprintf "median r = %.4f, median R2 = %.4f" (med r.R) (med r.R2) ]
        @ (match report.Ceiling with
           | Some c -> [ sprintf "median noise ceiling r = %.4f, median r / ceiling = %.4f" (med c.CeilingR) (med (Scores.normalize r.R c.CeilingR)) ]
           | None -> [])
        @ (if report.Excluded.Length > 0 then [ sprintf "excluded %d voxel(s): %s" report.Excluded.Length (Responses.listing report.Excluded) ] else [])
        @ (report.CeilingNote |> Option.toList)
    String.concat "\n" lines
