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
        [Description("Tasks run side by side as separate processes (run: default 1; demo: one per core, at most 4). Each runs with its step's CPUs as its thread count (the experiment's resources, default 1), as under SLURM, so both executors give the same bytes.")]
        public int? Jobs { get; init; }

        [CommandOption("--plan")]
        [Description("Print the task list (JSON: argv, inputs, outputs, dependencies) and run nothing.")]
        public bool Plan { get; init; }

        [CommandOption("--executor <NAME>")]
        [Description("local (default: processes on this machine) or slurm (job arrays on a SLURM cluster; docs/cluster.md).")]
        public string Executor { get; init; } = "local";

        [CommandOption("--task <IDS>")]
        [Description("Run only this task (what a SLURM job runs) and write its done record; with a comma list, the one at $SLURM_ARRAY_TASK_ID.")]
        public string? Task { get; init; }

        [CommandOption("--partition <P>")] [Description("slurm: the partition.")] public string? Partition { get; init; }
        [CommandOption("--account <A>")] [Description("slurm: the account.")] public string? Account { get; init; }
        [CommandOption("--time <HH:MM:SS>")] [Description("slurm: time limit of every task (default: the experiment's resources, else per step).")] public string? Time { get; init; }
        [CommandOption("--gpus <N>")] [Description("slurm: GPUs per task of the GPU steps (train, probe, extract); default: the experiment's resources, else 1 when the device is cuda and 0 otherwise. CPU steps never ask.")] public int? Gpus { get; init; }
        [CommandOption("--max-parallel <N>")] [Description("slurm: array tasks of a step running at once (--array=0-N%max; default no limit).")] public int MaxParallel { get; init; }
        [CommandOption("--sbatch-arg <ARG>")] [Description("slurm: one more sbatch argument (repeatable), e.g. --sbatch-arg=--qos=short.")] public string[] SbatchArgs { get; init; } = [];
        [CommandOption("--no-wait")] [Description("slurm: print the job ids and return; `facebrain status OUT` shows progress.")] public bool NoWait { get; init; }
        [CommandOption("--wait-timeout <DURATION>")] [Description("slurm: stop waiting after DURATION (e.g. 90s, 30m, 2h, 01:30:00) and exit 5, naming the jobs still queued or running; they keep running, `facebrain status OUT` shows them, and a later run resumes without submitting them again.")] public string? WaitTimeout { get; init; }
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
        // SIGINT/SIGTERM reach the runner through the CLI's interrupt token: it stops the running tasks' processes.
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellation, Interrupt.Token);
        cancellation = linked.Token;
        if (jobs < 1) throw new InputException($"--jobs {jobs}: must be 1 or more");
        if (s.Plan)
        {
            Console.WriteLine(StudyRun.PlanJson(run.Tasks));
            return 0;
        }
        if (s.Task != null) return SlurmRun.Task(run, s.Task, cancellation);
        if (s.Executor is not ("local" or "slurm")) throw new InputException($"--executor {s.Executor}: must be local or slurm");
        // An option the chosen executor does not use is refused, not ignored.
        var misplaced = s.Executor == "slurm"
            ? (s.Jobs != null ? new[] { "--jobs" } : [])
            : new (string Flag, bool Given)[]
              {
                  ("--partition", s.Partition != null), ("--account", s.Account != null), ("--time", s.Time != null), ("--gpus", s.Gpus != null),
                  ("--max-parallel", s.MaxParallel != 0), ("--sbatch-arg", s.SbatchArgs.Length > 0), ("--no-wait", s.NoWait), ("--wait-timeout", s.WaitTimeout != null),
              }.Where(o => o.Given).Select(o => o.Flag).ToArray();
        if (misplaced.Length > 0)
            throw new InputException($"{string.Join(", ", misplaced)}: not an option of --executor {s.Executor}" +
                                     (s.Executor == "slurm" ? " (SLURM runs as many tasks at once as it schedules; --max-parallel limits an array)" : " (add --executor slurm)"));
        var progress = new Progress(Console.Error);
        var summary = s.Executor == "slurm" ? SlurmRun.Submit(run, s, progress, cancellation)
            : StudyRun.Execute(run, VerbOptions.Self(), VerbOptions.Version, jobs, progress, cancellation);
        if (summary == null) return 0; // --no-wait: the jobs are submitted
        var layout = new OutLayout(run.Experiment.Out);
        Console.Error.WriteLine($"run: {summary.Ran.Count} tasks ran, {summary.Skipped.Count} up to date; logs in {Path.Combine(layout.Out, "logs")}");
        if (summary.ActiveTasks.Count > 0 && summary.Failed.Count == 0)
        {
            Console.Error.WriteLine($"run: stopped waiting after {s.WaitTimeout}: {summary.FailureMessage()}. The jobs keep running; " +
                                    $"`facebrain status {layout.Out}` shows them, and running the same command again waits for them without submitting them again");
            return RunSummary.StillRunningExitCode;
        }
        if (!summary.Succeeded)
        {
            Console.Error.WriteLine($"facebrain: error: {summary.FailureMessage()}" +
                                    (summary.CancelledTasks.Count > 0 ? "; run the same command again to resume" : ""));
            return 1;
        }
        if (File.Exists(layout.StudyTable)) Console.Write(File.ReadAllText(layout.StudyTable));
        var index = Path.Combine(layout.Report, "index.html");
        if (File.Exists(index)) Console.WriteLine($"report: {index}");
        return 0;
    }

    /// <summary>Prints each event as it happens (not through a SynchronizationContext: the runner blocks its thread).</summary>
    internal sealed class Progress(TextWriter w) : IProgress<RunEvent>
    {
        public void Report(RunEvent e) { lock (w) w.WriteLine(e.ToString()); }
    }
}
