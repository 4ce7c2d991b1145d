module FaceBrain.Tests.Models.TestLayerCatalogue

open Expecto
open FaceBrain.Models
open FaceBrain.Models.Layers
open FaceBrain.Tests.TestSupport
open FaceBrain.Tests.Models.ModelTestSupport
open TorchSharp

/// The public layer names: changing these breaks users' scripts, so they are pinned here in full.
let resnetNames =
    [ "conv1"; "bn1"; "relu"; "maxpool"
      "layer1.0"; "layer1.1"; "layer1.2"; "layer1"
      "layer2.0"; "layer2.1"; "layer2.2"; "layer2.3"; "layer2"
      "layer3.0"; "layer3.1"; "layer3.2"; "layer3.3"; "layer3.4"; "layer3.5"; "layer3"
      "layer4.0"; "layer4.1"; "layer4.2"; "layer4"
      "avgpool"; "fc" ]

let siameseNames =
    [ for b in 0 .. 3 do
        yield $"tower.blocks.{b}.conv"; yield $"tower.blocks.{b}.relu"; yield $"tower.blocks.{b}"
      yield "tower.avgpool"; yield "tower.embedding" ]

[<Tests>]
let tests =
    testSequencedGroup "torch-global-state" <| testList "Models.LayerCatalogue" [
        testCase "ResNet-50 layer names are pinned, the same in both layouts" <| fun () ->
            for kind in [ ModelKind.ResNet50; ModelKind.ResNet50VggFace2 ] do
                let names = LayerCatalogue.Names(ModelSpec kind) |> Seq.map (fun struct (n, _) -> n) |> List.ofSeq
                Expect.equal names resnetNames $"{kind} names"

        testCase "Siamese layer names are pinned" <| fun () ->
            let names = LayerCatalogue.Names(ModelSpec ModelKind.Siamese) |> Seq.map (fun struct (n, _) -> n) |> List.ofSeq
            Expect.equal names siameseNames "siamese names"

        testCase "every catalogued name is a real module, and shapes follow the stages" <| fun () ->
            use net = tinyResNet ModelKind.ResNet50VggFace2 4 64
            let modules = net.Module.named_modules() |> Seq.map (fun struct (n, _) -> n) |> Set.ofSeq
            for n in resnetNames do Expect.isTrue (modules.Contains n) $"{n} is a module"
            let shapes = LayerCatalogue.Describe(net, cpu ()) |> Seq.map (fun l -> l.Name, List.ofArray l.OutputShape) |> Map.ofSeq
            // 64 px: conv1 32, Caffe stem ceil((32−3)/2)+1 = 16, then 16, 8, 4, 2; width 4 → 16, 32, 64, 128 channels
            Expect.equal shapes.["conv1"] [ 4L; 32L; 32L ] "conv1"
            Expect.equal shapes.["maxpool"] [ 4L; 16L; 16L ] "stem"
            Expect.equal shapes.["layer1"] [ 16L; 16L; 16L ] "layer1"
            Expect.equal shapes.["layer2.0"] [ 32L; 8L; 8L ] "layer2.0"
            Expect.equal shapes.["layer4"] [ 128L; 2L; 2L ] "layer4"
            Expect.equal shapes.["avgpool"] [ 128L; 1L; 1L ] "pooled features"
            Expect.equal shapes.["fc"] [ 5L ] "logits"

        testCase "a tap returns the layer's output and the hooks go away on dispose" <| fun () ->
            use net = tinyResNet ModelKind.ResNet50 4 32
            net.Module.eval() |> ignore
            use _ = torch.no_grad()
            use x = torch.randn(2, 3, 32, 32)
            let tap = new LayerTap(net, [| "avgpool"; "fc" |])
            use y = net.Forward x
            Expect.equal tap.Outputs.["avgpool"].shape [| 2L; 128L |] "pooled features, flattened"
            Expect.isTrue (tap.Outputs.["fc"].allclose y) "the fc tap is the logits"
            tap.Dispose()
            use y2 = net.Forward x
            Expect.equal tap.Outputs.Count 0 "nothing captured after dispose"

        testCase "an unknown layer name is refused with a pointer to the catalogue" <| fun () ->
            use net = tinyResNet ModelKind.ResNet50 4 32
            expectInputError [ "--layer layer5"; "models layers --model resnet50" ] (fun () -> new LayerTap(net, [| "layer5" |]))

        testCase "models layers CLI prints the catalogue and refuses an unknown model" <| fun () ->
            let code, out, _ = runCli [ "models"; "layers"; "--model"; "resnet50"; "--width"; "2"; "--input-size"; "64" ]
            Expect.equal code 0 "exit code"
            Expect.stringContains out "layer3.5\tblock\t32x4x4" "a block with its shape"
            Expect.stringContains out "avgpool\tpooled\t64x1x1\t64" "pooled features"
            let code, _, err = runCli [ "models"; "layers"; "--model"; "vgg16" ]
            Expect.equal code 2 "bad input exit code"
            Expect.stringContains err "--model vgg16: unknown model" "message"
    ]
