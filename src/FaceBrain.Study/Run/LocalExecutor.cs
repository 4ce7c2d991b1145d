using System.Diagnostics;
using FaceBrain.Study.Plan;

namespace FaceBrain.Study.Run;

/// <summary>How to start `facebrain`: the program and the arguments before the verb (e.g. dotnet facebrain.dll).</summary>
public sealed record Launcher(string Program, IReadOnlyList<string> Prefix);

public enum RunEventKind { Planned, Skipped, Started, Finished, Failed, Blocked, Cancelled, Waiting, Warning }

/// <summary>What the executor is doing, for the progress lines on stderr (the library prints nothing itself).</summary>
public sealed record RunEvent(RunEventKind Kind, StudyTask? Task, int Done, int Total, TimeSpan Elapsed, TimeSpan? Eta, string Detail)
{
    public static RunEvent Warn(string message) => new(RunEventKind.Warning, null, 0, 0, TimeSpan.Zero, null, message);

    public override string ToString()
    {
        string eta = Eta is { } e ? $", ETA {e:hh\\:mm\\:ss}" : "";
        string at = $"[{Done}/{Total} {Elapsed:hh\\:mm\\:ss}{eta}]";
        return Kind switch
        {
            RunEventKind.Planned => $"run: {Total} tasks, {Detail}",
            RunEventKind.Skipped => $"run: {Task!.Step}: {Task.Id} is up to date",
            RunEventKind.Started => $"run: {at} {Task!.Step}: {Task.Description}",
            RunEventKind.Finished => $"run: {at} {Task!.Step}: {Task.Id} done in {Detail}",
            RunEventKind.Failed => $"run: {at} {Task!.Step}: {Task.Id} FAILED: {Detail}",
            RunEventKind.Cancelled => $"run: {at} {Task!.Step}: {Task.Id} CANCELLED: {Detail}",
            RunEventKind.Waiting => $"run: {Task!.Step}: {Task.Id} still {Detail}",
            RunEventKind.Warning => $"run: warning: {Detail}",
            _ => $"run: {Task!.Step}: {Task.Id} not run: {Detail}",
        };
    }
}

/// <summary>A task a scheduler still holds when the runner stops waiting: its job id and state (PENDING, RUNNING...).</summary>
public sealed record ActiveTask(string Task, string JobId, string State);

/// <summary>
/// The outcome of a run: what ran, what the cache answered, what failed (with its log), was blocked, was cancelled
/// by the scheduler's user (scancel), or was still queued or running when the runner stopped waiting.
/// </summary>
public sealed record RunSummary(IReadOnlyList<string> Ran, IReadOnlyList<string> Skipped,
                                IReadOnlyList<(StudyTask Task, string Log)> Failed, IReadOnlyList<string> Blocked,
                                IReadOnlyList<string>? Cancelled = null, IReadOnlyList<ActiveTask>? Active = null)
{
    /// <summary>The exit code of a run that stopped waiting while its jobs keep running (docs/reliability.md).</summary>
    public const int StillRunningExitCode = 5;

    public IReadOnlyList<string> CancelledTasks => Cancelled ?? [];
    public IReadOnlyList<ActiveTask> ActiveTasks => Active ?? [];

    public bool Succeeded => Failed.Count == 0 && Blocked.Count == 0 && CancelledTasks.Count == 0 && ActiveTasks.Count == 0;

    public string FailureMessage() => string.Join("; ", new[]
    {
        Failed.Count > 0 ? $"failed step(s): {string.Join(", ", Failed.Select(f => f.Task.Step).Distinct())}; " +
                           string.Join("; ", Failed.Select(f => $"{f.Task.Id} (log: {f.Log})")) : "",
        CancelledTasks.Count > 0 ? $"cancelled: {string.Join(", ", CancelledTasks)}" : "",
        Blocked.Count > 0 ? $"not run because of them: {string.Join(", ", Blocked)}" : "",
        ActiveTasks.Count > 0 ? $"still queued or running: {string.Join(", ", ActiveTasks.Select(a => $"{a.Task} (job {a.JobId}, {a.State})"))}" : "",
    }.Where(x => x.Length > 0));
}

/// <summary>
/// Runs a task list on this machine: sequentially, or up to <c>jobs</c> `facebrain` processes at once, each with
/// its step's CPUs as its thread count (TaskList.ResourcesOf), as a SLURM job would have. Tasks whose cache is valid are skipped; a failed task blocks only the tasks below it.
/// </summary>
public static class LocalExecutor
{
    // First-run guesses of a task's seconds by step, replaced by measured times as they come.
    static readonly Dictionary<string, double> Guess = new()
    {
        ["data"] = 5, ["train"] = 60, ["probe"] = 20, ["extract"] = 10, ["analyse"] = 40, ["fmri"] = 5, ["encode"] = 20, ["report"] = 5,
    };

    public static RunSummary Run(TaskList list, TaskCache cache, Launcher launcher, int jobs, IProgress<RunEvent> progress,
                                 CancellationToken cancel = default)
    {
        jobs = Math.Max(1, jobs);
        var clock = Stopwatch.StartNew();
        var skipped = list.Tasks.Where(cache.IsDone).Select(t => t.Id).ToHashSet();
        var pending = list.Tasks.Where(t => !skipped.Contains(t.Id)).ToList();
        int total = list.Tasks.Count, done = skipped.Count;
        progress.Report(new RunEvent(RunEventKind.Planned, null, done, total, clock.Elapsed, null,
            $"{skipped.Count} up to date, {pending.Count} to run" + (jobs > 1 ? $" ({jobs} at a time)" : "")));
        foreach (var t in list.Tasks.Where(t => skipped.Contains(t.Id))) progress.Report(new RunEvent(RunEventKind.Skipped, t, done, total, clock.Elapsed, null, ""));

        var estimate = pending.ToDictionary(t => t.Id, t => cache.PreviousSeconds(t) ?? Guess.GetValueOrDefault(t.Step, 10));
        var measured = new Dictionary<string, List<double>>();
        double Estimate(StudyTask t) => cache.PreviousSeconds(t) is { } s ? s
            : measured.TryGetValue(t.Step, out var m) ? m.Average() : estimate[t.Id];
        var ran = new List<string>();
        var failed = new List<(StudyTask, string)>();
        var blocked = new List<string>();
        var succeeded = new HashSet<string>(skipped);
        var running = new Dictionary<Task<(int Code, double Seconds)>, (StudyTask Task, DateTime Start)>();

        TimeSpan Eta()
        {
            double left = pending.Sum(Estimate) + running.Values.Sum(r => Math.Max(0, Estimate(r.Task) - (DateTime.UtcNow - r.Start).TotalSeconds));
            return TimeSpan.FromSeconds(Math.Round(left / jobs));
        }

        while (pending.Count > 0 || running.Count > 0)
        {
            // Tasks below a failed one cannot run.
            foreach (var t in pending.Where(t => t.DependsOn.Any(d => failed.Any(f => f.Item1.Id == d) || blocked.Contains(d))).ToList())
            {
                pending.Remove(t);
                blocked.Add(t.Id);
                progress.Report(new RunEvent(RunEventKind.Blocked, t, done, total, clock.Elapsed, null, "a task it depends on failed"));
            }
            foreach (var t in pending.Where(t => t.DependsOn.All(succeeded.Contains)).Take(jobs - running.Count).ToList())
            {
                pending.Remove(t);
                cache.Prepare(t);
                progress.Report(new RunEvent(RunEventKind.Started, t, done, total, clock.Elapsed, Eta(), ""));
                running[Start(t, cache, launcher, list.ResourcesOf(t).Cpus, cancel)] = (t, DateTime.UtcNow);
            }
            if (running.Count == 0) break; // nothing can start: everything left is blocked
            var finished = Task.WhenAny(running.Keys).GetAwaiter().GetResult();
            var (task, _) = running[finished];
            running.Remove(finished);
            var (code, seconds) = finished.GetAwaiter().GetResult();
            done++;
            if (code == 0)
            {
                cache.Complete(task, seconds);
                succeeded.Add(task.Id);
                ran.Add(task.Id);
                if (!measured.TryGetValue(task.Step, out var list2)) measured[task.Step] = list2 = [];
                list2.Add(seconds);
                progress.Report(new RunEvent(RunEventKind.Finished, task, done, total, clock.Elapsed, Eta(), $"{seconds:F1} s"));
            }
            else
            {
                var log = cache.Log(task, "err");
                failed.Add((task, log));
                progress.Report(new RunEvent(RunEventKind.Failed, task, done, total, clock.Elapsed, null, $"exit code {code}; {LastLine(log)} (log: {log})"));
            }
        }
        return new RunSummary(ran, list.Tasks.Where(t => skipped.Contains(t.Id)).Select(t => t.Id).ToList(), failed, blocked);
    }

    // Shared with TaskRunner, which runs one task the same way inside a scheduler's job.
    internal static Task<(int, double)> Start(StudyTask t, TaskCache cache, Launcher launcher, int threads, CancellationToken cancel)
    {
        var psi = new ProcessStartInfo(launcher.Program) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in launcher.Prefix.Concat(t.Argv)) psi.ArgumentList.Add(a);
        // The task's threads are its step's CPUs under every executor (not this machine's cores or the caller's
        // OMP_NUM_THREADS): threaded sums add in another order on another thread count, and the bytes would differ.
        foreach (var v in new[] { "OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS" }) psi.Environment[v] = threads.ToString();
        // The task process stops when this one is gone, even after a kill -9 (the CLI watches its parent).
        psi.Environment["FACEBRAIN_PARENT_PID"] = Environment.ProcessId.ToString();
        var outLog = cache.Log(t, "out");
        var errLog = cache.Log(t, "err");
        Directory.CreateDirectory(Path.GetDirectoryName(outLog)!);
        return Task.Run(async () =>
        {
            var sw = Stopwatch.StartNew();
            using var p = Process.Start(psi) ?? throw new InvalidOperationException($"could not start {launcher.Program}");
            await using (var o = File.Create(outLog))
            await using (var e = File.Create(errLog))
            {
                var copyOut = p.StandardOutput.BaseStream.CopyToAsync(o, cancel);
                var copyErr = p.StandardError.BaseStream.CopyToAsync(e, cancel);
                try { await p.WaitForExitAsync(cancel); }
                catch (OperationCanceledException) { await Stop(p); throw; }
                await Task.WhenAll(copyOut, copyErr);
            }
            return (p.ExitCode, sw.Elapsed.TotalSeconds);
        }, cancel);
    }

    /// <summary>SIGTERM first, so the task removes its own temporaries; killed if it has not stopped soon after.</summary>
    static async Task Stop(Process p)
    {
        try
        {
            if (OperatingSystem.IsLinux() && Signal(p.Id, 15) == 0)
            {
                using var soon = new CancellationTokenSource(TimeSpan.FromMilliseconds(700));
                try { await p.WaitForExitAsync(soon.Token); return; } catch (OperationCanceledException) { }
            }
            p.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException) { } // it has already exited
        catch (System.ComponentModel.Win32Exception) { }
    }

    [System.Runtime.InteropServices.DllImport("libc", EntryPoint = "kill")]
    static extern int Signal(int pid, int signal);

    static string LastLine(string log)
    {
        try
        {
            var lines = File.ReadAllLines(log).Where(l => l.Trim().Length > 0).ToArray();
            return lines.LastOrDefault(l => l.Contains("error")) ?? lines.LastOrDefault() ?? "no output";
        }
        catch (IOException) { return "no log"; }
    }
}
