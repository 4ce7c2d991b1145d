/// A feature matrix together with the stimulus table that gives its row order: the one data object
/// every analysis takes. Checks on the way in (row counts, finite values, label columns) so that the
/// analyses themselves only see valid data.
module FaceBrain.Analysis.Dataset

open System
open FaceBrain.Core
open FaceBrain.Analysis.Tensors
open FaceBrain.Core.IO

/// Features [n_stimuli, n_features] row-major in float64, and where they came from (for messages).
type Dataset =
    { Features: float[]
      Rows: int
      Columns: int
      Stimuli: StimulusTable
      Source: string }

/// Refuses NaN or infinite values, naming the first few offending rows (stimulus ids) and columns.
let requireFinite (source: string) (ids: Collections.Generic.IReadOnlyList<string>) (rows: int) (cols: int) (data: float[]) =
    let bad = ResizeArray<int * int>()
    let mutable count = 0
    for i in 0 .. rows - 1 do
        for j in 0 .. cols - 1 do
            let v = data[i * cols + j]
            if Double.IsNaN v || Double.IsInfinity v then
                count <- count + 1
                if bad.Count < 5 then bad.Add((i, j))
    if count > 0 then
        let where =
            bad
            |> Seq.map (fun (i, j) ->
                let v = data[i * cols + j]
                let what = if Double.IsNaN v then "NaN" else "Inf"
                let id = if i < ids.Count then ids[i] else "?"
                $"row {i} ({id}) column {j}: {what}")
            |> String.concat "; "
        let more = if count > bad.Count then $" and {count - bad.Count} more" else ""
        raise (InputException(source, $"{count} non-finite value(s): {where}{more}"))

/// A dataset from arrays already in memory (checked like one read from files).
let make (source: string) (stimuli: StimulusTable) (rows: int) (cols: int) (data: float[]) : Dataset =
    if data.Length <> rows * cols then invalidArg "data" "data length does not match rows x cols"
    stimuli.RequireRows(int64 rows, source)
    if rows = 0 then raise (InputException(source, "has no rows"))
    if cols = 0 then raise (InputException(source, $"has no features ({rows}×0 matrix)"))
    requireFinite source stimuli.Ids rows cols data
    { Features = data; Rows = rows; Columns = cols; Stimuli = stimuli; Source = source }

/// Reads `features.npy` (2-D, any numeric dtype Core reads) and the stimulus table that orders its rows.
let load (featuresPath: string) (stimuliPath: string) : Dataset =
    let table = StimulusTable.Read stimuliPath
    let m = Npy.ReadMatrix(featuresPath, table.Count, stimuliPath)
    make featuresPath table m.Rows m.Columns m.Data

/// The values of a label column, refusing a missing column with the dataset's file names.
let column (d: Dataset) (name: string) : string[] =
    if not (d.Stimuli.HasColumn name) then
        raise (InputException(d.Stimuli.Source, $"no column '{name}' (columns: {(commas d.Stimuli.Columns)})"))
    d.Stimuli.Column name |> Seq.toArray

/// Class labels encoded as 0..k-1 in ordinal-sorted order of their names (scikit-learn's np.unique order).
type Labels =
    { Codes: int[]
      Classes: string[] }
    member l.Count = l.Classes.Length

let encode (values: string[]) : Labels =
    let classes = values |> Array.distinct |> Array.sortWith (fun a b -> String.CompareOrdinal(a, b))
    let index = classes |> Array.mapi (fun i c -> c, i) |> dict
    { Codes = values |> Array.map (fun v -> index[v]); Classes = classes }

/// A subset of rows (e.g. one condition), as a new dataset over the same columns.
let subsetRows (d: Dataset) (idx: int[]) : float[] =
    let out = Array.zeroCreate (idx.Length * d.Columns)
    idx |> Array.iteri (fun r i -> Array.blit d.Features (i * d.Columns) out (r * d.Columns) d.Columns)
    out
