/// A reader for NIfTI-1 and NIfTI-2 single-file images (.nii, .nii.gz), written from the specification
/// (nifti1.h, nifti2.h): both byte orders; uint8, int16, int32, float32 and float64 voxels; scl_slope and
/// scl_inter applied; the sform (preferred) or qform affine. No .NET NIfTI library exists to lean on.
module FaceBrain.Fmri.Nifti

open System
open System.Buffers.Binary
open System.IO
open System.IO.Compression
open System.Text
open FaceBrain.Core

[<RequireQualifiedAccess>]
type Version =
    | Nifti1
    | Nifti2

[<RequireQualifiedAccess>]
type DataType =
    | UInt8
    | Int16
    | Int32
    | Float32
    | Float64

let code =
    function
    | DataType.UInt8 -> 2s
    | DataType.Int16 -> 4s
    | DataType.Int32 -> 8s
    | DataType.Float32 -> 16s
    | DataType.Float64 -> 64s

let bytesPerVoxel =
    function
    | DataType.UInt8 -> 1
    | DataType.Int16 -> 2
    | DataType.Int32 | DataType.Float32 -> 4
    | DataType.Float64 -> 8

/// Names of the datatypes the spec defines but this reader does not take, for the error message.
let private unsupportedNames =
    dict [ 1s, "binary"; 32s, "complex64"; 128s, "rgb24"; 256s, "int8"; 512s, "uint16"; 768s, "uint32"
           1024s, "int64"; 1280s, "uint64"; 1536s, "float128"; 1792s, "complex128"; 2048s, "complex256"; 2304s, "rgba32" ]

type Header =
    { Version: Version
      LittleEndian: bool
      /// dim[1..dim[0]]: x, y, z, then time/volumes and beyond.
      Dims: int64[]
      DataType: DataType
      VoxOffset: int64
      SclSlope: double
      SclInter: double
      PixDim: double[]
      /// Voxel (i, j, k) to world (x, y, z): 3 rows of 4, from the sform when sform_code > 0, else the
      /// qform when qform_code > 0; None when the file has neither.
      Affine: double[][] option }

    member h.Nx = h.Dims[0]
    member h.Ny = if h.Dims.Length > 1 then h.Dims[1] else 1L
    member h.Nz = if h.Dims.Length > 2 then h.Dims[2] else 1L
    member h.VoxelsPerVolume = h.Nx * h.Ny * h.Nz
    /// Product of the dimensions after the third (1 for a 3-D image).
    member h.Volumes = h.Dims |> Array.skip (min 3 h.Dims.Length) |> Array.fold (*) 1L

/// Reads fields at byte offsets in the file's byte order.
type private Fields(bytes: byte[], little: bool) =
    member _.I16(o: int) = let s = ReadOnlySpan(bytes, o, 2) in if little then BinaryPrimitives.ReadInt16LittleEndian s else BinaryPrimitives.ReadInt16BigEndian s
    member _.I32(o: int) = let s = ReadOnlySpan(bytes, o, 4) in if little then BinaryPrimitives.ReadInt32LittleEndian s else BinaryPrimitives.ReadInt32BigEndian s
    member _.I64(o: int) = let s = ReadOnlySpan(bytes, o, 8) in if little then BinaryPrimitives.ReadInt64LittleEndian s else BinaryPrimitives.ReadInt64BigEndian s
    member _.F32(o: int) = let s = ReadOnlySpan(bytes, o, 4) in double (if little then BinaryPrimitives.ReadSingleLittleEndian s else BinaryPrimitives.ReadSingleBigEndian s)
    member _.F64(o: int) = let s = ReadOnlySpan(bytes, o, 8) in if little then BinaryPrimitives.ReadDoubleLittleEndian s else BinaryPrimitives.ReadDoubleBigEndian s

/// The qform rotation from quaternion (b, c, d), scaled by the voxel sizes, as nifti1_io's quatern_to_mat44.
let qformAffine (b: double) (c: double) (d: double) (qx: double) (qy: double) (qz: double) (pixdim: double[]) =
    let mutable b, c, d = b, c, d
    let mutable a = 1.0 - (b * b + c * c + d * d)
    if a < 1e-7 then
        // The quaternion has no a component (a 180 degree rotation): renormalise b, c, d.
        let s = 1.0 / sqrt (b * b + c * c + d * d)
        b <- b * s
        c <- c * s
        d <- d * s
        a <- 0.0
    else a <- sqrt a
    let size i = if pixdim[i] > 0.0 then pixdim[i] else 1.0
    let qfac = if pixdim[0] < 0.0 then -1.0 else 1.0
    let xd, yd, zd = size 1, size 2, qfac * size 3
    [| [| (a * a + b * b - c * c - d * d) * xd; 2.0 * (b * c - a * d) * yd; 2.0 * (b * d + a * c) * zd; qx |]
       [| 2.0 * (b * c + a * d) * xd; (a * a + c * c - b * b - d * d) * yd; 2.0 * (c * d - a * b) * zd; qy |]
       [| 2.0 * (b * d - a * c) * xd; 2.0 * (c * d + a * b) * yd; (a * a + d * d - c * c - b * b) * zd; qz |] |]

let private parseHeader (path: string) (bytes: byte[]) (version: Version) (little: bool) =
    let f = Fields(bytes, little)
    let fail problem = raise (InputException(path, problem))
    let ascii o n = Encoding.ASCII.GetString(bytes, o, n)
    let ndim, dims, dtype, voxOffset, slope, inter, pixdim, qcode, scode, quat, srow =
        match version with
        | Version.Nifti1 ->
            match ascii 344 4 with
            | "n+1\000" -> ()
            | "ni1\000" -> fail "a two-file NIfTI-1 header (.hdr/.img); only single-file .nii/.nii.gz is supported"
            | _ -> fail "bad NIfTI-1 magic (expected \"n+1\")"
            let nd = int (f.I16 40)
            nd,
            Array.init 7 (fun i -> int64 (f.I16(42 + 2 * i))),
            f.I16 70,
            int64 (f.F32 108),
            f.F32 112,
            f.F32 116,
            Array.init 8 (fun i -> f.F32(76 + 4 * i)),
            int (f.I16 252),
            int (f.I16 254),
            Array.init 6 (fun i -> f.F32(256 + 4 * i)),
            Array.init 12 (fun i -> f.F32(280 + 4 * i))
        | Version.Nifti2 ->
            if ascii 4 8 <> "n+2\000\r\n\026\n" then
                fail "bad NIfTI-2 magic (expected \"n+2\\0\\r\\n\\032\\n\"; a two-file .hdr/.img or a damaged file)"
            let nd = int (f.I64 16)
            nd,
            Array.init 7 (fun i -> f.I64(24 + 8 * i)),
            f.I16 12,
            f.I64 168,
            f.F64 176,
            f.F64 184,
            Array.init 8 (fun i -> f.F64(104 + 8 * i)),
            f.I32 344,
            f.I32 348,
            Array.init 6 (fun i -> f.F64(352 + 8 * i)),
            Array.init 12 (fun i -> f.F64(400 + 8 * i))
    if ndim < 1 || ndim > 7 then fail (sprintf "dim[0] = %d is not between 1 and 7" ndim)
    let dims = dims[.. ndim - 1]
    if dims |> Array.exists (fun d -> d < 1L) then
        fail (sprintf "dimensions (%s) must all be at least 1" (dims |> Array.map string |> String.concat ", "))
    // Checked: a crafted NIfTI-2 header can declare int64 dimensions whose product wraps.
    let dimsText = dims |> Array.map string |> String.concat "x"
    try dims |> Array.fold (fun a d -> Checked.(*) a d) 8L |> ignore
    with :? OverflowException -> fail (sprintf "dimensions %s multiply out to more bytes than any file can hold" dimsText)
    if (dims |> Array.skip (min 3 dims.Length) |> Array.fold (*) 1L) > int64 Int32.MaxValue then
        fail (sprintf "dimensions %s declare more than %d volumes" dimsText Int32.MaxValue)
    let dataType =
        match dtype with
        | 2s -> DataType.UInt8
        | 4s -> DataType.Int16
        | 8s -> DataType.Int32
        | 16s -> DataType.Float32
        | 64s -> DataType.Float64
        | other ->
            let name = match unsupportedNames.TryGetValue other with | true, n -> n | _ -> "unknown"
            fail (sprintf "unsupported datatype %d (%s); supported: uint8, int16, int32, float32, float64" other name)
    let headerSize = match version with Version.Nifti1 -> 348L | Version.Nifti2 -> 540L
    if voxOffset < headerSize then fail (sprintf "vox_offset %d lies inside the %d-byte header" voxOffset headerSize)
    let affine =
        if scode > 0 then Some(Array.init 3 (fun r -> srow[4 * r .. 4 * r + 3]))
        elif qcode > 0 then Some(qformAffine quat[0] quat[1] quat[2] quat[3] quat[4] quat[5] pixdim)
        else None
    { Version = version
      LittleEndian = little
      Dims = dims
      DataType = dataType
      VoxOffset = voxOffset
      SclSlope = slope
      SclInter = inter
      PixDim = pixdim
      Affine = affine }

/// Reads exactly `count` bytes unless the stream ends; returns how many were read. A damaged gzip
/// stream becomes an InputException naming the file.
let private readFully (path: string) (s: Stream) (buffer: byte[]) (count: int) =
    try
        s.ReadAtLeast(Span(buffer, 0, count), count, false)
    with
    | :? InvalidDataException as e -> raise (InputException(path, sprintf "corrupt gzip data (%s)" e.Message))
    | :? EndOfStreamException -> raise (InputException(path, "truncated gzip data"))

/// An open image: its header and a stream positioned at the first voxel.
type Image =
    { Path: string
      Header: Header
      Stream: Stream }

    interface IDisposable with
        member i.Dispose() = i.Stream.Dispose()

let openImage (path: string) : Image =
    if not (File.Exists path) then raise (InputException(path, "file not found"))
    let file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 <<< 16) :> Stream
    try
        let magic = Array.zeroCreate 2
        let gz = file.Read(magic, 0, 2) = 2 && magic[0] = 0x1fuy && magic[1] = 0x8buy
        file.Seek(0L, SeekOrigin.Begin) |> ignore
        let s = if gz then new GZipStream(file, CompressionMode.Decompress) :> Stream else file
        let first = Array.zeroCreate 540
        if readFully path s first 4 < 4 then raise (InputException(path, "not a NIfTI file (shorter than a header)"))
        let le, be = BinaryPrimitives.ReadInt32LittleEndian(ReadOnlySpan(first, 0, 4)), BinaryPrimitives.ReadInt32BigEndian(ReadOnlySpan(first, 0, 4))
        let version, little =
            match le, be with
            | 348, _ -> Version.Nifti1, true
            | 540, _ -> Version.Nifti2, true
            | _, 348 -> Version.Nifti1, false
            | _, 540 -> Version.Nifti2, false
            | _ -> raise (InputException(path, sprintf "not a NIfTI file (sizeof_hdr is neither 348 nor 540%s)" (if gz then "" else "; a .nii.gz must be gzip-compressed")))
        let size = match version with Version.Nifti1 -> 348 | Version.Nifti2 -> 540
        let rest = Array.zeroCreate (size - 4)
        if readFully path s rest rest.Length < rest.Length then raise (InputException(path, "truncated NIfTI header"))
        Array.blit rest 0 first 4 rest.Length
        let header = parseHeader path first[.. size - 1] version little
        // Skip extensions between the header and vox_offset.
        let mutable skip = header.VoxOffset - int64 size
        let scratch = Array.zeroCreate 65536
        while skip > 0L do
            let n = int (min skip 65536L)
            if readFully path s scratch n < n then raise (InputException(path, sprintf "truncated before vox_offset %d" header.VoxOffset))
            skip <- skip - int64 n
        { Path = path; Header = header; Stream = s }
    with _ ->
        file.Dispose()
        reraise ()

/// Decodes raw voxels into doubles with scl_slope/scl_inter applied (no scaling when the slope is 0).
let decode (h: Header) (raw: byte[]) (count: int) (into: double[]) =
    let f = Fields(raw, h.LittleEndian)
    let value: int -> double =
        match h.DataType with
        | DataType.UInt8 -> fun i -> double raw[i]
        | DataType.Int16 -> fun i -> double (f.I16(2 * i))
        | DataType.Int32 -> fun i -> double (f.I32(4 * i))
        | DataType.Float32 -> fun i -> f.F32(4 * i)
        | DataType.Float64 -> fun i -> f.F64(8 * i)
    let scaled = h.SclSlope <> 0.0 && not (Double.IsNaN h.SclSlope) && not (Double.IsInfinity h.SclSlope)
    let inter = if Double.IsNaN h.SclInter then 0.0 else h.SclInter
    for i in 0 .. count - 1 do
        into[i] <- if scaled then value i * h.SclSlope + inter else value i

/// Calls `onVolume t values` for every 3-D volume in file order (x fastest, then y, then z); the array
/// is reused between calls. Fails on truncated data; bytes after the last volume are ignored (the spec
/// does not forbid padding).
let readVolumes (image: Image) (onVolume: int -> double[] -> unit) =
    let h = image.Header
    if h.VoxelsPerVolume > int64 (Array.MaxLength / 8) then
        raise (InputException(image.Path, sprintf "a volume of %d voxels is too large" h.VoxelsPerVolume))
    let n = int h.VoxelsPerVolume
    let bytes = n * bytesPerVoxel h.DataType
    let raw = Array.zeroCreate bytes
    let values = Array.zeroCreate n
    for t in 0 .. int h.Volumes - 1 do
        let got = readFully image.Path image.Stream raw bytes
        if got < bytes then
            raise (InputException(image.Path, sprintf "truncated data: volume %d of %d has %d of its %d bytes (dims %s)" (t + 1) h.Volumes got bytes (h.Dims |> Array.map string |> String.concat "x")))
        decode h raw n values
        onVolume t values

/// A whole 3-D image (a mask or label atlas): header and voxels in file order.
let readVolume3D (path: string) : Header * double[] =
    use image = openImage path
    if image.Header.Volumes <> 1L then
        raise (InputException(path, sprintf "expected a 3-D image, found dims %s" (image.Header.Dims |> Array.map string |> String.concat "x")))
    let mutable result = [||]
    readVolumes image (fun _ v -> result <- Array.copy v)
    image.Header, result
