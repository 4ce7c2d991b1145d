module FaceBrain.Tests.Models.TestSiamese

open Expecto
open FaceBrain.Models
open FaceBrain.Models.Siamese
open FaceBrain.Tests.Models.ModelTestSupport
open TorchSharp

let private siamese loss =
    Network.Create(ModelSpec(ModelKind.Siamese, Width = 4, InputSize = 32, EmbeddingDim = 8, SiameseBlocks = 3, PairLoss = loss), cpu (), seed = 3L)

[<Tests>]
let tests =
    testSequencedGroup "torch-global-state" <| testList "Models.Siamese" [
        testCase "the tower's embedding is linear (no ReLU): it takes negative values" <| fun () ->
            use net = siamese PairLoss.CrossEntropy
            use _ = torch.no_grad()
            use e = net.Forward(torch.randn(16, 3, 32, 32, generator = torch.Generator(2UL)))
            Expect.equal e.shape [| 16L; 8L |] "N × embedding"
            Expect.isTrue ((values e) |> Array.exists (fun v -> v < 0f)) "a ReLU would make every value ≥ 0"

        testCase "weights are shared: a pair of identical images scores as (a, a) whichever side" <| fun () ->
            use net = siamese PairLoss.CrossEntropy
            let s = net.AsSiamese
            use _ = torch.no_grad()
            let g = torch.Generator(5UL)
            use a = torch.randn(4, 3, 32, 32, generator = g)
            use b = torch.randn(4, 3, 32, 32, generator = g)
            use ab = s.Score(a, b)
            use ba = s.Score(b, a)
            Expect.isTrue (ab.allclose(ba, rtol = 1e-5, atol = 1e-6)) "|e1 − e2| is symmetric with one tower"
            Expect.equal (s.Tower.parameters() |> Seq.length) (3 * 2 + 2) "one set of tower weights (3 convs + embedding)"

        testCase "contrastive loss by hand: same pairs pay d², different pairs pay max(0, m − d)²" <| fun () ->
            use net = siamese PairLoss.Contrastive
            let s = net.AsSiamese
            use _ = torch.no_grad()
            let g = torch.Generator(9UL)
            use a = torch.randn(2, 3, 32, 32, generator = g)
            use b = torch.randn(2, 3, 32, 32, generator = g)
            use ea = s.Embed a
            use eb = s.Embed b
            let d = values ((ea - eb).square().sum(1).sqrt())
            let expected = (float d.[0] ** 2.0 + (max 0.0 (1.0 - float d.[1])) ** 2.0) / 4.0
            use loss = s.Loss(a, b, torch.tensor([| 1L; 0L |]))
            Expect.floatClose Accuracy.medium (loss.item<float32>() |> float) expected "mean over the 2 pairs, halved"
            use score = s.Score(a, b)
            Expect.floatClose Accuracy.medium (float (values score).[0]) (-(float d.[0])) "score = −distance"

        testCase "cross-entropy loss equals the head's two-way cross-entropy" <| fun () ->
            use net = siamese PairLoss.CrossEntropy
            let s = net.AsSiamese
            use _ = torch.no_grad()
            let g = torch.Generator(11UL)
            use a = torch.randn(3, 3, 32, 32, generator = g)
            use b = torch.randn(3, 3, 32, 32, generator = g)
            let logits = values (s.forward(a, b))
            let labels = [| 1; 0; 1 |]
            let expected =
                [ for i in 0 .. 2 ->
                    let l0, l1 = float logits.[2 * i], float logits.[2 * i + 1]
                    let lse = log (exp l0 + exp l1)
                    lse - (if labels.[i] = 1 then l1 else l0) ] |> List.average
            use loss = s.Loss(a, b, torch.tensor(labels |> Array.map int64))
            Expect.floatClose Accuracy.medium (loss.item<float32>() |> float) expected "−log softmax of the true class"
    ]
