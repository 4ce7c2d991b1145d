module FaceBrain.Tests.Analysis.TestAnalysisCli

open System.IO
open System.Text.Json
open Expecto
open FaceBrain.Core.IO
open FaceBrain.Analysis
open FaceBrain.Tests.TestSupport
open FaceBrain.Tests.Analysis.AnalysisSupport

let private small =
    { Synthetic.kdefLike with Identities = 6; Expressions = 3; Repeats = 2; Features = 12; ExpressionSignal = 1.5; Seed = 4 }

/// Writes features and table of a design into a temp folder; returns (features, stimuli) paths.
let private files (tmp: TempDir) (design: Synthetic.Design) =
    let d = Synthetic.dataset design
    d.Stimuli.Write(tmp.File "s.tsv")
    Npy.Write<float>(tmp.File "f.npy", System.ReadOnlySpan d.Features, int64 d.Rows, int64 d.Columns)
    tmp.File "f.npy", tmp.File "s.tsv"

let private expectExit2 (args: string list) (fragments: string list) =
    let code, out, err = runCli args
    Expect.equal code 2 ($"exit code for {args}; stderr: " + err)
    Expect.equal out "" "nothing on stdout"
    let lines = err.Trim().Split('\n')
    Expect.equal lines.Length 1 ("one line: " + err)
    for f in fragments do Expect.stringContains err f "message"

[<Tests>]
let tests =
    testSequenced <| testList "Analysis.Cli" [
        testCase "one torch thread for these small problems (see AnalysisSupport.cpu)" <| fun () ->
            Expect.equal (cpu.Value.ToString()) "cpu" "device"

        testCase "--help renders for every analysis verb (descriptions hold no stray markup)" <| fun () ->
            for verb in [ [ "decode" ]; [ "rsa" ]; [ "analyse" ]; [ "bench"; "analysis" ] ] do
                let code, out, err = runCli (verb @ [ "--help" ])
                // Spectre renders help through its own console (not the redirected Console.Out), so the exit
                // code is the check: a description with stray [markup] makes rendering throw (exit 1).
                ignore out
                Expect.equal code 0 ($"{verb} --help; stderr: " + err)
                Expect.isFalse (err.Contains "error") "no error"

        testCase "bench analysis: the decoding data's size is chosen, and convergence is in the JSON" <| fun () ->
            use tmp = new TempDir()
            let code, out, err = runCli [ "bench"; "analysis"; "--only"; "decoding"; "--identities"; "3"; "--features"; "16"
                                          "--json"; "--save"; tmp.File "data"; "--device"; "cpu" ]
            Expect.equal code 0 ("exit code; stderr: " + err)
            use doc = JsonDocument.Parse(out.Trim())
            let r = doc.RootElement
            Expect.equal (r.GetProperty("converged").GetDouble()) 1.0 "converged, reported"
            Expect.isGreaterThan (r.GetProperty("max_iterations").GetDouble()) 0.0 "iterations reported"
            let saved = Npy.ReadMatrix(tmp.File "data/features.npy")
            Expect.equal (saved.Shape |> List.ofSeq) [ 42L; 16L ] "3 identities x 7 expressions x 2 sessions, 16 features"
            expectExit2 [ "bench"; "analysis"; "--only"; "decoding"; "--identities"; "1" ] [ "--identities"; "below 2" ]
            expectExit2 [ "bench"; "analysis"; "--only"; "decoding"; "--features"; "0" ] [ "--features" ]

        testCase "decode --json: the contract's fields, agreeing with the library" <| fun () ->
            use tmp = new TempDir()
            let f, s = files tmp small
            let code, out, err = runCli [ "decode"; "--features"; f; "--stimuli"; s; "--target"; "expression"; "--cv"; "logo:identity"
                                          "--classifier"; "logistic"; "--C"; "1"; "--json"; "--permutations"; "4"; "--device"; "cpu" ]
            Expect.equal code 0 ("exit code; stderr: " + err)
            use doc = JsonDocument.Parse out
            let r = doc.RootElement
            let lib = Decoding.decode (Dataset.load f s) "expression" { Decoding.defaults cpu.Value with Scheme = CrossValidation.Scheme.LeaveOneGroupOut "identity" }
            Expect.equal (r.GetProperty("accuracy").GetDouble()) lib.Scores.Accuracy "accuracy"
            Expect.equal (r.GetProperty("n_folds").GetInt32()) 6 "folds"
            Expect.equal (r.GetProperty("chance").GetDouble()) (1.0 / 3.0) "chance"
            Expect.equal (r.GetProperty("balanced_accuracy").GetDouble()) lib.Scores.BalancedAccuracy "balanced"
            Expect.equal (r.GetProperty("p_value").GetDouble()) 0.2 "p with 4 permutations: (1 + 0) / (1 + 4)"

        testCase "rsa --json: models.<name>.<comparison>, and --save-rdm writes the square RDM" <| fun () ->
            use tmp = new TempDir()
            let f, s = files tmp small
            let code, out, err = runCli [ "rsa"; "--features"; f; "--stimuli"; s; "--distance"; "correlation"; "--compare"; "spearman,kendall-tau-a"
                                          "--models"; "identity,expression"; "--json"; "--device"; "cpu"; "--save-rdm"; tmp.File "rdm.npy" ]
            Expect.equal code 0 ("exit code; stderr: " + err)
            use doc = JsonDocument.Parse out
            let models = doc.RootElement.GetProperty "models"
            let d = Dataset.load f s
            let rdm = Rdm.compute cpu.Value d None Rdm.Distance.Correlation
            let expected = Metrics.spearman rdm.Values (Rsa.labelModel d None rdm.Items "identity").Values
            Expect.floatClose Accuracy.veryHigh (models.GetProperty("identity").GetProperty("spearman").GetDouble()) expected "identity spearman"
            Expect.isTrue (models.GetProperty("expression").TryGetProperty("kendall-tau-a") |> fst) "tau-a present"
            let saved = Npy.ReadMatrix(tmp.File "rdm.npy")
            Expect.equal (saved.Rows, saved.Columns) (36, 36) "square"

        testCase "analyse --json over a store: every layer, decoding, rsa, disentanglement and cka" <| fun () ->
            use tmp = new TempDir()
            let t = Synthetic.table small
            let layer name seed : Store.LayerData = { LayerName = name; Rows = t.Count; Columns = 12; Values = Synthetic.features { small with Seed = seed } |> Array.map float32 }
            Store.write (tmp.File "store") t [ layer "a" 1; layer "b" 2 ] true
            let code, out, err = runCli [ "analyse"; "--store"; tmp.File "store"; "--targets"; "identity,expression"; "--classifier"; "ridge"
                                          "--json"; "--device"; "cpu"; "--out"; tmp.File "res" ]
            Expect.equal code 0 ("exit code; stderr: " + err)
            use doc = JsonDocument.Parse out
            let b = doc.RootElement.GetProperty("by_layer").GetProperty("b")
            Expect.isGreaterThan (b.GetProperty("decoding").GetProperty("expression").GetProperty("accuracy").GetDouble()) 0.8 "planted expression"
            Expect.isTrue (b.GetProperty("rsa").GetProperty("identity").TryGetProperty("spearman") |> fst) "rsa"
            Expect.isTrue (b.GetProperty("disentanglement").GetProperty("identityxexpression").TryGetProperty("mean_abs_congruence") |> fst) "congruence"
            Expect.isTrue (b.GetProperty("cka").GetProperty("a").TryGetProperty("linear_cka") |> fst) "cka"
            let tsv = File.ReadAllLines(tmp.File "res/analysis.tsv")
            Expect.equal tsv[0] "layer\tanalysis\ttarget\tmetric\tvalue" "tsv header"
            Expect.isTrue (File.Exists(tmp.File "res/analysis.json")) "json file"

        testCase "bad input exits 2 with one line each" <| fun () ->
            use tmp = new TempDir()
            let f, s = files tmp small
            // rows of features and table disagree
            (tableOf [ "identity", [| "a"; "b" |] ]).Write(tmp.File "short.tsv")
            expectExit2 [ "decode"; "--features"; f; "--stimuli"; tmp.File "short.tsv"; "--target"; "identity" ] [ "f.npy"; "36 rows"; "2" ]
            // NaN naming row and column
            let d = Synthetic.dataset small
            let bad = Array.copy d.Features
            bad[5 * 12 + 3] <- nan
            Npy.Write<float>(tmp.File "nan.npy", System.ReadOnlySpan bad, 36L, 12L)
            expectExit2 [ "decode"; "--features"; tmp.File "nan.npy"; "--stimuli"; s; "--target"; "expression" ] [ "nan.npy"; "row 5"; "column 3"; "NaN" ]
            expectExit2 [ "rsa"; "--features"; tmp.File "nan.npy"; "--stimuli"; s; "--models"; "identity" ] [ "nan.npy"; "row 5" ]
            // one-class target
            (tableOf [ "identity", Array.create 36 "x"; "expression", Array.create 36 "NE" ]).Write(tmp.File "one.tsv")
            expectExit2 [ "decode"; "--features"; f; "--stimuli"; tmp.File "one.tsv"; "--target"; "expression" ] [ "one class" ]
            // a class too small for the scheme
            expectExit2 [ "decode"; "--features"; f; "--stimuli"; s; "--target"; "expression"; "--cv"; "stratkfold:13" ] [ "fewer than the 13 folds" ]
            // group column missing
            expectExit2 [ "decode"; "--features"; f; "--stimuli"; s; "--target"; "expression"; "--cv"; "logo:subject" ] [ "no column 'subject'" ]
            // a scheme that leaves an empty training fold
            (tableOf [ "identity", Array.create 36 "x"; "expression", Array.init 36 (fun i -> string (i % 3)) ]).Write(tmp.File "onegroup.tsv")
            expectExit2 [ "decode"; "--features"; f; "--stimuli"; tmp.File "onegroup.tsv"; "--target"; "expression"; "--cv"; "logo:identity" ] [ "nothing to train on" ]
            // a training fold with one class
            (tableOf [ "identity", Array.init 36 (fun i -> if i % 2 = 0 then "a" else "b") ]).Write(tmp.File "two.tsv")
            expectExit2 [ "decode"; "--features"; f; "--stimuli"; tmp.File "two.tsv"; "--target"; "identity"; "--cv"; "logo:identity" ] [ "training set holds only one class" ]
            // bad options
            expectExit2 [ "decode"; "--features"; f; "--stimuli"; s; "--target"; "expression"; "--classifier"; "svm" ] [ "--classifier" ]
            expectExit2 [ "decode"; "--features"; f; "--stimuli"; s; "--target"; "expression"; "--C"; "-1" ] [ "--C" ]
            expectExit2 [ "decode"; "--features"; f; "--target"; "expression" ] [ "--stimuli" ]
            expectExit2 [ "rsa"; "--features"; f; "--stimuli"; s; "--distance"; "manhattan"; "--models"; "identity" ] [ "--distance" ]
            expectExit2 [ "rsa"; "--features"; f; "--stimuli"; s; "--distance"; "crossnobis"; "--models"; "identity" ] [ "--crossnobis-folds" ]
            // incomplete store
            Store.write (tmp.File "inc") (Synthetic.table small) [ { LayerName = "a"; Rows = 36; Columns = 12; Values = Array.map float32 d.Features } ] false
            expectExit2 [ "analyse"; "--store"; tmp.File "inc" ] [ "incomplete" ]
            expectExit2 [ "decode"; "--store"; tmp.File "inc"; "--layer"; "a"; "--target"; "expression" ] [ "incomplete" ]
    ]
