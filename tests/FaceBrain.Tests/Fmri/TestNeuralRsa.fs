module FaceBrain.Tests.Fmri.TestNeuralRsa

open System.IO
open System.Text.Json
open Expecto
open FaceBrain.Analysis
open FaceBrain.Fmri
open FaceBrain.Tests.TestSupport

/// A store of 3 stimuli (a, b, c) with one 1-column layer `lin` holding the given positions.
let private tinyStore (dir: string) (positions: float[]) =
    Directory.CreateDirectory(Path.Combine(dir, "layers")) |> ignore
    File.WriteAllText(Path.Combine(dir, "stimuli.tsv"), "stimulus_id\na\nb\nc\n")
    Matrix.writeNpy (Path.Combine(dir, "layers", "lin.npy")) (Matrix.make 3 1 positions)
    File.WriteAllText(Path.Combine(dir, "manifest.json"),
        "{\"format\": \"facebrain-activations\", \"format_version\": 1, \"complete\": true, \"n_stimuli\": 3, \"layers\": [{\"name\": \"lin\", \"file\": \"layers/lin.npy\", \"reduction\": \"none\", \"shape\": [3, 1], \"dtype\": \"float64\"}]}")

/// One subject of one voxel: each stimulus shown twice (position ± 0.5, so the repeat average is the position),
/// trials in a shuffled order.
let private tinySubject (d: TempDir) (name: string) (positions: float[]) =
    let trials = [| "b", 1; "a", 0; "c", 2; "a", 0; "c", 2; "b", 1 |]
    let values = trials |> Array.mapi (fun t (_, s) -> positions[s] + (if t < 3 then 0.5 else -0.5))
    Matrix.writeNpy (d.File(name + ".npy")) (Matrix.make trials.Length 1 values)
    File.WriteAllText(d.File(name + ".tsv"), "stimulus_id\trun\n" + String.concat "" [ for t, (id, _) in Array.indexed trials -> sprintf "%s\t%d\n" id (t / 3) ])
    [ "--responses"; d.File(name + ".npy"); "--trials"; d.File(name + ".tsv") ]

// Euclidean RDMs (ab, ac, bc) of the three tiny subjects: [1, 1.5, 2.5], [1, 2.5, 1.5], [1.5, 1, 2.5], i.e. the
// ranks [1,2,3], [1,3,2], [2,1,3]. By hand (Spearman): the pool of all ranks is [4/3, 2, 8/3], ranked [1,2,3]:
// upper = (1 + 0.5 + 0.5) / 3 = 2/3. Leaving one out: S1 vs [1.5,2,2.5] -> 1; S2 vs [1.5,1.5,3] -> 0;
// S3 vs [1,2.5,2.5] -> 0: lower = 1/3.
let private positions = [| [| 0.0; 1.0; -1.5 |]; [| 0.0; 1.0; 2.5 |]; [| 0.0; 1.5; -1.0 |] |]

let private rsaJson (args: string list) =
    let code, out, err = runCli ([ "fmri"; "rsa" ] @ args @ [ "--json" ])
    Expect.equal code 0 ("fmri rsa; stderr: " + err)
    JsonDocument.Parse out

[<Tests>]
let tests =
    testList "Fmri.NeuralRsa" [
        testCase "noise ceiling worked by hand on three 3-stimulus RDMs (Spearman and Pearson)" <| fun () ->
            let rdms = [| [| 1.0; 1.5; 2.5 |]; [| 1.0; 2.5; 1.5 |]; [| 1.5; 1.0; 2.5 |] |]
            let ranks = [| [| 1.0; 2.0; 3.0 |]; [| 1.0; 3.0; 2.0 |]; [| 2.0; 1.0; 3.0 |] |]
            let c = (NeuralRsa.noiseCeiling Comparison.Method.Spearman rdms).Value
            Expect.floatClose Accuracy.high c.Upper (2.0 / 3.0) "upper: each subject vs the pool of all"
            Expect.floatClose Accuracy.high c.Lower (1.0 / 3.0) "lower: each subject vs the pool of the others"
            // on the rank vectors Pearson gives the same by hand (the pool of z-scores is affine in the mean)
            let p = (NeuralRsa.noiseCeiling Comparison.Method.Pearson ranks).Value
            Expect.floatClose Accuracy.high p.Upper (2.0 / 3.0) "Pearson upper"
            Expect.floatClose Accuracy.high p.Lower (1.0 / 3.0) "Pearson lower"
            Expect.isNone (NeuralRsa.noiseCeiling Comparison.Method.Spearman rdms[..0]) "one subject: no ceiling"

        testCase "noise ceiling against a naive oracle: 5 random subjects, 15-pair RDMs, Spearman" <| fun () ->
            let rng = System.Random(7)
            let rdms = Array.init 5 (fun _ -> Array.init 15 (fun _ -> rng.NextDouble()))
            // oracle: average ranks by counting (the pooled mean ranks can tie), Pearson written out, loops over subjects
            let count f (v: float[]) = v |> Array.filter f |> Array.length |> float
            let ranks (v: float[]) = v |> Array.map (fun x -> count (fun y -> y < x) v + (count (fun y -> y = x) v + 1.0) / 2.0)
            let r (a: float[]) (b: float[]) =
                let ma, mb = Array.average a, Array.average b
                let sab = Array.fold2 (fun acc x y -> acc + (x - ma) * (y - mb)) 0.0 a b
                sab / sqrt ((a |> Array.sumBy (fun x -> (x - ma) ** 2.0)) * (b |> Array.sumBy (fun y -> (y - mb) ** 2.0)))
            let meanRanks (subset: float[][]) = Array.init 15 (fun k -> (subset |> Array.sumBy (fun v -> (ranks v)[k])) / float subset.Length)
            let spearman a b = r (ranks a) (ranks b)
            let upper = (rdms |> Array.sumBy (fun v -> spearman v (meanRanks rdms))) / 5.0
            let lower = (Array.init 5 (fun s -> spearman rdms[s] (meanRanks (Array.removeAt s rdms))) |> Array.sum) / 5.0
            let c = (NeuralRsa.noiseCeiling Comparison.Method.Spearman rdms).Value
            Expect.floatClose Accuracy.high c.Upper upper "upper"
            Expect.floatClose Accuracy.high c.Lower lower "lower"
            Expect.isLessThanOrEqual c.Lower c.Upper "lower <= upper"

        testCase "fmri rsa end to end on the hand-worked subjects (repeats averaged, trials shuffled)" <| fun () ->
            use d = new TempDir()
            tinyStore (d.File "store") positions[0]
            let subjects = positions |> Array.mapi (fun i p -> tinySubject d (sprintf "s%d" i) p) |> List.concat
            use doc = rsaJson ([ "--store"; d.File "store"; "--distance"; "euclidean"; "--compare"; "spearman"; "--out"; d.File "rsa.tsv" ] @ subjects)
            let root = doc.RootElement
            Expect.equal (root.GetProperty("subjects").GetInt32()) 3 "three subjects"
            let roi = root.GetProperty("rois")[0]
            Expect.equal (roi.GetProperty("roi").GetString()) "all" "no --rois: all voxels"
            let nc = roi.GetProperty("noise_ceiling")
            Expect.floatClose Accuracy.high (nc.GetProperty("upper").GetDouble()) (2.0 / 3.0) "upper"
            Expect.floatClose Accuracy.high (nc.GetProperty("lower").GetDouble()) (1.0 / 3.0) "lower"
            let score = root.GetProperty("scores")[0]
            // the layer is subject 1's geometry: the pooled ranks [1,2,3] match it exactly; per subject 1, 0.5, 0.5
            Expect.floatClose Accuracy.high (score.GetProperty("group").GetDouble()) 1.0 "group RDM vs layer"
            Expect.floatClose Accuracy.high (score.GetProperty("subject_mean").GetDouble()) (2.0 / 3.0) "mean of per-subject comparisons"
            let lines = File.ReadAllLines(d.File "rsa.tsv")
            Expect.equal lines.Length 2 "header + one row"
            Expect.stringStarts lines[1] "store\tlin\tall\t1\t" "TSV row"
            // one subject: the ceiling is unavailable, not invented
            use one = rsaJson ([ "--store"; d.File "store"; "--distance"; "euclidean" ] @ tinySubject d "s0" positions[0])
            Expect.equal ((one.RootElement.GetProperty("rois")[0]).GetProperty("noise_ceiling").ValueKind) JsonValueKind.Null "null ceiling"

        testCase "planted: the identity ROI matches the identity layer, the expression ROI the expression layer" <| fun () ->
            use d = new TempDir()
            let store = d.File "store"
            TestSimulate.makeStore store
            let subjects =
                [ for seed in [ 11; 12; 13 ] do
                      let sim = Simulate.run { TestSimulate.request store "ffa:id_layer,psts:ex_layer" with Voxels = 15; Snr = 1.0; Seed = seed }
                      let dir = d.File(sprintf "sub%d" seed)
                      Simulate.write dir false seed sim |> ignore
                      yield! [ "--responses"; Path.Combine(dir, "responses.npy"); "--trials"; Path.Combine(dir, "trials.tsv"); "--rois"; Path.Combine(dir, "truth.tsv") ] ]
            use doc = rsaJson ([ "--store"; store; "--compare"; "spearman" ] @ subjects)
            let group =
                [ for s in doc.RootElement.GetProperty("scores").EnumerateArray() ->
                      (s.GetProperty("layer").GetString(), s.GetProperty("roi").GetString()), s.GetProperty("group").GetDouble() ] |> dict
            Expect.equal group.Count 4 "2 layers x 2 ROIs"
            Expect.isGreaterThan group[("id_layer", "ffa")] (group[("ex_layer", "ffa")] + 0.2) "ffa: identity layer wins"
            Expect.isGreaterThan group[("ex_layer", "psts")] (group[("id_layer", "psts")] + 0.2) "psts: expression layer wins"
            for r in doc.RootElement.GetProperty("rois").EnumerateArray() do
                let nc = r.GetProperty("noise_ceiling")
                let lo, hi = nc.GetProperty("lower").GetDouble(), nc.GetProperty("upper").GetDouble()
                Expect.isLessThanOrEqual lo hi "lower <= upper"
                Expect.isGreaterThan lo 0.0 "planted signal: subjects agree"
                Expect.sequenceEqual [ for v in r.GetProperty("voxels").EnumerateArray() -> v.GetInt32() ] [ 15; 15; 15 ] "voxels per subject"

        testCase "bad input: mismatched stimuli, an ROI without voxels, an unknown ROI, unpaired --trials -> exit 2" <| fun () ->
            use d = new TempDir()
            tinyStore (d.File "store") positions[0]
            let s0 = tinySubject d "s0" positions[0]
            let s1 = tinySubject d "s1" positions[1]
            // a subject who never saw stimulus c
            Matrix.writeNpy (d.File "short.npy") (Matrix.make 2 1 [| 0.0; 1.0 |])
            File.WriteAllText(d.File "short.tsv", "stimulus_id\na\nb\n")
            Matrix.writeNpy (d.File "nan.npy") (Matrix.make 3 1 [| 0.0; nan; 1.0 |])
            File.WriteAllText(d.File "nan.tsv", "stimulus_id\na\nb\nc\n")
            File.WriteAllText(d.File "r0.tsv", "voxel\troi\n0\tffa\n")
            File.WriteAllText(d.File "r1.tsv", "voxel\troi\n0\tpsts\n")
            let store = [ "--store"; d.File "store"; "--distance"; "euclidean" ]
            for args, fragment in
                [ store @ s0 @ [ "--responses"; d.File "short.npy"; "--trials"; d.File "short.tsv" ], "lacks 1 stimulus"
                  store @ s0 @ s1 @ [ "--rois"; d.File "r0.tsv"; "--rois"; d.File "r1.tsv" ], "has no voxels"
                  store @ s0 @ [ "--rois"; d.File "r0.tsv"; "--roi"; "v1" ], "unknown ROI 'v1'"
                  store @ s0 @ [ "--responses"; d.File "nan.npy"; "--trials"; d.File "nan.tsv" ], "NaN or infinite"
                  store @ s0 @ [ "--responses"; d.File "short.npy" ], "one --trials per --responses"
                  store @ s0 @ [ "--layers"; "fc9" ], "no layer 'fc9'"
                  [ "--store"; d.File "store" ] @ s0 @ [ "--distance"; "crossnobis" ], "not supported"
                  // one voxel has no correlation across it: the analysis project's RDM refuses it
                  [ "--store"; d.File "store" ] @ s0, "is constant" ] do
                let code, _, err = runCli ([ "fmri"; "rsa" ] @ args @ [ "--out"; d.File "never.tsv" ])
                Expect.equal code 2 (sprintf "exit 2 for %A; stderr: %s" fragment err)
                Expect.stringContains err fragment "the message names the problem"
                Expect.isFalse (File.Exists(d.File "never.tsv")) "nothing written"
    ]
