using System.Globalization;
using System.Text.RegularExpressions;
using FaceBrain.Core;
using FaceBrain.Study;
using FaceBrain.Study.Experiment;
using FaceBrain.Study.Plan;
using FaceBrain.Study.Run;

namespace FaceBrain.Cli.Commands.Study;

/// <summary>The `run` options for SLURM wired to FaceBrain.Study: submitting a run, and running one task inside a job.</summary>
static partial class SlurmRun
{
    public static RunSummary? Submit(PreparedRun run, RunCommand.RunSettings s, IProgress<RunEvent> progress, CancellationToken cancel)
    {
        if (s.MaxParallel < 0) throw new InputException($"--max-parallel {s.MaxParallel}: must be 0 (no limit) or more");
        if (s.Gpus is < 0) throw new InputException($"--gpus {s.Gpus}: must be 0 or more");
        if (s.Time != null && !ResourceRequest.IsTime(s.Time)) throw new InputException($"--time {s.Time}: expected HH:MM:SS or D-HH:MM:SS");
        var timeout = s.WaitTimeout is { } w ? Duration(w) : (TimeSpan?)null;
        if (timeout != null && s.NoWait) throw new InputException("--wait-timeout and --no-wait: give one of them");
        RefuseChangeUnderLiveJobs(run);
        var file = StudyRun.KeepExperiment(run);
        var cache = new TaskCache(run.Tasks, VerbOptions.Version, m => progress.Report(RunEvent.Warn(m)));
        var options = new SlurmOptions(s.Partition, s.Account, s.Time, s.Gpus, s.MaxParallel, s.SbatchArgs, s.NoWait, TimeSpan.FromSeconds(2), timeout);
        var (summary, jobs) = SlurmExecutor.Run(run.Tasks, cache, file, VerbOptions.Self(), options, progress, cancel);
        foreach (var j in jobs) Console.Error.WriteLine($"run: {j.Step}: SLURM job {j.JobId} ({j.Tasks.Count} task{(j.Tasks.Count > 1 ? "s, an array" : "")})");
        if (summary == null) foreach (var j in jobs) Console.WriteLine(j.JobId);
        return summary;
    }

    /// <summary>
    /// Jobs of an earlier submission read OUT/experiment.json when they start; while any is queued or running, the
    /// file must not change under them.
    /// </summary>
    static void RefuseChangeUnderLiveJobs(PreparedRun run)
    {
        var kept = new OutLayout(run.Experiment.Out).ExperimentFile;
        if (!File.Exists(kept) || File.ReadAllText(kept) == run.ExperimentJson) return;
        var jobs = SlurmExecutor.ReadJobs(run.Experiment.Out);
        if (jobs.Count == 0) return;
        var live = SlurmExecutor.Live(jobs, []);
        if (live.Count > 0)
            throw new InputException(kept, $"the experiment changed while {live.Count} task(s) of an earlier submission are queued or running " +
                                           $"(SLURM {string.Join(", ", live.Values.Distinct())}); wait for them or scancel them first");
    }

    /// <summary>A wait: 90s, 30m, 2h, 1d, or HH:MM:SS.</summary>
    static TimeSpan Duration(string text)
    {
        var m = DurationRegex().Match(text);
        TimeSpan? t = m.Success
            ? double.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture) * m.Groups[2].Value switch { "s" => TimeSpan.FromSeconds(1), "m" => TimeSpan.FromMinutes(1), "h" => TimeSpan.FromHours(1), _ => TimeSpan.FromDays(1) }
            : TimeSpan.TryParseExact(text, @"hh\:mm\:ss", CultureInfo.InvariantCulture, out var hms) ? hms : null;
        if (t is not { } d || d <= TimeSpan.Zero) throw new InputException($"--wait-timeout {text}: expected a positive duration such as 90s, 30m, 2h or 01:30:00");
        return d;
    }

    [GeneratedRegex(@"^([0-9]+(?:\.[0-9]+)?)([smhd])$")]
    private static partial Regex DurationRegex();

    public static int Task(PreparedRun run, string ids, CancellationToken cancel)
    {
        var id = TaskRunner.Pick(ids.Split(','), Environment.GetEnvironmentVariable("SLURM_ARRAY_TASK_ID"));
        Console.Error.WriteLine($"facebrain: task {id}");
        var cache = new TaskCache(run.Tasks, VerbOptions.Version, m => Console.Error.WriteLine($"facebrain: warning: {m}"));
        var code = TaskRunner.RunOne(run.Tasks, cache, id, VerbOptions.Self(), cancel);
        if (code != 0) Console.Error.WriteLine($"facebrain: error: task {id} failed (exit {code}); see its log under {Path.Combine(run.Experiment.Out, "logs")}");
        return code;
    }
}
