module FaceBrain.Tests.Analysis.TestCrossValidation

open Expecto
open FaceBrain.Analysis
open FaceBrain.Analysis.CrossValidation
open FaceBrain.Tests.TestSupport

let private cols (m: Map<string, string[]>) (name: string) =
    match m.TryFind name with
    | Some v -> v
    | None -> raise (FaceBrain.Core.InputException("<t>", $"no column '{name}'"))

[<Tests>]
let tests =
    testList "Analysis.CrossValidation" [
        testCase "schemes parse and print back" <| fun () ->
            for text in [ "logo:identity"; "groupkfold:5:identity"; "stratkfold:3"; "stratkfold:3:shuffle=7"; "kfold:4"; "kfold:4:shuffle=2"; "split:expression:NE"; "split:expression:NE,HA:SA" ] do
                Expect.equal (CrossValidation.parse text).Text text text
            for bad in [ "logo"; "kfold:1"; "stratkfold:3:shuffle"; "kfold:3:shuffle=x"; "stratkfold:1"; "groupkfold:x:identity"; "split:expression" ] do
                expectInputError [ "--cv"; bad ] (fun () -> CrossValidation.parse bad)

        testCase "leave one group out: one fold per sorted group, test = that group" <| fun () ->
            let g = [| "b"; "a"; "b"; "c"; "a" |]
            let f = folds "<t>" (cols (Map [ "id", g ])) (Array.zeroCreate 5) (Scheme.LeaveOneGroupOut "id")
            Expect.equal (f |> Array.map (fun f -> f.Test)) [| [| 1; 4 |]; [| 0; 2 |]; [| 3 |] |] "tests"
            Expect.equal f[0].Train [| 0; 2; 3 |] "train of the first"

        testCase "group k-fold puts whole groups into the emptiest fold, largest first" <| fun () ->
            // sizes: a=3, b=2, c=2, d=1 -> fold0 {a}, fold1 {b, d}? greedy: a->0 (3), b->1 (2), c->1? no: loads [3,2] -> c->1 (4), d->0 (4)
            let g = [| "a"; "a"; "a"; "b"; "b"; "c"; "c"; "d" |]
            let f = folds "<t>" (cols (Map [ "id", g ])) (Array.zeroCreate 8) (Scheme.GroupKFold(2, "id"))
            Expect.equal f[0].Test [| 0; 1; 2; 7 |] "fold 0 = a + d"
            Expect.equal f[1].Test [| 3; 4; 5; 6 |] "fold 1 = b + c"

        testCase "stratified k-fold allocates as scikit-learn's StratifiedKFold (worked by hand)" <| fun () ->
            // y = a b a b a b, K = 2: sorted codes 0 0 0 1 1 1 dealt round-robin -> fold 0 gets {0, 0, 1}
            // (2 a, 1 b), fold 1 {0, 1, 1}; a's rows 0, 2, 4 take folds 0, 0, 1; b's rows 1, 3, 5 take 0, 1, 1.
            let f = folds "<t>" (cols Map.empty) [| 0; 1; 0; 1; 0; 1 |] (Scheme.StratifiedKFold(2, None))
            Expect.equal (f |> Array.map (fun f -> f.Test)) [| [| 0; 1; 2 |]; [| 3; 4; 5 |] |] "test folds"
            // classes are numbered by first appearance: b first here changes who is dealt first
            let f = folds "<t>" (cols Map.empty) [| 1; 0; 1; 0; 0 |] (Scheme.StratifiedKFold(2, None))
            // enc: 1->0, 0->1: [0 1 0 1 1]; sorted [0 0 1 1 1]; fold0 {0,1,1}, fold1 {0,1}; class 0 rows 0,2 -> 0,1; class 1 rows 1,3,4 -> 0,0,1
            Expect.equal (f |> Array.map (fun f -> f.Test)) [| [| 0; 1; 3 |]; [| 2; 4 |] |] "first-appearance order"

        testCase "shuffled stratified k-fold keeps classes balanced, is seeded, and covers every row once" <| fun () ->
            let y = Array.init 30 (fun i -> i % 3)
            let f1 = folds "<t>" (cols Map.empty) y (Scheme.StratifiedKFold(5, Some 7))
            let f2 = folds "<t>" (cols Map.empty) y (Scheme.StratifiedKFold(5, Some 7))
            Expect.equal f1 f2 "same seed, same folds"
            Expect.equal (f1 |> Array.collect (fun f -> f.Test) |> Array.sort) (Array.init 30 id) "each row tested once"
            for f in f1 do
                Expect.equal (f.Test |> Array.countBy (fun i -> y[i]) |> Array.map snd) [| 2; 2; 2 |] "two of each class per fold"

        testCase "split trains on the named values and tests on the rest or the named ones" <| fun () ->
            let e = [| "NE"; "HA"; "SA"; "NE"; "HA"; "SA" |]
            let f = folds "<t>" (cols (Map [ "expression", e ])) (Array.zeroCreate 6) (Scheme.Split("expression", [ "NE" ], []))
            Expect.equal (f[0].Train, f[0].Test) ([| 0; 3 |], [| 1; 2; 4; 5 |]) "rest"
            let f = folds "<t>" (cols (Map [ "expression", e ])) (Array.zeroCreate 6) (Scheme.Split("expression", [ "NE" ], [ "SA" ]))
            Expect.equal f[0].Test [| 2; 5 |] "named"

        testCase "bad schemes for the data are refused with one message each" <| fun () ->
            let m = Map [ "id", [| "a"; "a"; "a" |] ]
            expectInputError [ "only one value"; "nothing to train on" ] (fun () -> folds "<t>" (cols m) (Array.zeroCreate 3) (Scheme.LeaveOneGroupOut "id"))
            expectInputError [ "fewer than 2 folds" ] (fun () -> folds "<t>" (cols m) (Array.zeroCreate 3) (Scheme.GroupKFold(2, "id")))
            expectInputError [ "only 1 row"; "3 folds" ] (fun () -> folds "<t>" (cols m) [| 0; 0; 0; 1 |] (Scheme.StratifiedKFold(3, None)))
            expectInputError [ "no column 'session'" ] (fun () -> folds "<t>" (cols m) (Array.zeroCreate 3) (Scheme.LeaveOneGroupOut "session"))
            expectInputError [ "no value 'x'" ] (fun () -> folds "<t>" (cols m) (Array.zeroCreate 3) (Scheme.Split("id", [ "x" ], [])))
            expectInputError [ "empty test set" ] (fun () -> folds "<t>" (cols m) (Array.zeroCreate 3) (Scheme.Split("id", [ "a" ], [])))
    ]
