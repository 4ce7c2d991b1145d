/// Where stimulus features come from: a .npy matrix, a layer of an activation store, or labels.
module FaceBrain.Fmri.FeatureSource

open System.IO
open System.Text.Json
open FaceBrain.Core
open FaceBrain.Core.IO

/// Stimuli and the feature matrix describing them (row i is stimulus i).
type Features =
    { Stimuli: StimulusTable option
      Matrix: Matrix
      /// Where the features came from, for reports.
      Name: string }

let private requireCompleteManifest (dir: string) =
    let manifest = Path.Combine(dir, "manifest.json")
    if not (File.Exists manifest) then raise (InputException(manifest, "file not found (not an activation store?)"))
    let complete =
        try
            use doc = JsonDocument.Parse(File.ReadAllText manifest)
            match doc.RootElement.TryGetProperty "complete" with
            | true, v when v.ValueKind = JsonValueKind.True -> true
            | _ -> false
        with :? JsonException as e -> raise (InputException(manifest, sprintf "not valid JSON (%s)" e.Message))
    if not complete then raise (InputException(manifest, "the store is not complete (\"complete\": true missing); was extraction interrupted?"))

/// Layer names of an activation store (the .npy files under layers/).
let storeLayers (dir: string) =
    let layers = Path.Combine(dir, "layers")
    if not (Directory.Exists layers) then raise (InputException(layers, "folder not found (not an activation store?)"))
    Directory.GetFiles(layers, "*.npy") |> Array.map Path.GetFileNameWithoutExtension |> Array.sort

/// THE one place that reads the activation store (DIR/stimuli.tsv, DIR/layers/<layer>.npy, DIR/manifest.json
/// with "complete": true) through Core. To be replaced by the analysis project's store reader.
let readStoreLayer (dir: string) (layer: string) : Features =
    if not (Directory.Exists dir) then raise (InputException(dir, "activation store folder not found"))
    requireCompleteManifest dir
    let stimuli = StimulusTable.Read(Path.Combine(dir, "stimuli.tsv"))
    let path = Path.Combine(dir, "layers", layer + ".npy")
    if not (File.Exists path) then
        raise (InputException(path, sprintf "no layer '%s' in the store (layers: %s)" layer (String.concat ", " (storeLayers dir))))
    let a = Npy.ReadMatrix(path, stimuli.Count, stimuli.Source)
    { Stimuli = Some stimuli; Matrix = Matrix.make a.Rows a.Columns a.Data; Name = layer }

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
