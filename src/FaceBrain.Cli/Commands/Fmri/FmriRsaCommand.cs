using System.ComponentModel;
using FaceBrain.Core.IO;
using FaceBrain.Core.Torch;
using FaceBrain.Analysis;
using FaceBrain.Fmri;
using Microsoft.FSharp.Core;
using Spectre.Console;
using Spectre.Console.Cli;

namespace FaceBrain.Cli.Commands.Fmri;

/// <summary>`facebrain fmri rsa`: ROI RDMs of several subjects against every layer's RDM, with the
/// leave-one-subject-out noise ceiling (FaceBrain.Fmri.NeuralRsa).</summary>
public sealed class FmriRsaCommand : Command<FmriRsaCommand.Settings>
{
    public sealed class Settings : CommandSettings
    {
        [CommandOption("--store <DIR>")]
        [Description("Activation store; repeat for several networks (same stimuli).")]
        public string[] Stores { get; init; } = [];

        [CommandOption("--layers <L>")]
        [Description("Layers to compare (repeat or comma-separate; default every layer of each store).")]
        public string[] Layers { get; init; } = [];

        [CommandOption("--responses <R.npy>")]
        [Description("One subject's responses [[trials or stimuli, voxels]]; repeat per subject.")]
        public string[] Responses { get; init; } = [];

        [CommandOption("--trials <T.tsv>")]
        [Description("Trial (or stimulus) table of each --responses, same order; repeats are averaged per stimulus.")]
        public string[] Trials { get; init; } = [];

        [CommandOption("--rois <ROIS.tsv>")]
        [Description("TSV with voxel and roi columns (simulate's truth.tsv): one for all subjects or one per subject. Default: all voxels.")]
        public string[] Rois { get; init; } = [];

        [CommandOption("--roi <NAME>")]
        [Description("Only this ROI (repeat for several).")]
        public string[] Roi { get; init; } = [];

        [CommandOption("--distance <D>")] [Description("correlation (default), euclidean or cosine.")] public string Distance { get; init; } = "correlation";
        [CommandOption("--compare <C>")] [Description("spearman (default), pearson or kendall-tau-a.")] public string Compare { get; init; } = "spearman";
        [CommandOption("--out <FILE.tsv>")] [Description("Also write the scores as TSV.")] public string? Out { get; init; }
        [CommandOption("--device <DEV>")] [Description("auto, cpu, cuda or cuda:N (default cpu).")] public string Device { get; init; } = "cpu";
        [CommandOption("--json")] [Description("Print one JSON object (rois with noise ceilings, scores).")] public bool Json { get; init; }
    }

    private static string[] Split(string[] values) =>
        values.SelectMany(v => v.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)).ToArray();

    public override int Execute(CommandContext context, Settings s, CancellationToken cancellation)
    {
        if (!string.IsNullOrWhiteSpace(s.Out)) OutputTarget.RequireFile(s.Out); // before any work
        var device = DeviceSpec.Parse(s.Device).Resolve();
        TorchRuntime.EnsureLoaded();
        var request = new NeuralRsa.Request(s.Stores, Split(s.Layers), s.Responses, s.Trials, s.Rois, Split(s.Roi),
            NeuralRsa.parseDistance(s.Distance), Comparison.parse(s.Compare));
        var result = NeuralRsa.run(request, device);
        if (!string.IsNullOrWhiteSpace(s.Out)) AtomicFile.WriteAllText(s.Out, NeuralRsa.toTsv(result));
        object? Ceiling(NeuralRsa.RoiSummary r) =>
            FSharpOption<NeuralRsa.Ceiling>.get_IsSome(r.Ceiling) ? new { lower = r.Ceiling.Value.Lower, upper = r.Ceiling.Value.Upper } : null;
        if (s.Json)
        {
            Console.WriteLine(JsonOutput.Serialize(new
            {
                distance = result.Distance,
                compare = result.Compare,
                subjects = result.Subjects,
                stimuli = result.Stimuli,
                rois = result.Rois.Select(r => new { roi = r.Roi, voxels = r.Voxels, noise_ceiling = Ceiling(r) }),
                scores = result.Scores.Select(x => new { network = x.Network, layer = x.Layer, roi = x.Roi, group = x.Group, subject_mean = x.SubjectMean }),
            }));
            return 0;
        }
        var t = new Table().AddColumn("network").AddColumn("layer").AddColumn("roi").AddColumn("group").AddColumn("subject mean");
        foreach (var x in result.Scores)
            t.AddRow(x.Network.EscapeMarkup(), x.Layer.EscapeMarkup(), x.Roi.EscapeMarkup(), x.Group.ToString("F3"), x.SubjectMean.ToString("F3"));
        AnsiConsole.Write(t);
        foreach (var r in result.Rois)
            Console.WriteLine(FSharpOption<NeuralRsa.Ceiling>.get_IsSome(r.Ceiling)
                ? $"noise ceiling for {r.Roi}: lower {r.Ceiling.Value.Lower:F3}, upper {r.Ceiling.Value.Upper:F3}"
                : $"noise ceiling for {r.Roi}: unavailable (one subject)");
        return 0;
    }
}
