/// `facebrain fmri partition`: banded ridge over several feature sets and variance partitioning.
module FaceBrain.Fmri.PartitionWorkflow

open System
open System.Collections.Generic
open TorchSharp
open FaceBrain.Core
open FaceBrain.Analysis
open FaceBrain.Fmri.EncodeWorkflow

/// What to partition, and how (typed: the CLI parses its strings into these, defaults from EncodeWorkflow).
type Request =
    { FeatureSets: string[]
      /// The stimulus table of the feature sets' rows (needed with trials or a grouped CV).
      Stimuli: string option
      Responses: string
      Trials: string option
      Cv: CrossValidation.Scheme
      Alphas: double[]
      InnerCv: CrossValidation.Scheme
      /// Band mixes tried per voxel (random points of the simplex, the pure bands and the even mix first).
      Mixes: int
      Seed: int
      BatchVoxels: int option
      DropBadVoxels: bool }

/// The study's defaults for everything but the inputs: EncodeWorkflow's CV and alpha search.
let request (featureSets: string[]) (stimuli: string option) (responses: string) (mixes: int) =
    { FeatureSets = featureSets; Stimuli = stimuli; Responses = responses; Trials = None
      Cv = EncodeWorkflow.defaultCv; Alphas = EncodeWorkflow.defaultGrid; InnerCv = EncodeWorkflow.defaultInnerCv
      Mixes = mixes; Seed = 0; BatchVoxels = None; DropBadVoxels = false }

type Report =
    { Names: string[]
      Kept: int[]
      Voxels: int
      Joint: Banded.Result
      Partition: Banded.Partition }

/// Banded ridge over every feature set at once, then each set left out in turn.
let run (req: Request) (device: torch.Device) : Report =
    if isNull req.FeatureSets || req.FeatureSets.Length < 2 then raise (InputException "variance partitioning needs at least two feature sets")
    let sets = req.FeatureSets |> Array.map (fun f -> FeatureSource.readNpy f req.Stimuli)
    let features, trials, responses, _, _ =
        loadData (FeatureInput.Npy(req.FeatureSets[0], req.Stimuli)) req.Responses req.Trials
    for s, path in Array.zip sets req.FeatureSets do
        if s.Matrix.Rows <> responses.Rows then
            raise (InputException(path, sprintf "has %d rows but there are %d stimuli" s.Matrix.Rows responses.Rows))
    let excluded = Array.append (Responses.screen trials) (Responses.screen responses) |> Array.distinctBy (fun e -> e.Voxel) |> Array.sortBy (fun e -> e.Voxel)
    if not req.DropBadVoxels then Responses.requireUsable req.Responses excluded
    let kept = Responses.kept responses.Cols excluded
    let y = Matrix.selectCols kept responses
    if req.Mixes < 1 then raise (InputException(sprintf "band mixes must be at least 1, got %d" req.Mixes))
    let groups column =
        match features.Stimuli with
        | Some t -> Array.ofSeq (t.Column column)
        | None -> raise (InputException(sprintf "the CV scheme groups by column '%s': it needs the stimulus table of the features" column))
    let fit bands = Banded.crossValidate req.Responses req.Cv req.Alphas req.InnerCv req.Mixes req.Seed device req.BatchVoxels groups bands y
    let bands = sets |> Array.map (fun s -> s.Matrix)
    let joint = fit bands
    let p = Banded.partition (fun subset -> if subset.Length = bands.Length then joint else fit subset) bands
    { Names = sets |> Array.map (fun s -> s.Name); Kept = kept; Voxels = responses.Cols; Joint = joint; Partition = p }

let toJson (r: Report) : IDictionary<string, obj> =
    let spread (values: double[]) =
        let out = Array.create r.Voxels (Nullable<double>())
        Array.iteri2 (fun _ v x -> out[v] <- Nullable x) r.Kept values
        out
    let d = Dictionary<string, obj>()
    d["feature_sets"] <- r.Names
    d["r2_joint"] <- spread r.Partition.Joint
    d["r_joint"] <- spread r.Joint.R
    for i in 0 .. r.Names.Length - 1 do
        d["r2_unique_" + r.Names[i]] <- spread r.Partition.Unique[i]
        d["r2_without_" + r.Names[i]] <- spread r.Partition.Without[i]
        d["mix_" + r.Names[i]] <- spread (r.Joint.Mix |> Array.map (fun m -> m[i]))
    r.Partition.Shared |> Option.iter (fun s -> d["r2_shared"] <- spread s)
    d["alphas"] <- spread r.Joint.Alphas
    d :> IDictionary<string, obj>
