/// analyse over several stores (e.g. trained vs random): side-by-side tables and the accuracy difference with a
/// paired bootstrap interval over stimuli.
module FaceBrain.Tests.Analysis.TestNetworkComparison

open System.IO
open System.Text.Json
open Expecto
open FaceBrain.Core
open FaceBrain.Analysis
open FaceBrain.Tests.TestSupport
open FaceBrain.Tests.Analysis.AnalysisSupport

let private design = { Synthetic.kdefLike with Identities = 6; Expressions = 3; Repeats = 2; Features = 10; ExpressionSignal = 2.0; Seed = 3 }

/// A one-layer store of the design's stimuli; `signal` false writes pure noise features.
let private store (dir: string) (signal: bool) =
    let d = Synthetic.dataset (if signal then design else { design with IdentitySignal = 0.0; ExpressionSignal = 0.0; Seed = 11 })
    Store.write dir d.Stimuli [ { LayerName = "layer1"; Rows = d.Rows; Columns = d.Columns; Values = d.Features |> Array.map float32 } ] true
    Store.openStore dir

let private options : Layerwise.Options =
    { Targets = [ "identity"; "expression" ]; Schemes = Map.empty; Classifier = Classifiers.Classifier.Ridge 1.0
      Permutations = 0; Seed = 1; Distance = Rdm.Distance.Correlation; Comparison = Comparison.Method.Spearman
      IdentityColumn = "identity"; ExpressionColumn = "expression"; Device = cpu.Value }

[<Tests>]
let tests =
    testSequenced <| testList "Analysis.NetworkComparison" [
        testCase "a network without signal decodes worse than one with it, and the interval excludes 0; a network equals itself" <| fun () ->
            use a = new TempDir()
            use b = new TempDir()
            let trained, random = store a.Path true, store b.Path false
            let frames, diffs = Layerwise.runMany [ "trained", trained; "random", random; "same", trained ] options 500 0.95 Progress.Silent
            Expect.equal (frames |> List.map fst) [ "trained"; "random"; "same" ] "one table per network"
            let get net target = diffs |> List.find (fun d -> d.Network = net && d.Target = target)
            let e = get "random" "expression"
            Expect.isGreaterThan e.ReferenceAccuracy 0.8 "planted expression in the reference"
            Expect.floatClose Accuracy.high e.Difference (e.Accuracy - e.ReferenceAccuracy) "difference of the two accuracies"
            Expect.isLessThan e.High 0.0 "the whole interval below 0"
            Expect.isTrue (e.Low <= e.Difference && e.Difference <= e.High) "interval around the difference"
            let s = get "same" "expression"
            Expect.equal (s.Difference, s.Low, s.High) (0.0, 0.0, 0.0) "a network minus itself is exactly 0"

        testCase "stores of other stimuli are refused; analyse --store NAME=DIR twice writes differences.tsv" <| fun () ->
            use a = new TempDir()
            use b = new TempDir()
            use c = new TempDir()
            let _ = store a.Path true
            let _ = store b.Path false
            let other = Synthetic.dataset { design with Identities = 5 }
            Store.write c.Path other.Stimuli [ { LayerName = "layer1"; Rows = other.Rows; Columns = other.Columns; Values = other.Features |> Array.map float32 } ] true
            expectInputError [ "other stimuli" ] (fun () -> Layerwise.runMany [ "a", Store.openStore a.Path; "c", Store.openStore c.Path ] options 10 0.95 Progress.Silent)
            use out = new TempDir()
            let code, stdout, err = runCli [ "analyse"; "--store"; "trained=" + a.Path; "--store"; "random=" + b.Path; "--classifier"; "ridge"
                                             "--permutations"; "0"; "--bootstrap"; "200"; "--json"; "--device"; "cpu"; "--out"; out.Path ]
            Expect.equal code 0 ("exit code; stderr: " + err)
            use doc = JsonDocument.Parse stdout
            let nets = doc.RootElement.GetProperty "networks"
            Expect.isTrue (nets.TryGetProperty("trained") |> fst && nets.TryGetProperty("random") |> fst) "both networks"
            let d = doc.RootElement.GetProperty("differences")[0]
            Expect.equal (d.GetProperty("reference").GetString()) "trained" "the first store is the reference"
            Expect.isTrue (File.Exists(out.File "differences.tsv") && File.Exists(out.File "analysis.trained.tsv") && File.Exists(out.File "analysis.random.tsv")) "files"
    ]
