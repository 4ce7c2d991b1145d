/// The general TF.js weights loader on hand-made manifests: every storage type, the layout permutations, and
/// each bad input the issue names (one line naming the file, nothing loaded).
module FaceBrain.Tests.Models.TestTfjsWeights

open System
open System.IO
open System.Text.Json
open Expecto
open FaceBrain.Models
open FaceBrain.Models.FaceApi
open FaceBrain.Models.Weights.Tfjs
open FaceBrain.Tests.TestSupport
open FaceBrain.Tests.Models.ModelTestSupport
open TorchSharp

type private W = { name: string; shape: int64[]; bytes: byte[]; quant: obj option; dtype: string }

let private f32 (name: string) (shape: int64[]) (values: float32[]) =
    { name = name; shape = shape; bytes = values |> Array.collect BitConverter.GetBytes; quant = None; dtype = "float32" }

/// Writes NAME-weights_manifest.json + NAME.bin (tensors concatenated in order); returns the manifest path.
let private writeModel (dir: string) (name: string) (ws: W list) =
    let weights =
        ws |> List.map (fun w ->
            let d = Collections.Generic.Dictionary<string, obj>()
            d["name"] <- box w.name
            d["shape"] <- box w.shape
            d["dtype"] <- box w.dtype
            w.quant |> Option.iter (fun q -> d["quantization"] <- q)
            d)
    let manifest = [ dict [ "paths", box [| name + ".bin" |]; "weights", box weights ] ]
    let path = Path.Combine(dir, name + "-weights_manifest.json")
    File.WriteAllText(path, JsonSerializer.Serialize manifest)
    File.WriteAllBytes(Path.Combine(dir, name + ".bin"), ws |> List.toArray |> Array.collect (fun w -> w.bytes))
    path

/// A manifest for every tensor a module binds, in TF layout, with values 0.001·k (k counting through the file).
let private syntheticFor (net: Network) =
    let state = net.Module.state_dict()
    let mutable k = 0
    [ for b in (box net.Module :?> ITfjsModule).TfjsBindings() do
        let torchShape = state[b.Key].shape
        let tfShape =
            match b.Layout with
            | TfLayout.Conv -> [| torchShape[2]; torchShape[3]; torchShape[1]; torchShape[0] |]
            | TfLayout.Depthwise -> [| torchShape[2]; torchShape[3]; torchShape[0]; 1L |]
            | TfLayout.Dense -> [| torchShape[1]; torchShape[0] |]
            | _ -> torchShape
        let n = tfShape |> Array.fold (*) 1L |> int
        let values = Array.init n (fun i -> float32 (k + i) * 0.001f)
        k <- k + n
        yield f32 b.TfName tfShape values ]

let private loadInto (net: Network) path = TfjsImport.LoadFile(net.Module, path, net.Spec.Name)

let private expression () = Network.Create(ModelSpec(ModelKind.FaceApiExpression), cpu (), seed = 1L)

[<Tests>]
let tests =
    testSequencedGroup "torch-global-state" <| testList "Models.TfjsWeights" [
        testCase "float32, uint8, uint16 and float16 storage decode as tfjs-core does" <| fun () ->
            use dir = new TempDir()
            let q dtype (scale: float) (mn: float) = Some(box (dict [ "dtype", box dtype; "scale", box scale; "min", box mn ]))
            let path =
                writeModel dir.Path "m" [
                    f32 "a" [| 2L |] [| 1.5f; -2.25f |]
                    { name = "b"; shape = [| 3L |]; bytes = [| 0uy; 1uy; 255uy |]; quant = q "uint8" 0.1 -1.0; dtype = "float32" }
                    { name = "c"; shape = [| 2L |]; bytes = Array.append (BitConverter.GetBytes 7us) (BitConverter.GetBytes 65535us); quant = q "uint16" 0.5 2.0; dtype = "float32" }
                    { name = "d"; shape = [| 2L |]; bytes = Array.append (BitConverter.GetBytes(Half.op_Explicit 0.5f)) (BitConverter.GetBytes(Half.op_Explicit -3.0f))
                      quant = Some(box (dict [ "dtype", box "float16" ])); dtype = "float32" } ]
            let t = TfjsWeights.Read path
            Expect.equal t["a"].Values [| 1.5f; -2.25f |] "float32 as stored"
            Expect.equal t["b"].Values [| float32 (0.0 * 0.1 - 1.0); float32 (1.0 * 0.1 - 1.0); float32 (255.0 * 0.1 - 1.0) |] "q·scale + min in double, then float32"
            Expect.equal t["c"].Values [| 5.5f; float32 (65535.0 * 0.5 + 2.0) |] "uint16 little-endian"
            Expect.equal t["d"].Values [| 0.5f; -3.0f |] "IEEE half"

        testCase "every parameter of face-api's expression net comes from its TF tensor, permuted to TorchSharp's layout" <| fun () ->
            use dir = new TempDir()
            use net = expression ()
            let ws = syntheticFor net
            let path = writeModel dir.Path "e" ws
            loadInto net path
            let state = net.Module.state_dict()
            let byName = ws |> List.map (fun w -> w.name, w) |> dict
            Expect.equal ((box net.Module :?> ITfjsModule).TfjsBindings().Count) 49 "face-api's expression manifest has 49 tensors"
            for b in (box net.Module :?> ITfjsModule).TfjsBindings() do
                let w = byName[b.TfName]
                let tf = w.bytes |> Array.chunkBySize 4 |> Array.map (fun c -> BitConverter.ToSingle(c, 0))
                use src = torch.tensor(tf, ReadOnlySpan w.shape)
                use expected =
                    match b.Layout with
                    | TfLayout.Conv -> src.permute(3L, 2L, 0L, 1L).contiguous()
                    | TfLayout.Depthwise -> src.permute(2L, 3L, 0L, 1L).contiguous()
                    | TfLayout.Dense -> src.t().contiguous()
                    | _ -> src.alias()
                Expect.equal (values state[b.Key]) (values expected) $"{b.Key} <- {b.TfName}"
            // One entry worked by hand: fc/weights [256,7] row-major, so logits.weight[o,i] = value at i*7+o.
            Expect.floatClose Accuracy.high (float (state["logits.weight"].[2L, 5L].item<float32>()))
                (float (BitConverter.ToSingle(byName["fc/weights"].bytes, (5 * 7 + 2) * 4))) "dense transpose"

        testCase "a .bin whose size differs from the manifest is refused, naming the file and both sizes" <| fun () ->
            use dir = new TempDir()
            use net = expression ()
            let path = writeModel dir.Path "e" (syntheticFor net)
            let bin = dir.File "e.bin"
            let bytes = File.ReadAllBytes bin
            File.WriteAllBytes(bin, bytes[.. bytes.Length - 2])
            expectInputError [ "e.bin"; string (bytes.Length - 1); string bytes.Length ] (fun () -> loadInto net path)

        testCase "unknown dtype, unknown quantisation, missing tensor, wrong shape, extra tensor, absurd shape: one line each" <| fun () ->
            use dir = new TempDir()
            use net = expression ()
            let ws = syntheticFor net
            let variant name (f: W list -> W list) = writeModel dir.Path name (f ws)
            let before = values (net.Module.state_dict()["dense0.conv0.conv.weight"])
            expectInputError [ "v1-weights_manifest.json"; "unknown dtype 'int8'" ] (fun () ->
                loadInto net (variant "v1" (List.mapi (fun i w -> if i = 3 then { w with dtype = "int8" } else w))))
            expectInputError [ "v2-weights_manifest.json"; "unknown quantisation dtype 'int4'" ] (fun () ->
                loadInto net (variant "v2" (List.mapi (fun i w -> if i = 3 then { w with quant = Some(box (dict [ "dtype", box "int4"; "scale", box 1.0; "min", box 0.0 ])) } else w))))
            expectInputError [ "v3-weights_manifest.json"; "tensor 'fc/bias' missing" ] (fun () ->
                loadInto net (variant "v3" (List.filter (fun w -> w.name <> "fc/bias"))))
            expectInputError [ "v4-weights_manifest.json"; "'fc/weights' has shape [7,256]"; "needs [256,7]" ] (fun () ->
                loadInto net (variant "v4" (List.map (fun w -> if w.name = "fc/weights" then { w with shape = [| 7L; 256L |] } else w))))
            expectInputError [ "v5-weights_manifest.json"; "does not use (extra/thing)" ] (fun () ->
                loadInto net (variant "v5" (fun l -> l @ [ f32 "extra/thing" [| 1L |] [| 0f |] ])))
            expectInputError [ "v6-weights_manifest.json"; "too large" ] (fun () ->
                loadInto net (variant "v6" (List.mapi (fun i w -> if i = 0 then { w with shape = [| Int64.MaxValue; 4L |] } else w))))
            Expect.equal (values (net.Module.state_dict()["dense0.conv0.conv.weight"])) before "nothing was loaded by any refused file"
    ]
