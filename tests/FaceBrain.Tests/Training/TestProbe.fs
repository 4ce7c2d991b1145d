module FaceBrain.Tests.Training.TestProbe

open Expecto
open FaceBrain.Models
open FaceBrain.Training.Probe
open FaceBrain.Tests.TestSupport
open FaceBrain.Tests.Models.ModelTestSupport
open FaceBrain.Tests.Training.TrainingTestSupport
open TorchSharp

let private fit = ProbeFit(Iterations = 100)

/// n rows per class; the first `signal` features carry the class (one-hot × strength), the rest is noise.
let private features (classes: int) (perClass: int) (dims: int) (strength: float32) (seed: uint64) =
    let g = torch.Generator(seed)
    let n = classes * perClass
    let labels = Array.init n (fun i -> i % classes)
    let x = torch.randn([| int64 n; int64 dims |], generator = g)
    use _ = torch.no_grad()
    for i in 0 .. n - 1 do
        x.[int64 i, int64 labels.[i]] <- x.[int64 i, int64 labels.[i]] + torch.tensor(strength)
    x, labels |> Array.map (fun l -> $"c{l}")

[<Tests>]
let tests =
    testSequencedGroup "torch-global-state" <| testList "Training.Probe" [
        testCase "a planted class signal is read out well above chance and above every permutation" <| fun () ->
            let x, y = features 4 12 20 6.0f 1UL
            use _ = x
            let groups = Array.init y.Length (fun i -> $"person{i / 4}")
            let folds = ProbeFolds.LeaveGroupsOut(groups, 4, 1L)
            let r = ProbeRunner.Run("planted", "features", "expression", x, y, folds, fit, 9, 1L)
            Expect.isGreaterThan r.Accuracy 0.9 "strong signal"
            Expect.floatClose Accuracy.high r.Chance 0.25 "chance = 1/4"
            Expect.isLessThan r.PermutationMean 0.5 "permutations near chance"
            Expect.floatClose Accuracy.high r.PermutationP 0.1 "(0 + 1)/(9 + 1)"
            Expect.equal (r.Confusion |> Seq.sumBy Seq.sum) 48 "every image tested once"

        testCase "no signal gives chance-level accuracy" <| fun () ->
            let x, y = features 4 20 20 0.0f 2UL
            use _ = x
            let groups = Array.init y.Length (fun i -> $"person{i / 4}")
            let r = ProbeRunner.Run("noise", "features", "expression", x, y, ProbeFolds.LeaveGroupsOut(groups, 5, 2L), fit, 0, 2L)
            Expect.isLessThan r.Accuracy 0.45 "near 0.25"

        testCase "leave-identities-out folds never test an identity seen in training" <| fun () ->
            let groups = Array.init 30 (fun i -> $"p{i % 7}")
            let folds = ProbeFolds.LeaveGroupsOut(groups, 3, 5L)
            Expect.equal folds.Count 3 "three folds"
            for f in folds do
                let trainIds = f.Train |> Array.map (fun i -> groups.[i]) |> Set.ofArray
                let testIds = f.Test |> Array.map (fun i -> groups.[i]) |> Set.ofArray
                Expect.isEmpty (Set.intersect trainIds testIds) $"{f.Name}: disjoint identities"
            Expect.equal (folds |> Seq.collect (fun f -> f.Test) |> Seq.sort |> List.ofSeq) [ 0 .. 29 ] "each row tested once"
            let byValue = ProbeFolds.ByValue([| "A"; "B"; "A"; "B" |], "session")
            Expect.equal [ for f in byValue -> f.Name, List.ofArray f.Test ] [ "session=A", [ 0; 2 ]; "session=B", [ 1; 3 ] ] "one fold per session"

        testCase "bad probes: one class, one group, an empty split, a fold with one training class" <| fun () ->
            let x, _ = features 2 4 5 1.0f 3UL
            use _ = x
            let groups = Array.init 8 (fun i -> $"p{i}")
            expectInputError [ "target 'expression' has 1 class" ] (fun () ->
                ProbeRunner.Run("b", "l", "expression", x, Array.create 8 "HA", ProbeFolds.LeaveGroupsOut(groups, 2, 1L), fit, 0, 1L))
            expectInputError [ "column 'session' has 1 value" ] (fun () -> ProbeFolds.ByValue(Array.create 8 "A", "session"))
            let empty = [ ProbeFold("f", [| 0 .. 7 |], [||]) ]
            expectInputError [ "fold f has an empty test split" ] (fun () ->
                ProbeRunner.Run("b", "l", "identity", x, Array.init 8 (fun i -> $"c{i % 2}"), empty, fit, 0, 1L))
            let oneClass = [ ProbeFold("g", [| 0; 2; 4 |], [| 1; 3 |]) ]
            expectInputError [ "fold g trains on one 'identity' class only" ] (fun () ->
                ProbeRunner.Run("b", "l", "identity", x, Array.init 8 (fun i -> $"c{i % 2}"), oneClass, fit, 0, 1L))

        testCase "the frozen backbone is byte-identical after feature extraction and probing" <| fun () ->
            use net = tinyResNet ModelKind.ResNet50 4 32
            net.Module.train() |> ignore // as if it came straight from training: extraction must switch BN to eval
            let before = stateBytes net.Module
            use data = planted 2 6 32 0.3 9UL
            use feats = FrozenFeatures.Extract(net, "layer4", data.Images, cpu (), 4)
            Expect.equal feats.shape [| 12L; 128L * 1L * 1L |] "layer4 at 32 px: 128 × 1 × 1"
            let labels = data.LabelArray |> Array.map string
            let groups = Array.init 12 (fun i -> $"p{i / 2}")
            ProbeRunner.Run("tiny", "layer4", "identity", feats, labels, ProbeFolds.LeaveGroupsOut(groups, 3, 1L), fit, 2, 1L) |> ignore
            Expect.equal (stateBytes net.Module) before "weights and BN running statistics unchanged"
            Expect.isFalse net.Module.training "left in eval mode"
            Expect.isTrue (net.Module.parameters() |> Seq.forall (fun p -> not p.requires_grad)) "no parameter requires grad"
    ]
