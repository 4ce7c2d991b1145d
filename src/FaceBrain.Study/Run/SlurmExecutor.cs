using System.Diagnostics;
using FaceBrain.Core;
using FaceBrain.Study.Plan;

namespace FaceBrain.Study.Run;

/// <summary>
/// What `run --executor slurm` asks of the cluster; null means "the step's resources" or "leave it to SLURM".
/// <see cref="Time"/> and <see cref="Gpus"/> override the experiment's resources (Gpus: for the GPU steps only).
/// <see cref="WaitTimeout"/>: stop waiting after this long, leaving the jobs running.
/// </summary>
public sealed record SlurmOptions(string? Partition, string? Account, string? Time, int? Gpus, int MaxParallel,
                                  IReadOnlyList<string> SbatchArgs, bool NoWait, TimeSpan Poll, TimeSpan? WaitTimeout = null);

/// <summary>One submitted SLURM job: a step's missing tasks as an array (index i runs Tasks[i]) or one task alone.</summary>
public sealed record SlurmJob(string JobId, string Step, IReadOnlyList<string> Tasks)
{
    public string SlurmId(int index) => Tasks.Count > 1 ? $"{JobId}_{index}" : JobId;
}

/// <summary>
/// Runs a task list on SLURM, which does the scheduling: each step's missing or failed tasks become one job array
/// (or one job), afterok-dependent on the jobs holding the tasks they depend on. Each job runs
/// `facebrain run OUT/experiment.json --out OUT --task IDS`, which writes the done record itself (TaskRunner);
/// the runner only submits, polls squeue, and reads the records and logs. Tasks whose job from an earlier
/// submission is still queued or running are waited for, never submitted twice.
/// </summary>
public static class SlurmExecutor
{
    public static string JobsFile(string outDir) => Path.Combine(outDir, ".slurm", "jobs.tsv");

    public static (RunSummary? Summary, IReadOnlyList<SlurmJob> Jobs) Run(TaskList list, TaskCache cache, string experimentFile,
        Launcher launcher, SlurmOptions o, IProgress<RunEvent> progress, CancellationToken cancel = default)
    {
        var clock = Stopwatch.StartNew();
        var skipped = list.Tasks.Where(cache.IsDone).Select(t => t.Id).ToList();
        var previous = ReadJobs(list.Out);
        var live = Live(previous, skipped);
        var pending = list.Tasks.Where(t => !skipped.Contains(t.Id) && !live.ContainsKey(t.Id)).ToList();
        int total = list.Tasks.Count;
        progress.Report(new RunEvent(RunEventKind.Planned, null, skipped.Count, total, clock.Elapsed, null,
            $"{skipped.Count} up to date, " + (live.Count > 0 ? $"{live.Count} still queued or running from an earlier submission, " : "") +
            $"{pending.Count} to submit to SLURM"));
        foreach (var t in list.Tasks.Where(t => skipped.Contains(t.Id))) progress.Report(new RunEvent(RunEventKind.Skipped, t, skipped.Count, total, clock.Elapsed, null, ""));

        var script = WriteScript(list.Out);
        var jobs = new List<SlurmJob>();
        var jobOf = new Dictionary<string, string>(live); // a task's job, for the dependencies of the jobs below it
        foreach (var step in pending.Select(t => t.Step).Distinct())
        {
            var tasks = pending.Where(t => t.Step == step).ToList();
            // A step whose tasks depend on each other cannot be one array: its tasks go as single jobs.
            bool array = tasks.Count > 1 && !tasks.Any(t => t.DependsOn.Any(d => tasks.Any(u => u.Id == d)))
                         && tasks.All(t => !t.Id.Contains(','));
            foreach (var group in array ? [tasks] : tasks.Select(t => new List<StudyTask> { t }))
            {
                foreach (var t in group)
                {
                    cache.Prepare(t);
                    foreach (var s in new[] { "out", "err" }) if (File.Exists(cache.Log(t, s))) File.Delete(cache.Log(t, s));
                }
                var after = group.SelectMany(t => t.DependsOn).Where(jobOf.ContainsKey).Select(d => jobOf[d]).Distinct().ToList();
                var id = Sbatch(SbatchArgv(list, step, group, after, o, script, launcher, experimentFile));
                var job = new SlurmJob(id, step, group.Select(t => t.Id).ToList());
                jobs.Add(job);
                foreach (var t in group) jobOf[t.Id] = id;
            }
        }
        var tracked = new Dictionary<string, string>(live);
        foreach (var j in jobs) for (int i = 0; i < j.Tasks.Count; i++) tracked[j.Tasks[i]] = j.SlurmId(i);
        WriteJobs(list, previous, tracked);
        if (o.NoWait || tracked.Count == 0) return (o.NoWait ? null : new RunSummary([], skipped, [], []), jobs);
        return (Wait(list, cache, tracked, skipped, o, progress, clock, cancel), jobs);
    }

    /// <summary>The sbatch command line: resources, array, dependencies, then the fixed script and the task's argv.</summary>
    public static List<string> SbatchArgv(TaskList list, string step, IReadOnlyList<StudyTask> group, IReadOnlyList<string> after,
        SlurmOptions o, string script, Launcher launcher, string experimentFile)
    {
        var r = list.ResourcesOf(group[0]);
        var logs = Path.Combine(list.Out, "logs", "slurm");
        Directory.CreateDirectory(logs);
        var name = group.Count > 1 ? $"{step}-%A_%a" : $"{step}-%j";
        var a = new List<string>
        {
            "--parsable", $"--job-name=facebrain-{step}", $"--output={Path.Combine(logs, name + ".log")}",
            $"--cpus-per-task={r.Cpus}", $"--mem={r.Memory}", $"--time={o.Time ?? r.Time}", "--kill-on-invalid-dep=yes",
        };
        if (o.Partition != null) a.Add($"--partition={o.Partition}");
        if (o.Account != null) a.Add($"--account={o.Account}");
        int gpus = o.Gpus is { } g && TaskResources.GpuSteps.Contains(step) ? g : r.Gpus;
        if (gpus > 0) a.Add($"--gpus-per-task={gpus}");
        if (group.Count > 1) a.Add($"--array=0-{group.Count - 1}" + (o.MaxParallel > 0 ? $"%{o.MaxParallel}" : ""));
        if (after.Count > 0) a.Add("--dependency=afterok:" + string.Join(":", after));
        a.AddRange(o.SbatchArgs);
        a.Add(script);
        a.Add(launcher.Program);
        a.AddRange(launcher.Prefix);
        a.AddRange(["run", experimentFile, "--out", list.Out, "--task", string.Join(",", group.Select(t => t.Id))]);
        return a;
    }

    static string WriteScript(string outDir)
    {
        var path = Path.Combine(outDir, ".slurm", "task.sh");
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        // Fixed text: the task's command comes as the script's arguments, never spliced into shell code. The task's
        // threads are set by the task runner from the step's CPUs, as the local executor sets them.
        File.WriteAllText(path, "#!/bin/sh\n# Written by `facebrain run --executor slurm`: runs one task; the command is this script's arguments.\n" +
                                "exec \"$@\"\n");
        return path;
    }

    static string Sbatch(List<string> argv)
    {
        var (code, stdout, stderr) = Tool("sbatch", argv);
        if (code != 0) throw new InputException($"sbatch refused the job (exit {code}): {stderr.Trim()}");
        return stdout.Trim().Split(';')[0];
    }

    /// <summary>Runs a SLURM client; a missing one is a one-line error, not a stack trace.</summary>
    public static (int Code, string Out, string Err) Tool(string program, IEnumerable<string> args)
    {
        var psi = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in args) psi.ArgumentList.Add(a);
        Process p;
        try { p = Process.Start(psi)!; }
        catch (System.ComponentModel.Win32Exception) { throw new InputException($"{program} not found: the SLURM executor needs the SLURM client tools on PATH"); }
        using (p)
        {
            var o = p.StandardOutput.ReadToEndAsync();
            var e = p.StandardError.ReadToEndAsync();
            p.WaitForExit();
            return (p.ExitCode, o.Result, e.Result);
        }
    }

    static readonly HashSet<string> ActiveStates = ["PENDING", "RUNNING", "CONFIGURING", "COMPLETING", "SUSPENDED", "REQUEUED", "REQUEUE_HOLD", "REQUEUE_FED", "RESIZING", "SIGNALING", "STAGE_OUT", "STOPPED"];

    /// <summary>Whether a squeue state means the job will still run or is running.</summary>
    public static bool IsActive(string state) => ActiveStates.Contains(state);

    /// <summary>
    /// SLURM id (job, or job_index for an array element) → state (PENDING, RUNNING, COMPLETED, CANCELLED, FAILED,
    /// TIMEOUT...), for the jobs squeue still knows: queued, running, or ended within the cluster's MinJobAge.
    /// </summary>
    public static Dictionary<string, string> States(IEnumerable<string> slurmIds)
    {
        var ids = slurmIds.Select(i => i.Split('_')[0]).Distinct().ToList();
        if (ids.Count == 0) return [];
        var (code, stdout, stderr) = Tool("squeue", ["-h", "-r", "-t", "all", "-o", "%i %T", "--jobs=" + string.Join(",", ids)]);
        if (code != 0 && stderr.Contains("Invalid job id")) return []; // purged: long finished
        if (code != 0) throw new InputException($"squeue failed (exit {code}): {stderr.Trim()}");
        var states = new Dictionary<string, string>();
        foreach (var line in stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            if (line.Split(' ') is [var id, var state]) states[id] = state;
        return states;
    }

    /// <summary>The tasks (not done) whose job from an earlier submission is still queued or running: task → SLURM id.</summary>
    public static Dictionary<string, string> Live(IReadOnlyDictionary<string, string> jobs, IReadOnlyCollection<string> done)
    {
        var open = jobs.Where(j => !done.Contains(j.Key)).ToList();
        var states = States(open.Select(j => j.Value));
        return open.Where(j => states.TryGetValue(j.Value, out var s) && IsActive(s)).ToDictionary(j => j.Key, j => j.Value);
    }

    static RunSummary Wait(TaskList list, TaskCache cache, IReadOnlyDictionary<string, string> tracked, IReadOnlyList<string> skipped,
                           SlurmOptions o, IProgress<RunEvent> progress, Stopwatch clock, CancellationToken cancel)
    {
        var reported = new HashSet<string>();
        int done = skipped.Count, total = list.Tasks.Count;
        Dictionary<string, string> states;
        while (true)
        {
            states = States(tracked.Values);
            foreach (var id in tracked.Keys.Where(id => !reported.Contains(id) && cache.IsDone(list[id])))
            {
                reported.Add(id);
                done++;
                progress.Report(new RunEvent(RunEventKind.Finished, list[id], done, total, clock.Elapsed, null, $"{cache.PreviousSeconds(list[id]):F1} s"));
            }
            var active = tracked.Where(t => !reported.Contains(t.Key) && states.TryGetValue(t.Value, out var s) && IsActive(s))
                                .Select(t => new ActiveTask(t.Key, t.Value, states[t.Value])).ToList();
            if (active.Count == 0) break;
            if (o.WaitTimeout is { } limit && clock.Elapsed >= limit)
            {
                // Stop waiting; the jobs keep running and a later run picks them up (Live).
                foreach (var a in active) progress.Report(new RunEvent(RunEventKind.Waiting, list[a.Task], done, total, clock.Elapsed, null, $"{a.State.ToLowerInvariant()} as SLURM job {a.JobId}"));
                return new RunSummary(reported.ToList(), skipped, [], [], [], active);
            }
            cancel.WaitHandle.WaitOne(o.Poll);
            cancel.ThrowIfCancellationRequested();
        }
        // A task without a record: cancelled (scancel) before or while running, failed (its log says why), or never
        // started because a task it depends on did not finish.
        var failed = new List<(StudyTask, string)>();
        var blocked = new List<string>();
        var cancelled = new List<string>();
        foreach (var t in list.Tasks.Where(t => tracked.ContainsKey(t.Id) && !reported.Contains(t.Id)))
        {
            var state = states.GetValueOrDefault(tracked[t.Id], "");
            var log = cache.Log(t, "err");
            bool upstreamLost = t.DependsOn.Any(d => blocked.Contains(d) || cancelled.Contains(d) || failed.Any(f => f.Item1.Id == d));
            if (state == "CANCELLED" && !upstreamLost)
            {
                cancelled.Add(t.Id);
                progress.Report(new RunEvent(RunEventKind.Cancelled, t, done, total, clock.Elapsed, null,
                    $"SLURM job {tracked[t.Id]} was cancelled {(File.Exists(log) ? "while running" : "before it started")}"));
            }
            else if (File.Exists(log) && state != "CANCELLED")
            {
                failed.Add((t, log));
                var why = state == "TIMEOUT" ? "its time limit was reached" : "no done record";
                progress.Report(new RunEvent(RunEventKind.Failed, t, done, total, clock.Elapsed, null, $"{why} (SLURM job {tracked[t.Id]}{(state.Length > 0 ? ", " + state : "")}); log: {log}"));
            }
            else
            {
                blocked.Add(t.Id);
                progress.Report(new RunEvent(RunEventKind.Blocked, t, done, total, clock.Elapsed, null, "its job never started (a task it depends on failed or was cancelled)"));
            }
        }
        return new RunSummary(reported.ToList(), skipped, failed, blocked, cancelled);
    }

    /// <summary>OUT/.slurm/jobs.tsv: every task's last SLURM id, in task order (earlier submissions' rows kept).</summary>
    static void WriteJobs(TaskList list, IReadOnlyDictionary<string, string> previous, IReadOnlyDictionary<string, string> now)
    {
        var lines = list.Tasks.Select(t => (t, id: now.GetValueOrDefault(t.Id) ?? previous.GetValueOrDefault(t.Id)))
                              .Where(x => x.id != null).Select(x => $"{x.id}\t{x.t.Step}\t{x.t.Id}\n");
        FaceBrain.Core.IO.AtomicFile.WriteAllText(JobsFile(list.Out), "slurm_id\tstep\ttask\n" + string.Join("", lines));
    }

    /// <summary>OUT/.slurm/jobs.tsv: the SLURM id each task was last submitted as.</summary>
    public static Dictionary<string, string> ReadJobs(string outDir)
    {
        var file = JobsFile(outDir);
        if (!File.Exists(file)) return [];
        return File.ReadAllLines(file).Skip(1).Select(l => l.Split('\t')).Where(c => c.Length == 3).ToDictionary(c => c[2], c => c[0]);
    }
}
