/// The one output convention: snake_case JSON keys, non-finite numbers as null, the progress line, --version.
module FaceBrain.Tests.Core.TestOutputConvention

open System
open System.IO
open System.Text.Json
open Expecto
open FaceBrain.Core
open FaceBrain.Core.IO

/// Public: F# compiles the members of a private type as internal, which System.Text.Json does not see.
type Sample = { TrainLoss: float; HeldoutAuc: Nullable<float>; PerClass: Collections.Generic.Dictionary<string, float> }

[<Tests>]
let tests =
    testList "OutputConvention" [
        testCase "JSON keys are snake_case; dictionary keys (data) are kept; NaN and infinity are null" <| fun () ->
            let d = Collections.Generic.Dictionary<string, float>()
            d["HA"] <- nan
            let text = JsonOutput.Serialize { TrainLoss = infinity; HeldoutAuc = Nullable nan; PerClass = d }
            use doc = JsonDocument.Parse text
            let root = doc.RootElement
            Expect.equal (root.GetProperty("train_loss").ValueKind) JsonValueKind.Null "infinity -> null"
            Expect.equal (root.GetProperty("heldout_auc").ValueKind) JsonValueKind.Null "nullable NaN -> null"
            Expect.equal (root.GetProperty("per_class").GetProperty("HA").ValueKind) JsonValueKind.Null "class name kept"
            Expect.isFalse (text.Contains "NaN") "no NaN literal"

        testCase "null and the old NaN literal read back as NaN" <| fun () ->
            let a = JsonSerializer.Deserialize<float[]>("[1.5, null, \"NaN\"]", JsonOutput.Options)
            Expect.equal a[0] 1.5 "number"
            Expect.isTrue (Double.IsNaN a[1] && Double.IsNaN a[2]) "null and \"NaN\""

        testCase "progress: what, count, rate and ETA; the last line gives the duration" <| fun () ->
            use w = new StringWriter()
            let p = Progress(w, rewriteLine = false, intervalSeconds = 0.0)
            p.Begin("analyse", 4L, "fits")
            for _ in 1 .. 4 do p.Advance()
            p.End()
            let lines = w.ToString().Replace("\r", "").Split('\n', StringSplitOptions.RemoveEmptyEntries)
            Expect.equal lines[0] "analyse: 0/4 fits, 0 fits/s, ETA unknown" "first line"
            Expect.stringContains lines[2] "analyse: 2/4 fits" "counts"
            Expect.stringContains lines[2] "ETA " "ETA"
            Expect.stringStarts lines[lines.Length - 1] "analyse: 4/4 fits in 00:00:" "duration line"

        testCase "the silent reporter writes nothing and accepts every call" <| fun () ->
            Progress.Silent.Begin("x", 3L, "steps"); Progress.Silent.Advance(5L); Progress.Silent.End()

        testCase "facebrain --version prints the version" <| fun () ->
            let code, out, err = FaceBrain.Tests.TestSupport.runCli [ "--version" ]
            Expect.equal code 0 ("exit 0; " + err)
            Expect.stringStarts (out.Trim()) "0.1.0" "Directory.Build.props' version"
    ]
