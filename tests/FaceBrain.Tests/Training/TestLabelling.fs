/// Labelling a face set with face-api's expression network: the scoring worked by hand, and `faces label` end to end.
module FaceBrain.Tests.Training.TestLabelling

open System.IO
open Expecto
open FaceBrain.Data.Synthesis
open FaceBrain.Training.Labelling
open FaceBrain.Tests.TestSupport
open FaceBrain.Tests.Models.TestFaceApi

[<Tests>]
let tests =
    testList "Training.Labelling" [
        testCase "confusion, accuracy, chance and recall of a hand-worked case" <| fun () ->
            let s = ConfusionScore.Of([ "HA"; "HA"; "SA"; "SA"; "SA" ], [ "HA"; "SU"; "SA"; "HA"; "SA" ], [ "HA"; "SA"; "SU" ])
            Expect.equal (s.Confusion |> Seq.map List.ofSeq |> List.ofSeq) [ [ 1; 0; 1 ]; [ 1; 2; 0 ]; [ 0; 0; 0 ] ] "rows true, columns predicted"
            Expect.floatClose Accuracy.veryHigh s.Accuracy 0.6 "3 of 5"
            Expect.floatClose Accuracy.veryHigh s.Chance (1.0 / 3.0) "1 / classes"
            Expect.floatClose Accuracy.veryHigh s.Recall[0] 0.5 "HA"
            Expect.floatClose Accuracy.veryHigh s.Recall[1] (2.0 / 3.0) "SA"
            Expect.isTrue (System.Double.IsNaN s.Recall[2]) "no true SU: recall undefined, not 0"
            Expect.equal (ConfusionScore.Tsv(s.Classes, s.Confusion)) "true\\predicted\tHA\tSA\tSU\nHA\t1\t0\t1\nSA\t1\t2\t0\nSU\t0\t0\t0" "TSV"
            expectInputError [ "true label 'XX'" ] (fun () -> ConfusionScore.Of([ "XX" ], [ "HA" ], [ "HA" ]))

        testCase "faces label: face-api's expression net labels synthetic KDEF faces; files agree with the printed score" <| fun () ->
            faceApiWeights () |> ignore
            use dir = new TempDir()
            FaceSynthesizer.Write(SynthOptions(Layout = SynthLayout.Kdef, Identities = 2, Size = 128, Seed = 5), dir.File "set") |> ignore
            let out = dir.File "label"
            let code, stdout, err = runCli [ "faces"; "label"; "--data"; "kdef:" + dir.File "set/KDEF"; "--where"; "angle=S"; "--out"; out; "--device"; "cpu" ]
            Expect.equal code 0 err
            let rows = File.ReadAllLines(Path.Combine(out, "labels.tsv")) |> Array.tail |> Array.map (fun l -> l.Split '\t')
            Expect.equal rows.Length 28 "2 identities × 2 sessions × 7 expressions, frontal"
            for r in rows do
                let p = r[3..] |> Array.map float
                Expect.floatClose Accuracy.medium (Array.sum p) 1.0 "probabilities sum to 1"
                Expect.equal r[2] ([| "NE"; "HA"; "SA"; "AN"; "AF"; "DI"; "SU" |][Array.findIndex ((=) (Array.max p)) p]) "prediction = arg-max"
            let acc = (rows |> Array.filter (fun r -> r[1] = r[2])).Length
            Expect.stringContains stdout (sprintf "accuracy %.1f" (100.0 * float acc / 28.0)) "printed accuracy is the files'"
            Expect.equal (filesIn out) [| "confusion.tsv"; "label.json"; "labels.tsv" |] "three files, no temporaries"
    ]
