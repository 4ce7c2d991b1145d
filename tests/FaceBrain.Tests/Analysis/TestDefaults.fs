/// The defaults every verb shares: identities held out for any other target, the expression column honoured
/// under any name, and a permutation test refused where permuting cannot change the labels.
module FaceBrain.Tests.Analysis.TestDefaults

open System.Text.Json
open Expecto
open FaceBrain.Core
open FaceBrain.Core.IO
open FaceBrain.Analysis
open FaceBrain.Tests.TestSupport
open FaceBrain.Tests.Analysis.AnalysisSupport

let private design =
    { Synthetic.kdefLike with Identities = 6; Expressions = 3; Repeats = 2; Features = 10; ExpressionSignal = 1.5; Seed = 8 }

/// A store of the design's features whose stimulus table names its expression column `expressionColumn`.
let private store (dir: string) (expressionColumn: string) =
    let d = Synthetic.dataset design
    let t = d.Stimuli
    let table = tableOf [ "identity", Array.ofSeq (t.Column "identity"); expressionColumn, Array.ofSeq (t.Column "expression"); "session", Array.ofSeq (t.Column "session") ]
    Store.write dir table [ { LayerName = "layer1"; Rows = d.Rows; Columns = d.Columns; Values = d.Features |> Array.map float32 } ] true
    Store.openStore dir

let private options expressionColumn : Layerwise.Options =
    { Targets = [ "identity"; expressionColumn ]; Schemes = Map.empty; Classifier = Classifiers.Classifier.Logistic Classifiers.defaultLogistic
      Permutations = 0; Seed = 0; Distance = Rdm.Distance.Correlation; Comparison = Comparison.Method.Spearman
      IdentityColumn = "identity"; ExpressionColumn = expressionColumn; Device = cpu.Value }

[<Tests>]
let tests =
    testSequenced <| testList "Analysis.Defaults" [
        testCase "the default scheme holds identities out for any target but identity, when there is an identity column" <| fun () ->
            let t = tableOf [ "identity", [| "a"; "b" |]; "emotion", [| "x"; "y" |] ]
            Expect.equal (CrossValidation.defaultScheme t "identity" "emotion").Text "logo:identity" "a non-identity target"
            Expect.equal (CrossValidation.defaultScheme t "identity" "expression").Text "logo:identity" "expression"
            Expect.equal (CrossValidation.defaultScheme t "identity" "identity").Text "stratkfold:5" "identity itself"
            Expect.equal (CrossValidation.defaultScheme (tableOf [ "emotion", [| "x"; "y" |] ]) "identity" "emotion").Text "stratkfold:5" "no identity column"

        testCase "analyse --expression-column emotion gives exactly the numbers of the same store with 'expression'" <| fun () ->
            use a = new TempDir()
            use b = new TempDir()
            let fa = Layerwise.run (store a.Path "expression") (options "expression") Progress.Silent
            let fb = Layerwise.run (store b.Path "emotion") (options "emotion") Progress.Silent
            let values (rows: Layerwise.Row list) = rows |> List.map (fun r -> r.Value) |> Array.ofList
            // Decoding numbers are identical; the congruence sums over a torch reduction can differ in the last bit.
            let va, vb = values fa, values fb
            Expect.equal vb.Length va.Length "same rows"
            Array.iteri2 (fun i a b -> near (1e-12 * max 1.0 (abs a)) b a $"row {i}") va vb
            let tsv = Layerwise.toTsv fb
            Expect.stringContains tsv "layer1\tdecoding\temotion\tn_folds\t6\n" "leave one of 6 identities out, not 5 stratified folds"
            Expect.stringContains tsv "disentanglement\tidentityxemotion" "disentanglement uses the named column"

        testCase "decode without --cv holds identities out for expression and says so" <| fun () ->
            use tmp = new TempDir()
            let d = Synthetic.dataset design
            d.Stimuli.Write(tmp.File "s.tsv")
            Npy.Write<float>(tmp.File "f.npy", System.ReadOnlySpan d.Features, int64 d.Rows, int64 d.Columns)
            let code, out, err = runCli [ "decode"; "--features"; tmp.File "f.npy"; "--stimuli"; tmp.File "s.tsv"; "--target"; "expression"; "--json"; "--device"; "cpu" ]
            Expect.equal code 0 ("exit code; stderr: " + err)
            use doc = JsonDocument.Parse out
            Expect.equal (doc.RootElement.GetProperty("cv").GetString()) "logo:identity" "identities held out"
            Expect.isTrue (doc.RootElement.GetProperty("cv_default").GetBoolean()) "the default is marked"
            Expect.equal (doc.RootElement.GetProperty("n_folds").GetInt32()) 6 "one fold per identity"
            let code, out, _ = runCli [ "decode"; "--features"; tmp.File "f.npy"; "--stimuli"; tmp.File "s.tsv"; "--target"; "expression"; "--device"; "cpu" ]
            Expect.equal code 0 "text output"
            Expect.stringContains out "the default for 'expression' is logo:identity" "printed"

        testCase "a permutation test of a label constant within the permutation groups is refused, naming the grouping" <| fun () ->
            let d = Synthetic.dataset design
            let ids = Array.ofSeq (d.Stimuli.Column "identity")
            let factor = ids |> Array.map (fun i -> if i < "id003" then "low" else "high")
            let withFactor = Dataset.make "<t>" (tableOf [ "identity", ids; "identity_only_factor", factor ]) d.Rows d.Columns d.Features
            let opts = { Decoding.defaults cpu.Value with Scheme = CrossValidation.Scheme.LeaveOneGroupOut "identity"; Permutations = 5 }
            expectInputError [ "'identity_only_factor' is constant within every value of 'identity'"; "permutation test is meaningless" ] (fun () ->
                Decoding.decode withFactor "identity_only_factor" opts)
            // Without permutations the decoding itself runs.
            let r = Decoding.decode withFactor "identity_only_factor" { opts with Permutations = 0 }
            Expect.equal r.Folds 6 "leave one identity out"
    ]
