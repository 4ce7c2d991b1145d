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

/// OUT/.slurm/jobs.tsv: task -> SLURM id (every task's last submission).
let private jobs out =
    File.ReadAllLines(Path.Combine(out, ".slurm", "jobs.tsv")) |> Array.skip 1
    |> Array.map (fun l -> let c = l.Split '\t' in c[2], c[0]) |> Map.ofArray

/// The reader's tiny experiment, without the probe option the probe verb no longer has (--iterations).
let private tiny target = (tinyJson "out" 20 target).Replace("\"iterations\": 20", "\"bootstrap\": 50")

let private slurm file out = runCli [ "run"; file; "--out"; out; "--executor"; "slurm" ]

/// Starts the CLI without waiting for it: what it has written to stderr so far, and a wait for its exit code,
/// stdout and stderr.
let private startCli (args: string list) =
    let psi = Diagnostics.ProcessStartInfo("dotnet", RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false)
    psi.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "facebrain.dll"))
    for a in args do psi.ArgumentList.Add a
    let p = Diagnostics.Process.Start psi
    let err = Text.StringBuilder()
    p.ErrorDataReceived.Add(fun e -> if not (isNull e.Data) then lock err (fun () -> err.AppendLine e.Data |> ignore))
    p.BeginErrorReadLine()
    let out = p.StandardOutput.ReadToEndAsync()
    let soFar () = lock err (fun () -> err.ToString())
    let wait () =
        if not (p.WaitForExit 300_000) then (p.Kill true; failtest "the run did not end within 5 minutes")
        p.WaitForExit() // the last stderr lines
        let r = p.ExitCode, out.Result, soFar ()
        p.Dispose()
        r
    soFar, wait

/// The SLURM ids of a job's elements squeue lists in one state.
let private inState (job: string) (state: string) =
    let struct (code, out, _) = FaceBrain.Study.Run.SlurmExecutor.Tool("squeue", [ "-h"; "-r"; "-o"; "%i %T"; "--jobs=" + job ])
    if code <> 0 then [] else
    out.Split('\n', StringSplitOptions.RemoveEmptyEntries) |> Array.map (fun l -> l.Trim().Split ' ')
    |> Array.filter (fun c -> c.Length = 2 && c[1] = state) |> Array.map (fun c -> c[0]) |> List.ofArray

let private recorded out id = File.Exists(Path.Combine(out, ".tasks", id + ".json"))

[<Tests>]
let tests =
    testSequenced <| testList "Study.Slurm" [
        testCase "slurm gives the local study.tsv byte for byte, as dependent jobs, with the same threads and no environment set by hand" <| fun () ->
            skipUnlessSlurm ()
            use dir = new TempDir()
            let file = dir.File "tiny.json"
            File.WriteAllText(file, tiny "expression")
            let local, viaSlurm = dir.File "local", dir.File "slurm"
            // The local run is the reference. Both executors start every task with its step's CPUs as its threads
            // (1 here), so nothing is set by hand: not OMP_NUM_THREADS, not --jobs.
            let localCode, _, localErr = runCli [ "run"; file; "--out"; local ]
            Expect.equal localCode 0 localErr
            let same (out: string) =
                // The store's manifest holds timings, so its activations (.npy) are compared instead.
                let npys = Directory.GetFiles(Path.Combine(local, "stores", "resnet50"), "*.npy", SearchOption.AllDirectories)
                           |> Array.map (fun f -> Path.GetRelativePath(local, f)) |> List.ofArray
                Expect.isNonEmpty npys "the local store has activations"
                for rel in [ "report/study.tsv"; "report/index.html"; "probe/resnet50/expression/probe.json" ] @ npys do
                    let a, b = Path.Combine(local, rel), Path.Combine(out, rel)
                    Expect.isTrue (File.Exists a) $"{rel}: the local run wrote it"
                    Expect.isTrue (File.Exists b) $"{rel}: the SLURM run wrote it"
                    // study.tsv and the activations byte for byte; the JSON file names its own folder, which differs by design.
                    if rel.EndsWith ".tsv" || rel.EndsWith ".npy" then Expect.equal (File.ReadAllBytes b) (File.ReadAllBytes a) $"{rel} byte for byte"
                    elif rel.EndsWith ".json" then Expect.equal (File.ReadAllText(b).Replace(out, "{out}")) (File.ReadAllText(a).Replace(local, "{out}")) $"{rel}, its folder aside"
            let localDone = recorded local

            // The same table from SLURM, each step its own job, run in dependency order; the report job succeeds.
            let code, _, err = slurm file viaSlurm
            Expect.equal code 0 err
            same viaSlurm
            let ids = jobs viaSlurm
            Expect.equal (ids |> Map.keys |> Seq.sort |> List.ofSeq) [ "data.kdef"; "extract.resnet50"; "probe.resnet50.expression"; "report" ] "every task was submitted"
            Expect.equal (ids |> Map.values |> Seq.distinct |> Seq.length) 4 "as four jobs"
            let comp = jobcomp ()
            let field id (name: string) =
                let r: Map<string, string> = Expect.wantSome (comp.TryFind ids[id]) $"jobcomp.log records {id}'s job {ids[id]}"
                r[name]
            for id in ids.Keys do
                Expect.isTrue (localDone id) $"{id} ran locally"
                Expect.equal (field id "JobState") "COMPLETED" $"{id}'s job completed"
                Expect.isTrue (recorded viaSlurm id) $"the job wrote {id}'s done record"
            // Every declared dependency (from --plan) held: a job started only after the jobs it depends on ended.
            let _, plan, _ = runCli [ "run"; file; "--out"; viaSlurm; "--plan" ]
            use doc = System.Text.Json.JsonDocument.Parse plan
            let edges = [ for t in doc.RootElement.GetProperty("tasks").EnumerateArray() do
                            for d in t.GetProperty("depends_on").EnumerateArray() -> d.GetString(), t.GetProperty("id").GetString() ]
            Expect.isGreaterThanOrEqual edges.Length 3 "the tiny experiment has dependencies"
            for up, down in edges do
                Expect.isTrue (String.CompareOrdinal(field down "StartTime", field up "EndTime") >= 0) $"{down} started after {up} ended"

        testCase "a corrupted input fails its task alone, named with its log; once repaired, a rerun submits only that task" <| fun () ->
            skipUnlessSlurm ()
            use dir = new TempDir()
            // The extraction reads a face set on disk; the probes (one array of two) read the synthetic set.
            let disk = dir.File "disk"
            let code, _, err = runCli [ "faces"; "synth"; "--layout"; "kdef"; "--identities"; "3"; "--size"; "32"; "--nuisance"; "0"; "--seed"; "9"; "--out"; disk ]
            Expect.equal code 0 err
            let kdef = Path.Combine(disk, "KDEF")
            let json = (tiny "expression\", \"identity")
                        .Replace("\"extract\": { \"data\": \"kdef\"", "\"extract\": { \"data\": \"disk\"")
                        .Replace("\"data\": { \"kdef\": {", $"\"data\": {{ \"disk\": {{ \"layout\": \"kdef\", \"path\": \"{kdef}\" }}, \"kdef\": {{")
            let file = dir.File "study.json"
            File.WriteAllText(file, json)
            let frontal = Directory.GetFiles(kdef, "*", SearchOption.AllDirectories)
                          |> Array.filter (fun f -> Path.GetFileNameWithoutExtension(f).EndsWith "S") |> Array.sort
            Expect.isNonEmpty frontal "the set has frontal images"
            let image = frontal[0]
            let original = File.ReadAllBytes image
            File.WriteAllBytes(image, Array.create 64 0x42uy)

            let out = dir.File "out"
            let code, _, err = slurm file out
            Expect.equal code 1 "exit code"
            let log = Path.Combine(out, "logs", "extract", "extract.resnet50.err")
            Expect.stringContains err "failed step(s): extract;" "names the step, and only it"
            Expect.stringContains err $"extract.resnet50 (log: {log})" "names the task and its log"
            Expect.isFalse (err.Contains "not run because of them") "nothing else was lost: the report does not read the store without an analyse step"
            Expect.stringContains (File.ReadAllText log) (Path.GetFileName image) "the log names the corrupted file"
            for id in [ "data.kdef"; "probe.resnet50.expression"; "probe.resnet50.identity"; "report" ] do Expect.isTrue (recorded out id) $"{id} finished"
            let first = jobs out
            Expect.equal first["probe.resnet50.expression"] (first["probe.resnet50.identity"].Split('_')[0] + "_0") "the probes were one array"
            let code, stdout, _ = runCli [ "status"; out ]
            Expect.equal code 1 "status says a task failed"
            Expect.stringContains stdout "extract\t0\t0\t1\t0\t0" "status: the extraction failed"
            Expect.stringContains stdout "probe\t2\t0\t0\t0\t0" "status: both probes done"

            // Repaired: the extraction's input changed back, so only the extraction is submitted.
            File.WriteAllBytes(image, original)
            let code, _, err = slurm file out
            Expect.equal code 0 err
            Expect.stringContains err "4 up to date, 1 to submit" "only the extraction"
            let second = jobs out
            for id in [ "data.kdef"; "probe.resnet50.expression"; "probe.resnet50.identity"; "report" ] do Expect.equal second[id] first[id] $"{id} was not submitted again"
            Expect.notEqual second["extract.resnet50"] first["extract.resnet50"] "the extraction was submitted again"
            Expect.isTrue (recorded out "extract.resnet50") "and finished"

        testCase "a wait timeout leaves the jobs running and a rerun waits for them; scancel of a running array is reported and resumable" <| fun () ->
            skipUnlessSlurm ()
            use dir = new TempDir()
            let file = dir.File "tiny.json"
            // Probes with enough permutations to be cancelled while they run.
            File.WriteAllText(file, (tiny "expression\", \"identity").Replace("\"permutations\": 1", "\"permutations\": 500"))
            let out = dir.File "out"
            let probes = [ "probe.resnet50.expression"; "probe.resnet50.identity" ]

            // 1. Stop waiting after 1 s: exit 5 naming what is still queued or running; the jobs stay in SLURM.
            let code, _, err = runCli [ "run"; file; "--out"; out; "--executor"; "slurm"; "--wait-timeout"; "1s" ]
            Expect.equal code 5 err
            Expect.stringContains err "run: stopped waiting after 1s: still queued or running: " "names the jobs"
            let first = jobs out
            Expect.equal first.Count 5 "every task was submitted"
            let code, _, statusErr = runCli [ "status"; out ]
            Expect.equal code 0 statusErr
            Expect.stringContains statusErr "(SLURM job " "status names the live jobs"

            // 2. A second run submits nothing and waits for the same jobs, while the probe array is cancelled as it runs.
            let soFar, waiter = startCli [ "run"; file; "--out"; out; "--executor"; "slurm" ]
            let array = first[probes[0]].Split('_')[0]
            let clock = Diagnostics.Stopwatch.StartNew()
            // Cancel once the second run has taken the jobs over (its plan line) and the array runs.
            while (not ((soFar ()).Contains "to submit to SLURM") || inState array "RUNNING" |> List.isEmpty)
                  && clock.Elapsed.TotalSeconds < 240.0 && probes |> List.exists (recorded out >> not) do
                Threading.Thread.Sleep 100
            Expect.isNonEmpty (inState array "RUNNING") "the probe array started"
            let struct (code, _, _) = FaceBrain.Study.Run.SlurmExecutor.Tool("scancel", [ array ])
            Expect.equal code 0 "scancel"
            let code, _, err = waiter ()
            Expect.equal code 1 err
            Expect.stringContains err "still queued or running from an earlier submission, 0 to submit" "the second run submitted nothing"
            Expect.equal (jobs out) first "and kept the same jobs"
            let cancelled = probes |> List.filter (recorded out >> not)
            Expect.isNonEmpty cancelled "a probe was cancelled before it finished"
            Expect.stringContains err ("cancelled: " + String.Join(", ", cancelled)) "the run names the cancelled tasks"
            Expect.stringContains err "not run because of them: report" "and what could not run"
            Expect.stringContains err "run the same command again to resume" "and says how to resume"
            let code, stdout, _ = runCli [ "status"; out ]
            Expect.equal code 1 "status: a task was cancelled"
            Expect.stringContains stdout $"probe\t{2 - cancelled.Length}\t0\t0\t{cancelled.Length}\t0" "status counts them cancelled"

            // 3. The rerun submits only the cancelled tasks and the report, and finishes.
            let code, _, err = slurm file out
            Expect.equal code 0 err
            Expect.stringContains err $"{5 - cancelled.Length - 1} up to date, {cancelled.Length + 1} to submit" "only the cancelled tasks and the report"
            let last = jobs out
            for id in first.Keys do
                Expect.equal (last[id] <> first[id]) (id = "report" || List.contains id cancelled) $"{id}: submitted again only if it was cancelled or never ran"
                Expect.isTrue (recorded out id) $"{id} finished"
    ]
