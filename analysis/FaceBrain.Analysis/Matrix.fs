namespace FaceBrain.Analysis

open TorchSharp
open FaceBrain.Core.IO

/// A dense row-major float64 matrix: the currency between the file formats (npy, NIfTI, TSV) and the
/// tensor solvers, for data that has no stimulus table of its own (responses, trials, weights).
type Matrix =
    { Rows: int
      Cols: int
      Data: double[] }

module Matrix =
    let make rows cols (data: double[]) =
        if data.Length <> rows * cols then
            invalidArg "data" (sprintf "%d values for a %d x %d matrix" data.Length rows cols)
        { Rows = rows; Cols = cols; Data = data }

    let init rows cols (f: int -> int -> double) =
        make rows cols (Array.init (rows * cols) (fun k -> f (k / cols) (k % cols)))

    let inline get (m: Matrix) i j = m.Data[i * m.Cols + j]

    let column (m: Matrix) j = Array.init m.Rows (fun i -> m.Data[i * m.Cols + j])

    let selectRows (rows: int[]) (m: Matrix) =
        let data = Array.zeroCreate (rows.Length * m.Cols)
        rows |> Array.iteri (fun k r -> Array.blit m.Data (r * m.Cols) data (k * m.Cols) m.Cols)
        make rows.Length m.Cols data

    let selectCols (cols: int[]) (m: Matrix) =
        init m.Rows cols.Length (fun i k -> m.Data[i * m.Cols + cols[k]])

    /// Side by side: the columns of a, then those of b (same rows).
    let hconcat (parts: Matrix list) =
        let rows = (List.head parts).Rows
        let cols = parts |> List.sumBy (fun p -> p.Cols)
        let data = Array.zeroCreate (rows * cols)
        let mutable offset = 0
        for p in parts do
            for i in 0 .. rows - 1 do
                Array.blit p.Data (i * p.Cols) data (i * cols + offset) p.Cols
            offset <- offset + p.Cols
        make rows cols data

    /// Reads a .npy matrix (any supported dtype, 1-D as one column) as float64.
    let readNpy (path: string) =
        let a = Npy.ReadMatrix path
        make a.Rows a.Columns a.Data

    let writeNpy (path: string) (m: Matrix) =
        Npy.Write<double>(path, System.ReadOnlySpan<double>(m.Data), [| int64 m.Rows; int64 m.Cols |])

    let toTensor (device: torch.Device) (m: Matrix) : torch.Tensor = Tensors.matrix device m.Rows m.Cols m.Data

    let ofTensor (t: torch.Tensor) : Matrix = make (int t.shape[0]) (int t.shape[1]) (Tensors.toArray t)
