/// The realism report: the identity measures worked by hand, the landmark crops read back from the ground truth,
/// and `faces realism` end to end on a tiny synthetic set (skipped, saying why, without face-api's weights).
module FaceBrain.Tests.Training.TestRealism

open System.IO
open System.Text.Json
open Expecto
open TorchSharp
open FaceBrain.Data.Synthesis
open FaceBrain.Training.Labelling
open FaceBrain.Tests.TestSupport
open FaceBrain.Tests.Models.TestFaceApi

let private conditions ids exprs = FaceConditions(List.toArray ids, List.toArray exprs)

[<Tests>]
let tests =
    testList "Training.Realism" [
        testCase "identity measures of a hand-worked case: AUCs, shares under the threshold, 1-NN, what cannot be measured" <| fun () ->
            // 1-D descriptors: P-NE 0, P-HA 0.8, Q-NE 1, Q-HA 3 (pair distances .8 1 3 .2 2.2 2)
            use x = torch.tensor([| 0.0f; 0.8f; 1.0f; 3.0f |], System.ReadOnlySpan [| 4L; 1L |])
            let m = IdentityReadout.Measure(x, conditions [ "P"; "P"; "Q"; "Q" ] [ "NE"; "HA"; "NE"; "HA" ], 0.6)
            Expect.equal (m.Pairs, m.SamePairs) (6, 2) "6 pairs, 2 of one person"
            Expect.floatClose Accuracy.veryHigh m.AucAllPairs (5.0 / 8.0) "same .8 beats 1, 3, 2.2; same 2 beats 3, 2.2"
            Expect.floatClose Accuracy.veryHigh m.AucAcrossExpressions 0.5 "pairs of different expressions: same .8, 2 against different 3, .2"
            Expect.equal m.DifferentUnderThreshold (System.Nullable 0.25) "one of four different pairs (.2) under 0.6"
            Expect.equal m.SameUnderThreshold (System.Nullable 0.0) "no same pair under 0.6"
            let nn = m.NearestNeighbour |> Seq.exactlyOne
            Expect.equal nn.Protocol IdentityReadout.AcrossExpressions "only the expression protocol has labels"
            Expect.equal (nn.Probes, nn.GalleryImages, nn.GalleryIdentities) (2, 2, 2) "neutral gallery, expressive probes"
            Expect.floatClose Accuracy.veryHigh nn.Accuracy 0.5 "P-HA is nearer Q-NE (.2) than P-NE (.8): wrong; Q-HA right"
            Expect.equal (m.NotMeasured |> Seq.map (fun s -> s.Split(':')[0]) |> List.ofSeq) [ "across_sessions"; "across_angles" ] "no session or angle labels: named, not numbers"
            use pixels = torch.tensor([| 0.0f; 0.8f; 1.0f; 3.0f |], System.ReadOnlySpan [| 4L; 1L |])
            let p = IdentityReadout.Measure(pixels, conditions [ "P"; "P"; "Q"; "Q" ] [ "NE"; "HA"; "NE"; "HA" ], System.Nullable())
            Expect.isFalse p.DifferentUnderThreshold.HasValue "no threshold, no share"
            // each image's nearest same-person and other-person image: P-NE same .8 other Q-NE 1; P-HA .8, Q-NE .2;
            // Q-NE Q-HA 2, P-HA .2; Q-HA 2, P-HA 2.2
            let nb = IdentityReadout.Neighbours(x, conditions [ "P"; "P"; "Q"; "Q" ] [ "NE"; "HA"; "NE"; "HA" ])
            Expect.equal [ for v in nb -> v.NearestSame, v.NearestOther ] [ 1, 2; 0, 2; 3, 1; 2, 1 ] "nearest indices"
            for v, (s, o) in Seq.zip nb [ 0.8, 1.0; 0.8, 0.2; 2.0, 0.2; 2.0, 2.2 ] do
                Expect.floatClose Accuracy.medium v.SameDistance s "same-person distance"
                Expect.floatClose Accuracy.medium v.OtherDistance o "other-person distance"
            use y = torch.tensor([| 0.0f; 1.0f; 5.0f |], System.ReadOnlySpan [| 3L; 1L |])
            let lone = IdentityReadout.Neighbours(y, conditions [ "P"; "P"; "R" ] [ "NE"; "HA"; "NE" ])[2]
            Expect.equal (lone.NearestSame, lone.NearestOther) (-1, 1) "R has one image: no same-person neighbour; P-HA is nearest"
            Expect.isTrue (System.Double.IsNaN lone.SameDistance) "no distance, not a number"
            expectInputError [ "two identities" ] (fun () -> IdentityReadout.Measure(x, conditions [ "P"; "P"; "P"; "P" ] [ "NE"; "HA"; "NE"; "HA" ], 0.6))

        testCase "landmark crops read back from the ground-truth columns equal the drawn face's own (within the columns' rounding)" <| fun () ->
            let o = SynthOptions(Layout = SynthLayout.Kdef, Identities = 2, Size = 256, Seed = 3)
            let cast = Cast(o.Seed, o.Identities)
            for img in FaceSynthesizer.Plan(o) |> Seq.take 12 do
                use face = FaceSynthesizer.Render(img, cast, o)
                let cols = face.Landmarks.Columns() |> Seq.map (fun struct (n, v) -> n, v) |> dict
                let back = LandmarkSummary.FromColumns(fun c -> cols[c])
                for name, a, b in [ "expression", face.Landmarks.ExpressionCrop(256, 256), back.ExpressionCrop(256, 256)
                                    "recognition", face.Landmarks.RecognitionCrop(256, 256), back.RecognitionCrop(256, 256) ] do
                    for u, v in [ a.Left, b.Left; a.Top, b.Top; a.Right, b.Right; a.Bottom, b.Bottom ] do
                        Expect.isLessThanOrEqual (abs (u - v)) 1 $"{img.StimulusId} {name} crop: {a} vs {b}"

        testCase "faces realism: face-api's networks and raw pixels on a tiny synthetic KDEF set; JSON and text agree; bad input exits 2" <| fun () ->
            faceApiWeights () |> ignore
            use dir = new TempDir()
            FaceSynthesizer.Write(SynthOptions(Layout = SynthLayout.Kdef, Identities = 2, Size = 128, Seed = 5), dir.File "set") |> ignore
            let args = [ "faces"; "realism"; "--data"; "kdef:" + dir.File "set/KDEF"; "--where"; "angle=S"; "--device"; "cpu" ]
            let code, stdout, err = runCli (args @ [ "--json" ])
            Expect.equal code 0 err
            let r = JsonDocument.Parse(stdout).RootElement.GetProperty("report")
            Expect.equal (r.GetProperty("images").GetInt32(), r.GetProperty("identities").GetInt32()) (28, 2) "2 identities × 2 sessions × 7 expressions, frontal"
            Expect.stringContains (r.GetProperty("crops").GetString()) "ground_truth.tsv" "crops from the generator's landmarks"
            let net = r.GetProperty("expression_net")
            let confusion = [ for row in net.GetProperty("confusion").EnumerateArray() -> [ for v in row.EnumerateArray() -> v.GetInt32() ] ]
            Expect.equal (confusion |> List.sumBy List.sum) 28 "every image in the confusion"
            Expect.floatClose Accuracy.veryHigh (net.GetProperty("accuracy").GetDouble()) (float (List.init 7 (fun i -> confusion[i][i]) |> List.sum) / 28.0) "accuracy = diagonal / images"
            let id = r.GetProperty("identity_net")
            Expect.equal (id.GetProperty("pairs").GetInt32(), id.GetProperty("same_pairs").GetInt32()) (378, 182) "28·27/2 pairs, 2·14·13/2 same"
            let nn = [ for p in id.GetProperty("nearest_neighbour").EnumerateArray() -> p.GetProperty("protocol").GetString(), p.GetProperty("probes").GetInt32() ]
            Expect.equal nn [ "across_sessions", 14; "across_expressions", 24 ] "B probes; expressive probes of both sessions"
            let notMeasured = id.GetProperty("not_measured")
            Expect.stringContains (notMeasured[0].GetString()) "across_angles" "frontal only: no probes at other angles"
            let pix = r.GetProperty("identity_pixels")
            Expect.equal (pix.GetProperty("threshold").ValueKind) JsonValueKind.Null "pixels have no same-person threshold"
            let code, text, err = runCli args
            Expect.equal code 0 err
            Expect.stringContains text (sprintf "accuracy (chance 0.143)        %7.3f" (net.GetProperty("accuracy").GetDouble())) "text = JSON"
            // --out: the report as JSON, the confusion, and one row per image that agrees with it
            let out = dir.File "out"
            let code, _, err = runCli (args @ [ "--json"; "--out"; out ])
            Expect.equal code 0 err
            Expect.equal (filesIn out) [| "confusion.tsv"; "images.tsv"; "realism.json" |] "three files, no temporaries"
            let saved = JsonDocument.Parse(File.ReadAllText(Path.Combine(out, "realism.json"))).RootElement.GetProperty("report")
            Expect.equal (saved.GetProperty("expression_net").GetProperty("accuracy").GetDouble()) (net.GetProperty("accuracy").GetDouble()) "the file holds the report"
            Expect.isFalse (saved.TryGetProperty("per_image") |> fst) "per-image rows go to images.tsv, not the JSON"
            let lines = File.ReadAllLines(Path.Combine(out, "images.tsv"))
            let header = lines[0].Split '\t'
            Expect.equal header[0..3] [| "stimulus_id"; "identity"; "expression"; "predicted" |] "header"
            let col name = Array.findIndex ((=) name) header
            let rows = lines |> Array.tail |> Array.map (fun l -> l.Split '\t')
            Expect.equal rows.Length 28 "one row per image"
            let right = rows |> Array.filter (fun r -> r[col "expression"] = r[col "predicted"]) |> Array.length
            Expect.equal right (List.init 7 (fun i -> confusion[i][i]) |> List.sum) "the rows' hits are the confusion's diagonal"
            for r in rows do
                let p = [ for c in [ "NE"; "HA"; "SA"; "AN"; "AF"; "DI"; "SU" ] -> float r[col ("p_" + c)] ]
                Expect.floatClose Accuracy.low (List.sum p) 1.0 $"{r[0]}: probabilities sum to 1"
                Expect.notEqual r[col "nearest_other_identity"] r[col "identity"] $"{r[0]}: the other person is another"
                Expect.isGreaterThanOrEqual (float r[col "other_distance"]) 0.0 "a distance"
                Expect.isTrue (rows |> Array.exists (fun q -> q[0] = r[col "nearest_same"] && q[col "identity"] = r[col "identity"])) $"{r[0]}: the same person's image is in the set"
            let code, _, err = runCli (args @ [ "--out"; Path.Combine(out, "images.tsv") ])
            Expect.equal code 2 "--out naming a file is bad input"
            Expect.stringContains err "images.tsv" "the error names the file"
            // without recorded landmarks (a real KDEF copy): the layout's fixed box, for the networks and the pixels alike
            File.Delete(dir.File "set/ground_truth.tsv")
            let code, stdout, err = runCli (args @ [ "--json" ])
            Expect.equal code 0 err
            let r = JsonDocument.Parse(stdout).RootElement.GetProperty("report")
            Expect.stringContains (r.GetProperty("crops").GetString()) "fixed face box" "no landmarks: the layout's box"
            Expect.equal (r.GetProperty("images").GetInt32()) 28 "the same images"
            let code, _, err = runCli [ "faces"; "realism"; "--data"; "kdef:" + dir.File "missing" ]
            Expect.equal code 2 "a missing set is bad input"
            Expect.equal (err.Trim().Split([| '\n' |]).Length) 1 $"one line: {err}"
    ]
