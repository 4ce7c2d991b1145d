/// Small bridges between .NET arrays and float64 TorchSharp tensors on an explicit device.
/// Every heavy computation in this project goes through here so that the same code runs on the CPU's
/// BLAS and, with `--device cuda`, on a GPU.
module FaceBrain.Analysis.Tensors

open TorchSharp

type Tensor = torch.Tensor

/// A TorchSharp scalar from a float (F# does not apply op_Implicit inside operators).
let inline sc (x: float) : Scalar = Scalar.op_Implicit x

/// A float64 matrix [rows, cols] from row-major data, on the device.
let matrix (device: torch.Device) (rows: int) (cols: int) (data: float[]) : Tensor =
    if data.Length <> rows * cols then invalidArg "data" $"{data.Length} values for a {rows}x{cols} matrix"
    torch.tensor(data, System.ReadOnlySpan<int64>([| int64 rows; int64 cols |]), dtype = System.Nullable torch.ScalarType.Float64, device = device)

/// A float64 vector on the device.
let vector (device: torch.Device) (data: float[]) : Tensor =
    torch.tensor(data, System.ReadOnlySpan<int64>([| int64 data.Length |]), dtype = System.Nullable torch.ScalarType.Float64, device = device)

/// An int64 index vector on the device.
let indices (device: torch.Device) (idx: int[]) : Tensor =
    torch.tensor(Array.map int64 idx, System.ReadOnlySpan<int64>([| int64 idx.Length |]), dtype = System.Nullable torch.ScalarType.Int64, device = device)

/// The values of a float64 tensor, row-major, copied to the CPU.
let toArray (t: Tensor) : float[] =
    use c = t.detach().cpu().contiguous().to_type(torch.ScalarType.Float64)
    c.data<float>().ToArray()

/// A float64 tensor as a .NET 2-D array.
let toArray2D (t: Tensor) : float[,] =
    let r, c = int (t.shape[0]), int (t.shape[1])
    let a = toArray t
    Array2D.init r c (fun i j -> a[i * c + j])

/// The one number in a one-element tensor.
let item (t: Tensor) : float = t.to_type(torch.ScalarType.Float64).item<float>()

/// Rows of a matrix, selected by index (a new tensor).
let rows (device: torch.Device) (idx: int[]) (x: Tensor) : Tensor =
    use i = indices device idx
    x.index_select(0L, i)

/// Text helpers for one-line messages (F# interpolated strings cannot hold quoted literals).
let commas (xs: seq<'a>) = System.String.Join(", ", xs)
let commaList (xs: seq<'a>) = System.String.Join(",", xs)
let firstLine (s: string) = s.Split('\n').[0].Trim()
