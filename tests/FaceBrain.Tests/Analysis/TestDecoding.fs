module FaceBrain.Tests.Analysis.TestDecoding

open System
open Expecto
open MathNet.Numerics.Distributions
open FaceBrain.Analysis
open FaceBrain.Analysis.Classifiers
open FaceBrain.Analysis.CrossValidation
open FaceBrain.Tests.TestSupport
open FaceBrain.Tests.Analysis.AnalysisSupport

let private small =
    { Synthetic.kdefLike with Identities = 8; Expressions = 4; Repeats = 2; Features = 30; ExpressionSignal = 1.0; Seed = 3 }

let private opts scheme classifier =
    { Decoding.defaults cpu.Value with Scheme = scheme; Classifier = classifier }

[<Tests>]
let tests =
    testSequenced <| testList "Analysis.Decoding" [
        testCase "a planted expression signal is recovered on identities never seen in training" <| fun () ->
            let d = Synthetic.dataset small
            let r = Decoding.decode d "expression" { opts (Scheme.LeaveOneGroupOut "identity") (Classifier.Logistic defaultLogistic) with Permutations = 4 }
            Expect.equal r.Folds 8 "one fold per identity"
            Expect.isGreaterThan r.Scores.Accuracy 0.9 "accuracy"
            Expect.isTrue r.Converged "converged"
            Expect.equal r.Permutation.Value.PValue 0.2 "p = 1/5: no permutation reaches it"
            Expect.equal r.Scores.ChanceUniform 0.25 "chance"

        testCase "scores: pooled accuracy, balanced accuracy, recall and confusion worked by hand" <| fun () ->
            // truth: 0 0 0 1 ; pred: 0 1 0 1  -> acc 3/4, recall [2/3, 1], balanced 5/6, majority 3/4
            let s = Metrics.score 2 [| 0; 0; 0; 1 |] [| 0; 1; 0; 1 |]
            Expect.equal s.Accuracy 0.75 "accuracy"
            near 1e-15 s.BalancedAccuracy (5.0 / 6.0) "balanced"
            Expect.equal s.Confusion (array2D [ [ 2; 1 ]; [ 0; 1 ] ]) "confusion"
            Expect.equal s.ChanceMajority 0.75 "majority"
            Expect.equal (Metrics.permutationP 0.8 [| 0.9; 0.8; 0.5; 0.1 |]) (3.0 / 5.0) "p = (1 + 2) / (1 + 4)"
            near 1e-15 (Metrics.percentile [| 1.0; 2.0; 3.0; 4.0 |] 25.0) 1.75 "percentile, numpy's linear rule"

        testCase "null data: accuracy at chance, permutation p-values uniform, false positives within the binomial bound" <| fun () ->
            let sims, perms, n = 150, 19, 24
            let y = Array.init n (fun i -> if i % 2 = 0 then "a" else "b")
            let ps, accs =
                Array.init sims (fun s ->
                    let d = datasetOf [ "label", y ] n 4 (gaussian (1000 + s) (n * 4))
                    let r = Decoding.decode d "label" { opts (Scheme.StratifiedKFold(4, None)) (Classifier.Ridge 1.0) with Permutations = perms; Seed = s }
                    r.Permutation.Value.PValue, r.Scores.Accuracy)
                |> Array.unzip
            let bound (k: int) (prob: float) = Seq.initInfinite id |> Seq.find (fun c -> Binomial.CDF(prob, k, float c) >= 0.999)
            let fp = ps |> Array.filter (fun p -> p <= 0.05) |> Array.length
            Expect.isLessThanOrEqual fp (bound sims 0.05) "false positives at alpha 0.05"
            let below = ps |> Array.filter (fun p -> p <= 0.5) |> Array.length
            // P(p <= 0.5) = 10/20 under the null: both tails of its binomial must hold.
            Expect.isLessThanOrEqual below (bound sims 0.5) "not too many small p"
            Expect.isGreaterThanOrEqual below (sims - bound sims 0.5) "not too few small p"
            near 0.03 (Array.average accs) 0.5 "mean accuracy at chance"

        testCase "leakage guard: identity that predicts expression in training does not leak under logo:identity" <| fun () ->
            // Each identity shows one expression only; the features carry identity, not expression.
            let ids, perId, p = 12, 4, 20
            let identity = Array.init (ids * perId) (fun i -> $"id{i / perId}")
            let expression = Array.init (ids * perId) (fun i -> if (i / perId) % 2 = 0 then "HA" else "SA")
            let rng = Random 5
            let patterns = Array.init ids (fun _ -> Metrics.gaussian rng p)
            let x = Array.init (ids * perId * p) (fun idx -> 3.0 * patterns[idx / p / perId][idx % p]) |> Array.map2 (+) (Metrics.gaussian rng (ids * perId * p))
            let d = datasetOf [ "identity", identity; "expression", expression ] (ids * perId) p x
            let honest = Decoding.decode d "expression" (opts (Scheme.LeaveOneGroupOut "identity") (Classifier.Logistic defaultLogistic))
            Expect.isLessThanOrEqual honest.Scores.Accuracy 0.6 "no better than chance on unseen identities"
            // The same data under a scheme that mixes identities across folds does leak: the guard can fail.
            let leaky = Decoding.decode d "expression" (opts (Scheme.StratifiedKFold(4, Some 0)) (Classifier.Logistic defaultLogistic))
            Expect.isGreaterThan leaky.Scores.Accuracy 0.9 "stratified folds leak identity"

        testCase "--standardize makes decoding invariant to each feature's scale and offset" <| fun () ->
            let d = Synthetic.dataset { small with ExpressionSignal = 0.5 }
            let scaled = d.Features |> Array.mapi (fun idx v -> let j = idx % d.Columns in v * (1.0 + 100.0 * float j) + 7.0 * float j)
            let d2 = { d with Features = scaled }
            let o = { opts (Scheme.LeaveOneGroupOut "identity") (Classifier.Ridge 1.0) with Standardize = true }
            let r1, r2 = Decoding.decode d "expression" o, Decoding.decode d2 "expression" o
            Expect.equal r2.Predictions r1.Predictions "same predictions"
            let raw = Decoding.decode d2 "expression" { o with Standardize = false }
            Expect.notEqual raw.Predictions r1.Predictions "without it, the scales matter"

        testCase "permutations fitted together give the nulls of decoding each permuted label alone" <| fun () ->
            let d = Synthetic.dataset small
            let o = { opts (Scheme.LeaveOneGroupOut "identity") (Classifier.Logistic defaultLogistic) with Permutations = 3; Seed = 5 }
            let r = Decoding.decode d "expression" o
            let l = Decoding.labels d "expression"
            let identity = Dataset.column d "identity"
            let rng = Random(5)
            let alone =
                Array.init 3 (fun _ ->
                    let yp = Decoding.permuteWithin rng (Some identity) l.Codes
                    let dp = datasetOf [ "identity", identity; "expression", yp |> Array.map (fun c -> l.Classes[c]) ] d.Rows d.Columns d.Features
                    (Decoding.decode dp "expression" { o with Permutations = 0 }).Scores.Accuracy)
            near 1e-12 r.Permutation.Value.NullMean (Array.average alone) "null mean"
            Expect.equal r.Permutation.Value.NullMax (Array.max alone) "null max"
            Expect.isTrue r.Converged "every fit converged, the joint ones included"

        testCase "true labels fitted together with the permutations predict as when fitted alone (standardised or not)" <| fun () ->
            let d = Synthetic.dataset { small with ExpressionSignal = 0.3 }
            for standardize in [ true; false ] do
                let o = { opts (Scheme.GroupKFold(4, "identity")) (Classifier.Logistic defaultLogistic) with Permutations = 6; Seed = 2; Standardize = standardize }
                let together = Decoding.decode d "expression" o
                let alone = Decoding.decode d "expression" { o with Permutations = 0 }
                Expect.equal together.Predictions alone.Predictions $"same out-of-fold predictions (standardize {standardize})"
                Expect.isTrue together.Converged "converged"
                Expect.isLessThan together.Scores.Accuracy 1.0 "the signal is weak enough for the test to mean something"

        testCase "permutations stay within the groups of a grouped scheme" <| fun () ->
            let g = [| "a"; "a"; "a"; "b"; "b"; "b" |]
            let y = [| 0; 1; 2; 3; 4; 5 |]
            for seed in 0 .. 20 do
                let p = Decoding.permuteWithin (Random seed) (Some g) y
                Expect.equal (Array.sort p[0..2]) [| 0; 1; 2 |] "group a keeps its labels"
                Expect.equal (Array.sort p[3..5]) [| 3; 4; 5 |] "group b keeps its labels"

        testCase "bootstrap interval contains the accuracy and is seeded" <| fun () ->
            let d = Synthetic.dataset { small with ExpressionSignal = 0.3 }
            let o = { opts (Scheme.StratifiedKFold(4, Some 0)) (Classifier.Ridge 1.0) with Bootstrap = 500 }
            let r1, r2 = Decoding.decode d "expression" o, Decoding.decode d "expression" o
            let i = r1.Interval.Value
            Expect.isTrue (i.Low <= r1.Scores.Accuracy && r1.Scores.Accuracy <= i.High) "contains"
            Expect.isLessThan i.Low i.High "has width"
            Expect.equal r1.Interval r2.Interval "seeded"

        testCase "cross-generalisation: expression trained on some identities generalises to others" <| fun () ->
            let d = Synthetic.dataset small
            let cg = Decoding.crossGeneralise d "identity" "expression" (opts (Scheme.StratifiedKFold(2, None)) (Classifier.Ridge 1.0))
            Expect.equal cg.Values [| "AF"; "AN"; "DI"; "HA" |] "values"
            Expect.isTrue (Double.IsNaN cg.Accuracy[0, 0]) "diagonal undefined"
            Expect.isGreaterThan cg.MeanOffDiagonal 0.6 "identity carries across expressions (chance 0.125)"
            Expect.equal cg.Chance 0.125 "chance"
            Expect.isTrue cg.Converged "closed-form fits always converge"

        testCase "cross-generalisation reports fits stopped at the iteration limit, never silently" <| fun () ->
            let d = Synthetic.dataset small
            let stopped = Classifier.Logistic { defaultLogistic with MaxIterations = 1; Tolerance = 1e-12 }
            let cg = Decoding.crossGeneralise d "identity" "expression" (opts (Scheme.StratifiedKFold(2, None)) stopped)
            Expect.isFalse cg.Converged "one L-BFGS iteration at tolerance 1e-12 cannot converge"
            Expect.equal cg.Warnings.Length 1 "one warning"
            Expect.stringContains cg.Warnings.Head "4 of 4 fits" "names how many fits stopped (one per expression)"
            let ok = Decoding.crossGeneralise d "identity" "expression" (opts (Scheme.StratifiedKFold(2, None)) (Classifier.Logistic defaultLogistic))
            Expect.isTrue ok.Converged "the default limit converges here"
            Expect.isEmpty ok.Warnings "no warning when every fit converged"

        testCase "bad targets: one class, a training fold with one class" <| fun () ->
            let d = datasetOf [ "label", [| "a"; "a"; "a" |]; "g", [| "x"; "y"; "z" |] ] 3 1 [| 1.0; 2.0; 3.0 |]
            expectInputError [ "target 'label' has one class" ] (fun () -> Decoding.decode d "label" (opts (Scheme.StratifiedKFold(2, None)) (Classifier.Ridge 1.0)))
            let d = datasetOf [ "label", [| "a"; "a"; "b"; "b" |]; "g", [| "x"; "x"; "y"; "y" |] ] 4 1 [| 1.0; 2.0; 3.0; 4.0 |]
            expectInputError [ "training set holds only one class" ] (fun () -> Decoding.decode d "label" (opts (Scheme.LeaveOneGroupOut "g") (Classifier.Ridge 1.0)))
            expectInputError [ "no column 'session'" ] (fun () -> Decoding.decode d "label" (opts (Scheme.LeaveOneGroupOut "session") (Classifier.Ridge 1.0)))
    ]
