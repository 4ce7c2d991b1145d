using System.ComponentModel;
using FaceBrain.Core;
using FaceBrain.Core.IO;
using FaceBrain.Core.Torch;
using FaceBrain.Fmri;
using Spectre.Console;
using Spectre.Console.Cli;

namespace FaceBrain.Cli.Commands.Fmri;

/// <summary>`facebrain fmri profile`: every layer of one or more stores against every ROI (FaceBrain.Fmri.Profile).</summary>
public sealed class FmriProfileCommand : Command<FmriProfileCommand.Settings>
{
    public sealed class Settings : CommandSettings
    {
        [CommandOption("--store <DIR>")]
        [Description("Activation store; repeat for several networks side by side (same stimuli, same order).")]
        public string[] Stores { get; init; } = [];

        [CommandOption("--responses <R.npy>")]
        [Description("Responses [[stimuli or trials, voxels]] (.npy).")]
        public string? Responses { get; init; }

        [CommandOption("--trials <T.tsv>")]
        [Description("Trial table for repeated presentations (averaged per stimulus).")]
        public string? Trials { get; init; }

        [CommandOption("--rois <ROIS.tsv>")]
        [Description("TSV with voxel and roi columns (e.g. simulate's truth.tsv).")]
        public string? Rois { get; init; }

        [CommandOption("--cv <SPEC>")] [Description("Outer CV (default kfold:5).")] public string? Cv { get; init; }
        [CommandOption("--alphas <GRID>")] [Description("Alpha grid (default 1e-2..1e6:25).")] public string? Alphas { get; init; }
        [CommandOption("--inner-cv <SPEC>")] [Description("Inner CV for alphas (default kfold:5).")] public string? InnerCv { get; init; }
        [CommandOption("--batch-voxels <N>")] [Description("Voxels per batch.")] public int? BatchVoxels { get; init; }
        [CommandOption("--drop-bad-voxels")] [Description("Exclude NaN/constant voxels instead of failing.")] public bool DropBadVoxels { get; init; }
        [CommandOption("--seed <N>")] [Description("Bootstrap seed (default 0).")] public int Seed { get; init; }
        [CommandOption("--resamples <N>")] [Description("Bootstrap resamples, of voxels for each layer's CI and of stimuli for the best-layer test (default 1000).")] public int Resamples { get; init; } = 1000;
        [CommandOption("--device <DEV>")] [Description("auto, cpu, cuda or cuda:N (default cpu).")] public string Device { get; init; } = "cpu";
        [CommandOption("--json")] [Description("Print one JSON object (scores; best: per network and ROI, the layer that beats every other, or null).")] public bool Json { get; init; }
        [CommandOption("--out <PROFILE.json>")] [Description("Also write that JSON object to this file (atomically).")] public string? Out { get; init; }
    }

    public override int Execute(CommandContext context, Settings s, CancellationToken cancellation)
    {
        var device = DeviceSpec.Parse(s.Device).Resolve();
        var responses = FmriOptions.Given(s.Responses) ?? throw new InputException("--responses is required");
        var rois = FmriOptions.Given(s.Rois) ?? throw new InputException("--rois is required (a TSV with voxel and roi columns)");
        var request = new ProfileWorkflow.Request(s.Stores, responses, FmriOptions.Option(s.Trials), rois,
            FmriOptions.Cv(s.Cv), FmriOptions.Alphas(s.Alphas), FmriOptions.InnerCv(s.InnerCv),
            FmriOptions.BatchVoxels(s.BatchVoxels), s.DropBadVoxels, s.Seed, s.Resamples);
        var result = ProfileWorkflow.run(request, device);
        var json = new
        {
            scores = result.Scores.Select(x => new { network = x.Network, layer = x.Layer, roi = x.Roi, voxels = x.Voxels, median_r = x.MedianR, ci_low = x.CiLow, ci_high = x.CiHigh }),
            best = result.Best.Select(b => new
            {
                network = b.Network, roi = b.Roi,
                layer = b.Layer?.Value, // null: no layer beats every other
                top_layer = b.Top, median_r = b.MedianR,
                runner_up = b.RunnerUp?.Value,
                difference = double.IsNaN(b.Difference) ? (double?)null : b.Difference,
                difference_ci = b.DifferenceCi?.Value is { } ci ? new { low = ci.Low, high = ci.High, level = ci.Level } : null,
                verdict = b.Verdict,
            }),
        };
        if (s.Out != null) JsonOutput.Write(s.Out, json);
        if (s.Json)
        {
            Console.WriteLine(JsonOutput.Serialize(json));
            return 0;
        }
        var t = new Table().AddColumn("network").AddColumn("layer").AddColumn("roi").AddColumn("voxels").AddColumn("median r").AddColumn("95% CI");
        foreach (var x in result.Scores)
            t.AddRow(x.Network.EscapeMarkup(), x.Layer.EscapeMarkup(), x.Roi.EscapeMarkup(), x.Voxels.ToString(), x.MedianR.ToString("F3"), $"[{x.CiLow:F3}, {x.CiHigh:F3}]".EscapeMarkup());
        AnsiConsole.Write(t);
        foreach (var b in result.Best) Console.WriteLine(b.Verdict);
        return 0;
    }
}
