/// Hostile inputs built in code, one family per file format. Each entry is a name and the bytes (or the
/// files) to write; the cases in TestInputFaults feed every family to every verb that reads it.
module FaceBrain.Tests.Faults.HostileFiles

open System
open System.IO
open System.IO.Compression
open System.Text
open FaceBrain.Core.IO

// ---------------------------------------------------------------- .npy

let private npyHeader (descr: string) (shape: string) (version: byte) =
    let dict = $"{{'descr': '{descr}', 'fortran_order': False, 'shape': {shape}, }}"
    let prefix = if version = 1uy then 10 else 12
    let total = (prefix + dict.Length + 1 + 63) / 64 * 64
    let b = Array.zeroCreate<byte> total
    Array.blit [| 0x93uy; byte 'N'; byte 'U'; byte 'M'; byte 'P'; byte 'Y' |] 0 b 0 6
    b[6] <- version
    let len = total - prefix
    if version = 1uy then BitConverter.GetBytes(uint16 len).CopyTo(b, 8) else BitConverter.GetBytes(uint32 len).CopyTo(b, 8)
    Encoding.Latin1.GetBytes(dict).CopyTo(b, prefix)
    for i in prefix + dict.Length .. total - 2 do b[i] <- byte ' '
    b[total - 1] <- byte '\n'
    b

/// A valid float32 [rows, cols] matrix of small distinct values.
let npyMatrix (rows: int) (cols: int) =
    let data = Array.init (rows * cols) (fun i -> float32 (sin (float i)))
    Array.append (npyHeader "<f4" $"({rows}, {cols})" 1uy) (Runtime.InteropServices.MemoryMarshal.AsBytes(ReadOnlySpan data).ToArray())

/// A valid float32 image batch [n, 3, size, size].
let npyImages (n: int) (size: int) =
    let data = Array.init (n * 3 * size * size) (fun i -> float32 (sin (float i)))
    Array.append (npyHeader "<f4" $"({n}, 3, {size}, {size})" 1uy) (Runtime.InteropServices.MemoryMarshal.AsBytes(ReadOnlySpan data).ToArray())

/// Broken .npy files for a matrix that should be [rows, cols], with a fragment the error must contain.
let npyFaults (rows: int) (cols: int) : (string * byte[] * string) list =
    let good = npyMatrix rows cols
    let data = good[64..]
    [ "zero-byte", [||], "not a .npy file"
      "bad-magic", Encoding.ASCII.GetBytes "PK\003\004 this is a zip, not an array", "not a .npy file"
      "text", Encoding.ASCII.GetBytes "1,2,3\n4,5,6\n", "not a .npy file"
      "truncated-header", good[..30], "truncated"
      "version-9", (let b = Array.copy good in b[6] <- 9uy; b), "unsupported .npy format version"
      "no-shape", Array.append (Encoding.Latin1.GetBytes("\x93NUMPY\x01\x00\x36\x00{'descr': '<f4', 'fortran_order': False,                   }\n")) data, "malformed"
      "big-endian", Array.append (npyHeader ">f4" $"({rows}, {cols})" 1uy) data, "big-endian"
      "complex", Array.append (npyHeader "<c8" $"({rows}, {cols / 2})" 1uy) data, "unsupported dtype"
      "object-pickle", Array.append (npyHeader "|O" $"({rows},)" 1uy) (Encoding.ASCII.GetBytes "cos\nsystem\n(S'echo pwned'\ntR."), "unsupported dtype"
      "shape-overflow", Array.append (npyHeader "<f4" $"({rows}, 4611686018427387912)" 1uy) data, "multiplies out"
      "shape-overflow-3d", Array.append (npyHeader "<f8" "(4294967296, 4294967296, 16)" 1uy) data, "multiplies out"
      "shape-huge", Array.append (npyHeader "<f4" $"({rows}, 1152921504606846976)" 2uy) data, "multiplies out"
      "negative-dim", Array.append (npyHeader "<f4" $"({rows}, -{cols})" 1uy) data, "malformed shape"
      "truncated-data", good[.. good.Length - 9], "truncated data"
      "trailing-data", Array.append good (Array.zeroCreate 12), "bytes more data"
      "header-past-end", (let b = Array.copy good[..63] in BitConverter.GetBytes(uint16 60000).CopyTo(b, 8); b), "truncated"
      "v2-header-4gb", (let b = Array.copy (npyHeader "<f4" $"({rows}, {cols})" 2uy) in BitConverter.GetBytes(UInt32.MaxValue).CopyTo(b, 8); Array.append b data), "" ]

// ---------------------------------------------------------------- stimulus tables

/// Broken stimulus tables (for `rows` rows of features), with a fragment the error must contain.
let tableFaults (rows: int) : (string * string * string) list =
    let body = String.Join("", [ for i in 0 .. rows - 1 -> $"s{i}\tid{i % 3}\tHA\n" ])
    [ "empty", "", "empty"
      "no-id-column", "name\tidentity\texpression\n" + body, "stimulus_id"
      "duplicate-id", "stimulus_id\tidentity\texpression\n" + body + "s0\tid0\tHA\n", "s0"
      "ragged-row", "stimulus_id\tidentity\texpression\n" + body.Replace("s1\tid1\tHA", "s1\tid1"), "line 3"
      "too-few-rows", "stimulus_id\tidentity\texpression\n" + String.Join("", [ for i in 0 .. rows - 2 -> $"s{i}\tid{i % 3}\tHA\n" ]), ""
      "header-only", "stimulus_id\tidentity\texpression\n", ""
      "empty-id", "stimulus_id\tidentity\texpression\n" + body.Replace("s2\t", "\t"), "empty stimulus_id" ]

// ---------------------------------------------------------------- activation stores

/// A complete, valid store of one layer "a" ([rows, cols] float32) written through the one writer.
let goodStore (dir: string) (rows: int) (cols: int) =
    let ids = [ for i in 0 .. rows - 1 -> [| $"s{i}"; $"id{i % 4}"; (if i % 2 = 0 then "HA" else "SA") |] :> Collections.Generic.IReadOnlyList<string> ]
    let table = StimulusTable([ "stimulus_id"; "identity"; "expression" ], ids)
    let values = Array.init (rows * cols) (fun i -> float32 (sin (float (i * 7 % 13)) + float (i / cols % 4)))
    FaceBrain.Core.Store.ActivationStoreWriter.WriteAll(dir, table, FaceBrain.Core.Store.StoreManifest(Model = "fixture"),
        ResizeArray [ struct ("a", cols, values) ], true)

let private editManifest (dir: string) (f: string -> string) =
    let p = Path.Combine(dir, "manifest.json")
    File.WriteAllText(p, f (File.ReadAllText p))

/// Ways to break a good store in place, with a fragment the error must contain.
let storeFaults : (string * (string -> unit) * string) list =
    let m = "manifest.json"
    [ "no-manifest", (fun d -> File.Delete(Path.Combine(d, m))), m
      "manifest-not-json", (fun d -> File.WriteAllText(Path.Combine(d, m), "{ not json")), m
      "manifest-empty", (fun d -> File.WriteAllText(Path.Combine(d, m), "")), m
      "manifest-array", (fun d -> File.WriteAllText(Path.Combine(d, m), "[1, 2]")), m
      "other-format", (fun d -> editManifest d (fun s -> s.Replace("facebrain-activations", "something-else"))), "format"
      "format-version-2", (fun d -> editManifest d (fun s -> s.Replace("\"format_version\": 1", "\"format_version\": 2"))), "format_version"
      "incomplete", (fun d -> editManifest d (fun s -> s.Replace("\"complete\": true", "\"complete\": false"))), "incomplete"
      "no-complete-field", (fun d -> editManifest d (fun s -> s.Replace("\"complete\": true,", ""))), m
      "no-layers-field", (fun d -> editManifest d (fun s -> s.Replace("\"layers\":", "\"strata\":"))), m
      "n-stimuli-mismatch", (fun d -> editManifest d (fun s -> s.Replace("\"n_stimuli\": 12", "\"n_stimuli\": 13").Replace("\"rows_done\": 12", "\"rows_done\": 13"))), "n_stimuli"
      "layer-file-missing", (fun d -> File.Delete(Path.Combine(d, "layers", "a.npy"))), "a.npy"
      "layer-dtype-mismatch", (fun d -> editManifest d (fun s -> s.Replace("\"float32\"", "\"float16\""))), "a.npy"
      "layer-dtype-unknown", (fun d -> editManifest d (fun s -> s.Replace("\"float32\"", "\"int8\""))), "int8"
      "layer-shape-mismatch", (fun d -> editManifest d (fun s -> Text.RegularExpressions.Regex.Replace(s, @"""shape"": \[\s*12,\s*5\s*\]", "\"shape\": [12, 6]"))), "a.npy"
      "layer-path-escapes", (fun d -> editManifest d (fun s -> s.Replace("layers/a.npy", "../../etc/passwd"))), "not inside the store"
      "layer-npy-corrupt", (fun d -> File.WriteAllBytes(Path.Combine(d, "layers", "a.npy"), Encoding.ASCII.GetBytes "garbage")), "a.npy"
      "stimuli-missing", (fun d -> File.Delete(Path.Combine(d, "stimuli.tsv"))), "stimuli.tsv"
      "stimuli-fewer-rows", (fun d -> let p = Path.Combine(d, "stimuli.tsv") in File.WriteAllLines(p, File.ReadAllLines(p)[.. 10])), "stimuli.tsv"
      "folder-missing", (fun d -> Directory.Delete(d, true)), "not found" ]

// ---------------------------------------------------------------- images

let private pngBytes (w: int) (h: int) =
    use img = FaceBrain.Tests.Data.DataFixtures.image w h (FaceBrain.Tests.Data.DataFixtures.noise (w * h))
    use ms = new MemoryStream()
    SixLabors.ImageSharp.ImageExtensions.SaveAsPng(img, ms)
    ms.ToArray()

/// A GIF whose logical screen and every one of `frames` frames claim `side`×`side` pixels, each frame an LZW
/// stream that ends at once: a few KB that a decoder of every frame turns into gigabytes.
let gifBomb (side: int) (frames: int) =
    let b = ResizeArray<byte>()
    let u16 (v: int) = b.Add(byte (v &&& 255)); b.Add(byte (v >>> 8))
    b.AddRange(Encoding.ASCII.GetBytes "GIF89a")
    u16 side; u16 side
    b.Add 0xF0uy; b.Add 0uy; b.Add 0uy                 // global colour table of 2 entries
    b.AddRange [| 0uy; 0uy; 0uy; 255uy; 255uy; 255uy |]
    for _ in 1 .. frames do
        b.AddRange [| 0x21uy; 0xF9uy; 4uy; 0uy; 0uy; 0uy; 0uy; 0uy |] // graphic control extension
        b.Add 0x2Cuy; u16 0; u16 0; u16 side; u16 side; b.Add 0uy  // image descriptor
        b.Add 2uy                                               // LZW minimum code size
        b.AddRange [| 2uy; 0x4Cuy; 0x01uy; 0uy |]              // clear + end-of-information, then block end
    b.Add 0x3Buy
    b.ToArray()

/// Unusable image files, with a fragment the error must contain (the file's name is always required).
let imageFaults : (string * string * (unit -> byte[])) list =
    let png = lazy (pngBytes 40 40)
    let jpg =
        lazy
            (use img = FaceBrain.Tests.Data.DataFixtures.image 40 40 (FaceBrain.Tests.Data.DataFixtures.noise 3)
             use ms = new MemoryStream()
             SixLabors.ImageSharp.ImageExtensions.SaveAsJpeg(img, ms)
             ms.ToArray())
    [ "zero-byte.png", "zero-byte", (fun () -> [||])
      "text.jpg", "not an image", (fun () -> Encoding.ASCII.GetBytes "this is not a JPEG at all, just text")
      "random.png", "", (fun () -> Array.init 3000 (fun i -> byte ((i * 7919) % 251)))
      "truncated.png", "", (fun () -> png.Value[.. png.Value.Length - 13])
      "half.png", "", (fun () -> png.Value[.. png.Value.Length / 2])
      "truncated.jpg", "", (fun () -> jpg.Value[.. jpg.Value.Length / 3])
      "header-only.jpg", "", (fun () -> jpg.Value[.. 20])
      "png-claims-100000.png", "over the limit", (fun () ->
          let p = Path.Combine(Path.GetTempPath(), $"fb-bomb-{Guid.NewGuid():N}.png")
          try File.ReadAllBytes(FaceBrain.Tests.Data.DataFixtures.pngClaiming p 100000 100000) finally File.Delete p)
      "png-claims-60000x1.png", "over the limit", (fun () ->
          let p = Path.Combine(Path.GetTempPath(), $"fb-bomb-{Guid.NewGuid():N}.png")
          try File.ReadAllBytes(FaceBrain.Tests.Data.DataFixtures.pngClaiming p 60000 1) finally File.Delete p)
      "gif-20000.gif", "over the limit", (fun () -> gifBomb 20000 2)
      "bmp-header-only.bmp", "", (fun () -> Array.append (Encoding.ASCII.GetBytes "BM") (Array.zeroCreate 20)) ]

// ---------------------------------------------------------------- weights and checkpoints

let private zip (entries: (string * byte[]) list) =
    use ms = new MemoryStream()
    (use z = new ZipArchive(ms, ZipArchiveMode.Create, true)
     for (name, data) in entries do
         use s = z.CreateEntry(name).Open()
         s.Write(data, 0, data.Length))
    ms.ToArray()

/// A pickle whose first opcode asks for os.system: a loader that executes globals would run it.
let maliciousPickle = Encoding.ASCII.GetBytes "cos\nsystem\n(S'touch /tmp/facebrain-pwned'\ntR."

let private safetensors (header: string) (data: byte[]) =
    let h = Encoding.UTF8.GetBytes header
    Array.concat [ BitConverter.GetBytes(uint64 h.Length); h; data ]

/// Broken weight files (name with extension, bytes, fragment).
let weightFaults : (string * byte[] * string) list =
    [ "zero.pt", [||], "not readable"
      "text.pt", Encoding.ASCII.GetBytes "definitely not a state dict", "not readable"
      "random.pth", Array.init 5000 (fun i -> byte ((i * 31) % 253)), "not readable"
      "empty-zip.pt", zip [], "not readable"
      "pickle-with-code.pt", zip [ "archive/data.pkl", maliciousPickle ], "not readable"
      "raw-pickle-with-code.pt", maliciousPickle, "not readable"
      "unknown.weights", Encoding.ASCII.GetBytes "x", "unknown weights format"
      "st-short.safetensors", [| 1uy; 2uy; 3uy |], "safetensors"
      "st-header-overflow.safetensors", Array.append (BitConverter.GetBytes UInt64.MaxValue) (Array.zeroCreate 16), "header length"
      "st-header-past-end.safetensors", Array.append (BitConverter.GetBytes 4096UL) (Encoding.UTF8.GetBytes "{}"), "header length"
      "st-bad-json.safetensors", safetensors "{\"fc.weight\": {" [||], "safetensors header"
      "st-offsets-past-end.safetensors", safetensors "{\"fc.weight\":{\"dtype\":\"F32\",\"shape\":[2,2],\"data_offsets\":[0,16]}}" (Array.zeroCreate 8), "data_offsets"
      "st-shape-overflow.safetensors", safetensors "{\"fc.weight\":{\"dtype\":\"F32\",\"shape\":[4294967296,4294967296,8],\"data_offsets\":[0,16]}}" (Array.zeroCreate 16), "multiplies out"
      "st-size-mismatch.safetensors", safetensors "{\"fc.weight\":{\"dtype\":\"F32\",\"shape\":[3,3],\"data_offsets\":[0,16]}}" (Array.zeroCreate 16), "spans 16 bytes"
      "st-unknown-dtype.safetensors", safetensors "{\"fc.weight\":{\"dtype\":\"Q4\",\"shape\":[4],\"data_offsets\":[0,4]}}" (Array.zeroCreate 4), "unsupported dtype"
      "st-no-offsets.safetensors", safetensors "{\"fc.weight\":{\"dtype\":\"F32\",\"shape\":[1]}}" (Array.zeroCreate 4), "data_offsets" ]

/// Broken checkpoints (bytes, fragment).
let checkpointFaults : (string * byte[] * string) list =
    let state = Encoding.UTF8.GetBytes "{\"Task\":\"identity\",\"Epoch\":1,\"GlobalStep\":1,\"Seed\":1,\"Model\":{\"Kind\":\"ResNet50\",\"Width\":4,\"InputSize\":32,\"NumClasses\":3,\"EmbeddingDim\":128,\"SiameseBlocks\":4,\"PairLoss\":\"CrossEntropy\"},\"Classes\":[\"a\",\"b\",\"c\"],\"OptionsJson\":\"{}\"}"
    [ "zero.ckpt", [||], "not a FaceBrain checkpoint"
      "text.ckpt", Encoding.ASCII.GetBytes "hello", "not a FaceBrain checkpoint"
      "no-state.ckpt", zip [ "model.pt", [| 1uy |] ], "no state.json"
      "bad-state.ckpt", zip [ "state.json", Encoding.UTF8.GetBytes "{ nope" ], "state.json"
      "no-model.ckpt", zip [ "state.json", state ], "no model.pt"
      "model-garbage.ckpt", zip [ "state.json", state; "model.pt", Array.init 300 byte ], "corrupt checkpoint"
      "model-pickle-with-code.ckpt", zip [ "state.json", state; "model.pt", maliciousPickle ], "corrupt checkpoint" ]

/// A checkpoint zip with its bytes cut in the middle (central directory gone).
let truncated (bytes: byte[]) = bytes[.. bytes.Length / 2]

// ---------------------------------------------------------------- NIfTI

/// A valid little-endian float32 NIfTI-1 image of the given dims with values 1..n.
let niftiOf (version: int) (dims: int[]) =
    let n = dims |> Array.fold (*) 1
    FaceBrain.Tests.Fmri.NiftiFixtures.bytes
        (FaceBrain.Tests.Fmri.NiftiFixtures.spec version true 16s 32s dims
            (FaceBrain.Tests.Fmri.NiftiFixtures.encode true 16s (Array.init n (fun i -> double (i + 1)))))

/// Broken NIfTI files (name, bytes, fragment).
let niftiFaults : (string * (unit -> byte[]) * string) list =
    let good1 () = niftiOf 1 [| 3; 3; 3; 4 |]
    let good2 () = niftiOf 2 [| 3; 3; 3; 4 |]
    let set16 (b: byte[]) (o: int) (v: int16) = BitConverter.GetBytes(v).CopyTo(b, o); b
    let set64 (b: byte[]) (o: int) (v: int64) = BitConverter.GetBytes(v).CopyTo(b, o); b
    [ "zero.nii", (fun () -> [||]), ""
      "text.nii", (fun () -> Encoding.ASCII.GetBytes(String('x', 400))), ""
      "short-header.nii", (fun () -> (good1 ())[.. 100]), ""
      "dim0-zero.nii", (fun () -> set16 (good1 ()) 40 0s), "dim[0]"
      "dim0-nine.nii", (fun () -> set16 (good1 ()) 40 9s), "dim[0]"
      "negative-dim.nii", (fun () -> set16 (good1 ()) 42 -3s), "at least 1"
      "unsupported-dtype.nii", (fun () -> set16 (good1 ()) 70 1792s), "unsupported datatype"
      "vox-offset-in-header.nii", (fun () -> let b = good1 () in BitConverter.GetBytes(100.0f).CopyTo(b, 108); b), "vox_offset"
      "truncated-data.nii", (fun () -> let b = good1 () in b[.. b.Length - 20]), "truncated"
      "nifti2-dims-overflow.nii", (fun () -> let b = good2 () in set64 (set64 (set64 b 24 3037000500L) 32 3037000500L) 40 3037000500L), "multiply out"
      "nifti2-volumes-overflow.nii", (fun () -> let b = good2 () in set64 b 48 5000000000L), "volumes"
      "corrupt.nii.gz", (fun () -> Array.append [| 0x1fuy; 0x8buy; 8uy; 0uy |] (Array.init 200 byte)), "" ]
