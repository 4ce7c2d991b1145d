module FaceBrain.Tests.Extraction.TestLayerCapture

open System.Collections.Generic
open Expecto
open TorchSharp
open FaceBrain.Extraction
open FaceBrain.Tests.TestSupport

/// A small convolutional network with named layers, built the way FaceBrain's models are (Sequential of named parts).
let smallNet (seed: int64) =
    torch.manual_seed seed |> ignore
    let named name (m: torch.nn.Module<torch.Tensor, torch.Tensor>) = struct (name, m)
    torch.nn.Sequential(
        named "conv1" (torch.nn.Conv2d(3L, 4L, 3L, padding = 1L)),
        named "relu" (torch.nn.ReLU()),
        named "pool" (torch.nn.AdaptiveAvgPool2d([| 2L; 2L |])),
        named "flat" (torch.nn.Flatten()),
        named "fc" (torch.nn.Linear(16L, 5L)))

let reductions (layers: string list) (spec: string) =
    let d = Dictionary<string, Reduction>()
    for l in layers do d.[l] <- Reduction.Parse(spec, 1L)
    d :> IReadOnlyDictionary<_, _>

[<Tests>]
let tests =
    testList "LayerCapture" [
        testCase "captures what a manual forward to the same layer gives" <| fun () ->
            use net = smallNet 5L
            net.eval()
            torch.manual_seed 2L |> ignore
            use x = torch.randn(3L, 3L, 8L, 8L)
            let layers = [ "conv1"; "fc" ]
            use cap = new LayerCapture(net, layers, reductions layers "none")
            use _ = torch.no_grad()
            use out = net.call x
            let rows = cap.TakeBatch()
            let modules = LayerCapture.HookableLayers net
            use conv = modules.["conv1"].call x
            Expect.equal rows.["conv1"] (conv.reshape(3L, -1L).data<float32>().ToArray()) "conv1 rows"
            Expect.equal rows.["fc"] (out.data<float32>().ToArray()) "fc rows equal the network output"
            Expect.equal (List.ofArray cap.RawShapes.["conv1"]) [ 4L; 8L; 8L ] "raw per-image shape"

        testCase "unknown layers list the valid ones" <| fun () ->
            use net = smallNet 1L
            expectInputError [ "unknown layer 'layer9'"; "conv1"; "fc" ] (fun () -> new LayerCapture(net, [ "layer9" ], reductions [ "layer9" ] "gap"))

        testCase "hooks are removed on dispose" <| fun () ->
            use net = smallNet 1L
            let cap = new LayerCapture(net, [ "fc" ], reductions [ "fc" ] "none")
            cap.Dispose()
            use x = torch.randn(1L, 3L, 8L, 8L)
            use _ = net.call x
            Expect.throws (fun () -> cap.TakeBatch() |> ignore) "nothing captured after dispose"
    ]
