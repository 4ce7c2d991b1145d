using System.ComponentModel;
using FaceBrain.Study;
using Spectre.Console.Cli;

namespace FaceBrain.Cli.Commands.Study;

/// <summary>
/// `facebrain demo`: the study end to end on synthetic faces and simulated fMRI. It writes its experiment
/// (configs/demo.json with the seed and device applied) as OUT/experiment.json and runs it like any other.
/// </summary>
public sealed class DemoCommand : Command<DemoCommand.Settings>
{
    public sealed class Settings : RunCommand.RunSettings
    {
        [CommandOption("--seed <N>")] [Description("Seed of every step (default 1).")] public long? Seed { get; init; }
        [CommandOption("--device <DEVICE>")] [Description("cpu (default), auto, cuda or cuda:N.")] public string? Device { get; init; }
        [CommandOption("--quick")] [Description("Smoke-test sizes (configs/demo-quick.json): every step, in well under the full demo's time.")] public bool Quick { get; init; }
    }

    public override int Execute(CommandContext context, Settings s, CancellationToken cancellation)
    {
        var outDir = Path.GetFullPath(s.Out ?? "facebrain-demo");
        var json = StudyRun.DemoJson(s.Quick, s.Seed, s.Device);
        var run = StudyRun.Prepare(json, Path.Combine(outDir, "experiment.json"), VerbOptions.Catalogue, outDir);
        return RunCommand.Go(run, s, s.Jobs ?? DefaultJobs, cancellation);
    }

    /// <summary>
    /// The demo's tasks are small: one per core at a time (each on one thread) keeps every core busy, where one task
    /// at a time leaves most of a task's start-up and small kernels on one core. At most 4, to bound memory.
    /// </summary>
    public static int DefaultJobs => Math.Clamp(Environment.ProcessorCount, 1, 4);
}
