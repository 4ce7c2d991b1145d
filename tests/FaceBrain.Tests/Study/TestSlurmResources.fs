module FaceBrain.Tests.Study.TestSlurmResources

open System
open System.IO
open Expecto
open FaceBrain.Core
open FaceBrain.Study
open FaceBrain.Study.Experiment
open FaceBrain.Study.Plan
open FaceBrain.Study.Run
open FaceBrain.Tests.TestSupport
open FaceBrain.Tests.Study.TestExperimentReader

/// The tiny experiment with a "resources" block and a device.
let private withResources (device: string) (resources: string) =
    (tinyJson "out" 20 "expression").Replace("\"device\": \"cpu\"", $"\"device\": \"{device}\", \"resources\": {resources}")

let private plan (json: string) (dir: string) =
    (StudyRun.Prepare(json, Path.Combine(dir, "experiment.json"), catalogue, null)).Tasks

let private problemsOf (json: string) (dir: string) =
    try
        plan json dir |> ignore
        failtest "expected the experiment to be refused"
    with :? InputException as e -> e.Message

let private options gpus time = SlurmOptions(null, null, time, gpus, 0, [||], false, TimeSpan.FromSeconds 1.0)

/// The sbatch argv of a step's tasks (nothing is submitted).
let private sbatch (list: TaskList) step (o: SlurmOptions) =
    let group = list.Tasks |> Seq.filter (fun t -> t.Step = step) |> Array.ofSeq
    SlurmExecutor.SbatchArgv(list, step, group, [||], o, "task.sh", Launcher("facebrain", [||]), "e.json") |> List.ofSeq

/// A task list of one task whose "verb" writes the thread count it was started with to its output file.
let private threadProbe (dir: string) (cpus: int) =
    let out = Path.Combine(dir, "threads.txt")
    let task = StudyTask("probe.t", "probe", "write OMP_NUM_THREADS", [| out |], [||], [| out |], [||])
    let resources = readOnlyDict [ "probe", TaskResources(cpus, "1G", 0, "00:10:00") ]
    TaskList(dir, [| task |], resources), out

/// `sh -c 'printf ... > "$1"' sh OUTPUT`: the launcher prefix is the script, the task's argv its argument.
let private shell = Launcher("/bin/sh", [| "-c"; "printf '%s %s %s' \"$OMP_NUM_THREADS\" \"$MKL_NUM_THREADS\" \"$OPENBLAS_NUM_THREADS\" > \"$1\""; "sh" |])

[<Tests>]
let tests =
    testList "Study.SlurmResources" [
        testCase "resources: built-in, then default, then the step's own; GPU steps ask for GPUs on cuda, CPU steps never" <| fun () ->
            use dir = new TempDir()
            let list = plan (withResources "cuda" """{ "default": { "cpus": 2, "time": "02:00:00" }, "extract": { "cpus": 3, "memory": "12G" }, "report": { "gpus": 0 } }""") dir.Path
            let r step = list.ResourcesOf(list.Tasks |> Seq.find (fun t -> t.Step = step))
            Expect.equal (r "extract") (TaskResources(3, "12G", 1, "02:00:00")) "extract: its own cpus and memory, default's time, a GPU on cuda"
            Expect.equal (r "probe") (TaskResources(2, "8G", 1, "02:00:00")) "probe: default's cpus and time, built-in memory, a GPU"
            Expect.equal (r "data") (TaskResources(2, "2G", 0, "02:00:00")) "data is a CPU step: no GPU"
            Expect.equal (r "report") (TaskResources(2, "2G", 0, "02:00:00")) "report: no GPU"
            use doc = Text.Json.JsonDocument.Parse(StudyRun.PlanJson list)
            let extract = doc.RootElement.GetProperty("tasks").EnumerateArray() |> Seq.find (fun t -> t.GetProperty("step").GetString() = "extract")
            Expect.equal (extract.GetProperty("resources").GetProperty("cpus").GetInt32()) 3 "--plan shows each task's resources"
            let cpuList = plan (tinyJson "out" 20 "expression") dir.Path
            for t in cpuList.Tasks do
                let x = cpuList.ResourcesOf t
                Expect.equal (x.Cpus, x.Gpus) (1, 0) $"{t.Id}: 1 CPU and no GPU by default on the cpu device"

        testCase "sbatch asks each step's CPUs, memory and time; GPUs only for steps that have them; --gpus/--time override" <| fun () ->
            use dir = new TempDir()
            let list = plan (withResources "cuda" """{ "extract": { "cpus": 3, "memory": "12G", "time": "1-00:00:00" }, "analyse": { "cpus": 2 } }""") dir.Path
            let extract = sbatch list "extract" (options (Nullable()) null)
            for a in [ "--cpus-per-task=3"; "--mem=12G"; "--time=1-00:00:00"; "--gpus-per-task=1" ] do Expect.contains extract a "extract"
            let data = sbatch list "data" (options (Nullable()) null)
            Expect.contains data "--cpus-per-task=1" "data: 1 CPU"
            Expect.isFalse (data |> List.exists (fun a -> a.StartsWith "--gpus")) "a CPU step asks for no GPU"
            let overridden = sbatch list "extract" (options (Nullable 2) "00:05:00")
            Expect.contains overridden "--gpus-per-task=2" "--gpus sets the GPU steps' count"
            Expect.contains overridden "--time=00:05:00" "--time sets every task's limit"
            Expect.isFalse (sbatch list "report" (options (Nullable 2) null) |> List.exists (fun a -> a.StartsWith "--gpus")) "--gpus never reaches a CPU step"

        testCase "a bad resources block: every problem at once, with the nearest valid key" <| fun () ->
            use dir = new TempDir()
            let m = problemsOf (withResources "cpu" """{ "extrac": { "cpus": 2 }, "probe": { "cpu": 2, "memory": "8GB", "time": "4h", "gpus": 1 }, "analyse": { "cpus": 0 } }""") dir.Path
            for fragment in [
                "resources.extrac: unknown key (did you mean 'extract'?)"
                "resources.probe.cpu: unknown key (did you mean 'cpus'?)"
                "resources.probe.memory: '8GB': expected megabytes or a size with K, M, G or T"
                "resources.probe.time: '4h': expected HH:MM:SS or D-HH:MM:SS"
                "resources.probe.gpus: the experiment's device is cpu"
                "resources.analyse.cpus: 0: must be a whole number from 1" ] do
                Expect.stringContains m fragment "listed"
            Expect.isFalse (m.Contains '\n') "one line"

        testCase "the step's CPUs are the task's threads under both executors, whatever the caller's environment" <| fun () ->
            use dir = new TempDir()
            let list, out = threadProbe dir.Path 3
            let cache = TaskCache(list, "test")
            let summary = LocalExecutor.Run(list, cache, shell, 2, Progress<RunEvent>(ignore))
            Expect.isTrue summary.Succeeded "the local run succeeded"
            Expect.equal (File.ReadAllText out) "3 3 3" "local --jobs 2: the step's 3 CPUs, not cores / jobs"
            File.Delete out
            Expect.equal (TaskRunner.RunOne(list, cache, "probe.t", shell)) 0 "the SLURM job's runner succeeded"
            Expect.equal (File.ReadAllText out) "3 3 3" "a SLURM task's runner sets the same threads"

        testCase "the thread count is part of the cache key" <| fun () ->
            use dir = new TempDir()
            let key cpus = (TaskCache(fst (threadProbe dir.Path cpus), "test")).Keys["probe.t"]
            Expect.notEqual (key 1) (key 2) "another thread count, another key"
            Expect.equal (key 2) (key 2) "the same count, the same key"

        testCase "options of the other executor and a bad wait timeout are refused before anything is written" <| fun () ->
            use dir = new TempDir()
            let file = dir.File "tiny.json"
            File.WriteAllText(file, tinyJson "out" 20 "expression")
            let out = dir.File "out"
            for args, message in [
                [ "--wait-timeout"; "1s"; "--partition"; "p" ], "--partition, --wait-timeout: not an option of --executor local (add --executor slurm)"
                [ "--executor"; "slurm"; "--jobs"; "2" ], "--jobs: not an option of --executor slurm"
                [ "--executor"; "slurm"; "--wait-timeout"; "soon" ], "--wait-timeout soon: expected a positive duration such as 90s, 30m, 2h or 01:30:00"
                [ "--executor"; "slurm"; "--time"; "4h" ], "--time 4h: expected HH:MM:SS or D-HH:MM:SS" ] do
                let code, _, err = runCli ([ "run"; file; "--out"; out ] @ args)
                Expect.equal code 2 err
                Expect.stringContains err message "one line naming the problem"
                Expect.isFalse (Directory.Exists out) "nothing written"

        testCase "a damaged done record means not done, with a warning naming the file, once" <| fun () ->
            use dir = new TempDir()
            let list, out = threadProbe dir.Path 1
            let warnings = Collections.Generic.List<string>()
            let cache = TaskCache(list, "test", fun m -> warnings.Add m)
            Expect.equal (TaskRunner.RunOne(list, cache, "probe.t", shell)) 0 "ran"
            Expect.isTrue (cache.IsDone list.Tasks[0]) "done"
            let record = Path.Combine(dir.Path, ".tasks", "probe.t.json")
            File.WriteAllText(record, "{\"id\": \"probe.t\", \"key\": ")
            Expect.isFalse (cache.IsDone list.Tasks[0]) "a damaged record: not done"
            Expect.isFalse (cache.IsDone list.Tasks[0]) "still not done"
            Expect.equal warnings.Count 1 "warned once"
            Expect.stringContains warnings[0] record "the warning names the file"
            Expect.stringContains warnings[0] "damaged done record" "and says what is wrong"
            File.WriteAllText(record, "{}")
            Expect.isFalse (cache.IsDone list.Tasks[0]) "a record without its fields: not done"
            Expect.equal warnings.Count 2 "warned for it too"
            Expect.stringContains warnings[1] "fields missing" "why"
    ]
