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

        testCase "hard negatives: the most alike other-identity image of the pool replaces the negative" <| fun () ->
            // 8 identities × 4 images; a 1-d "embedding" = the identity number, so identity 3 is most like 2 and 4.
            let labels = Array.init 32 (fun i -> int64 (i / 4))
            let pairs = PairSampler.Balanced(labels, 400, 7)
            let similarity (a: int[]) (b: int[]) = Array.map2 (fun i j -> -(abs (float labels[i] - float labels[j]))) a b
            let mined = PairSampler.WithHardNegatives(pairs, labels, 1.0, 16, 3, System.Func<_, _, _>(similarity))
            Expect.equal (mined |> Array.filter (fun p -> p.Same)) (pairs |> Array.filter (fun p -> p.Same)) "same pairs untouched"
            for p in mined |> Array.filter (fun p -> not p.Same) do
                Expect.notEqual labels[p.A] labels[p.B] "a negative is another identity"
            let gap (ps: Pair[]) = ps |> Array.filter (fun p -> not p.Same) |> Array.averageBy (fun p -> abs (float (labels[p.A] - labels[p.B])))
            Expect.isLessThan (gap mined) 1.1 "mined negatives are neighbours (a pool of 16 almost always holds one)"
            Expect.isGreaterThan (gap pairs) 2.0 "random negatives are not"
            let half = PairSampler.WithHardNegatives(pairs, labels, 0.5, 16, 3, System.Func<_, _, _>(similarity))
            let changed = Array.map2 (fun a b -> a <> b) pairs half |> Array.filter id |> Array.length
            Expect.isTrue (changed > 50 && changed < 150) $"about half of the 200 negatives replaced ({changed})"
            Expect.equal (PairSampler.WithHardNegatives(pairs, labels, 0.5, 16, 3, System.Func<_, _, _>(similarity))) half "seeded"
            expectInputError [ "--hard-negatives 1.5" ] (fun () -> PairSampler.WithHardNegatives(pairs, labels, 1.5, 16, 3, System.Func<_, _, _>(similarity)))

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
