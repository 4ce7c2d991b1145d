/// The probe = frozen features + the Analysis decoder (ProbeExperiment); its folds are the study's.
module FaceBrain.Tests.Training.TestProbe

open Expecto
open FaceBrain.Core.IO
open FaceBrain.Analysis
open FaceBrain.Models
open FaceBrain.Training.Probe
open FaceBrain.Tests.TestSupport
open FaceBrain.Tests.Models.ModelTestSupport
open FaceBrain.Tests.Training.TrainingTestSupport
open TorchSharp

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

/// A stimulus table with identity, expression and session columns.
let private table (identity: string[]) (expression: string[]) =
    let rows =
        [ for i in 0 .. identity.Length - 1 ->
            [| $"s{i}"; identity[i]; expression[i]; (if i % 2 = 0 then "A" else "B") |] :> System.Collections.Generic.IReadOnlyList<string> ]
    StimulusTable([| "stimulus_id"; "identity"; "expression"; "session" |], rows, "<probe test>")

let private logistic = Classifiers.Classifier.Logistic Classifiers.defaultLogistic

let private request target = ProbeRequest(target, logistic, Permutations = 0, Bootstrap = 0)

[<Tests>]
let tests =
    testSequencedGroup "torch-global-state" <| testList "Training.Probe" [
        testCase "a planted class signal is read out well above chance and above every permutation" <| fun () ->
            let x, y = features 4 12 20 6.0f 1UL
            use _ = x
            let groups = Array.init y.Length (fun i -> $"person{i / 4}")
            let pd = ProbeExperiment.Decode(x, table groups y, ProbeRequest("expression", logistic, IdentityFolds = 4, Permutations = 9, Bootstrap = 200), cpu ())
            let r, folds = pd.Result, pd.Folds
            Expect.isGreaterThan r.Scores.Accuracy 0.9 "strong signal"
            Expect.floatClose Accuracy.high r.Scores.ChanceUniform 0.25 "chance = 1/4"
            Expect.isLessThan r.Permutation.Value.NullMean 0.5 "permutations near chance"
            Expect.floatClose Accuracy.high r.Permutation.Value.PValue 0.1 "(0 + 1)/(9 + 1)"
            Expect.equal (Seq.sum (Seq.cast<int> r.Scores.Confusion)) 48 "every image tested once"
            Expect.equal folds.Length 4 "four folds of identities"
            Expect.isTrue (r.Interval.Value.Low <= r.Scores.Accuracy && r.Scores.Accuracy <= r.Interval.Value.High) "bootstrap interval around the accuracy"

        testCase "no signal gives chance-level accuracy" <| fun () ->
            let x, y = features 4 20 20 0.0f 2UL
            use _ = x
            let groups = Array.init y.Length (fun i -> $"person{i / 4}")
            let r = ProbeExperiment.Decode(x, table groups y, request "expression", cpu ()).Result
            Expect.isLessThan r.Scores.Accuracy 0.45 "near 0.25"

        testCase "the study's folds: expression on identities never seen in training, identity on the other session" <| fun () ->
            let groups = Array.init 30 (fun i -> $"p{i % 7}")
            let t = table groups (Array.init 30 (fun i -> $"e{i % 3}"))
            let scheme = ProbeExperiment.SchemeFor(t, ProbeRequest("expression", logistic, IdentityFolds = 3))
            Expect.equal scheme.Text "groupkfold:3:identity" "k folds of identities"
            let folds = CrossValidation.folds "<t>" (fun c -> Array.ofSeq (t.Column c)) (Array.zeroCreate 30) scheme
            Expect.equal folds.Length 3 "three folds"
            for f in folds do
                let trainIds = f.Train |> Array.map (fun i -> groups.[i]) |> Set.ofArray
                let testIds = f.Test |> Array.map (fun i -> groups.[i]) |> Set.ofArray
                Expect.isEmpty (Set.intersect trainIds testIds) $"{f.Name}: disjoint identities"
            Expect.equal (folds |> Seq.collect (fun f -> f.Test) |> Seq.sort |> List.ofSeq) [ 0 .. 29 ] "each row tested once"
            Expect.equal (ProbeExperiment.SchemeFor(t, request "expression")).Text "groupkfold:5:identity" "default: 5 folds of identities"
            Expect.equal (ProbeExperiment.SchemeFor(t, request "identity")).Text "logo:session" "identity: session held out"
            let x, _ = features 3 10 4 3.0f 4UL
            use _ = x
            let byValue = ProbeExperiment.Decode(x, t, request "identity", cpu ()).Folds
            Expect.equal (List.ofArray byValue) [ "session=A"; "session=B" ] "one fold per session"

        testCase "bad probes: one class, one session, more identity folds than identities, a fold with one training class" <| fun () ->
            let x, _ = features 2 4 5 1.0f 3UL
            use _ = x
            let groups = Array.init 8 (fun i -> $"p{i}")
            expectInputError [ "target 'expression' has one class" ] (fun () ->
                ProbeExperiment.Decode(x, table groups (Array.create 8 "HA"), request "expression", cpu ()))
            let oneSession = StimulusTable([| "stimulus_id"; "identity"; "session" |],
                                           [ for i in 0 .. 7 -> [| $"s{i}"; $"c{i % 2}"; "A" |] :> System.Collections.Generic.IReadOnlyList<string> ], "<t>")
            expectInputError [ "column 'session' has only one value" ] (fun () -> ProbeExperiment.Decode(x, oneSession, request "identity", cpu ()))
            let four = table (Array.init 8 (fun i -> $"p{i % 4}")) (Array.init 8 (fun i -> $"e{i % 2}"))
            expectInputError [ "100 folds of identities asked for, but the data has only 4 identities" ] (fun () ->
                ProbeExperiment.SchemeFor(four, ProbeRequest("expression", logistic, IdentityFolds = 100)))
            let split = ProbeRequest("identity", logistic, Scheme = CrossValidation.parse "split:expression:e0")
            let oneClass = table (Array.init 8 (fun i -> if i % 2 = 0 then "a" else "b")) (Array.init 8 (fun i -> $"e{i % 2}"))
            expectInputError [ "training set holds only one class of 'identity'" ] (fun () -> ProbeExperiment.Decode(x, oneClass, split, cpu ()))

        testCase "the frozen backbone is byte-identical after feature extraction and probing" <| fun () ->
            use net = tinyResNet ModelKind.ResNet50 4 32
            net.Module.train() |> ignore // as if it came straight from training: extraction must switch BN to eval
            let before = stateBytes net.Module
            use data = planted 2 6 32 0.3 9UL
            let t = table (Array.init 12 (fun i -> $"p{i / 2}")) (data.LabelArray |> Array.map string)
            let outcomes = ProbeExperiment.Run(net, "tiny", "layer4", data.Images, t, ProbeRequest("expression", logistic, IdentityFolds = 3, Permutations = 2, Bootstrap = 0), false, 1L, cpu (), FaceBrain.Core.Progress.Silent)
            Expect.equal outcomes[0].Features (128 * 1 * 1) "layer4 at 32 px: 128 × 1 × 1"
            Expect.equal (stateBytes net.Module) before "weights and BN running statistics unchanged"
            Expect.isFalse net.Module.training "left in eval mode"
            Expect.isTrue (net.Module.parameters() |> Seq.forall (fun p -> not p.requires_grad)) "no parameter requires grad"
    ]
