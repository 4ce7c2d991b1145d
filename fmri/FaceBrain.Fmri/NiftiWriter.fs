/// A minimal NIfTI-1 writer (single file, little-endian, sform affine, no scaling), enough for simulated
/// data to travel the same path as real data. `.nii.gz` names are gzip-compressed.
module FaceBrain.Fmri.NiftiWriter

open System
open System.Buffers.Binary
open System.IO
open System.IO.Compression
open System.Text
open FaceBrain.Core.IO
open FaceBrain.Fmri.Nifti

/// The 352 bytes before the data: the 348-byte header and 4 zero extension bytes.
let header (dims: int64[]) (dtype: DataType) (affine: double[][]) =
    let b = Array.zeroCreate<byte> 352
    let i16 (o: int) (v: int16) = BinaryPrimitives.WriteInt16LittleEndian(Span(b, o, 2), v)
    let f32 (o: int) (v: double) = BinaryPrimitives.WriteSingleLittleEndian(Span(b, o, 4), float32 v)
    BinaryPrimitives.WriteInt32LittleEndian(Span(b, 0, 4), 348)
    i16 40 (int16 dims.Length)
    dims |> Array.iteri (fun k d -> i16 (42 + 2 * k) (int16 d))
    for k in dims.Length + 1 .. 7 do i16 (40 + 2 * k) 1s
    i16 70 (code dtype)
    i16 72 (int16 (8 * bytesPerVoxel dtype))
    // pixdim: qfac 1, then voxel sizes from the affine's column norms; time step 1.
    f32 76 1.0
    for k in 0 .. 2 do f32 (80 + 4 * k) (sqrt (Array.sumBy (fun (row: double[]) -> row[k] * row[k]) affine))
    f32 92 1.0
    f32 108 352.0
    f32 112 1.0 // scl_slope
    f32 116 0.0 // scl_inter
    b[123] <- 10uy // xyzt_units: mm and seconds
    Encoding.ASCII.GetBytes("FaceBrain simulated").CopyTo(b, 148)
    i16 254 1s // sform_code: scanner anatomical
    affine |> Array.iteri (fun r row -> row |> Array.iteri (fun c v -> f32 (280 + 16 * r + 4 * c) v))
    Encoding.ASCII.GetBytes("n+1\000").CopyTo(b, 344)
    b

let private encodeValue (dtype: DataType) (buffer: byte[]) (i: int) (v: double) =
    match dtype with
    | DataType.UInt8 -> buffer[i] <- byte v
    | DataType.Int16 -> BinaryPrimitives.WriteInt16LittleEndian(Span(buffer, 2 * i, 2), int16 v)
    | DataType.Int32 -> BinaryPrimitives.WriteInt32LittleEndian(Span(buffer, 4 * i, 4), int32 v)
    | DataType.Float32 -> BinaryPrimitives.WriteSingleLittleEndian(Span(buffer, 4 * i, 4), float32 v)
    | DataType.Float64 -> BinaryPrimitives.WriteDoubleLittleEndian(Span(buffer, 8 * i, 8), v)

/// Writes an image atomically; `volume t` gives volume t's voxels in file order (x fastest).
let write (path: string) (dims: int64[]) (dtype: DataType) (affine: double[][]) (volume: int -> double[]) =
    let perVolume = int (dims |> Array.truncate 3 |> Array.fold (*) 1L)
    let volumes = int (dims |> Array.skip (min 3 dims.Length) |> Array.fold (*) 1L)
    AtomicFile.Write(path, fun file ->
        use s =
            if path.EndsWith(".gz", StringComparison.OrdinalIgnoreCase) then new GZipStream(file, CompressionLevel.Fastest, true) :> Stream
            else new BufferedStream(file, 1 <<< 16) :> Stream
        s.Write(header dims dtype affine)
        let buffer = Array.zeroCreate (perVolume * bytesPerVoxel dtype)
        for t in 0 .. volumes - 1 do
            let v = volume t
            for i in 0 .. perVolume - 1 do encodeValue dtype buffer i v[i]
            s.Write(buffer))
