module FaceBrain.Tests.Cli.TestModelsForwardCli

open Expecto
open FaceBrain.Core.IO
open FaceBrain.Models
open FaceBrain.Models.Layers
open FaceBrain.Models.Weights
open FaceBrain.Tests.TestSupport
open FaceBrain.Tests.Models.ModelTestSupport
open TorchSharp

/// A deterministic input batch [3, 3, 48, 48] written as .npy.
let private writeInput (path: string) =
    let n = 3 * 3 * 48 * 48
    let data = Array.init n (fun i -> float32 (sin (float i * 0.37)) * 1.5f)
    Npy.Write<float32>(path, System.ReadOnlySpan data, 3L, 3L, 48L, 48L)
    data

[<Tests>]
let tests =
    testSequencedGroup "torch-global-state" <| testList "Cli.models forward" [
        testCase "writes the library's own pooled features for given weights, independent of --batch" <| fun () ->
            use dir = new TempDir()
            let data = writeInput (dir.File "x.npy")
            let spec = ModelSpec(ModelKind.ResNet50VggFace2, Width = 4, InputSize = 48, NumClasses = 6)
            use net = Network.Create(spec, cpu (), seed = 11L)
            StateDictFile.Write(dir.File "w.pt", net.Module)
            // The same forward pass in-process: eval mode, a tap on avgpool.
            net.Module.eval()
            let expected =
                use tap = new LayerTap(net, [ "avgpool" ])
                use _ = torch.no_grad()
                use x = torch.tensor(data, System.ReadOnlySpan [| 3L; 3L; 48L; 48L |])
                net.Forward x |> ignore
                values tap.Outputs["avgpool"]
            for batch in [ "1"; "3" ] do
                let out = dir.File $"y{batch}.npy"
                let code, _, err =
                    runCli [ "models"; "forward"; "--model"; "resnet50-vggface2"; "--width"; "4"; "--input-size"; "48"; "--classes"; "6"
                             "--weights"; dir.File "w.pt"; "--input"; dir.File "x.npy"; "--out"; out; "--batch"; batch ]
                Expect.equal code 0 $"exit code ({err})"
                let y = Npy.Read<float32> out
                Expect.equal y.Shape [| 3L; 128L |] "[N, 32 × width]"
                let worst = Array.map2 (fun (a: float32) b -> abs (a - b)) y.Data expected |> Array.max
                Expect.isLessThan worst 1e-5f $"matches the in-process forward pass (batch {batch})"

        testCase "bad input: not an image batch, or weights of another architecture; nothing written" <| fun () ->
            use dir = new TempDir()
            Npy.Write<float32>(dir.File "flat.npy", System.ReadOnlySpan(Array.zeroCreate<float32> 12), 4L, 3L)
            let code, _, err = runCli [ "models"; "forward"; "--width"; "4"; "--input"; dir.File "flat.npy"; "--out"; dir.File "y.npy" ]
            Expect.equal code 2 "exit 2"
            Expect.stringContains err "flat.npy" "names the file"
            Expect.stringContains err "expected an image batch [N, 3, H, W]" "says the problem"
            writeInput (dir.File "x.npy") |> ignore
            use s = Network.Create(ModelSpec(ModelKind.Siamese, Width = 2, InputSize = 32, SiameseBlocks = 2), cpu ())
            StateDictFile.Write(dir.File "siamese.pt", s.Module)
            let code, _, err =
                runCli [ "models"; "forward"; "--width"; "4"; "--weights"; dir.File "siamese.pt"; "--input"; dir.File "x.npy"; "--out"; dir.File "y.npy" ]
            Expect.equal code 2 "exit 2"
            Expect.stringContains err "does not fit resnet50" "says the problem"
            Expect.isFalse (System.IO.File.Exists(dir.File "y.npy")) "no output"
    ]
