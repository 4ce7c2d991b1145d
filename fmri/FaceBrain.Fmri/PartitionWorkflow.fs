/// `facebrain fmri partition`: banded ridge over several feature sets and variance partitioning.
module FaceBrain.Fmri.PartitionWorkflow

open System
open System.Collections.Generic
open TorchSharp
open FaceBrain.Core
open FaceBrain.Analysis
open FaceBrain.Fmri.EncodeWorkflow

[<CLIMutable>]
type Request =
    { FeatureSets: string[]
      Stimuli: string
      Responses: string
      Trials: string
      Cv: string
      Alphas: string
      InnerCv: string
      Mixes: int
      Seed: int
      BatchVoxels: Nullable<int>
      DropBadVoxels: bool }

type Report =
    { Names: string[]
      Kept: int[]
      Voxels: int
      Joint: Banded.Result
      Partition: Banded.Partition }

/// Banded ridge over every feature set at once, then each set left out in turn.
let run (req: Request) (device: torch.Device) : Report =
    if isNull req.FeatureSets || req.FeatureSets.Length < 2 then raise (InputException "variance partitioning needs at least two --features")
    let sets = req.FeatureSets |> Array.map (fun f -> FeatureSource.readNpy f (given req.Stimuli))
    let features, trials, responses, _, _ =
        loadData (FeatureInput.Npy(req.FeatureSets[0], given req.Stimuli)) req.Responses (given req.Trials)
    for s, path in Array.zip sets req.FeatureSets do
        if s.Matrix.Rows <> responses.Rows then
            raise (InputException(path, sprintf "has %d rows but there are %d stimuli" s.Matrix.Rows responses.Rows))
    let excluded = Array.append (Responses.screen trials) (Responses.screen responses) |> Array.distinctBy (fun e -> e.Voxel) |> Array.sortBy (fun e -> e.Voxel)
    if not req.DropBadVoxels then Responses.requireUsable req.Responses excluded
    let kept = Responses.kept responses.Cols excluded
    let y = Matrix.selectCols kept responses
    let cv = CrossValidation.parseFor "--cv" (given req.Cv |> Option.defaultValue "kfold:5")
    let grid = AlphaGrid.parse "--alphas" (given req.Alphas |> Option.defaultValue "1e-2..1e6:25")
    let inner = CrossValidation.parseFor "--inner-cv" (given req.InnerCv |> Option.defaultValue "kfold:5")
    if req.Mixes < 1 then raise (InputException "--mixes must be at least 1")
    let groups column =
        match features.Stimuli with
        | Some t -> Array.ofSeq (t.Column column)
        | None -> raise (InputException(sprintf "--cv logo:%s needs --stimuli" column))
    let fit bands = Banded.crossValidate req.Responses cv grid inner req.Mixes req.Seed device (Option.ofNullable req.BatchVoxels) groups bands y
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
