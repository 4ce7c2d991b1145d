module FaceBrain.Tests.Fmri.TestReliability

open Expecto
open FaceBrain.Fmri
open FaceBrain.Analysis
open FaceBrain.Tests.TestSupport

[<Tests>]
let tests =
    testList "Fmri.Reliability" [
        testCase "repeat averaging by hand" <| fun () ->
            // trials: a, b, a, b, a  -> a = mean(1, 3, 5) = 3, b = mean(10, 20) = 15
            let trials = Matrix.make 5 1 [| 1.0; 10.0; 3.0; 20.0; 5.0 |]
            let groups = Responses.trialsPerStimulus "T.tsv" [| "a"; "b"; "a"; "b"; "a" |] [| "b"; "a" |]
            Expect.equal groups [| [| 1; 3 |]; [| 0; 2; 4 |] |] "trials per stimulus, in table order"
            Expect.equal (Responses.averageRepeats groups trials).Data [| 15.0; 3.0 |] "means"

        testCase "split-half by hand: odd vs even presentations, Spearman-Brown" <| fun () ->
            // 3 stimuli x 2 presentations; odd halves 1,2,3 and even halves 1,3,2: r = 0.5, SB = 2/3
            let trials = Matrix.make 6 1 [| 1.0; 2.0; 3.0; 1.0; 3.0; 2.0 |]
            let ids = [| "a"; "b"; "c"; "a"; "b"; "c" |]
            let groups = Responses.trialsPerStimulus "T" ids [| "a"; "b"; "c" |]
            let c = Reliability.splitHalf "T" groups [| "a"; "b"; "c" |] trials
            Expect.floatClose Accuracy.veryHigh c.SplitHalfR[0] 0.5 "split-half r"
            Expect.floatClose Accuracy.veryHigh c.Reliability[0] (2.0 / 3.0) "Spearman-Brown"
            Expect.floatClose Accuracy.veryHigh c.CeilingR[0] (sqrt (2.0 / 3.0)) "ceiling r"
            Expect.floatClose Accuracy.veryHigh c.CeilingR2[0] (2.0 / 3.0) "ceiling R2"

        testCase "variance-component ceiling by hand" <| fun () ->
            // a: 1, 3 and b: 5, 7. Means 2 and 6; noise variance pooled within stimuli (1 + 1 + 1 + 1) / 2 = 2;
            // variance of the means (ddof 1) 8 = signal + noise / 2, so signal 7 and ceiling 7 / (7 + 1).
            let trials = Matrix.make 4 1 [| 1.0; 5.0; 3.0; 7.0 |]
            let groups = Responses.trialsPerStimulus "T" [| "a"; "b"; "a"; "b" |] [| "a"; "b" |]
            let c = Reliability.splitHalf "T" groups [| "a"; "b" |] trials
            Expect.floatClose Accuracy.veryHigh c.VarianceCeilingR2[0] 0.875 "signal / (signal + noise / k)"

        testCase "a stimulus shown once gives no split-half; a stimulus never shown is an error" <| fun () ->
            let groups = Responses.trialsPerStimulus "T" [| "a"; "b"; "a" |] [| "a"; "b" |]
            expectInputError [ "T"; "at least 2 presentations"; "'b' has 1" ] (fun () ->
                Reliability.splitHalf "T" groups [| "a"; "b" |] (Matrix.make 3 1 [| 1.0; 2.0; 3.0 |]))
            expectInputError [ "T"; "'c' has no trials" ] (fun () -> Responses.trialsPerStimulus "T" [| "a"; "b" |] [| "a"; "b"; "c" |])

        testCase "screening finds NaN, infinite and constant voxels" <| fun () ->
            let m = Matrix.make 3 4 [| 1.0; nan; 2.0; infinity
                                       2.0; 1.0; 2.0; 1.0
                                       3.0; 1.0; 2.0; 1.0 |]
            let e = Responses.screen m
            Expect.equal e [| { Voxel = 1; Problem = Responses.NonFinite }; { Voxel = 2; Problem = Responses.Constant }; { Voxel = 3; Problem = Responses.NonFinite } |] "excluded"
            Expect.equal (Responses.kept 4 e) [| 0 |] "kept"
            expectInputError [ "R.npy"; "3 voxel(s)"; "--drop-bad-voxels" ] (fun () -> Responses.requireUsable "R.npy" e)
    ]
