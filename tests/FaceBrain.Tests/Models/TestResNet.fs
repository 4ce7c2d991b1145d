module FaceBrain.Tests.Models.TestResNet

open Expecto
open FaceBrain.Models
open FaceBrain.Models.ResNet
open FaceBrain.Tests.Models.ModelTestSupport
open TorchSharp

let private spatial (t: torch.Tensor) = t.shape.[2], t.shape.[3]

[<Tests>]
let tests =
    testSequencedGroup "torch-global-state" <| testList "Models.ResNet" [
        testCase "the real ResNet-50 has torchvision's 25,557,032 parameters and 320 state-dict entries" <| fun () ->
            use net = Network.Create(ModelSpec ModelKind.ResNet50, cpu ())
            Expect.equal (paramCount net.Module) 25557032L "torchvision resnet50 parameter count"
            Expect.equal (net.Module.state_dict().Count) 320 "161 parameters + 159 BN buffers"

        testCase "the VGGFace2 layout has the same keys and a 2048→8631 head" <| fun () ->
            use tv = Network.Create(ModelSpec ModelKind.ResNet50, cpu ())
            use cf = Network.Create(ModelSpec ModelKind.ResNet50VggFace2, cpu ())
            let keys (n: Network) = n.Module.state_dict().Keys |> Set.ofSeq
            Expect.equal (keys cf) (keys tv) "same state-dict key names"
            Expect.equal (cf.Module.state_dict().["fc.weight"].shape) [| 8631L; 2048L |] "fc 2048 → 8631"
            // 25,557,032 − 1000·2049 + 8631·2049
            Expect.equal (paramCount cf.Module) 41192951L "parameters with the 8631-way head"
            Expect.equal cf.Spec.DefaultPreset "vggface2-caffe" "the Caffe weights expect the Caffe preset"

        testCase "the stride sits on the 3×3 conv (torchvision) or the first 1×1 conv (Caffe)" <| fun () ->
            for kind, conv1Side, conv2Side in [ ModelKind.ResNet50, 56L, 28L; ModelKind.ResNet50VggFace2, 28L, 28L ] do
                use net = tinyResNet kind 4 224
                net.Module.eval() |> ignore
                use _ = torch.no_grad()
                use x = torch.randn(1, 16, 56, 56)
                use y1 = (moduleNamed net "layer2.0.conv1").call x
                Expect.equal (spatial y1) (conv1Side, conv1Side) $"{kind} layer2.0.conv1 output"
                use x2 = torch.randn(1, 8, y1.shape.[2], y1.shape.[3])
                use y2 = (moduleNamed net "layer2.0.conv2").call x2
                Expect.equal (spatial y2) (conv2Side, conv2Side) $"{kind} layer2.0.conv2 output"
                use yd = (moduleNamed net "layer2.0.downsample").call x
                Expect.equal (spatial yd) (28L, 28L) $"{kind} downsample strides on its 1×1 conv"

        testCase "stem max-pool by hand: torchvision pads (k3 s2 p1), Caffe does not and rounds up" <| fun () ->
            // x[i,j] = 5i + j on a 5×5 map: each window's maximum is its bottom-right cell.
            use x = torch.arange(25.0f).reshape(1, 1, 5, 5)
            use tv = tinyResNet ModelKind.ResNet50 4 64
            use cf = tinyResNet ModelKind.ResNet50VggFace2 4 64
            use ytv = (moduleNamed tv "maxpool").call x
            use ycf = (moduleNamed cf "maxpool").call x
            // torchvision: windows rows/cols {-1..1}, {1..3}, {3..5} → maxima at 1, 3, 4
            Expect.equal (values ytv) [| 6f; 8f; 9f; 16f; 18f; 19f; 21f; 23f; 24f |] "torchvision 3×3 output"
            // Caffe: windows {0..2}, {2..4} → ceil((5−3)/2)+1 = 2 outputs per side, maxima at 2, 4
            Expect.equal (values ycf) [| 12f; 14f; 22f; 24f |] "Caffe 2×2 output"

        testCase "output sizes at 224 px, and where the layouts' stems differ (226 px)" <| fun () ->
            for kind in [ ModelKind.ResNet50; ModelKind.ResNet50VggFace2 ] do
                let c = ModelSpec(kind).ResNetConfig()
                Expect.equal (c.Conv1Side, c.StemSide, c.Layer4Side) (112, 56, 7) $"{kind} at 224"
            let tv = ModelSpec(ModelKind.ResNet50, InputSize = 226).ResNetConfig()
            let cf = ModelSpec(ModelKind.ResNet50VggFace2, InputSize = 226).ResNetConfig()
            Expect.equal (tv.Conv1Side, tv.StemSide) (113, 57) "torchvision: floor((113+2−3)/2)+1"
            Expect.equal (cf.Conv1Side, cf.StemSide) (113, 56) "Caffe: ceil((113−3)/2)+1"
            for kind, stem in [ ModelKind.ResNet50, 57L; ModelKind.ResNet50VggFace2, 56L ] do
                use net = tinyResNet kind 2 226
                net.Module.eval() |> ignore
                use _ = torch.no_grad()
                use x = torch.randn(1, 3, 226, 226)
                use y1 = (moduleNamed net "relu").call((moduleNamed net "bn1").call((moduleNamed net "conv1").call x))
                use y = (moduleNamed net "maxpool").call y1
                Expect.equal (spatial y) (stem, stem) $"{kind} stem output at 226"

        testCase "a tiny conv+BN stem computed by hand (eval mode uses the running statistics)" <| fun () ->
            use net = tinyResNet ModelKind.ResNet50VggFace2 1 32
            let sd = net.Module.state_dict()
            using (torch.no_grad()) (fun _ ->
                sd.["conv1.weight"].fill_((0.01).ToScalar()) |> ignore
                sd.["bn1.running_mean"].fill_((0.47).ToScalar()) |> ignore
                sd.["bn1.running_var"].fill_((4.0 - 1e-5).ToScalar()) |> ignore
                sd.["bn1.weight"].fill_((3.0).ToScalar()) |> ignore
                sd.["bn1.bias"].fill_((0.25).ToScalar()) |> ignore)
            net.Module.eval() |> ignore
            use _ = torch.no_grad()
            use x = torch.ones(1, 3, 32, 32)
            use y = (moduleNamed net "relu").call((moduleNamed net "bn1").call((moduleNamed net "conv1").call x))
            let v = values y
            // interior: 3 channels × 49 taps × 0.01 = 1.47; (1.47 − 0.47)/2·3 + 0.25 = 1.75
            Expect.floatClose Accuracy.medium (float v.[5 * 16 + 5]) 1.75 "interior cell"
            // corner: padding 3 leaves 4×4 taps: 3·16·0.01 = 0.48; (0.48 − 0.47)/2·3 + 0.25 = 0.265
            Expect.floatClose Accuracy.medium (float v.[0]) 0.265 "corner cell"

        testCase "in eval mode an image's output does not depend on its batch" <| fun () ->
            use net = tinyResNet ModelKind.ResNet50 4 32
            net.Module.eval() |> ignore
            use _ = torch.no_grad()
            use x = torch.randn(3, 3, 32, 32, generator = torch.Generator(1UL))
            use all = net.Forward x
            use one = net.Forward(x.narrow(0, 1, 1))
            Expect.isTrue (all.narrow(0, 1, 1).allclose(one, rtol = 1e-4, atol = 1e-5)) "row 1 alone equals row 1 in the batch"

        testCase "forward shapes of both tiny layouts, and a wrong input size for the Caffe pool is refused" <| fun () ->
            for kind in [ ModelKind.ResNet50; ModelKind.ResNet50VggFace2 ] do
                use net = tinyResNet kind 4 64
                use _ = torch.no_grad()
                use y = net.Forward(torch.randn(2, 3, 64, 64))
                Expect.equal y.shape [| 2L; 5L |] $"{kind} logits"
            use cf = tinyResNet ModelKind.ResNet50VggFace2 4 64
            FaceBrain.Tests.TestSupport.expectInputError [ "does not pool to 1×1"; "64×64" ] (fun () ->
                use _ = torch.no_grad()
                cf.Forward(torch.randn(1, 3, 128, 128)))
    ]
