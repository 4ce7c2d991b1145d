/// face-api's two networks: pinned layer names and shapes, TF's padding rules, face-api's input path, and parity
/// with face-api itself (fixtures written by scripts/parity/faceapi/make-fixtures.sh, running face-api 1.7.15 in node).
module FaceBrain.Tests.Models.TestFaceApi

open System.IO
open Expecto
open FaceBrain.Core.IO
open FaceBrain.Data.Images
open FaceBrain.Models
open FaceBrain.Models.FaceApi
open FaceBrain.Models.Layers
open FaceBrain.Models.Weights
open FaceBrain.Tests.TestSupport
open FaceBrain.Tests.Models.ModelTestSupport
open TorchSharp

/// The cached package (fetched with npm when missing, as ./test.sh does first). Skips, saying why, only when it
/// cannot be obtained at all (no npm, offline, no cache).
let faceApiWeights () =
    try FaceApiPackage.Ensure()
    with :? FaceBrain.Core.InputException as e -> skiptestf "face-api weights unavailable, parity not checked: %s" e.Message

let private openNet kind =
    let opened = FaceBrain.Training.Backbones.Backbone.Open(FaceBrain.Training.Backbones.WeightsSource.FaceApi(), ModelSpec(kind), cpu (), 0L)
    opened.Network.Module.eval()
    opened.Network, opened.Weights

/// Max |a − b| / max |b| over each row, the worst row: the issue's relative error.
let relativeError (a: float32[]) (b: float32[]) (rows: int) =
    let f = b.Length / rows
    [ for r in 0 .. rows - 1 ->
        let d = Seq.init f (fun j -> abs (a[r * f + j] - b[r * f + j])) |> Seq.max
        let m = Seq.init f (fun j -> abs b[r * f + j]) |> Seq.max
        float d / float m ]
    |> List.max

let private forward (net: Network) (layer: string) (x: float32[]) (shape: int64[]) =
    use tap = new LayerTap(net, [ layer ])
    use _ = torch.no_grad()
    use input = torch.tensor(x, System.ReadOnlySpan shape)
    use _y = net.Forward input
    values tap.Outputs[layer]

let private images = fixture "faceapi/images"

[<Tests>]
let tests =
    testSequencedGroup "torch-global-state" <| testList "Models.FaceApi" [
        testCase "recognition layers: face-api's block names, with shapes at 150 px" <| fun () ->
            use net = Network.Create(ModelSpec(ModelKind.FaceApiRecognition), cpu ())
            let layers = LayerCatalogue.Describe(net, cpu ()) |> Seq.map (fun l -> l.Name, List.ofArray l.OutputShape) |> List.ofSeq
            Expect.equal layers [
                "conv32_down", [ 32L; 72L; 72L ]; "maxpool", [ 32L; 35L; 35L ]
                "conv32_1", [ 32L; 35L; 35L ]; "conv32_2", [ 32L; 35L; 35L ]; "conv32_3", [ 32L; 35L; 35L ]
                "conv64_down", [ 64L; 17L; 17L ]; "conv64_1", [ 64L; 17L; 17L ]; "conv64_2", [ 64L; 17L; 17L ]; "conv64_3", [ 64L; 17L; 17L ]
                "conv128_down", [ 128L; 8L; 8L ]; "conv128_1", [ 128L; 8L; 8L ]; "conv128_2", [ 128L; 8L; 8L ]
                "conv256_down", [ 256L; 4L; 4L ]; "conv256_1", [ 256L; 4L; 4L ]; "conv256_2", [ 256L; 4L; 4L ]
                "conv256_down_out", [ 256L; 2L; 2L ]; "pool", [ 256L ]; "descriptor", [ 128L ] ] "names and shapes"
            Expect.equal (paramCount net.Module) 5614592L "face-api's 5,614,592 parameters"
            Expect.equal ((box net.Module :?> FaceBrain.Models.Weights.Tfjs.ITfjsModule).TfjsBindings().Count) 117 "117 manifest tensors"
            Expect.equal (ModelSpec(ModelKind.FaceApiRecognition).DefaultPreset) "faceapi" "preset"

        testCase "expression layers: dense0..dense3, pool, logits, probs, with shapes at 112 px" <| fun () ->
            use net = Network.Create(ModelSpec(ModelKind.FaceApiExpression), cpu ())
            let layers = LayerCatalogue.Describe(net, cpu ()) |> Seq.map (fun l -> l.Name, List.ofArray l.OutputShape) |> List.ofSeq
            Expect.equal layers [
                "dense0", [ 32L; 56L; 56L ]; "dense1", [ 64L; 28L; 28L ]; "dense2", [ 128L; 14L; 14L ]; "dense3", [ 256L; 7L; 7L ]
                "pool", [ 256L; 1L; 1L ]; "logits", [ 7L ]; "probs", [ 7L ] ] "names and shapes"
            Expect.equal (paramCount net.Module) 323687L "face-api's 323,687 parameters"
            Expect.equal (List.ofSeq FaceExpressionNet.Classes) [ "NE"; "HA"; "SA"; "AN"; "AF"; "DI"; "SU" ] "face-api's class order as KDEF codes"

        testCase "face-api's padding: centred, the odd row or column after (JS Math.round), none for a square" <| fun () ->
            Expect.equal (FaceApiInput.Padding(97, 130)) (struct (16, 17)) "diff 33: 16 before, 17 after"
            Expect.equal (FaceApiInput.Padding(140, 100)) (struct (20, 20)) "diff 40"
            Expect.equal (FaceApiInput.Padding(5, 5)) (struct (0, 0)) "square"

        testCase "legacy TF bilinear resize: src = dst·in/out, no half-pixel offset; padding enters as zeros" <| fun () ->
            // 4 wide, 3 tall, value 10y + x + 1: padded with one zero row after (diff 1 rounds up to 'after'), 4×4 → 2×2
            // samples source rows/columns 0 and 2 exactly (ratio 2).
            let rgb = [| for y in 0 .. 2 do for x in 0 .. 3 do yield! List.replicate 3 (byte (10 * y + x + 1)) |]
            let out = FaceApiInput.Resample(System.ReadOnlySpan rgb, 4, 3, 2)
            Expect.equal [ for k in 0 .. 3 -> out[3 * k] ] [ 1.0f; 3.0f; 21.0f; 23.0f ] "rows 0, 2 of the content (zero row after)"
            // 3×3 → 2×2, ratio 1.5: dst 1 → src 1.5, the mean of two neighbours (a half-pixel resize would give 1.75 → other values).
            let rgb3 = [| for v in 1uy .. 9uy do yield! [ v; v; v ] |]
            let out3 = FaceApiInput.Resample(System.ReadOnlySpan rgb3, 3, 3, 2)
            Expect.equal [ for k in 0 .. 3 -> out3[3 * k] ] [ 1.0f; 2.5f; 5.5f; 7.0f ] "value 3y + x + 1 at (1.5·i, 1.5·j)"

        testCase "TF SAME convs without a padded copy equal explicit TF padding then a VALID conv" <| fun () ->
            torch.random.manual_seed 6L |> ignore
            use _ng = torch.no_grad()
            for size in [ 7L; 8L; 14L; 15L ] do
                for stride in [ 1L; 2L ] do
                    for groups in [ 1L; 4L ] do
                        use x = torch.randn(2L, 4L, size, size + 1L) // height and width of different parity
                        use w = torch.randn(4L, 4L / groups, 3L, 3L)
                        use b = torch.randn(4L)
                        let struct (top, bottom) = TfPadding.Same(size, 3L, stride)
                        let struct (left, right) = TfPadding.Same(size + 1L, 3L, stride)
                        use padded = torch.nn.functional.pad(x, [| left; right; top; bottom |])
                        use expected = torch.nn.functional.conv2d(padded, w, b, strides = [| stride; stride |], groups = groups)
                        use y = TfPadding.Conv(x, w, b, stride, groups)
                        Expect.equal y.shape expected.shape $"size {size}, stride {stride}: ceil(size / stride)"
                        Expect.isTrue (y.allclose(expected, rtol = 1e-5, atol = 1e-5)) $"size {size}, stride {stride}, groups {groups}"

        testCase "the recognition net's scale, folded into its conv, computes conv → scale → ReLU" <| fun () ->
            for stride in [ 1L; 2L ] do
                torch.random.manual_seed 5L |> ignore
                use layer = new ConvScaleLayer(4L, 6L, 3L, stride, true)
                use _ng = torch.no_grad()
                for struct (name, p) in layer.named_parameters() do
                    if name.StartsWith "scale." then p.copy_(torch.randn(6L)) |> ignore // not the identity it starts as
                let part name = layer.named_children() |> Seq.pick (fun struct (n, m) -> if n = name then Some (m :?> torch.nn.Module<torch.Tensor, torch.Tensor>) else None)
                use x = torch.randn(2L, 4L, 9L, 9L)
                use y = layer.call x
                use expected = torch.nn.functional.relu((part "scale").call((part "conv").call x))
                Expect.isTrue (y.allclose(expected, rtol = 1e-5, atol = 1e-6)) $"stride {stride}: same outputs"

        testCase "on the CPU the nets compute channels-last: what a hook on a block sees has NHWC strides" <| fun () ->
            // The values are checked by the parity tests below, which run the same layout.
            for kind, block in [ ModelKind.FaceApiRecognition, "conv64_1"; ModelKind.FaceApiExpression, "dense1" ] do
                use net = Network.Create(ModelSpec(kind), cpu (), seed = 4L)
                net.Module.eval() |> ignore
                use _ng = torch.no_grad()
                let px = int64 net.Spec.EffectiveInputSize
                use x = torch.randn(2L, 3L, px, px)
                let mutable channelsLast = None
                use _hooks = new FaceBrain.Core.Torch.ForwardHooks(net.Module, [ block ], (fun _ out -> channelsLast <- Some (FaceBrain.Core.Torch.ChannelsLast.Is out)), (fun l _ -> exn l))
                use _y = net.Forward x
                Expect.equal channelsLast (Some true) $"{block} of an NCHW input"

        testCase "parity with face-api on given tensors: descriptors and logits within 1e-4 relative error" <| fun () ->
            faceApiWeights () |> ignore
            for kind, layer, name in [ ModelKind.FaceApiRecognition, "descriptor", "recognition"; ModelKind.FaceApiExpression, "logits", "expression" ] do
                let net, w = openNet kind
                use _ = net
                Expect.equal w.Package FaceApiPackage.Id "the package is recorded"
                let x = Npy.ReadAsSingle(fixture $"faceapi/{name}_input.npy")
                let expected = Npy.Read<float32>(fixture $"faceapi/{name}_output.npy")
                let y = forward net layer x.Data x.Shape
                let err = relativeError y expected.Data (int expected.Shape[0])
                Expect.isLessThan err 1e-4 $"{name}: worst relative error {err:E2}"

        testCase "parity with face-api from image files through the faceapi preset (square and non-square): within 1e-3" <| fun () ->
            faceApiWeights () |> ignore
            let files = Directory.GetFiles(images, "*.png") |> Array.sort
            Expect.equal files.Length 4 "square 160, exact 150, portrait 97×130, landscape 140×100"
            for kind, layer, name in [ ModelKind.FaceApiRecognition, "descriptor", "recognition"; ModelKind.FaceApiExpression, "logits", "expression" ] do
                let net, _ = openNet kind
                use _ = net
                let px = net.Spec.EffectiveInputSize
                let pipeline = ImagePipeline(PipelineOptions(Size = px, Preset = Presets.Parse net.Spec.DefaultPreset))
                let x = files |> Array.collect (fun f -> pipeline.Load(f, System.Nullable()))
                let expected = Npy.Read<float32>(fixture $"faceapi/{name}_images_output.npy")
                let y = forward net layer x [| int64 files.Length; 3L; int64 px; int64 px |]
                let err = relativeError y expected.Data files.Length
                Expect.isLessThan err 1e-3 $"{name}: worst relative error {err:E2}"

        testCase "probs is the softmax of logits; the random control has the same layers but other outputs" <| fun () ->
            faceApiWeights () |> ignore
            let net, _ = openNet ModelKind.FaceApiExpression
            use _ = net
            use random = Network.Create(ModelSpec(ModelKind.FaceApiExpression), cpu (), seed = 3L)
            random.Module.eval()
            let x = Npy.ReadAsSingle(fixture "faceapi/expression_input.npy")
            use tap = new LayerTap(net, [ "logits"; "probs" ])
            use _ng = torch.no_grad()
            use input = torch.tensor(x.Data, System.ReadOnlySpan x.Shape)
            use _y = net.Forward input
            use soft = torch.softmax(tap.Outputs["logits"], 1)
            let d = Array.map2 (fun (a: float32) b -> abs (a - b)) (values soft) (values tap.Outputs["probs"]) |> Array.max
            Expect.isLessThan d 1e-6f "softmax"
            let r = forward random "logits" x.Data x.Shape
            Expect.isGreaterThan (relativeError r (values tap.Outputs["logits"]) 3) 0.1 "random weights differ"
    ]
