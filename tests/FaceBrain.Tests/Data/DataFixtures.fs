/// Small image files and face-set layouts written by hand for the Data tests.
module FaceBrain.Tests.Data.DataFixtures

open System.IO
open SixLabors.ImageSharp
open SixLabors.ImageSharp.PixelFormats

/// An image whose pixel (x, y) is f x y.
let image (w: int) (h: int) (f: int -> int -> byte * byte * byte) =
    let img = new Image<Rgb24>(w, h)
    for y in 0 .. h - 1 do
        for x in 0 .. w - 1 do
            let r, g, b = f x y
            img.[x, y] <- Rgb24(r, g, b)
    img

/// Deterministic pseudo-random pixels (a hash of x, y and a seed).
let noise seed (x: int) (y: int) =
    let h = (x * 73856093) ^^^ (y * 19349663) ^^^ (seed * 83492791)
    byte (h &&& 255), byte ((h >>> 8) &&& 255), byte ((h >>> 16) &&& 255)

let ensureDir (path: string) = Directory.CreateDirectory(Path.GetDirectoryName path) |> ignore

let writePng (path: string) (img: Image<Rgb24>) =
    ensureDir path
    img.SaveAsPng path
    path

let writeJpeg (path: string) (img: Image<Rgb24>) =
    ensureDir path
    img.SaveAsJpeg path
    path

/// A small valid JPEG at path (8×8 noise).
let jpeg (path: string) =
    use img = image 8 8 (noise path.Length)
    writeJpeg path img

let writeText (path: string) (text: string) =
    ensureDir path
    File.WriteAllText(path, text)
    path

let zeroByte (path: string) = writeText path ""

/// A JPEG cut to its first half: the header parses, the data ends early.
let truncatedJpeg (path: string) =
    use img = image 64 64 (noise 7)
    ensureDir path
    use ms = new MemoryStream()
    img.SaveAsJpeg ms
    let bytes = ms.ToArray()
    File.WriteAllBytes(path, bytes.[0 .. bytes.Length / 3])
    path

/// A PNG cut before its IEND chunk.
let truncatedPng (path: string) =
    use img = image 64 64 (noise 8)
    ensureDir path
    use ms = new MemoryStream()
    img.SaveAsPng ms
    let bytes = ms.ToArray()
    File.WriteAllBytes(path, bytes.[0 .. bytes.Length - 13]) // drops exactly the 12-byte IEND chunk
    path

let private crc32 (data: byte[]) =
    let table = Array.init 256 (fun n -> (Seq.fold (fun c _ -> if c &&& 1u <> 0u then 0xEDB88320u ^^^ (c >>> 1) else c >>> 1) (uint32 n) [ 1 .. 8 ]))
    let mutable c = 0xFFFFFFFFu
    for b in data do c <- table.[int ((c ^^^ uint32 b) &&& 0xFFu)] ^^^ (c >>> 8)
    c ^^^ 0xFFFFFFFFu

/// A small valid PNG whose header (with a correct CRC) claims width x height pixels: a decompression bomb's shape.
let pngClaiming (path: string) (width: int) (height: int) =
    use img = image 4 4 (noise 1)
    use ms = new MemoryStream()
    img.SaveAsPng ms
    let bytes = ms.ToArray()
    // signature (8) | length (4) | "IHDR" (4) | width (4) | height (4) | ... 13 data bytes | CRC (4)
    let be (v: int) = [| byte (v >>> 24); byte (v >>> 16); byte (v >>> 8); byte v |]
    Array.blit (be width) 0 bytes 16 4
    Array.blit (be height) 0 bytes 20 4
    let crc = crc32 bytes.[12 .. 12 + 4 + 13 - 1]
    Array.blit (be (int crc)) 0 bytes 29 4
    ensureDir path
    File.WriteAllBytes(path, bytes)
    path
