/// Labelling a face set with face-api's expression network: the scoring worked by hand, and `faces label` end to end.
module FaceBrain.Tests.Training.TestLabelling

open System.IO
open Expecto
open FaceBrain.Analysis
open FaceBrain.Data.Synthesis
open FaceBrain.Training.Labelling
open FaceBrain.Tests.TestSupport
open FaceBrain.Tests.Models.TestFaceApi

[<Tests>]
let tests =
    testList "Training.Labelling" [
        testCase "confusion, accuracy, chance and recall of a hand-worked case" <| fun () ->
            let s = Metrics.scoreNamed [| "HA"; "SA"; "SU" |] [| "HA"; "HA"; "SA"; "SA"; "SA" |] [| "HA"; "SU"; "SA"; "HA"; "SA" |]
            Expect.equal s.Scores.Confusion (array2D [ [ 1; 0; 1 ]; [ 1; 2; 0 ]; [ 0; 0; 0 ] ]) "rows true, columns predicted"
            Expect.equal s.Count 5 "five predictions"
            Expect.floatClose Accuracy.veryHigh s.Scores.Accuracy 0.6 "3 of 5"
            Expect.floatClose Accuracy.veryHigh s.Scores.ChanceUniform (1.0 / 3.0) "1 / classes"
            Expect.floatClose Accuracy.veryHigh s.Scores.Recall[0] 0.5 "HA"
            Expect.floatClose Accuracy.veryHigh s.Scores.Recall[1] (2.0 / 3.0) "SA"
            Expect.isTrue (System.Double.IsNaN s.Scores.Recall[2]) "no true SU: recall undefined, not 0"
            Expect.equal (s.ConfusionTsv()) "true\\predicted\tHA\tSA\tSU\nHA\t1\t0\t1\nSA\t1\t2\t0\nSU\t0\t0\t0\n" "TSV"
            expectInputError [ "true label 'XX'" ] (fun () -> Metrics.scoreNamed [| "HA" |] [| "XX" |] [| "HA" |] |> ignore)
            expectInputError [ "prediction 'YY'" ] (fun () -> Metrics.scoreNamed [| "HA" |] [| "HA" |] [| "YY" |] |> ignore)

        testCase "a decoder's result and a labeller's score are the same scored confusion" <| fun () ->
            let d = Synthetic.dataset { Synthetic.kdefLike with Identities = 4; Expressions = 3; Features = 12; ExpressionSignal = 1.0; Seed = 2 }
            let r = Decoding.decode d "expression" { Decoding.defaults (TorchSharp.torch.CPU) with Classifier = Classifiers.Classifier.Ridge 1.0 }
            let truth = r.Predictions |> Array.mapi (fun i _ -> r.Classes[(Decoding.labels d "expression").Codes[i]])
            let named = Metrics.scoreNamed r.Classes truth (r.Predictions |> Array.map (fun c -> r.Classes[c]))
            Expect.equal (named.ConfusionTsv()) (r.Scored.ConfusionTsv()) "scoring the decoder's predictions by name gives its own table"
            Expect.equal named.Scores.Accuracy r.Scores.Accuracy "and its accuracy"

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
