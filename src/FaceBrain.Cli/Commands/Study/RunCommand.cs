using System.ComponentModel;
using FaceBrain.Core;
using FaceBrain.Study;
using FaceBrain.Study.Plan;
using FaceBrain.Study.Run;
using Spectre.Console.Cli;

namespace FaceBrain.Cli.Commands.Study;

/// <summary>`facebrain run EXPERIMENT.json`: validate, plan and run an experiment's tasks (FaceBrain.Study).</summary>
public sealed class RunCommand : Command<RunCommand.Settings>
{
    public class RunSettings : CommandSettings
    {
        [CommandOption("--out <DIR>")]
        [Description("Output folder (default: the experiment file's 'out'). The same experiment in another folder gives the same results.")]
        public string? Out { get; init; }

        [CommandOption("--jobs <N>")]
        [Description("Tasks run side by side as separate processes, sharing the cores (default 1; each gets its share of the cores through OMP_NUM_THREADS).")]
        public int? Jobs { get; init; }

        [CommandOption("--plan")]
        [Description("Print the task list (JSON: argv, inputs, outputs, dependencies) and run nothing.")]
        public bool Plan { get; init; }
    }

    public sealed class Settings : RunSettings
    {
        [CommandArgument(0, "<EXPERIMENT>")]
        [Description("Experiment file (JSON; docs/experiments.md).")]
        public string Experiment { get; init; } = "";
    }

    public override int Execute(CommandContext context, Settings s, CancellationToken cancellation)
    {
        var run = StudyRun.PrepareFile(s.Experiment, VerbOptions.Catalogue, s.Out);
        return Go(run, s, s.Jobs ?? 1, cancellation);
    }

    /// <summary>The part `run` and `demo` share: print the plan, or run it and print the study's table.</summary>
    internal static int Go(PreparedRun run, RunSettings s, int jobs, CancellationToken cancellation)
    {
        if (jobs < 1) throw new InputException($"--jobs {jobs}: must be 1 or more");
        if (s.Plan)
        {
            Console.WriteLine(StudyRun.PlanJson(run.Tasks));
            return 0;
        }
        var progress = new Progress(Console.Error);
        var summary = StudyRun.Execute(run, VerbOptions.Self(), VerbOptions.Version, jobs, progress, cancellation);
        var layout = new OutLayout(run.Experiment.Out);
        Console.Error.WriteLine($"run: {summary.Ran.Count} tasks ran, {summary.Skipped.Count} up to date; logs in {Path.Combine(layout.Out, "logs")}");
        if (!summary.Succeeded)
        {
            Console.Error.WriteLine($"facebrain: error: {summary.FailureMessage()}");
            return 1;
        }
        if (File.Exists(layout.StudyTable)) Console.Write(File.ReadAllText(layout.StudyTable));
        var index = Path.Combine(layout.Report, "index.html");
        if (File.Exists(index)) Console.WriteLine($"report: {index}");
        return 0;
    }

    /// <summary>Prints each event as it happens (not through a SynchronizationContext: the runner blocks its thread).</summary>
    sealed class Progress(TextWriter w) : IProgress<RunEvent>
    {
        public void Report(RunEvent e) { lock (w) w.WriteLine(e.ToString()); }
    }
}
