using System.ComponentModel;
using FaceBrain.Core.IO;
using FaceBrain.Core.Torch;
using FaceBrain.Fmri;
using Microsoft.FSharp.Core;
using Spectre.Console.Cli;

namespace FaceBrain.Cli.Commands.Fmri;

/// <summary>`facebrain bench encode`: times per-voxel ridge with CV alpha selection and refit (FaceBrain.Fmri.Bench).</summary>
public sealed class BenchEncodeCommand : Command<BenchEncodeCommand.Settings>
{
    public sealed class Settings : CommandSettings
    {
        [CommandOption("--stimuli <N>")] [Description("Rows (default 1000).")] public int Stimuli { get; init; } = 1000;
        [CommandOption("--features <P>")] [Description("Features (default 2048).")] public int Features { get; init; } = 2048;
        [CommandOption("--voxels <V>")] [Description("Voxels (default 50000).")] public int Voxels { get; init; } = 50000;
        [CommandOption("--alphas <A>")] [Description("Alphas in the 1e-2..1e6 log grid (default 25).")] public int Alphas { get; init; } = 25;
        [CommandOption("--folds <K>")] [Description("CV folds for the alpha search (default 5).")] public int Folds { get; init; } = 5;
        [CommandOption("--seed <N>")] [Description("Seed of the random data (default 0).")] public int Seed { get; init; }
        [CommandOption("--batch-voxels <N>")] [Description("Voxels per batch (default: from a 256 MiB budget).")] public int? BatchVoxels { get; init; }
        [CommandOption("--device <DEV>")] [Description("auto, cpu, cuda or cuda:N (default cpu).")] public string Device { get; init; } = "cpu";
        [CommandOption("--save <DIR>")] [Description("Also write the data, the chosen alphas and the first 100 voxels' weights to DIR (.npy), for a peer tool (scripts/bench/).")] public string? Save { get; init; }
        [CommandOption("--json")] [Description("Print one JSON object.")] public bool Json { get; init; }
    }

    public override int Execute(CommandContext context, Settings s, CancellationToken cancellation)
    {
        var device = DeviceSpec.Parse(s.Device).Resolve();
        var request = new Bench.Request(s.Stimuli, s.Features, s.Voxels, s.Alphas, s.Folds, s.Seed,
            s.BatchVoxels is int b ? FSharpOption<int>.Some(b) : FSharpOption<int>.None,
            s.Save is { } dir ? FSharpOption<string>.Some(dir) : FSharpOption<string>.None);
        var r = Bench.run(device, request);
        if (s.Json)
            Console.WriteLine(JsonOutput.Serialize(new
            {
                stimuli = s.Stimuli, features = s.Features, voxels = s.Voxels, alphas = s.Alphas, folds = s.Folds,
                device = r.Device, threads = r.Threads, form = r.Form, batch_voxels = r.BatchVoxels,
                seconds = r.Seconds, cpu_seconds = r.CpuSeconds, setup_seconds = r.SetupSeconds, spectrum_seconds_per_fold = r.SpectrumSeconds, median_alpha = r.MedianAlpha,
            }));
        else
            Console.WriteLine($"ridge CV ({s.Stimuli} x {s.Features} -> {s.Voxels} voxels, {s.Alphas} alphas, {s.Folds} folds, {r.Form}, " +
                              $"batches of {r.BatchVoxels}) on {r.Device} with {r.Threads} threads: {r.Seconds:F2} s wall, {r.CpuSeconds:F2} s CPU (median alpha {r.MedianAlpha:G3}; one fold's decomposition alone {r.SpectrumSeconds:F2} s)");
        return 0;
    }
}
