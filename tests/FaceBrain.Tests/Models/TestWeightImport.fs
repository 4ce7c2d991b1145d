module FaceBrain.Tests.Models.TestWeightImport

open System.IO
open Expecto
open FaceBrain.Models
open FaceBrain.Models.Weights
open FaceBrain.Tests.TestSupport
open FaceBrain.Tests.Models.ModelTestSupport
open TorchSharp

let private stateBytes (m: torch.nn.Module) =
    m.state_dict() |> Seq.sortBy (fun kv -> kv.Key) |> Seq.map (fun kv -> kv.Key, kv.Value.cpu().bytes.ToArray()) |> List.ofSeq

let private siameseBlocks blocks =
    Network.Create(ModelSpec(ModelKind.Siamese, Width = 2, InputSize = 32, EmbeddingDim = 4, SiameseBlocks = blocks), cpu (), seed = int64 blocks)

[<Tests>]
let tests =
    testSequencedGroup "torch-global-state" <| testList "Models.WeightImport" [
        for ext in [ ".pt"; ".pth"; ".safetensors" ] do
            testCase $"round trip through {ext}: every tensor comes back byte for byte" <| fun () ->
                use dir = new TempDir()
                let path = dir.File("w" + ext)
                use a = tinyResNet ModelKind.ResNet50 2 32
                StateDictFile.Write(path, a.Module)
                use b = Network.Create(ModelSpec(ModelKind.ResNet50, Width = 2, InputSize = 32, NumClasses = 5), cpu (), seed = 99L)
                Expect.notEqual (stateBytes b.Module) (stateBytes a.Module) "different seeds start different"
                WeightImport.LoadFile(b.Module, path, "resnet50")
                Expect.equal (stateBytes b.Module) (stateBytes a.Module) "identical after import"
                Expect.equal (filesIn dir.Path) [| "w" + ext |] "no temporary file left"

        testCase "one file fits both layouts (same keys)" <| fun () ->
            use dir = new TempDir()
            let path = dir.File "tv.pt"
            use tv = tinyResNet ModelKind.ResNet50 2 32
            StateDictFile.Write(path, tv.Module)
            use cf = tinyResNet ModelKind.ResNet50VggFace2 2 32
            WeightImport.LoadFile(cf.Module, path, "resnet50-vggface2")
            Expect.equal (stateBytes cf.Module) (stateBytes tv.Module) "loaded into the Caffe layout"

        testCase "missing keys are named and nothing is loaded" <| fun () ->
            use dir = new TempDir()
            let path = dir.File "three.pt"
            use three = siameseBlocks 3
            StateDictFile.Write(path, three.Module)
            use four = siameseBlocks 4
            let before = stateBytes four.Module
            expectInputError [ path; "does not fit siamese"; "2 missing"; "tower.blocks.3.conv.weight"; "1 wrong shape"; "tower.embedding.weight (model 4×16, file 4×8)" ]
                (fun () -> WeightImport.LoadFile(four.Module, path, "siamese"))
            Expect.equal (stateBytes four.Module) before "the model is untouched (no half-load)"

        testCase "unexpected keys are named" <| fun () ->
            use dir = new TempDir()
            let path = dir.File "four.safetensors"
            use four = siameseBlocks 4
            StateDictFile.Write(path, four.Module)
            use three = siameseBlocks 3
            let before = stateBytes three.Module
            expectInputError [ "2 unexpected"; "tower.blocks.3.conv.bias" ] (fun () -> WeightImport.LoadFile(three.Module, path, "siamese"))
            Expect.equal (stateBytes three.Module) before "untouched"

        testCase "a wrong-shaped head is named with both shapes" <| fun () ->
            use dir = new TempDir()
            let path = dir.File "head.pt"
            use a = Network.Create(ModelSpec(ModelKind.ResNet50, Width = 2, InputSize = 32, NumClasses = 7), cpu ())
            StateDictFile.Write(path, a.Module)
            use b = tinyResNet ModelKind.ResNet50 2 32
            expectInputError [ "2 wrong shape"; "fc.weight (model 5×64, file 7×64)"; "fc.bias (model 5, file 7)" ]
                (fun () -> WeightImport.LoadFile(b.Module, path, "resnet50"))

        testCase "weights of another architecture are refused" <| fun () ->
            use dir = new TempDir()
            let path = dir.File "siamese.pt"
            use s = siameseBlocks 3
            StateDictFile.Write(path, s.Module)
            use r = tinyResNet ModelKind.ResNet50 2 32
            expectInputError [ "does not fit resnet50"; "missing (conv1.weight"; "10 unexpected (head.bias, head.weight, tower.blocks.0.conv.bias" ] (fun () -> WeightImport.LoadFile(r.Module, path, "resnet50"))

        testCase "a file without num_batches_tracked (the VGGFace2 release) still loads" <| fun () ->
            use r = tinyResNet ModelKind.ResNet50VggFace2 2 32
            let sd = r.Module.state_dict() |> Seq.filter (fun kv -> not (kv.Key.EndsWith "num_batches_tracked")) |> Seq.map (fun kv -> kv.Key, kv.Value.clone()) |> dict
            Expect.equal (WeightImport.Check(r.Module, System.Collections.Generic.Dictionary sd).Fits) true "fits"

        testCase "unreadable files: missing, garbage, unknown extension" <| fun () ->
            use dir = new TempDir()
            use r = tinyResNet ModelKind.ResNet50 2 32
            expectInputError [ "nope.pt"; "not found" ] (fun () -> WeightImport.LoadFile(r.Module, dir.File "nope.pt", "resnet50"))
            File.WriteAllText(dir.File "junk.pt", "not a zip")
            expectInputError [ "junk.pt"; "not readable as a PyTorch state dict" ] (fun () -> WeightImport.LoadFile(r.Module, dir.File "junk.pt", "resnet50"))
            File.WriteAllBytes(dir.File "junk.safetensors", [| 255uy; 255uy; 255uy; 255uy; 255uy; 255uy; 255uy; 127uy |])
            expectInputError [ "junk.safetensors"; "not readable as a safetensors file" ] (fun () -> WeightImport.LoadFile(r.Module, dir.File "junk.safetensors", "resnet50"))
            expectInputError [ "w.h5"; "unknown weights format" ] (fun () -> WeightImport.LoadFile(r.Module, dir.File "w.h5", "resnet50"))
    ]
