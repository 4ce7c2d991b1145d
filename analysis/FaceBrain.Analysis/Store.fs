/// The activation store (docs/activation-store.md): a folder with stimuli.tsv (row order), one .npy
/// matrix per layer under layers/, and manifest.json. This is the F# reader: the manifest is Core's
/// StoreManifest, the one type the C# writer serialises; `write` puts test matrices through that writer.
module FaceBrain.Analysis.Store

open System
open System.IO
open FaceBrain.Core
open FaceBrain.Core.IO
open FaceBrain.Core.Store
open FaceBrain.Analysis.Tensors

[<Literal>]
let Format = StoreManifest.FormatName

[<Literal>]
let FormatVersion = StoreManifest.CurrentVersion

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
      Manifest: StoreManifest }

let private dtypeName (t: NpyDType) =
    match t with
    | NpyDType.Float32 -> "float32"
    | NpyDType.Float16 -> "float16"
    | NpyDType.Float64 -> "float64"
    | other -> string other

let private fail (file: string) (problem: string) : 'a = raise (InputException(file, problem))

let private entry (file: string) (l: StoreLayer) : LayerEntry =
    let dim (v: int64) what =
        if v > int64 Int32.MaxValue then fail file $"layer '{l.Name}': {what} {v} is too large"
        int v
    { Name = l.Name
      File = l.File
      Reduction = (if isNull l.Reduction then "" else l.Reduction)
      Rows = dim l.Shape[0] "row count"
      Columns = dim l.Shape[1] "feature count"
      DType = l.Dtype }

/// Opens a store: refuses a missing folder or manifest, another format or version, an incomplete store,
/// and any layer file that is missing or disagrees with the manifest (shape, dtype) or with stimuli.tsv.
let openStore (dir: string) : Store =
    if not (Directory.Exists dir) then fail dir "activation store folder not found"
    let manifestPath = Path.Combine(dir, "manifest.json")
    let m = StoreManifest.Read manifestPath
    if not m.Complete then
        fail manifestPath "the store is incomplete (complete: false): the extraction did not finish; resume it or extract again"
    let n = m.NStimuli
    let stimuliPath = Path.Combine(dir, "stimuli.tsv")
    let table = StimulusTable.Read stimuliPath
    if table.Count <> n then fail stimuliPath $"has {table.Count} rows but the manifest says n_stimuli = {n}"
    let layers = m.Layers |> Seq.map (entry manifestPath) |> List.ofSeq
    if layers.IsEmpty then fail manifestPath "lists no layers"
    match layers |> List.countBy (fun l -> l.Name) |> List.tryFind (fun (_, c) -> c > 1) with
    | Some (name, _) -> fail manifestPath $"layer '{name}' is listed twice"
    | None -> ()
    for l in layers do
        let path = Path.Combine(dir, l.File)
        if l.Rows <> n then fail manifestPath $"layer '{l.Name}': shape has {l.Rows} rows but n_stimuli = {n}"
        if not (File.Exists path) then fail path $"missing: the manifest lists it for layer '{l.Name}'"
        let h = Npy.ReadHeader path
        let dt = dtypeName h.DType
        if dt <> l.DType then fail path $"dtype is {dt}, the manifest says {l.DType}"
        if h.Shape.Length <> 2 || h.Shape[0] <> int64 l.Rows || h.Shape[1] <> int64 l.Columns then
            fail path $"shape ({(commas h.Shape)}) does not match the manifest's [{l.Rows}, {l.Columns}]"
    { Dir = dir; Stimuli = table; Layers = layers; Manifest = m }

let layerNames (s: Store) = s.Layers |> List.map (fun l -> l.Name)

/// One layer's matrix with the store's stimulus table, as a dataset (float64, checked finite).
let layer (s: Store) (name: string) : Dataset.Dataset =
    match s.Layers |> List.tryFind (fun l -> l.Name = name) with
    | None -> fail (Path.Combine(s.Dir, "manifest.json")) $"no layer '{name}' (layers: {(commas (layerNames s))})"
    | Some l ->
        let path = Path.Combine(s.Dir, l.File)
        let data = (Npy.ReadMatrix(path, s.Stimuli.Count, Path.Combine(s.Dir, "stimuli.tsv"))).Data
        Dataset.make path s.Stimuli l.Rows l.Columns data

// ---------------------------------------------------------------- writing from arrays (tests, fixtures, benchmarks)

/// A layer to write: its name and a row-major float32 matrix.
type LayerData = { LayerName: string; Rows: int; Columns: int; Values: float32[] }

/// Writes a store from in-memory matrices through the one writer (Core's ActivationStoreWriter);
/// `complete = false` leaves an interrupted store, which the reader must refuse.
let write (dir: string) (stimuli: StimulusTable) (layers: LayerData list) (complete: bool) =
    let manifest = StoreManifest(Model = "arrays", Versions = readOnlyDict [ "facebrain", "arrays" ])
    let arrays = ResizeArray [ for l in layers -> struct (l.LayerName, l.Columns, l.Values) ]
    ActivationStoreWriter.WriteAll(dir, stimuli, manifest, arrays, complete)
