module FaceBrain.Tests.Study.TestRunner

open System.IO
open System.Text.Json
open Expecto
open FaceBrain.Tests.TestSupport
open FaceBrain.Tests.Study.TestExperimentReader

/// Task ids that ran in a `run`, from its progress lines ("... step: ID done in ...").
let private ran (stderr: string) =
    stderr.Split('\n')
    |> Array.choose (fun l ->
        let m = System.Text.RegularExpressions.Regex.Match(l, @"\] \w+: (\S+) done in ")
        if m.Success then Some m.Groups[1].Value else None)
    |> Array.sort
    |> List.ofArray

let private run (file: string) =
    let code, out, err = runCli [ "run"; file ]
    code, out, err, ran err

[<Tests>]
let tests =
    // One output folder through the whole sequence, as a user would rerun: a fresh run, a no-op rerun, a changed
    // setting, an interrupted task, a failing task.
    testSequenced <| testList "Study.Runner" [
        testCase "cache: fresh run, no-op rerun, changed setting, resume after an interrupted task, a failed task" <| fun () ->
            use dir = new TempDir()
            let file = dir.File "tiny.json"
            let out = dir.File "out"
            File.WriteAllText(file, tinyJson "out" 200 "expression")

            // 1. Everything runs; the table has the network's row and a record per task.
            let code, stdout, err, tasks = run file
            Expect.equal code 0 err
            Expect.equal tasks [ "data.kdef"; "extract.resnet50"; "probe.resnet50.expression"; "report" ] "every task ran"
            let table = File.ReadAllBytes(Path.Combine(out, "report", "study.tsv"))
            let lines = System.Text.Encoding.UTF8.GetString(table).TrimEnd('\n').Split('\n')
            Expect.equal (lines[0].Split('\t')[0..7]) [| "network"; "target"; "layer"; "accuracy"; "chance"; "p_value"; "ci_low"; "ci_high" |] "columns"
            Expect.equal (lines[1].Split('\t')[0..2]) [| "resnet50"; "expression"; "avgpool" |] "the row"
            let cols = lines[1].Split('\t') |> Array.map (fun s -> s.Trim())
            let acc, low, high = float cols[3], float cols[6], float cols[7]
            Expect.isTrue (low <= acc && acc <= high) "the interval holds the accuracy"
            Expect.floatClose Accuracy.high (float cols[4]) (1.0 / 7.0) "chance of seven expressions"
            Expect.stringContains stdout "resnet50\texpression" "the table is printed"
            for id in [ "data.kdef"; "extract.resnet50"; "probe.resnet50.expression"; "report" ] do
                Expect.isTrue (File.Exists(Path.Combine(out, ".tasks", id + ".json"))) $"record of {id}"
            Expect.isTrue (File.Exists(Path.Combine(out, "logs", "probe", "probe.resnet50.expression.err"))) "per-task log"
            Expect.isTrue (File.Exists(Path.Combine(out, "experiment.json"))) "the experiment is kept beside its results"

            // 2. A rerun recomputes nothing and leaves the table byte for byte.
            let code, _, err, tasks = run file
            Expect.equal code 0 err
            Expect.equal tasks [] "nothing ran"
            Expect.stringContains err "4 up to date, 0 to run" "all cached"
            Expect.equal (File.ReadAllBytes(Path.Combine(out, "report", "study.tsv"))) table "byte-identical study.tsv"

            // 3. A changed probe setting reruns the probe and what reads it, not the data or the extraction.
            File.WriteAllText(file, tinyJson "out" 201 "expression")
            let code, _, err, tasks = run file
            Expect.equal code 0 err
            Expect.equal tasks [ "probe.resnet50.expression"; "report" ] "only the probe and the report"

            // 4. An interrupted extraction (outputs left, no done-record) is redone from clean, alone.
            File.Delete(Path.Combine(out, ".tasks", "extract.resnet50.json"))
            let stale = Path.Combine(out, "stores", "resnet50", "half-written.tmp")
            File.WriteAllText(stale, "left by an interrupted run")
            let code, _, err, tasks = run file
            Expect.equal code 0 err
            Expect.equal tasks [ "extract.resnet50" ] "only the interrupted task"
            Expect.isFalse (File.Exists stale) "its stale output was removed first"
            use doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(out, "stores", "resnet50", "manifest.json")))
            Expect.isTrue (doc.RootElement.ValueKind = JsonValueKind.Object) "a complete store"

            // 5. A failing task: exit non-zero naming its step and log; the task below it does not run.
            File.WriteAllText(file, tinyJson "out" 201 "no_such_column")
            let code, _, err, tasks = run file
            Expect.equal code 1 "exit code"
            Expect.stringContains err "failed step(s): probe" "names the step"
            Expect.stringContains err (Path.Combine(out, "logs", "probe", "probe.resnet50.no_such_column.err")) "names the log"
            Expect.stringContains err "not run because of them: report" "the report waits for it"
            Expect.equal tasks [] "nothing else needed to run"
    ]
