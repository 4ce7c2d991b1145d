module FaceBrain.Tests.Data.TestImageCache

open System
open System.IO
open Expecto
open FaceBrain.Data.Images
open FaceBrain.Data.Loading
open FaceBrain.Data.Synthesis
open FaceBrain.Tests.TestSupport
open FaceBrain.Tests.Data.DataFixtures

let private smallSet (d: TempDir) =
    FaceSynthesizer.Write(SynthOptions(Layout = SynthLayout.Manifest, Identities = 2, PerIdentity = 5, Size = 40, Seed = 3), d.File "set") |> ignore
    (ManifestLoader.Load(d.File "set/stimuli.tsv")).Stimuli

[<Tests>]
let tests =
    testSequenced <| testList "Data.ImageCache" [
        testCase "cached pixels and floats equal a fresh decode" <| fun () ->
            use d = new TempDir()
            let stimuli = smallSet d
            let pipe = ImagePipeline(PipelineOptions(Size = 24, ResizeTo = 28, Preset = Preset.VggFace2Caffe))
            let path = ImageCache.PathFor(d.Path, "set", 24)
            let bad = ImageCache.Build(path, pipe, stimuli)
            Expect.isEmpty bad "no bad images"
            use cache = ImageCache.Open path
            Expect.equal cache.Count 10 "rows"
            Expect.equal (List.ofSeq cache.Ids) (stimuli |> Seq.map (fun s -> s.Id) |> List.ofSeq) "ids in order"
            for i in 0 .. cache.Count - 1 do
                Expect.sequenceEqual (cache.Pixels(i).ToArray()) (pipe.LoadPixels stimuli.[i].Path) $"pixels of row {i}"
            let fromCache = Array.zeroCreate<float32> (10 * pipe.ValuesPerImage)
            let fresh = Array.zeroCreate<float32> (10 * pipe.ValuesPerImage)
            cache.ReadBatch([| 0 .. 9 |], Preset.VggFace2Caffe, fromCache)
            pipe.LoadBatch(stimuli, fresh) |> ignore
            Expect.sequenceEqual fromCache fresh "same floats"
            Expect.isTrue (cache.Matches(pipe, stimuli)) "matches its source"
            Expect.isFalse (cache.Matches(ImagePipeline(PipelineOptions(Size = 24)), stimuli)) "another geometry does not match"

        testCase "a changed source file makes the cache stale and OpenOrBuild rebuilds it" <| fun () ->
            use d = new TempDir()
            let stimuli = smallSet d
            let pipe = ImagePipeline(PipelineOptions(Size = 16))
            let path = d.File "c.fbcache"
            (ImageCache.OpenOrBuild(path, pipe, stimuli)).Dispose()
            writePng stimuli.[0].Path (image 40 40 (noise 9)) |> ignore // same name, new content (PNG bytes in a .jpg: still an image)
            File.SetLastWriteTimeUtc(stimuli.[0].Path, DateTime.UtcNow.AddMinutes 1.0)
            use c0 = ImageCache.Open path
            Expect.isFalse (c0.Matches(pipe, stimuli)) "stale"
            use c1 = ImageCache.OpenOrBuild(path, pipe, stimuli)
            Expect.sequenceEqual (c1.Pixels(0).ToArray()) (pipe.LoadPixels stimuli.[0].Path) "rebuilt from the new file"

        testCase "bad images: the build refuses naming the file, or records the row with skipBad" <| fun () ->
            use d = new TempDir()
            let stimuli = smallSet d |> Array.ofSeq
            File.WriteAllText(stimuli.[2].Path, "")
            let pipe = ImagePipeline(PipelineOptions(Size = 16))
            let path = d.File "b.fbcache"
            expectInputError [ Path.GetFileName stimuli.[2].Path; "zero-byte" ] (fun () -> ImageCache.Build(path, pipe, stimuli))
            Expect.isFalse (File.Exists path) "nothing written"
            let bad = ImageCache.Build(path, pipe, stimuli, skipBad = true)
            Expect.equal (bad |> Seq.map (fun b -> b.Index) |> List.ofSeq) [ 2 ] "row 2"
            use c = ImageCache.Open path
            Expect.equal (List.ofSeq c.Info.Bad) [ 2 ] "recorded in the header"
            Expect.isTrue (c.Pixels(2).ToArray() |> Array.forall ((=) 0uy)) "zeros"

        testCase "caches of many sizes open (the header reservation never shifts the pixels)" <| fun () ->
            use d = new TempDir()
            // The header grows by ~100 bytes per image and is first reserved with a larger bad-row list:
            // every n from 100 to 200 makes the reservation and the final header fall on both sides of
            // a 4 KiB boundary several times.
            let png = writePng (d.File "one.png") (image 2 2 (noise 4))
            let pipe = ImagePipeline(PipelineOptions(Size = 2))
            for n in 100 .. 200 do
                let stimuli = [| for i in 0 .. n - 1 -> FaceBrain.Core.Domain.Stimulus($"s{i:D4}", png, System.Collections.Generic.Dictionary()) |]
                let path = d.File $"n{n}.fbcache"
                ImageCache.Build(path, pipe, stimuli) |> ignore
                use c = ImageCache.Open path
                Expect.equal c.Count n "rows"
                Expect.sequenceEqual (c.Pixels(n - 1).ToArray()) (pipe.LoadPixels png) $"last row of {n}"

        testCase "FaceImages: cached and decoded fills agree for any rows" <| fun () ->
            use d = new TempDir()
            let stimuli = smallSet d
            let pipe = ImagePipeline(PipelineOptions(Size = 20, Preset = Preset.Imagenet))
            use decoded = FaceImages.Decoded(stimuli, pipe)
            use cached = FaceImages.Cached(stimuli, pipe, d.File "f.fbcache")
            let rows = [| 7; 0; 3 |]
            let a = Array.zeroCreate<float32> (3 * decoded.ValuesPerImage)
            let b = Array.zeroCreate<float32> (3 * cached.ValuesPerImage)
            decoded.Fill(rows, a) |> ignore
            cached.Fill(rows, b) |> ignore
            Expect.sequenceEqual a b "same floats"
            Expect.sequenceEqual a.[0 .. decoded.ValuesPerImage - 1] (pipe.Load stimuli.[7].Path) "row order kept"

        testCase "truncated or foreign cache files are input errors" <| fun () ->
            use d = new TempDir()
            let stimuli = smallSet d
            let path = d.File "t.fbcache"
            ImageCache.Build(path, ImagePipeline(PipelineOptions(Size = 16)), stimuli) |> ignore
            let bytes = File.ReadAllBytes path
            File.WriteAllBytes(path, bytes.[0 .. bytes.Length - 100])
            expectInputError [ "t.fbcache"; "truncated" ] (fun () -> ImageCache.Open path)
            File.WriteAllText(d.File "x.fbcache", "hello, not a cache")
            expectInputError [ "x.fbcache"; "not a FaceBrain image cache" ] (fun () -> ImageCache.Open(d.File "x.fbcache"))
    ]
