module FaceBrain.Tests.Study.TestSlurm

open System
open System.IO
open Expecto
open FaceBrain.Tests.TestSupport
open FaceBrain.Tests.Study.TestExperimentReader

/// Why the SLURM tests cannot run here, or None when sbatch exists and the cluster answers.
let private unavailable () =
    try
        let psi = Diagnostics.ProcessStartInfo("sinfo", "-h -o %T", RedirectStandardOutput = true, RedirectStandardError = true)
        use p = Diagnostics.Process.Start psi
        let out = p.StandardOutput.ReadToEnd()
        p.WaitForExit()
        if p.ExitCode <> 0 then Some "sinfo failed: no SLURM cluster answers (scripts/slurm/local-cluster.sh start)"
        elif not (out.Contains "idle" || out.Contains "mixed" || out.Contains "alloc") then Some $"no SLURM node is up (sinfo: {out.Trim()})"
        else None
    with :? ComponentModel.Win32Exception -> Some "sinfo/sbatch not installed (scripts/slurm/local-cluster.sh start installs a one-node cluster)"

let private skipUnlessSlurm () =
    match unavailable () with
    | Some reason ->
        eprintfn "Study.Slurm skipped: %s" reason
        skiptest reason
    | None -> ()

/// The job completion log of scripts/slurm/local-cluster.sh: SLURM id (job or array_task) -> fields.
let private jobcomp () =
    let dir = Environment.GetEnvironmentVariable "FACEBRAIN_SLURM_DIR" |> Option.ofObj |> Option.defaultValue "/var/tmp/facebrain-slurm"
    let file = Path.Combine(dir, "jobcomp.log")
    if not (File.Exists file) then Map.empty else
    File.ReadAllLines file
    |> Array.collect (fun l ->
        let f = l.Split(' ', StringSplitOptions.RemoveEmptyEntries) |> Array.choose (fun kv ->
                    match kv.IndexOf '=' with -1 -> None | i -> Some(kv[..i-1], kv[i+1..])) |> Map.ofArray
        let byArray = match f.TryFind "ArrayJobId", f.TryFind "ArrayTaskId" with
                      | Some a, Some t when a <> "0" && t <> "4294967294" -> [| $"{a}_{t}", f |]
                      | _ -> [||]
        Array.append [| f["JobId"], f |] byArray)
    |> Map.ofArray

/// OUT/.slurm/jobs.tsv: task -> SLURM id.
let private jobs out =
    File.ReadAllLines(Path.Combine(out, ".slurm", "jobs.tsv")) |> Array.skip 1
    |> Array.map (fun l -> let c = l.Split '\t' in c[2], c[0]) |> Map.ofArray

/// The reader's tiny experiment, without the probe option the probe verb no longer has (--iterations).
let private tiny target = (tinyJson "out" 20 target).Replace("\"iterations\": 20", "\"bootstrap\": 50")

let private slurm file out = runCli [ "run"; file; "--out"; out; "--executor"; "slurm" ]

[<Tests>]
let tests =
    testSequenced <| testList "Study.Slurm" [
        testCase "slurm gives the local study.tsv byte for byte, as dependent jobs; a failed task fails alone; a rerun submits only what is missing" <| fun () ->
            skipUnlessSlurm ()
            use dir = new TempDir()
            let file = dir.File "tiny.json"
            File.WriteAllText(file, tiny "expression")
            let local, viaSlurm = dir.File "local", dir.File "slurm"
            // The local run is the reference: SLURM must give the same, file for file. Bitwise equality holds for
            // the same threads per task: a SLURM task gets its step's CPUs (1 by default) as OMP_NUM_THREADS, so
            // the local reference runs its tasks with 1 thread too (BLAS sums in another order on 2 threads).
            let localCode, _, localErr = runCliEnv [ "OMP_NUM_THREADS", "1" ] [ "run"; file; "--out"; local ]
            let same (out: string) =
                // The store's manifest holds timings, so its activations (.npy) are compared instead.
                let npys = Directory.GetFiles(Path.Combine(local, "stores", "resnet50"), "*.npy", SearchOption.AllDirectories)
                           |> Array.map (fun f -> Path.GetRelativePath(local, f)) |> List.ofArray
                Expect.isNonEmpty npys "the local store has activations"
                for rel in [ "report/study.tsv"; "probe/resnet50/expression/probe.json" ] @ npys do
                    let a, b = Path.Combine(local, rel), Path.Combine(out, rel)
                    Expect.equal (File.Exists b) (File.Exists a) $"{rel} exists in both or neither"
                    // study.tsv byte for byte; the JSON files name their own folder, which differs by design.
                    if File.Exists a then
                        if not (rel.EndsWith ".json") then Expect.equal (File.ReadAllBytes b) (File.ReadAllBytes a) $"{rel} byte for byte"
                        else Expect.equal (File.ReadAllText(b).Replace(out, "{out}")) (File.ReadAllText(a).Replace(local, "{out}")) $"{rel}, its folder aside"
            let localDone id = File.Exists(Path.Combine(local, ".tasks", id + ".json"))
            Expect.isTrue (localDone "probe.resnet50.expression") localErr

            // 1. The same table from SLURM, each step its own job, run in dependency order.
            let code, _, err = slurm file viaSlurm
            Expect.equal code localCode err
            same viaSlurm
            let ids = jobs viaSlurm
            Expect.equal (ids |> Map.keys |> Seq.sort |> List.ofSeq) [ "data.kdef"; "extract.resnet50"; "probe.resnet50.expression"; "report" ] "every task was submitted"
            Expect.equal (ids |> Map.values |> Seq.distinct |> Seq.length) 4 "as four jobs"
            let comp = jobcomp ()
            let field id (name: string) =
                let r: Map<string, string> = Expect.wantSome (comp.TryFind ids[id]) $"jobcomp.log records {id}'s job {ids[id]}"
                r[name]
            for id in ids.Keys do Expect.equal (field id "JobState" = "COMPLETED") (localDone id) $"{id}'s job completed as the local task did"
            // Every declared dependency (from --plan) held: a job started only after the jobs it depends on ended.
            let _, plan, _ = runCli [ "run"; file; "--out"; viaSlurm; "--plan" ]
            use doc = System.Text.Json.JsonDocument.Parse plan
            let edges = [ for t in doc.RootElement.GetProperty("tasks").EnumerateArray() do
                            for d in t.GetProperty("depends_on").EnumerateArray() -> d.GetString(), t.GetProperty("id").GetString() ]
            Expect.isGreaterThanOrEqual edges.Length 3 "the tiny experiment has dependencies"
            for up, down in edges |> List.filter (fun (u, d) -> localDone u && localDone d) do
                Expect.isTrue (String.CompareOrdinal(field down "StartTime", field up "EndTime") >= 0) $"{down} started after {up} ended"
            for id in ids.Keys do
                Expect.equal (File.Exists(Path.Combine(viaSlurm, ".tasks", id + ".json"))) (localDone id) $"the job wrote {id}'s done record"

            // 2. Two targets, one of them bad: the probe step is one array; the bad task fails alone and is named.
            let broken = dir.File "broken.json"
            File.WriteAllText(broken, tiny "expression\", \"no_such_column")
            let failing = dir.File "failing"
            let code, _, err = slurm broken failing
            Expect.equal code 1 "exit code"
            Expect.stringContains err "failed step(s): probe" "names the step"
            Expect.stringContains err (Path.Combine(failing, "logs", "probe", "probe.resnet50.no_such_column.err")) "names the log"
            Expect.stringContains err "not run because of them: report" "the report's job never ran"
            let ids = jobs failing
            Expect.equal ids["probe.resnet50.expression"] (ids["probe.resnet50.no_such_column"].Split('_')[0] + "_0") "the probes were one array"
            Expect.isTrue (File.Exists(Path.Combine(failing, ".tasks", "probe.resnet50.expression.json"))) "the good array task finished"
            let code, stdout, _ = runCli [ "status"; failing ]
            Expect.equal code 1 "status says a task failed"
            Expect.stringContains stdout "probe\t1\t0\t1\t0" "status: one probe done, one failed"

            // 3. Repaired (the bad target removed): only the task that never ran is submitted; the table is the local one.
            File.WriteAllText(broken, tiny "expression")
            let code, _, err = slurm broken failing
            Expect.equal code localCode err
            Expect.stringContains err "3 up to date, 1 to submit" "only the report"
            Expect.equal (jobs failing |> Map.keys |> List.ofSeq) [ "report" ] "one job submitted"
            same failing
    ]
