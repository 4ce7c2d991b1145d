/// The activation store (docs/activation-store.md): a folder with stimuli.tsv (row order), one .npy
/// matrix per layer under layers/, and manifest.json. This is the F# reader; `write` is a small
/// writer for tests and fixtures (the production writer is the C# extractor).
module FaceBrain.Analysis.Store

open System
open System.IO
open System.Text
open System.Text.Json
open System.Text.RegularExpressions
open System.Buffers.Binary
open Deedle
open FaceBrain.Core
open FaceBrain.Analysis.Tensors
open FaceBrain.Core.IO

[<Literal>]
let Format = "facebrain-activations"

[<Literal>]
let FormatVersion = 1

/// One layer as the manifest describes it.
type LayerEntry =
    { Name: string
      File: string
      Reduction: string
      Rows: int
      Columns: int
      DType: string }

/// An opened (complete, consistent) store. Layers are read on demand by `layer`.
type Store =
    { Dir: string
      Stimuli: StimulusTable
      Layers: LayerEntry list
      Manifest: JsonElement }

let private dtypeName (t: NpyDType) =
    match t with
    | NpyDType.Float32 -> "float32"
    | NpyDType.Float16 -> "float16"
    | NpyDType.Float64 -> "float64"
    | other -> string other

let private fail (file: string) (problem: string) : 'a = raise (InputException(file, problem))

let private prop (file: string) (e: JsonElement) (name: string) (kind: JsonValueKind) : JsonElement =
    match e.TryGetProperty name with
    | true, v when v.ValueKind = kind -> v
    | true, v -> fail file $"'{name}' should be {kind}, found {v.ValueKind}"
    | _ -> fail file $"no '{name}' field"

let private isComplete (file: string) (root: JsonElement) =
    match root.TryGetProperty "complete" with
    | true, v when v.ValueKind = JsonValueKind.True -> true
    | true, v when v.ValueKind = JsonValueKind.False -> false
    | true, v -> fail file $"'complete' should be true or false, found {v.ValueKind}"
    | _ -> fail file "no 'complete' field"

let private parseLayer (file: string) (e: JsonElement) : LayerEntry =
    let name = (prop file e "name" JsonValueKind.String).GetString()
    let shape = prop file e "shape" JsonValueKind.Array
    if shape.GetArrayLength() <> 2 then fail file $"layer '{name}': shape should be [n_stimuli, n_features]"
    let reduction =
        match e.TryGetProperty "reduction" with
        | true, v when v.ValueKind = JsonValueKind.String -> v.GetString()
        | _ -> ""
    { Name = name
      File = (prop file e "file" JsonValueKind.String).GetString()
      Reduction = reduction
      Rows = shape[0].GetInt32()
      Columns = shape[1].GetInt32()
      DType = (prop file e "dtype" JsonValueKind.String).GetString() }

/// Opens a store: refuses a missing folder or manifest, another format or version, an incomplete store,
/// and any layer file that is missing or disagrees with the manifest (shape, dtype) or with stimuli.tsv.
let openStore (dir: string) : Store =
    if not (Directory.Exists dir) then fail dir "activation store folder not found"
    let manifestPath = Path.Combine(dir, "manifest.json")
    if not (File.Exists manifestPath) then fail manifestPath "not found (is this an activation store?)"
    let root =
        try
            use doc = JsonDocument.Parse(File.ReadAllText manifestPath)
            doc.RootElement.Clone()
        with :? JsonException as e -> fail manifestPath $"not valid JSON: {(firstLine e.Message)}"
    if root.ValueKind <> JsonValueKind.Object then fail manifestPath "should hold a JSON object"
    let format = (prop manifestPath root "format" JsonValueKind.String).GetString()
    if format <> Format then fail manifestPath $"format is '{format}', expected '{Format}'"
    let version = (prop manifestPath root "format_version" JsonValueKind.Number).GetInt32()
    if version <> FormatVersion then fail manifestPath $"format_version {version} is not supported (this reader knows {FormatVersion})"
    if not (isComplete manifestPath root) then
        fail manifestPath "the store is incomplete (complete: false): the extraction did not finish; resume it or extract again"
    let n = (prop manifestPath root "n_stimuli" JsonValueKind.Number).GetInt32()
    let stimuliPath = Path.Combine(dir, "stimuli.tsv")
    let table = StimulusTable.Read stimuliPath
    if table.Count <> n then fail stimuliPath $"has {table.Count} rows but the manifest says n_stimuli = {n}"
    let layers = (prop manifestPath root "layers" JsonValueKind.Array).EnumerateArray() |> Seq.map (parseLayer manifestPath) |> List.ofSeq
    if layers.IsEmpty then fail manifestPath "lists no layers"
    match layers |> List.countBy (fun l -> l.Name) |> List.tryFind (fun (_, c) -> c > 1) with
    | Some (name, _) -> fail manifestPath $"layer '{name}' is listed twice"
    | None -> ()
    for l in layers do
        let path = Path.Combine(dir, l.File)
        if l.Rows <> n then fail manifestPath $"layer '{l.Name}': shape has {l.Rows} rows but n_stimuli = {n}"
        if l.DType <> "float32" && l.DType <> "float16" && l.DType <> "float64" then
            fail manifestPath $"layer '{l.Name}': dtype '{l.DType}' is not float32, float16 or float64"
        if not (File.Exists path) then fail path $"missing: the manifest lists it for layer '{l.Name}'"
        let h = Npy.ReadHeader path
        let dt = dtypeName h.DType
        if dt <> l.DType then fail path $"dtype is {dt}, the manifest says {l.DType}"
        if h.Shape.Length <> 2 || h.Shape[0] <> int64 l.Rows || h.Shape[1] <> int64 l.Columns then
            fail path $"shape ({(commas h.Shape)}) does not match the manifest's [{l.Rows}, {l.Columns}]"
    { Dir = dir; Stimuli = table; Layers = layers; Manifest = root }

let layerNames (s: Store) = s.Layers |> List.map (fun l -> l.Name)

/// One layer's matrix with the store's stimulus table, as a dataset (float64, checked finite).
let layer (s: Store) (name: string) : Dataset.Dataset =
    match s.Layers |> List.tryFind (fun l -> l.Name = name) with
    | None -> fail (Path.Combine(s.Dir, "manifest.json")) $"no layer '{name}' (layers: {(commas (layerNames s))})"
    | Some l ->
        let path = Path.Combine(s.Dir, l.File)
        let data = (Npy.ReadMatrix(path, s.Stimuli.Count, Path.Combine(s.Dir, "stimuli.tsv"))).Data
        Dataset.make path s.Stimuli l.Rows l.Columns data

/// The stimulus table as a Deedle frame (row key: row index; one string column per table column).
let stimulusFrame (table: StimulusTable) : Frame<int, string> =
    table.Columns
    |> Seq.map (fun c -> c, Series.ofValues (Seq.toArray (table.Column c)))
    |> Frame.ofColumns

// ---------------------------------------------------------------- writer (tests, fixtures)

/// A layer to write: its name and a row-major float32 matrix.
type LayerData = { LayerName: string; Rows: int; Columns: int; Values: float32[] }

/// Writes a minimal store in the contract's layout; `complete = false` makes one the reader must refuse.
/// For tests and fixtures (the fMRI code's tests use it too); the extractor writes real stores.
let write (dir: string) (stimuli: StimulusTable) (layers: LayerData list) (complete: bool) =
    Directory.CreateDirectory(Path.Combine(dir, "layers")) |> ignore
    stimuli.Write(Path.Combine(dir, "stimuli.tsv"))
    for l in layers do
        Npy.Write<float32>(Path.Combine(dir, "layers", l.LayerName + ".npy"), ReadOnlySpan l.Values, int64 l.Rows, int64 l.Columns)
    let manifest =
        {| format = Format
           format_version = FormatVersion
           complete = complete
           n_stimuli = stimuli.Count
           layers =
            layers
            |> List.map (fun l ->
                {| name = l.LayerName
                   file = $"layers/{l.LayerName}.npy"
                   reduction = "none"
                   shape = [| l.Rows; l.Columns |]
                   dtype = "float32" |})
           model = "test"
           weights = Map.empty<string, string>
           preprocessing = Map.empty<string, string>
           seed = 0
           versions = {| facebrain = "test" |}
           device = "cpu"
           timings = Map.empty<string, float>
           skipped = Array.empty<string> |}
    JsonOutput.Write(Path.Combine(dir, "manifest.json"), manifest)
