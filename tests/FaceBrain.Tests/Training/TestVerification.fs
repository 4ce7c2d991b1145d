module FaceBrain.Tests.Training.TestVerification

open Expecto
open FaceBrain.Training.Siamese
open FaceBrain.Training.Optim
open FaceBrain.Tests.TestSupport

[<Tests>]
let tests =
    testList "Training.Verification" [
        testCase "AUC by hand: 3 same, 2 different pairs with one tie" <| fun () ->
            // same scores 0.9, 0.5, 0.3; different 0.5, 0.1. Pairs (same > diff): 0.9 beats both (2),
            // 0.5 ties 0.5 (½) and beats 0.1 (1), 0.3 beats 0.1 (1) → 4.5 / 6
            let auc = Verification.Auc([| 0.9; 0.5; 0.3; 0.5; 0.1 |], [| true; true; true; false; false |])
            Expect.floatClose Accuracy.high auc 0.75 "4.5 of 6"

        testCase "the threshold comes from the other folds, not the tested one" <| fun () ->
            let scores = [| 0.8; 0.7; 0.5; 0.4;   0.9; 0.5; 0.6; 0.4 |]
            let same =   [| true; false; false; false;  true; true; false; false |]
            let fold =   [| 0; 0; 0; 0;  1; 1; 1; 1 |]
            let r = Verification.TenFold(scores, same, fold)
            // fold 1 tested with fold 0's threshold: 0.75 (between 0.7 and 0.8) is the only one right on all 4;
            // on fold 1: 0.9 ✓, 0.5 ✗, 0.6 ✓, 0.4 ✓ → 3/4
            Expect.floatClose Accuracy.high r.Thresholds.[1] 0.75 "fold 1 threshold from fold 0"
            Expect.floatClose Accuracy.high r.FoldAccuracies.[1] 0.75 "fold 1 accuracy"
            // fold 0 tested with fold 1's threshold: 0.45 and 0.75 both get 3/4 on fold 1, ties go low → 0.45;
            // on fold 0: 0.8 ✓, 0.7 ✗, 0.5 ✗, 0.4 ✓ → 2/4 (fold 0's own best, 0.75, would have given 4/4)
            Expect.floatClose Accuracy.high r.Thresholds.[0] 0.45 "fold 0 threshold from fold 1"
            Expect.floatClose Accuracy.high r.FoldAccuracies.[0] 0.5 "fold 0 accuracy"
            Expect.floatClose Accuracy.high r.Accuracy 0.625 "mean of folds"

        testCase "perfectly separated scores give accuracy 1 and AUC 1" <| fun () ->
            let scores = Array.init 40 (fun i -> if i % 2 = 0 then 1.0 + float i else -1.0 - float i)
            let same = Array.init 40 (fun i -> i % 2 = 0)
            let r = Verification.TenFold(scores, same, Array.init 40 (fun i -> i % 10))
            Expect.equal r.Accuracy 1.0 "accuracy"
            Expect.equal r.Auc 1.0 "auc"

        testCase "no pairs, or one fold, is refused" <| fun () ->
            expectInputError [ "no pairs" ] (fun () -> Verification.TenFold([||], [||], [||]))
            expectInputError [ "one fold" ] (fun () -> Verification.TenFold([| 1.0; 0.0 |], [| true; false |], [| 0; 0 |]))

        testCase "balanced pair sampling: half same, same pairs share a label, different pairs do not" <| fun () ->
            let labels = [| 0L; 0L; 0L; 1L; 1L; 2L |]
            let pairs = PairSampler.Balanced(labels, 200, 5)
            Expect.equal (pairs |> Array.filter (fun p -> p.Same) |> Array.length) 100 "100 same pairs"
            for p in pairs do
                Expect.notEqual p.A p.B "two different images"
                Expect.equal (labels.[p.A] = labels.[p.B]) p.Same "label agreement matches Same"
            Expect.equal (PairSampler.Balanced(labels, 200, 5)) pairs "seeded: same draw again"
            expectInputError [ "no identity has two images" ] (fun () -> PairSampler.Balanced([| 0L; 1L |], 4, 1))

        testCase "learning-rate schedule by hand: warm-up, step, cosine" <| fun () ->
            let step = Schedule(ScheduleKind.Step, 0.1, 100, WarmupSteps = 4, StepEvery = 10, Gamma = 0.5)
            Expect.floatClose Accuracy.high (step.At 0L) 0.025 "warm-up 1/4"
            Expect.floatClose Accuracy.high (step.At 3L) 0.1 "warm-up done"
            Expect.floatClose Accuracy.high (step.At 13L) 0.1 "9 steps after warm-up"
            Expect.floatClose Accuracy.high (step.At 14L) 0.05 "10 steps after warm-up: halved"
            let cos = Schedule(ScheduleKind.Cosine, 0.2, 10)
            Expect.floatClose Accuracy.high (cos.At 0L) 0.2 "start"
            Expect.floatClose Accuracy.high (cos.At 5L) 0.1 "half way"
            Expect.floatClose Accuracy.high (cos.At 10L) 0.0 "end"
    ]
