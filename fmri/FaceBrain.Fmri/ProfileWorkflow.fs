/// `facebrain fmri profile`: every layer of one or more stores against every ROI of a voxel table.
module FaceBrain.Fmri.ProfileWorkflow

open System
open TorchSharp
open FaceBrain.Core
open FaceBrain.Analysis
open FaceBrain.Core.IO
open FaceBrain.Fmri.EncodeWorkflow

/// What to profile, and how (typed: the CLI parses its strings into these, defaults from EncodeWorkflow).
type Request =
    { Stores: string[]
      Responses: string
      /// Trial table of the responses' rows (repeats are averaged per stimulus).
      Trials: string option
      /// TSV with `voxel` and `roi` columns.
      Rois: string
      Cv: CrossValidation.Scheme
      /// Alpha grid, one alpha per voxel chosen by `InnerCv` on each outer training set.
      Alphas: double[]
      InnerCv: CrossValidation.Scheme
      BatchVoxels: int option
      DropBadVoxels: bool
      /// Seeds both bootstraps (voxels for each layer's interval, stimuli for the best-layer test).
      Seed: int
      Resamples: int }

/// The study's defaults for everything but the inputs: EncodeWorkflow's CV and alpha search, 1,000 resamples.
let request (stores: string[]) (responses: string) (rois: string) =
    { Stores = stores; Responses = responses; Trials = None; Rois = rois
      Cv = EncodeWorkflow.defaultCv; Alphas = EncodeWorkflow.defaultGrid; InnerCv = EncodeWorkflow.defaultInnerCv
      BatchVoxels = None; DropBadVoxels = false; Seed = 0; Resamples = 1000 }

let private networkName (dir: string) = IO.Path.GetFileName(dir.TrimEnd('/', '\\'))

/// Every layer of every store against every ROI of `--rois` (per-voxel alphas by inner CV).
let run (req: Request) (device: torch.Device) : Profile.Result =
    if isNull req.Stores || req.Stores.Length = 0 then raise (InputException "give at least one activation store")
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
        loadData (FeatureInput.StoreLayer(firstDir, firstLayers[0])) req.Responses req.Trials
    let excluded = Array.append (Responses.screen trials) (Responses.screen responses) |> Array.distinctBy (fun e -> e.Voxel)
    if not req.DropBadVoxels then Responses.requireUsable req.Responses excluded
    let kept = Responses.kept responses.Cols excluded
    let roiOfAll = Profile.readRoiTable req.Rois responses.Cols
    let roiOf = kept |> Array.map (fun v -> roiOfAll[v])
    let options =
        { Encoding.Options.Cv = req.Cv
          Encoding.Options.Alpha = Encoding.AlphaSpec.PerVoxel(req.Alphas, req.InnerCv)
          Encoding.Options.Device = device
          Encoding.Options.BatchVoxels = req.BatchVoxels }
    let y = Matrix.selectCols kept responses
    let groups column = Array.ofSeq (features.Stimuli.Value.Column column)
    let layers =
        [| for dir, names in stores do
               for name in names -> networkName dir, name, (fun () -> (FeatureSource.readStoreLayer dir name).Matrix) |]
    Profile.run req.Seed req.Resamples roiOf y layers (fun f -> Encoding.crossValidate req.Responses options groups f y)
