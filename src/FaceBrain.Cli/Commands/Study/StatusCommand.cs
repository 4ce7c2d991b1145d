using System.ComponentModel;
using FaceBrain.Core;
using FaceBrain.Study;
using FaceBrain.Study.Plan;
using FaceBrain.Study.Run;
using Spectre.Console.Cli;

namespace FaceBrain.Cli.Commands.Study;

/// <summary>
/// `facebrain status OUT`: done/running/failed/cancelled/not run per step of the experiment kept in OUT; exit 1
/// when a task failed or was cancelled.
/// </summary>
public sealed class StatusCommand : Command<StatusCommand.Settings>
{
    public sealed class Settings : CommandSettings
    {
        [CommandArgument(0, "<OUT>")]
        [Description("An experiment's output folder (it holds experiment.json).")]
        public string Out { get; init; } = "";
    }

    public override int Execute(CommandContext context, Settings s, CancellationToken cancellation)
    {
        var outDir = Path.GetFullPath(s.Out);
        var file = new OutLayout(outDir).ExperimentFile;
        if (!File.Exists(file)) throw new InputException(file, "no experiment.json here: not an experiment's output folder");
        var run = StudyRun.PrepareFile(file, VerbOptions.Catalogue, outDir);
        var cache = new TaskCache(run.Tasks, VerbOptions.Version, m => Console.Error.WriteLine($"status: warning: {m}"));
        var steps = StudyStatus.Of(run.Tasks, cache, SlurmExecutor.States);
        Console.WriteLine("step\tdone\trunning\tfailed\tcancelled\tnot_run");
        foreach (var st in steps) Console.WriteLine($"{st.Step}\t{st.Done}\t{st.Running}\t{st.Failed}\t{st.Cancelled}\t{st.NotRun}");
        foreach (var a in steps.SelectMany(st => st.RunningTasks)) Console.Error.WriteLine($"status: {a.State.ToLowerInvariant()}: {a.Task} (SLURM job {a.JobId})");
        foreach (var log in steps.SelectMany(st => st.FailedLogs)) Console.Error.WriteLine($"status: failed: {log}");
        return steps.Any(st => st.Failed > 0 || st.Cancelled > 0) ? 1 : 0;
    }
}
