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
