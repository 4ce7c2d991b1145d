/// `facebrain fmri profile`: every layer of one or more stores against every ROI of a voxel table.
module FaceBrain.Fmri.ProfileWorkflow

open System
open TorchSharp
open FaceBrain.Core
open FaceBrain.Analysis
open FaceBrain.Core.IO
open FaceBrain.Fmri.EncodeWorkflow

[<CLIMutable>]
type Request =
    { Stores: string[]
      Responses: string
      Trials: string
      Rois: string
      Cv: string
      Alphas: string
      InnerCv: string
      BatchVoxels: Nullable<int>
      DropBadVoxels: bool
      Seed: int }

let private networkName (dir: string) = IO.Path.GetFileName(dir.TrimEnd('/', '\\'))

/// Every layer of every store against every ROI of `--rois` (per-voxel alphas by inner CV).
let run (req: Request) (device: torch.Device) : Profile.Result =
    if isNull req.Stores || req.Stores.Length = 0 then raise (InputException "give at least one --store")
    let stores = req.Stores |> Array.map (fun dir -> dir, FeatureSource.storeLayers dir)
    for dir, layers in stores do
        if layers.Length = 0 then raise (InputException(dir, "the store has no layers"))
    let firstDir, firstLayers = stores[0]
    let first = FeatureSource.readStoreLayer firstDir firstLayers[0]
    let ids = Array.ofSeq first.Stimuli.Value.Ids
    for dir, _ in stores do
        let t = StimulusTable.Read(IO.Path.Combine(dir, "stimuli.tsv"))
        if Array.ofSeq t.Ids <> ids then
            raise (InputException(t.Source, sprintf "its stimuli differ from those of %s (stores compared side by side need the same stimuli in the same order)" first.Stimuli.Value.Source))
    let features, trials, responses, _, _ =
        loadData (FeatureInput.StoreLayer(firstDir, firstLayers[0])) req.Responses (given req.Trials)
    let excluded = Array.append (Responses.screen trials) (Responses.screen responses) |> Array.distinctBy (fun e -> e.Voxel)
    if not req.DropBadVoxels then Responses.requireUsable req.Responses excluded
    let kept = Responses.kept responses.Cols excluded
    let roiOfAll = Profile.readRoiTable req.Rois responses.Cols
    let roiOf = kept |> Array.map (fun v -> roiOfAll[v])
    let options =
        { Encoding.Options.Cv = CrossValidation.parseFor "--cv" (given req.Cv |> Option.defaultValue "kfold:5")
          Encoding.Options.Alpha =
            Encoding.AlphaSpec.PerVoxel(
                AlphaGrid.parse "--alphas" (given req.Alphas |> Option.defaultValue "1e-2..1e6:25"),
                CrossValidation.parseFor "--inner-cv" (given req.InnerCv |> Option.defaultValue "kfold:5"))
          Encoding.Options.Device = device
          Encoding.Options.BatchVoxels = Option.ofNullable req.BatchVoxels }
    let y = Matrix.selectCols kept responses
    let groups column = Array.ofSeq (features.Stimuli.Value.Column column)
    let layers =
        [| for dir, names in stores do
               for name in names -> networkName dir, name, (fun () -> (FeatureSource.readStoreLayer dir name).Matrix) |]
    Profile.run req.Seed 1000 roiOf layers (fun f -> (Encoding.crossValidate req.Responses options groups f y).R)
