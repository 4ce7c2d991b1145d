using FaceBrain.Core;
using FaceBrain.Study;
using FaceBrain.Study.Run;

namespace FaceBrain.Cli.Commands.Study;

/// <summary>The `run` options for SLURM wired to FaceBrain.Study: submitting a run, and running one task inside a job.</summary>
static class SlurmRun
{
    public static RunSummary? Submit(PreparedRun run, RunCommand.RunSettings s, IProgress<RunEvent> progress, CancellationToken cancel)
    {
        if (s.MaxParallel < 0) throw new InputException($"--max-parallel {s.MaxParallel}: must be 0 (no limit) or more");
        if (s.Gpus is < 0) throw new InputException($"--gpus {s.Gpus}: must be 0 or more");
        var file = StudyRun.KeepExperiment(run);
        var cache = new TaskCache(run.Tasks, VerbOptions.Version);
        var options = new SlurmOptions(s.Partition, s.Account, s.Time, s.Gpus, s.MaxParallel, s.SbatchArgs, s.NoWait, TimeSpan.FromSeconds(2));
        var (summary, jobs) = SlurmExecutor.Run(run.Tasks, cache, file, VerbOptions.Self(),
            run.Experiment.Device.StartsWith("cuda", StringComparison.Ordinal), options, progress, cancel);
        foreach (var j in jobs) Console.Error.WriteLine($"run: {j.Step}: SLURM job {j.JobId} ({j.Tasks.Count} task{(j.Tasks.Count > 1 ? "s, an array" : "")})");
        if (summary == null) foreach (var j in jobs) Console.WriteLine(j.JobId);
        return summary;
    }

    public static int Task(PreparedRun run, string ids, CancellationToken cancel)
    {
        var id = TaskRunner.Pick(ids.Split(','), Environment.GetEnvironmentVariable("SLURM_ARRAY_TASK_ID"));
        Console.Error.WriteLine($"facebrain: task {id}");
        var code = TaskRunner.RunOne(run.Tasks, new TaskCache(run.Tasks, VerbOptions.Version), id, VerbOptions.Self(), cancel);
        if (code != 0) Console.Error.WriteLine($"facebrain: error: task {id} failed (exit {code}); see its log under {Path.Combine(run.Experiment.Out, "logs")}");
        return code;
    }
}
