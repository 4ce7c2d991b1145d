/// Where stimulus features come from: a .npy matrix, a layer of an activation store, or labels.
module FaceBrain.Fmri.FeatureSource

open System.IO
open FaceBrain.Core
open FaceBrain.Core.IO
open FaceBrain.Analysis

/// Stimuli and the feature matrix describing them (row i is stimulus i).
type Features =
    { Stimuli: StimulusTable option
      Matrix: Matrix
      /// Where the features came from, for reports.
      Name: string }

/// Layer names of a complete activation store, in manifest order (the analysis project's reader checks the store).
let storeLayers (dir: string) =
    FaceBrain.Analysis.Store.openStore dir |> FaceBrain.Analysis.Store.layerNames |> Array.ofList

/// One layer of an activation store, read through the analysis project's store reader (which refuses incomplete
/// or inconsistent stores), with the store's stimulus table.
let readStoreLayer (dir: string) (layer: string) : Features =
    let store = FaceBrain.Analysis.Store.openStore dir
    let d = FaceBrain.Analysis.Store.layer store layer
    { Stimuli = Some d.Stimuli; Matrix = Matrix.make d.Rows d.Columns d.Features; Name = layer }

/// A feature matrix file, with an optional stimulus table giving its rows.
let readNpy (path: string) (stimuli: string option) : Features =
    let table = stimuli |> Option.map StimulusTable.Read
    let a =
        match table with
        | Some t -> Npy.ReadMatrix(path, t.Count, t.Source)
        | None -> Npy.ReadMatrix path
    { Stimuli = table; Matrix = Matrix.make a.Rows a.Columns a.Data; Name = Path.GetFileNameWithoutExtension path }

/// One-hot indicator features of a label column (e.g. identity, expression), levels in sorted order.
let ofLabels (stimuli: StimulusTable) (column: string) : Features =
    let values = stimuli.Column column |> Array.ofSeq
    let levels = values |> Array.distinct |> Array.sort
    if levels.Length < 2 then
        raise (InputException(stimuli.Source, sprintf "column '%s' has %d distinct value(s); label tuning needs at least 2" column levels.Length))
    let index = levels |> Array.mapi (fun i l -> l, i) |> dict
    { Stimuli = Some stimuli
      Matrix = Matrix.init values.Length levels.Length (fun i j -> if index[values[i]] = j then 1.0 else 0.0)
      Name = column }
