/// Tiny NIfTI-1/2 images built byte by byte from the specification's field offsets (nifti1.h, nifti2.h),
/// independently of FaceBrain's own writer.
module FaceBrain.Tests.Fmri.NiftiFixtures

open System
open System.Buffers.Binary
open System.IO
open System.IO.Compression
open System.Text

type Spec =
    { Version: int
      Little: bool
      DataType: int16
      BitPix: int16
      Dims: int[]
      Slope: double
      Inter: double
      PixDim: double[]
      QForm: (double * double * double * double * double * double) option
      SForm: double[] option
      /// Encoded voxel bytes (already in the file's byte order).
      Data: byte[] }

let spec version little dtype bitpix dims data =
    { Version = version; Little = little; DataType = dtype; BitPix = bitpix; Dims = dims; Slope = 0.0; Inter = 0.0
      PixDim = [| 1.0; 1.0; 1.0; 1.0; 1.0; 0.0; 0.0; 0.0 |]; QForm = None; SForm = None; Data = data }

/// Encodes values as the given NIfTI datatype code in the given byte order.
let encode (little: bool) (dtype: int16) (values: double[]) =
    let size = match dtype with 2s -> 1 | 4s -> 2 | 8s | 16s -> 4 | 64s -> 8 | 512s -> 2 | _ -> failwith "fixture dtype"
    let b = Array.zeroCreate (values.Length * size)
    values
    |> Array.iteri (fun i v ->
        let s = Span(b, i * size, size)
        match dtype, little with
        | 2s, _ -> b[i] <- byte v
        | 4s, true -> BinaryPrimitives.WriteInt16LittleEndian(s, int16 v)
        | 4s, false -> BinaryPrimitives.WriteInt16BigEndian(s, int16 v)
        | 512s, _ -> BinaryPrimitives.WriteUInt16LittleEndian(s, uint16 v)
        | 8s, true -> BinaryPrimitives.WriteInt32LittleEndian(s, int32 v)
        | 8s, false -> BinaryPrimitives.WriteInt32BigEndian(s, int32 v)
        | 16s, true -> BinaryPrimitives.WriteSingleLittleEndian(s, float32 v)
        | 16s, false -> BinaryPrimitives.WriteSingleBigEndian(s, float32 v)
        | 64s, true -> BinaryPrimitives.WriteDoubleLittleEndian(s, v)
        | _ -> BinaryPrimitives.WriteDoubleBigEndian(s, v))
    b

let bytes (s: Spec) =
    let headerSize, voxOffset = if s.Version = 1 then 348, 352 else 540, 544
    let b = Array.zeroCreate<byte> (voxOffset + s.Data.Length)
    let w16 o (v: int16) = if s.Little then BinaryPrimitives.WriteInt16LittleEndian(Span(b, o, 2), v) else BinaryPrimitives.WriteInt16BigEndian(Span(b, o, 2), v)
    let w32 o (v: int) = if s.Little then BinaryPrimitives.WriteInt32LittleEndian(Span(b, o, 4), v) else BinaryPrimitives.WriteInt32BigEndian(Span(b, o, 4), v)
    let w64 o (v: int64) = if s.Little then BinaryPrimitives.WriteInt64LittleEndian(Span(b, o, 8), v) else BinaryPrimitives.WriteInt64BigEndian(Span(b, o, 8), v)
    let f32 o (v: double) = if s.Little then BinaryPrimitives.WriteSingleLittleEndian(Span(b, o, 4), float32 v) else BinaryPrimitives.WriteSingleBigEndian(Span(b, o, 4), float32 v)
    let f64 o (v: double) = if s.Little then BinaryPrimitives.WriteDoubleLittleEndian(Span(b, o, 8), v) else BinaryPrimitives.WriteDoubleBigEndian(Span(b, o, 8), v)
    w32 0 headerSize
    let dims = Array.append [| s.Dims.Length |] s.Dims
    if s.Version = 1 then
        dims |> Array.iteri (fun i d -> w16 (40 + 2 * i) (int16 d))
        w16 70 s.DataType
        w16 72 s.BitPix
        s.PixDim |> Array.iteri (fun i p -> f32 (76 + 4 * i) p)
        f32 108 (double voxOffset)
        f32 112 s.Slope
        f32 116 s.Inter
        s.QForm |> Option.iter (fun (qb, qc, qd, qx, qy, qz) ->
            w16 252 1s
            [ qb; qc; qd; qx; qy; qz ] |> List.iteri (fun i v -> f32 (256 + 4 * i) v))
        s.SForm |> Option.iter (fun m ->
            w16 254 2s
            m |> Array.iteri (fun i v -> f32 (280 + 4 * i) v))
        Encoding.ASCII.GetBytes("n+1\000").CopyTo(b, 344)
    else
        Encoding.ASCII.GetBytes("n+2\000\r\n\026\n").CopyTo(b, 4)
        w16 12 s.DataType
        w16 14 s.BitPix
        dims |> Array.iteri (fun i d -> w64 (16 + 8 * i) (int64 d))
        s.PixDim |> Array.iteri (fun i p -> f64 (104 + 8 * i) p)
        w64 168 (int64 voxOffset)
        f64 176 s.Slope
        f64 184 s.Inter
        s.QForm |> Option.iter (fun (qb, qc, qd, qx, qy, qz) ->
            w32 344 1
            [ qb; qc; qd; qx; qy; qz ] |> List.iteri (fun i v -> f64 (352 + 8 * i) v))
        s.SForm |> Option.iter (fun m ->
            w32 348 2
            m |> Array.iteri (fun i v -> f64 (400 + 8 * i) v))
    Array.blit s.Data 0 b voxOffset s.Data.Length
    b

let gzip (raw: byte[]) =
    use ms = new MemoryStream()
    (use gz = new GZipStream(ms, CompressionLevel.Optimal, true)
     gz.Write(raw, 0, raw.Length))
    ms.ToArray()

let save (path: string) (s: Spec) =
    let raw = bytes s
    File.WriteAllBytes(path, if path.EndsWith ".gz" then gzip raw else raw)
