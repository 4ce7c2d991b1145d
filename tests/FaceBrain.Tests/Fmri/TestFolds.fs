module FaceBrain.Tests.Fmri.TestFolds

open Expecto
open FaceBrain.Fmri
open FaceBrain.Analysis
open FaceBrain.Tests.TestSupport

let tests' n scheme groups = Folds.make "t" scheme n groups |> Array.map (fun f -> f.Test)

[<Tests>]
let tests =
    testList "Fmri.Folds (CrossValidation over fMRI rows)" [
        testCase "kfold as scikit-learn's KFold: contiguous, the first n mod k folds one row larger" <| fun () ->
            // KFold(3).split(range(10)) tests [0..3], [4..6], [7..9]
            Expect.equal (tests' 10 (CrossValidation.Scheme.KFold(3, None)) (fun _ -> [||])) [| [| 0 .. 3 |]; [| 4 .. 6 |]; [| 7 .. 9 |] |] "n=10, k=3"
            // KFold(5) over 12: sizes 3,3,2,2,2
            Expect.equal (tests' 12 (CrossValidation.Scheme.KFold(5, None)) (fun _ -> [||]) |> Array.map Array.length) [| 3; 3; 2; 2; 2 |] "n=12, k=5"
            let f = Folds.make "t" (CrossValidation.Scheme.KFold(3, None)) 10 (fun _ -> [||])
            Expect.equal f[1].Train [| 0; 1; 2; 3; 7; 8; 9 |] "train is the complement"

        testCase "shuffled folds are a seeded partition" <| fun () ->
            let a = tests' 20 (CrossValidation.Scheme.KFold(4, Some 7)) (fun _ -> [||])
            let b = tests' 20 (CrossValidation.Scheme.KFold(4, Some 7)) (fun _ -> [||])
            let c = tests' 20 (CrossValidation.Scheme.KFold(4, Some 8)) (fun _ -> [||])
            Expect.equal a b "same seed, same folds"
            Expect.notEqual a c "another seed, other folds"
            Expect.equal (a |> Array.concat |> Array.sort) [| 0 .. 19 |] "every row tested once"
            Expect.notEqual a (tests' 20 (CrossValidation.Scheme.KFold(4, None)) (fun _ -> [||])) "not contiguous"

        testCase "logo holds out one group at a time" <| fun () ->
            let g = [| "b"; "a"; "b"; "c"; "a" |]
            let t = tests' 5 (CrossValidation.Scheme.LeaveOneGroupOut "identity") (fun c -> Expect.equal c "identity" "column"; g)
            Expect.equal t [| [| 1; 4 |]; [| 0; 2 |]; [| 3 |] |] "groups a, b, c"

        testCase "parse and bad specs" <| fun () ->
            Expect.equal (CrossValidation.parseFor "`cv`" "kfold:5") (CrossValidation.Scheme.KFold(5, None)) "kfold"
            Expect.equal (CrossValidation.parseFor "`cv`" "kfold:5:shuffle=42") (CrossValidation.Scheme.KFold(5, Some 42)) "shuffle"
            Expect.equal (CrossValidation.parseFor "`cv`" "logo:identity") (CrossValidation.Scheme.LeaveOneGroupOut "identity") "logo"
            expectInputError [ "--inner-cv"; "kfold:1" ] (fun () -> CrossValidation.parseFor "`inner-cv`" "kfold:1")
            expectInputError [ "--cv"; "loo" ] (fun () -> CrossValidation.parseFor "`cv`" "loo")
            expectInputError [ "kfold:5"; "at least 5 rows" ] (fun () -> Folds.make "R.npy" (CrossValidation.Scheme.KFold(5, None)) 3 (fun _ -> [||]))
            expectInputError [ "logo:g"; "2 groups" ] (fun () -> Folds.make "S.tsv" (CrossValidation.Scheme.LeaveOneGroupOut "g") 3 (fun _ -> [| "x"; "x"; "x" |]))

        testCase "alpha grid is numpy.logspace" <| fun () ->
            let g = AlphaGrid.parse "`alphas`" "1e-2..1e6:25"
            Expect.equal g.Length 25 "25 values"
            Expect.floatClose Accuracy.high g[0] 1e-2 "first"
            Expect.floatClose Accuracy.high g[24] 1e6 "last"
            Expect.floatClose Accuracy.high g[3] 1e-1 "every third is a decade (8 decades over 24 steps)"
            Expect.equal (AlphaGrid.parse "`alphas`" "1,10,100") [| 1.0; 10.0; 100.0 |] "a list"
            expectInputError [ "--alphas" ] (fun () -> AlphaGrid.parse "`alphas`" "0..10:3")
            expectInputError [ "--alphas" ] (fun () -> AlphaGrid.parse "`alphas`" "1..10")
    ]
