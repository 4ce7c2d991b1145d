module FaceBrain.Tests.Extraction.TestActivationStore

open System
open System.IO
open System.Text
open Expecto
open TorchSharp
open FaceBrain.Core.IO
open FaceBrain.Extraction
open FaceBrain.Core.Store
open PureHDF
open FaceBrain.Tests.TestSupport
open FaceBrain.Tests.Extraction.TestLayerCapture

let private stimuli n =
    let rows: Collections.Generic.IReadOnlyList<string> list =
        [ for i in 0 .. n - 1 -> [| sprintf "s%02d" i; sprintf "id%d" (i % 3) |] ]
    StimulusTable([ "stimulus_id"; "identity" ], rows)

/// Deterministic images: row i is a fixed function of i, whatever batch it falls in.
let private images (start: int) (count: int) =
    use idx = torch.arange(int64 start, int64 (start + count), dtype = torch.float32).reshape(-1L, 1L, 1L, 1L)
    use grid = torch.linspace(-1.0, 1.0, 3L * 8L * 8L).reshape(1L, 3L, 8L, 8L)
    torch.sin(grid.mul(idx.add(torch.tensor 1.f)))

let private options layers =
    ExtractionOptions(layers, reductions layers "gap", 4, torch.CPU)

let private extract (dir: string) (failAtRow: int option) =
    use net = smallNet 9L
    let layers = [ "conv1"; "pool"; "fc" ]
    let load start count =
        match failAtRow with
        | Some r when start >= r -> failwith "simulated interruption"
        | _ -> images start count
    use w = ActivationStoreWriter.Create(dir, stimuli 10, StoreManifest(Model = "smallnet"), false)
    Extractor.Run(net, Func<_, _> net.call, Func<_, _, _> load, w, options layers, StoreManifest(Model = "smallnet"))

let private resume (dir: string) =
    use net = smallNet 9L
    use w = ActivationStoreWriter.Resume dir
    Extractor.Run(net, Func<_, _> net.call, Func<_, _, _> images, w, options [ "conv1"; "pool"; "fc" ], StoreManifest(Model = "smallnet"))

[<Tests>]
let tests =
    testSequenced <| testList "ActivationStore" [
        testCase "a run writes the documented layout, complete, rows in stimulus order" <| fun () ->
            use d = new TempDir()
            let out = d.File "store"
            extract out None
            Expect.equal (filesIn out) [| "manifest.json"; "stimuli.tsv" |] "top level"
            Expect.equal (filesIn (Path.Combine(out, "layers"))) [| "conv1.npy"; "fc.npy"; "pool.npy" |] "one file per layer"
            let m = StoreManifest.Read(Path.Combine(out, "manifest.json"))
            Expect.isTrue m.Complete "complete"
            Expect.equal m.NStimuli 10 "rows"
            let fc = Npy.Read<float32>(Path.Combine(out, "layers", "fc.npy"))
            Expect.equal fc.Shape [| 10L; 5L |] "fc shape"
            // Row 7 must equal a fresh forward of image 7 alone.
            use net = smallNet 9L
            net.eval()
            use x = images 7 1
            use y = net.call x
            let expected = y.data<float32>().ToArray()
            let got = fc.Data.[35 .. 39]
            for i in 0 .. 4 do Expect.floatClose Accuracy.medium (float got.[i]) (float expected.[i]) "row 7 (float32, batched vs alone)"

        testCase "npy files have the header an independent reader expects" <| fun () ->
            use d = new TempDir()
            extract (d.File "store") None
            let bytes = File.ReadAllBytes(Path.Combine(d.File "store", "layers", "conv1.npy"))
            Expect.equal bytes.[0 .. 5] [| 0x93uy; byte 'N'; byte 'U'; byte 'M'; byte 'P'; byte 'Y' |] "magic"
            let headerLen = int bytes.[8] ||| (int bytes.[9] <<< 8)
            let header = Encoding.Latin1.GetString(bytes, 10, headerLen)
            Expect.stringContains header "'descr': '<f4'" "float32"
            Expect.stringContains header "'shape': (10, 4)" "shape: 10 stimuli x 4 channels"
            Expect.equal ((10 + headerLen) % 64) 0 "aligned"
            Expect.equal bytes.Length (10 + headerLen + 10 * 4 * 4) "no trailing bytes"

        testCase "resume after an interruption gives byte-identical files" <| fun () ->
            use d = new TempDir()
            let whole, cut = d.File "whole", d.File "cut"
            extract whole None
            Expect.throws (fun () -> extract cut (Some 6)) "interrupted"
            let partial = StoreManifest.Read(Path.Combine(cut, "manifest.json"))
            Expect.isFalse partial.Complete "marked incomplete"
            Expect.equal partial.RowsDone 8 "the two completed batches are recorded"
            Expect.isFalse (File.Exists(Path.Combine(cut, "layers", "fc.npy"))) "no file under its final name"
            resume cut
            for layer in [ "conv1"; "pool"; "fc" ] do
                let a = File.ReadAllBytes(Path.Combine(whole, "layers", layer + ".npy"))
                let b = File.ReadAllBytes(Path.Combine(cut, "layers", layer + ".npy"))
                Expect.equal b a (layer + " identical")
            Expect.isTrue (StoreManifest.Read(Path.Combine(cut, "manifest.json"))).Complete "complete after resume"

        testCase "pca:D fits on the stimulus set first; float16 stores hold the same values rounded" <| fun () ->
            use d = new TempDir()
            use net = smallNet 9L
            let reds = Collections.Generic.Dictionary<string, Reduction>()
            reds.["conv1"] <- Reduction.Parse("pca:3", 0L)
            reds.["fc"] <- Reduction.Parse("none", 0L)
            let opts = ExtractionOptions([ "conv1"; "fc" ], reds, 4, torch.CPU, "float16")
            use w = ActivationStoreWriter.Create(d.File "s", stimuli 10, StoreManifest(), false)
            Extractor.Run(net, Func<_, _> net.call, Func<_, _, _> images, w, opts, StoreManifest())
            let conv = Npy.ReadAsDouble(Path.Combine(d.File "s", "layers", "conv1.npy"))
            Expect.equal (Npy.ReadHeader(Path.Combine(d.File "s", "layers", "conv1.npy"))).DType NpyDType.Float16 "float16 on disk"
            Expect.equal conv.Shape [| 10L; 3L |] "3 components"
            let colMean c = Array.average [| for r in 0 .. 9 -> conv.Data.[r * 3 + c] |]
            for c in 0 .. 2 do Expect.isLessThan (abs (colMean c)) 1e-2 "PCA scores of the fit set are centred"
            let fc16 = Npy.ReadAsDouble(Path.Combine(d.File "s", "layers", "fc.npy"))
            use x = images 0 10
            use y = net.call x
            let exact = y.data<float32>().ToArray()
            for i in 0 .. exact.Length - 1 do
                Expect.floatClose { absolute = 1e-3; relative = 1e-3 } fc16.Data.[i] (float exact.[i]) "half precision"

        testCase "existing folders: refused, overwritten only if a store, resumed only if incomplete" <| fun () ->
            use d = new TempDir()
            let out = d.File "store"
            extract out None
            expectInputError [ "store"; "--overwrite" ] (fun () -> ActivationStoreWriter.Create(out, stimuli 2, StoreManifest(), false))
            expectInputError [ "already complete" ] (fun () -> ActivationStoreWriter.Resume out)
            (ActivationStoreWriter.Create(out, stimuli 2, StoreManifest(), true)).Dispose()
            Expect.equal (StoreManifest.Read(Path.Combine(out, "manifest.json"))).NStimuli 2 "replaced"
            let notStore = d.File "mine"
            Directory.CreateDirectory notStore |> ignore
            File.WriteAllText(Path.Combine(notStore, "thesis.tex"), "precious")
            expectInputError [ "mine"; "not an activation store" ] (fun () -> ActivationStoreWriter.Create(notStore, stimuli 2, StoreManifest(), true))
            Expect.isTrue (File.Exists(Path.Combine(notStore, "thesis.tex"))) "left alone"
    
        testCase "HDF5 export holds every layer and the stimulus table" <| fun () ->
            use d = new TempDir()
            let out = d.File "store"
            extract out None
            let h5 = d.File "store.h5"
            StoreHdf5.Export(out, h5)
            let bytes = File.ReadAllBytes h5
            Expect.equal bytes.[0 .. 7] [| 0x89uy; byte 'H'; byte 'D'; byte 'F'; 0x0duy; 0x0auy; 0x1auy; 0x0auy |] "HDF5 signature"
            use f = PureHDF.H5File.OpenRead h5
            let fc = f.Dataset("layers/fc").Read<float32[]>()
            Expect.equal fc (Npy.Read<float32>(Path.Combine(out, "layers", "fc.npy")).Data) "fc values"
            Expect.equal (List.ofArray (f.Dataset("layers/fc").Space.Dimensions)) [ 10UL; 5UL ] "fc shape"
            let ids = f.Dataset("stimuli/stimulus_id").Read<string[]>()
            Expect.equal ids.[3] "s03" "row order"

        testCase "HDF5 export refuses an incomplete store" <| fun () ->
            use d = new TempDir()
            let cut = d.File "cut"
            Expect.throws (fun () -> extract cut (Some 6)) "interrupted"
            expectInputError [ "incomplete" ] (fun () -> StoreHdf5.Export(cut, d.File "x.h5"))
            Expect.isFalse (File.Exists(d.File "x.h5")) "nothing written"
    ]
