using System.Diagnostics;
using FaceBrain.Core;
using FaceBrain.Study.Plan;

namespace FaceBrain.Study.Run;

/// <summary>What `run --executor slurm` asks of the cluster; null means "the step's default" or "leave it to SLURM".</summary>
public sealed record SlurmOptions(string? Partition, string? Account, string? Time, int? Gpus, int MaxParallel,
                                  IReadOnlyList<string> SbatchArgs, bool NoWait, TimeSpan Poll);

/// <summary>A step's request per task. GPU steps ask for GPUs (when the run has any to ask for); CPU steps never do.</summary>
public sealed record StepResources(int Cpus, string Memory, string Time, bool Gpu)
{
    static readonly Dictionary<string, StepResources> Defaults = new()
    {
        ["data"] = new(1, "2G", "01:00:00", false), ["train"] = new(1, "16G", "24:00:00", true),
        ["probe"] = new(1, "8G", "04:00:00", true), ["extract"] = new(1, "8G", "04:00:00", true),
        ["analyse"] = new(1, "8G", "04:00:00", false), ["fmri"] = new(1, "4G", "01:00:00", false),
        ["encode"] = new(1, "8G", "04:00:00", false), ["report"] = new(1, "2G", "00:30:00", false),
    };

    public static StepResources Of(string step) => Defaults.GetValueOrDefault(step, new(1, "4G", "01:00:00", false));
}

/// <summary>One submitted SLURM job: a step's missing tasks as an array (index i runs Tasks[i]) or one task alone.</summary>
public sealed record SlurmJob(string JobId, string Step, IReadOnlyList<string> Tasks)
{
    public string SlurmId(int index) => Tasks.Count > 1 ? $"{JobId}_{index}" : JobId;
}

/// <summary>
/// Runs a task list on SLURM, which does the scheduling: each step's missing or failed tasks become one job array
/// (or one job), afterok-dependent on the jobs holding the tasks they depend on. Each job runs
/// `facebrain run OUT/experiment.json --out OUT --task IDS`, which writes the done record itself (TaskRunner);
/// the runner only submits, polls squeue, and reads the records and logs.
/// </summary>
public static class SlurmExecutor
{
    public static string JobsFile(string outDir) => Path.Combine(outDir, ".slurm", "jobs.tsv");

    public static (RunSummary? Summary, IReadOnlyList<SlurmJob> Jobs) Run(TaskList list, TaskCache cache, string experimentFile,
        Launcher launcher, bool gpuRun, SlurmOptions o, IProgress<RunEvent> progress, CancellationToken cancel = default)
    {
        var clock = Stopwatch.StartNew();
        var skipped = list.Tasks.Where(cache.IsDone).Select(t => t.Id).ToList();
        var pending = list.Tasks.Where(t => !skipped.Contains(t.Id)).ToList();
        int total = list.Tasks.Count;
        progress.Report(new RunEvent(RunEventKind.Planned, null, skipped.Count, total, clock.Elapsed, null,
            $"{skipped.Count} up to date, {pending.Count} to submit to SLURM"));
        foreach (var t in list.Tasks.Where(t => skipped.Contains(t.Id))) progress.Report(new RunEvent(RunEventKind.Skipped, t, skipped.Count, total, clock.Elapsed, null, ""));

        var script = WriteScript(list.Out);
        var jobs = new List<SlurmJob>();
        var jobOf = new Dictionary<string, string>();
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
                var id = Sbatch(SbatchArgv(list.Out, step, group, after, gpuRun, o, script, launcher, experimentFile));
                var job = new SlurmJob(id, step, group.Select(t => t.Id).ToList());
                jobs.Add(job);
                foreach (var t in group) jobOf[t.Id] = id;
            }
        }
        WriteJobs(list.Out, jobs);
        if (o.NoWait || jobs.Count == 0) return (o.NoWait ? null : new RunSummary([], skipped, [], []), jobs);
        return (Wait(list, cache, jobs, skipped, total, o.Poll, progress, clock, cancel), jobs);
    }

    /// <summary>The sbatch command line: resources, array, dependencies, then the fixed script and the task's argv.</summary>
    public static List<string> SbatchArgv(string outDir, string step, IReadOnlyList<StudyTask> group, IReadOnlyList<string> after,
        bool gpuRun, SlurmOptions o, string script, Launcher launcher, string experimentFile)
    {
        var r = StepResources.Of(step);
        var logs = Path.Combine(outDir, "logs", "slurm");
        Directory.CreateDirectory(logs);
        var name = group.Count > 1 ? $"{step}-%A_%a" : $"{step}-%j";
        var a = new List<string>
        {
            "--parsable", $"--job-name=facebrain-{step}", $"--output={Path.Combine(logs, name + ".log")}",
            $"--cpus-per-task={r.Cpus}", $"--mem={r.Memory}", $"--time={o.Time ?? r.Time}", "--kill-on-invalid-dep=yes",
        };
        if (o.Partition != null) a.Add($"--partition={o.Partition}");
        if (o.Account != null) a.Add($"--account={o.Account}");
        int gpus = o.Gpus ?? (gpuRun ? 1 : 0);
        if (r.Gpu && gpus > 0) a.Add($"--gpus-per-task={gpus}");
        if (group.Count > 1) a.Add($"--array=0-{group.Count - 1}" + (o.MaxParallel > 0 ? $"%{o.MaxParallel}" : ""));
        if (after.Count > 0) a.Add("--dependency=afterok:" + string.Join(":", after));
        a.AddRange(o.SbatchArgs);
        a.Add(script);
        a.Add(launcher.Program);
        a.AddRange(launcher.Prefix);
        a.AddRange(["run", experimentFile, "--out", outDir, "--task", string.Join(",", group.Select(t => t.Id))]);
        return a;
    }

    static string WriteScript(string outDir)
    {
        var path = Path.Combine(outDir, ".slurm", "task.sh");
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        // Fixed text: the task's command comes as the script's arguments, never spliced into shell code.
        File.WriteAllText(path, "#!/bin/sh\n# Written by `facebrain run --executor slurm`: runs one task; the command is this script's arguments.\n" +
                                "export OMP_NUM_THREADS=\"${OMP_NUM_THREADS:-${SLURM_CPUS_PER_TASK:-1}}\"\nexec \"$@\"\n");
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
        catch (System.ComponentModel.Win32Exception) { throw new InputException($"{program} not found: --executor slurm needs the SLURM client tools on PATH"); }
        using (p)
        {
            var o = p.StandardOutput.ReadToEndAsync();
            var e = p.StandardError.ReadToEndAsync();
            p.WaitForExit();
            return (p.ExitCode, o.Result, e.Result);
        }
    }

    /// <summary>The SLURM ids (job or job_index) still queued or running, from squeue (one line per array element).</summary>
    public static HashSet<string> Active(IEnumerable<string> jobIds)
    {
        var ids = jobIds.Distinct().ToList();
        if (ids.Count == 0) return [];
        var (code, stdout, stderr) = Tool("squeue", ["-h", "-r", "-o", "%i", "--jobs=" + string.Join(",", ids)]);
        if (code != 0 && stderr.Contains("Invalid job id")) return []; // purged: long finished
        if (code != 0) throw new InputException($"squeue failed (exit {code}): {stderr.Trim()}");
        return stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToHashSet();
    }

    static RunSummary Wait(TaskList list, TaskCache cache, IReadOnlyList<SlurmJob> jobs, IReadOnlyList<string> skipped, int total,
                           TimeSpan poll, IProgress<RunEvent> progress, Stopwatch clock, CancellationToken cancel)
    {
        var reported = new HashSet<string>();
        int done = skipped.Count;
        while (true)
        {
            var active = Active(jobs.Select(j => j.JobId));
            foreach (var j in jobs)
                foreach (var id in j.Tasks.Where(id => !reported.Contains(id) && cache.IsDone(list[id])))
                {
                    reported.Add(id);
                    done++;
                    progress.Report(new RunEvent(RunEventKind.Finished, list[id], done, total, clock.Elapsed, null, $"{cache.PreviousSeconds(list[id]):F1} s"));
                }
            if (active.Count == 0) break;
            cancel.WaitHandle.WaitOne(poll);
            cancel.ThrowIfCancellationRequested();
        }
        var failed = new List<(StudyTask, string)>();
        var blocked = new List<string>();
        foreach (var id in jobs.SelectMany(j => j.Tasks).Where(id => !reported.Contains(id)))
        {
            var t = list[id];
            var log = cache.Log(t, "err");
            if (File.Exists(log))
            {
                failed.Add((t, log));
                progress.Report(new RunEvent(RunEventKind.Failed, t, done, total, clock.Elapsed, null, $"no done record (failed or cancelled); log: {log}"));
            }
            else
            {
                blocked.Add(id);
                progress.Report(new RunEvent(RunEventKind.Blocked, t, done, total, clock.Elapsed, null, "its job never started (a task it depends on failed, or it was cancelled)"));
            }
        }
        return new RunSummary(reported.ToList(), skipped, failed, blocked);
    }

    static void WriteJobs(string outDir, IReadOnlyList<SlurmJob> jobs)
    {
        var lines = jobs.SelectMany(j => j.Tasks.Select((t, i) => $"{j.SlurmId(i)}\t{j.Step}\t{t}"));
        FaceBrain.Core.IO.AtomicFile.WriteAllText(JobsFile(outDir), "slurm_id\tstep\ttask\n" + string.Join("", lines.Select(l => l + "\n")));
    }

    /// <summary>OUT/.slurm/jobs.tsv: the SLURM id each task was last submitted as.</summary>
    public static Dictionary<string, string> ReadJobs(string outDir)
    {
        var file = JobsFile(outDir);
        if (!File.Exists(file)) return [];
        return File.ReadAllLines(file).Skip(1).Select(l => l.Split('\t')).Where(c => c.Length == 3).ToDictionary(c => c[2], c => c[0]);
    }
}
