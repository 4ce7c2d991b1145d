/// Each finding of issue #14 that is not a plain bad-input case, as a test that failed before its fix:
/// resume with other settings, a second writer, early failures that left folders, outputs checked before work,
/// sizes refused before allocation.
module FaceBrain.Tests.Faults.TestFindings

open System
open System.IO
open System.Threading
open Expecto
open FaceBrain.Core.Store
open FaceBrain.Extraction
open FaceBrain.Tests.TestSupport
open FaceBrain.Tests.Faults.FaultSupport
open FaceBrain.Tests.Faults.HostileFiles

let private images (d: string) n =
    let dir = Path.Combine(d, "imgs")
    for i in 0 .. n - 1 do
        FaceBrain.Tests.Data.DataFixtures.writePng (Path.Combine(dir, $"f{i:D2}.png")) (FaceBrain.Tests.Data.DataFixtures.image 40 40 (FaceBrain.Tests.Data.DataFixtures.noise i)) |> ignore
    dir

/// The settings the resume tests vary (an F# record, so each case changes one field with `with`).
type private Settings =
    { Kind: FaceBrain.Models.ModelKind; Width: int; InputSize: int; Classes: int; Seed: int64; Preset: string
      Resize: Nullable<int>; Batch: int; Reduce: string; Layers: string list; Dtype: string }

let private standard =
    { Kind = FaceBrain.Models.ModelKind.ResNet50; Width = 4; InputSize = 32; Classes = 0; Seed = 0L; Preset = null
      Resize = Nullable(); Batch = 4; Reduce = "gap,layer2=rp:8"; Layers = [ "layer2"; "avgpool" ]; Dtype = "float32" }

let private request (imgs: string) (out: string) (mode: OutputMode) (s: Settings) =
    ExtractionRequest(
        Data = "images:" + imgs,
        Model = FaceBrain.Models.ModelSpec(s.Kind, s.Width, s.InputSize, s.Classes),
        Weights = FaceBrain.Training.Backbones.WeightsSource.Random(),
        Out = out, Mode = mode, Layers = ResizeArray s.Layers, Reductions = ReductionPlan.Parse s.Reduce,
        Batch = s.Batch, Seed = s.Seed, Preset = s.Preset, Resize = s.Resize, Dtype = s.Dtype, Device = TorchSharp.torch.CPU)

/// Runs an extraction and stops it (as a signal would) once `stopAt` rows are written.
let private interrupted (r: ExtractionRequest) (stopAt: int) =
    use cts = new CancellationTokenSource()
    let progress = { new IProgress<ExtractionProgress> with member _.Report p = if p.RowsDone >= stopAt then cts.Cancel() }
    Expect.throwsT<OperationCanceledException> (fun () -> Extraction.Run(r, progress, cts.Token) |> ignore) "stopped"
    let m = StoreManifest.Read(Path.Combine(r.Out, "manifest.json"))
    Expect.isFalse m.Complete "left incomplete"
    Expect.equal m.RowsDone stopAt "at its last complete batch"

let private layerBytes (out: string) = [ for l in [ "layer2"; "avgpool" ] -> File.ReadAllBytes(Path.Combine(out, "layers", l + ".npy")) ]

/// Resuming with one setting changed must be refused, naming that setting, and leave the store resumable.
let private changed : (string * string * Settings) list =
    [ "seed", "seed", { standard with Seed = 7L }
      "input size", "input_size", { standard with InputSize = 40 }
      "preset", "preset", { standard with Preset = "unit" }
      "batch", "batch", { standard with Batch = 2 }
      "reduce (gap -> grid)", "reduce", { standard with Reduce = "grid:1,layer2=rp:8" }
      "reduce (rp size)", "reduce", { standard with Reduce = "gap,layer2=rp:9" }
      "dtype", "dtype", { standard with Dtype = "float16" }
      "layers", "layers", { standard with Layers = [ "layer2"; "layer3"; "avgpool" ] }
      "width", "width", { standard with Width = 8 }
      "resize", "resize", { standard with Resize = Nullable 36 }
      "model", "model", { standard with Kind = FaceBrain.Models.ModelKind.ResNet50VggFace2 }
      "classes", "classes", { standard with Classes = 10 } ]

let private resumeTests =
    [ testCase "resume with the same settings gives the bytes of an uninterrupted run" <| fun () ->
        use d = new TempDir()
        let imgs = images d.Path 12
        Extraction.Run(request imgs (d.File "whole") OutputMode.New standard) |> ignore
        interrupted (request imgs (d.File "cut") OutputMode.New standard) 8
        let r = Extraction.Run(request imgs (d.File "cut") OutputMode.Resume standard)
        Expect.isTrue r.Resumed "resumed"
        Expect.equal (layerBytes (d.File "cut")) (layerBytes (d.File "whole")) "byte-identical"
        Expect.equal (tree (d.File "cut")) (tree (d.File "whole")) "same files, no lock or partial left"

      for (what, key, other) in changed do
        testCase $"resume with another {what} is refused naming it" <| fun () ->
            use d = new TempDir()
            let imgs = images d.Path 12
            interrupted (request imgs (d.File "s") OutputMode.New standard) 8
            let before = tree d.Path
            expectInputError [ "manifest.json"; "cannot resume"; key ] (fun () -> Extraction.Run(request imgs (d.File "s") OutputMode.Resume other))
            Expect.equal (tree d.Path) before "the interrupted store is untouched"
            Extraction.Run(request imgs (d.File "s") OutputMode.Resume standard) |> ignore
            Expect.isTrue (StoreManifest.Read(Path.Combine(d.File "s", "manifest.json"))).Complete "and still resumes with its own settings"

      testCase "resume of another stimulus set is refused" <| fun () ->
        use d = new TempDir()
        let imgs = images d.Path 12
        interrupted (request imgs (d.File "s") OutputMode.New standard) 8
        File.Delete(Path.Combine(imgs, "f11.png"))
        expectInputError [ "stimuli.tsv"; "stimulus set differs" ] (fun () -> Extraction.Run(request imgs (d.File "s") OutputMode.Resume standard))

      testCase "a store without a fingerprint (older FaceBrain) is not resumed blindly" <| fun () ->
        use d = new TempDir()
        let imgs = images d.Path 12
        interrupted (request imgs (d.File "s") OutputMode.New standard) 8
        let p = Path.Combine(d.File "s", "manifest.json")
        let text = File.ReadAllText p
        let i = text.IndexOf "\"fingerprint\""
        File.WriteAllText(p, text.Substring(0, i) + "\"fingerprint\": null\n}\n")
        expectInputError [ "manifest.json"; "fingerprint" ] (fun () -> Extraction.Run(request imgs (d.File "s") OutputMode.Resume standard)) ]

let private lockTests =
    [ testCase "a second writer is refused at once, naming the holder's process id" <| fun () ->
        use d = new TempDir()
        let table = FaceBrain.Core.IO.StimulusTable([ "stimulus_id" ], [ [| "a" |] :> Collections.Generic.IReadOnlyList<string> ])
        use first = ActivationStoreWriter.Create(d.File "s", table, StoreManifest(), false)
        let pid = string Environment.ProcessId
        expectInputError [ "s"; "another FaceBrain process"; $"pid {pid}" ] (fun () -> ActivationStoreWriter.Create(d.File "s", table, StoreManifest(), true))
        expectInputError [ $"pid {pid}" ] (fun () -> ActivationStoreWriter.Resume(d.File "s"))
        Expect.isTrue (File.Exists(Path.Combine(d.File "s", "manifest.json"))) "the first writer's store is untouched"

      testCase "the lock goes with the writer: a later run proceeds" <| fun () ->
        use d = new TempDir()
        let table = FaceBrain.Core.IO.StimulusTable([ "stimulus_id" ], [ [| "a" |] :> Collections.Generic.IReadOnlyList<string> ])
        (ActivationStoreWriter.Create(d.File "s", table, StoreManifest(), false)).Dispose()
        (ActivationStoreWriter.Create(d.File "s", table, StoreManifest(), true)).Dispose()
        Expect.equal (tree (d.File "s")) [ "layers"; "manifest.json"; "stimuli.tsv" ] "no lock file left" ]

let private earlyFailures =
    [ case "extract --reduce pca:1000 on 6 images fails before work and leaves nothing" 2 (fun _ -> [ "pca:1000"; "6 images" ]) (fun d ->
          [ "extract"; "--data"; "images:" + images d 6; "--model"; "resnet50"; "--width"; "4"; "--input-size"; "32"; "--weights"; "random"
            "--layers"; "layer1"; "--reduce"; "pca:1000"; "--device"; "cpu"; "--out"; Path.Combine(d, "store") ])
      case "train identity --lr -1 leaves no run folder" 2 (fun _ -> [ "--lr" ]) (fun d ->
          [ "train"; "identity"; "--data"; "images:" + images d 4; "--model"; "resnet50"; "--width"; "4"; "--input-size"; "32"
            "--lr"; "-1"; "--epochs"; "1"; "--batch"; "2"; "--device"; "cpu"; "--out"; Path.Combine(d, "run") ])
      case "analyse --out naming an existing file fails before the analysis" 2 (fun _ -> [ "taken"; "is a file" ]) (fun d ->
          goodStore (Path.Combine(d, "store")) 12 5
          textAt (Path.Combine(d, "taken")) "mine" |> ignore
          [ "analyse"; "--store"; Path.Combine(d, "store"); "--targets"; "identity"; "--out"; Path.Combine(d, "taken") ])
      case "analyse with a bad store leaves no --out folder" 2 (fun _ -> [ "manifest.json" ]) (fun d ->
          Directory.CreateDirectory(Path.Combine(d, "store")) |> ignore
          [ "analyse"; "--store"; Path.Combine(d, "store"); "--targets"; "identity"; "--out"; Path.Combine(d, "analysis") ])
      case "fmri simulate --voxels 2000000000 is refused before allocating, with the memory needed" 2 (fun _ -> [ "2000000000"; "GB" ]) (fun d ->
          goodStore (Path.Combine(d, "store")) 12 5
          [ "fmri"; "simulate"; "--store"; Path.Combine(d, "store"); "--rois"; "r:a"; "--voxels"; "2000000000"; "--out"; Path.Combine(d, "sim") ])
      case "fmri simulate of three ROIs of 400 million voxels is refused too" 2 (fun _ -> [ "400000000"; "GB" ]) (fun d ->
          goodStore (Path.Combine(d, "store")) 12 5
          [ "fmri"; "simulate"; "--store"; Path.Combine(d, "store"); "--rois"; "r:a,q:a,n:none"; "--voxels"; "400000000"; "--out"; Path.Combine(d, "sim") ])
      case "extract of a GIF declaring 80 frames of 4000x4000 decodes one frame" 0 (fun _ -> []) (fun d ->
          let imgs = images d 2
          bytesAt (Path.Combine(imgs, "bomb.gif")) (gifBomb 4000 80) |> ignore
          [ "extract"; "--data"; "images:" + imgs; "--model"; "resnet50"; "--width"; "4"; "--input-size"; "32"; "--weights"; "random"
            "--layers"; "avgpool"; "--device"; "cpu"; "--out"; Path.Combine(d, "store") ])
      |> fun c -> { c with Created = [ "store"; "store/layers"; "store/layers/avgpool.npy"; "store/manifest.json"; "store/stimuli.tsv" ] } ]

/// Finding cases, for the count in docs/reliability.md.
let caseCount = resumeTests.Length + lockTests.Length + earlyFailures.Length + 2

[<Tests>]
let tests =
    testList "Faults.Findings" [
        testList "resume" resumeTests
        testSequenced (testList "lock" lockTests)
        toTests "early failures" earlyFailures
        testCase "the GIF bomb costs one frame: decoded in well under a second" <| fun () ->
            use d = new TempDir()
            let p = bytesAt (d.File "bomb.gif") (gifBomb 4000 80)
            let pipe = FaceBrain.Data.Images.ImagePipeline(FaceBrain.Data.Images.PipelineOptions(Size = 32))
            let sw = Diagnostics.Stopwatch.StartNew()
            let before = GC.GetTotalAllocatedBytes true
            let _decoded, _error = pipe.TryLoadPixels(p, Nullable(), Span<byte>(Array.zeroCreate<byte> pipe.BytesPerImage))
            let allocated = GC.GetTotalAllocatedBytes true - before
            Expect.isLessThan allocated (400L <<< 20) $"allocated {allocated} bytes (80 frames would be ~4 GB)"
            Expect.isLessThan sw.Elapsed.TotalSeconds 10.0 "not the 27 s of decoding every frame"
        testCase "an .npy header whose shape overflows is refused naming the file" <| fun () ->
            use d = new TempDir()
            let (_, bytes, _) = npyFaults 280 4 |> List.find (fun (n, _, _) -> n = "shape-overflow")
            let p = bytesAt (d.File "big.npy") bytes
            expectInputError [ "big.npy"; "multiplies out" ] (fun () -> FaceBrain.Core.IO.Npy.ReadHeader p)
    ]
