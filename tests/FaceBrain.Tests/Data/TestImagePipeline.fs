module FaceBrain.Tests.Data.TestImagePipeline

open System
open System.IO
open Expecto
open SixLabors.ImageSharp
open SixLabors.ImageSharp.PixelFormats
open FaceBrain.Data.Images
open FaceBrain.Tests.TestSupport
open FaceBrain.Tests.Data.DataFixtures

let private pipeline size preset = ImagePipeline(PipelineOptions(Size = size, Preset = preset))

/// The RGB bytes (HWC) of an image file region, read by ImageSharp directly: the oracle.
let private pixelsOf (path: string) (x0: int) (y0: int) (w: int) (h: int) =
    use img = Image.Load<Rgb24> path
    [| for y in y0 .. y0 + h - 1 do
         for x in x0 .. x0 + w - 1 do
             let p = img.[x, y]
             yield p.R; yield p.G; yield p.B |]

[<Tests>]
let tests =
    testList "Data.ImagePipeline" [
        testCase "presets give the hand-computed values on a known image" <| fun () ->
            use d = new TempDir()
            let p1 = writePng (d.File "one.png") (image 1 1 (fun _ _ -> (10uy, 20uy, 30uy)))
            let caffe = (pipeline 1 Preset.VggFace2Caffe).Load p1
            Expect.floatClose Accuracy.medium (float caffe.[0]) (30.0 - 91.4953) "B - mean B first"
            Expect.floatClose Accuracy.medium (float caffe.[1]) (20.0 - 103.8827) "G - mean G"
            Expect.floatClose Accuracy.medium (float caffe.[2]) (10.0 - 131.0912) "R - mean R last"
            let imnet = (pipeline 1 Preset.Imagenet).Load p1
            Expect.floatClose Accuracy.medium (float imnet.[0]) ((10.0 / 255.0 - 0.485) / 0.229) "R"
            Expect.floatClose Accuracy.medium (float imnet.[1]) ((20.0 / 255.0 - 0.456) / 0.224) "G"
            Expect.floatClose Accuracy.medium (float imnet.[2]) ((30.0 / 255.0 - 0.406) / 0.225) "B"
            let unit = (pipeline 1 Preset.Unit).Load p1
            for c, v in [ 0, 10.0; 1, 20.0; 2, 30.0 ] do
                Expect.floatClose Accuracy.medium (float unit.[c]) (v / 255.0) "RGB / 255"
            // CHW layout on two pixels: plane 0 holds both pixels' first channel
            let two = Array.zeroCreate<float32> 6
            Preset.VggFace2Caffe.Apply(ReadOnlySpan [| 10uy; 20uy; 30uy; 255uy; 0uy; 128uy |], Span two)
            Expect.floatClose Accuracy.medium (float two.[1]) (128.0 - 91.4953) "B plane, pixel 2"
            Expect.floatClose Accuracy.medium (float two.[5]) (255.0 - 131.0912) "R plane, pixel 2"
            Expect.floatClose Accuracy.medium (float two.[4]) (10.0 - 131.0912) "R plane, pixel 1"

        testCase "preset names parse and unknown names are input errors" <| fun () ->
            Expect.equal (Presets.Parse "vggface2-caffe") Preset.VggFace2Caffe "caffe"
            Expect.equal (Presets.Parse "ImageNet") Preset.Imagenet "imagenet"
            Expect.equal (Preset.Unit.Name()) "unit" "name"
            expectInputError [ "unknown preset 'bgr'" ] (fun () -> Presets.Parse "bgr")

        testCase "resizing to the size an image already has changes no pixel" <| fun () ->
            use d = new TempDir()
            let p = writePng (d.File "n.png") (image 16 16 (noise 3))
            let px = (pipeline 16 Preset.Unit).LoadPixels p
            Expect.sequenceEqual px (pixelsOf p 0 0 16 16) "identical bytes"

        testCase "shorter side already right: only the centre crop, pixels untouched" <| fun () ->
            use d = new TempDir()
            let p = writePng (d.File "n.png") (image 17 12 (noise 4))
            let px = (pipeline 12 Preset.Unit).LoadPixels p
            Expect.sequenceEqual px (pixelsOf p 2 0 12 12) "columns 2..13"

        testCase "resize shorter side then centre crop keeps the layout of a split image" <| fun () ->
            use d = new TempDir()
            // 40x20: left 20 columns red, right 20 blue; shorter side 10 -> 20x10, centre 10x10 = columns 5..14
            let p = writePng (d.File "s.png") (image 40 20 (fun x _ -> if x < 20 then (255uy, 0uy, 0uy) else (0uy, 0uy, 255uy)))
            let px = (pipeline 10 Preset.Unit).LoadPixels p
            let at x y = px.[3 * (y * 10 + x)], px.[3 * (y * 10 + x) + 2]
            Expect.equal (at 0 5) (255uy, 0uy) "left edge red"
            Expect.equal (at 9 5) (0uy, 255uy) "right edge blue"
            Expect.equal (at 3 0) (255uy, 0uy) "x=3 still red (source x=16)"

        testCase "a bounding box crops before resizing" <| fun () ->
            use d = new TempDir()
            let p = writePng (d.File "b.png") (image 30 20 (noise 5))
            let px = (pipeline 8 Preset.Unit).LoadPixels(p, Nullable(CropBox(11, 3, 8, 8)))
            Expect.sequenceEqual px (pixelsOf p 11 3 8 8) "the box, exactly"
            expectInputError [ "b.png"; "outside" ] (fun () -> (pipeline 8 Preset.Unit).LoadPixels(p, Nullable(CropBox(100, 100, 8, 8))))

        testCase "bad files fail alone with a message naming them" <| fun () ->
            use d = new TempDir()
            let pipe = pipeline 8 Preset.Unit
            expectInputError [ "z.jpg"; "zero-byte" ] (fun () -> pipe.Load(zeroByte (d.File "z.jpg")))
            expectInputError [ "t.jpg"; "not an image" ] (fun () -> pipe.Load(writeText (d.File "t.jpg") "GIF? no"))
            expectInputError [ "cut.jpg"; "truncated JPEG" ] (fun () -> pipe.Load(truncatedJpeg (d.File "cut.jpg")))
            expectInputError [ "cut.png"; "truncated PNG" ] (fun () -> pipe.Load(truncatedPng (d.File "cut.png")))
            expectInputError [ "none.jpg"; "not found" ] (fun () -> pipe.Load(d.File "none.jpg"))
            let big = writePng (d.File "big.png") (image 40 30 (noise 1))
            let strict = ImagePipeline(PipelineOptions(Size = 8, Limits = DecodeLimits(MaxDimension = 32)))
            expectInputError [ "big.png"; "40x30"; "over the limit" ] (fun () -> strict.Load big)
            let tiny = ImagePipeline(PipelineOptions(Size = 8, Limits = DecodeLimits(MaxFileBytes = 10L)))
            expectInputError [ "big.png"; "byte limit" ] (fun () -> tiny.Load big)
            // the allocator's budget: a 1200x1200 RGB image needs over 4 MiB, the budget is 1 MiB
            let large = writePng (d.File "large.png") (image 1200 1200 (fun x y -> byte x, byte y, 0uy))
            let frugal = ImagePipeline(PipelineOptions(Size = 8, Limits = DecodeLimits.Default.With(memoryBudgetMegabytes = 1)))
            expectInputError [ "large.png"; "cannot be decoded" ] (fun () -> frugal.Load large)
            Expect.equal ((pipe.Load large).Length) (3 * 8 * 8) "the default budget decodes it"

        testCase "a header claiming a huge image is refused before any pixel buffer is allocated" <| fun () ->
            use d = new TempDir()
            let bomb = pngClaiming (d.File "bomb.png") 60000 60000
            Expect.isLessThan (FileInfo(bomb).Length) 200L "a tiny file"
            let before = GC.GetAllocatedBytesForCurrentThread()
            expectInputError [ "bomb.png"; "60000x60000"; "over the limit" ] (fun () -> (pipeline 8 Preset.Unit).Load bomb)
            Expect.isLessThan (GC.GetAllocatedBytesForCurrentThread() - before) (64L <<< 20) "no 10 GB buffer, not even 64 MB (this thread)"
            let wide = pngClaiming (d.File "wide.png") 20000 10
            expectInputError [ "wide.png"; "20000x10" ] (fun () -> (pipeline 8 Preset.Unit).Load wide)

        testCase "the header check reads the ends of large files and still catches truncation" <| fun () ->
            use d = new TempDir()
            let big = writeJpeg (d.File "big.jpg") (image 900 900 (noise 5))
            Expect.isGreaterThan (FileInfo(big).Length) (300L * 1024L) "large enough to take the head+tail path"
            Expect.isNull (FaceBrain.Data.Loading.ImageFiles.Problem(big, FaceBrain.Data.Loading.ImageCheck.Header, DecodeLimits.Default)) "a whole file passes"
            let bytes = File.ReadAllBytes big
            File.WriteAllBytes(d.File "cut.jpg", bytes.[0 .. bytes.Length * 2 / 3])
            let why = FaceBrain.Data.Loading.ImageFiles.Problem(d.File "cut.jpg", FaceBrain.Data.Loading.ImageCheck.Header, DecodeLimits.Default)
            Expect.stringContains why "truncated JPEG" "cut file"

        testCase "batch fills [N,3,S,S] exactly like single loads, in parallel" <| fun () ->
            use d = new TempDir()
            let paths = [ for i in 0 .. 5 -> writePng (d.File $"{i}.png") (image (20 + i) 18 (noise i)) ]
            let pipe = ImagePipeline(PipelineOptions(Size = 16, Preset = Preset.Imagenet, Parallelism = 2))
            let batch = Array.create (6 * pipe.ValuesPerImage) nanf
            let bad = pipe.LoadBatch([ for p in paths -> ImageSource(p) ] |> ResizeArray, batch)
            Expect.isEmpty bad "no bad images"
            for i in 0 .. 5 do
                Expect.sequenceEqual batch.[i * pipe.ValuesPerImage .. (i + 1) * pipe.ValuesPerImage - 1] (pipe.Load paths.[i]) $"image {i}"

        testCase "batch with a bad file: throws naming it, or skips it when asked" <| fun () ->
            use d = new TempDir()
            let good = writePng (d.File "good.png") (image 8 8 (noise 2))
            let badPath = writeText (d.File "bad.jpg") "nope"
            let items = ResizeArray [ ImageSource(good); ImageSource(badPath); ImageSource(good) ]
            let pipe = pipeline 8 Preset.Unit
            let batch = Array.create (3 * pipe.ValuesPerImage) nanf
            expectInputError [ "bad.jpg"; "--skip-bad" ] (fun () -> pipe.LoadBatch(items, batch))
            let skipped = pipe.LoadBatch(items, batch, skipBad = true)
            Expect.equal (skipped |> Seq.map (fun b -> b.Index, Path.GetFileName b.Path) |> List.ofSeq) [ 1, "bad.jpg" ] "the bad one"
            Expect.isTrue (batch.[pipe.ValuesPerImage .. 2 * pipe.ValuesPerImage - 1] |> Array.forall ((=) 0.0f)) "its slot is zeros"
            Expect.sequenceEqual batch.[2 * pipe.ValuesPerImage ..] (pipe.Load good) "the next slot is intact"
    ]
