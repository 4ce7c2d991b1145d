using System.ComponentModel;
using FaceBrain.Core;
using FaceBrain.Study.Experiment;
using FaceBrain.Study.Report;
using Spectre.Console.Cli;

namespace FaceBrain.Cli.Commands.Study;

/// <summary>
/// `facebrain report`: the study's table (study.tsv) and the report page from the results of an experiment's
/// tasks. `run` adds it as the last task; it can be run by hand on any probe, analysis and profile outputs.
/// </summary>
public sealed class ReportCommand : Command<ReportCommand.Settings>
{
    public sealed class Settings : CommandSettings
    {
        [CommandOption("--out <DIR>")] [Description("Report folder: study.tsv, index.html and the figures.")] public string Out { get; init; } = "";
        [CommandOption("--experiment <FILE>")] [Description("The experiment file: the title, the published figures beside the table, and the provenance block.")] public string? Experiment { get; init; }
        [CommandOption("--probe <NAME=DIR>")] [Description("A network's probe folder (probe.json); repeat per network and target.")] public string[] Probes { get; init; } = [];
        [CommandOption("--train <NAME=DIR>")] [Description("A training run folder (metrics.tsv), for the training curves.")] public string[] Train { get; init; } = [];
        [CommandOption("--analysis <NAME=DIR>")] [Description("A store's analysis folder (analysis.json), for the layerwise figures.")] public string[] Analysis { get; init; } = [];
        [CommandOption("--profile <NAME=FILE>")] [Description("A store's encoding profile (fmri profile --out), for the ROI profiles.")] public string[] Profiles { get; init; } = [];
        [CommandOption("--fmri <NAME=DIR>")] [Description("Simulated fMRI folder (truth.tsv holds the planted tuning).")] public string[] Fmri { get; init; } = [];
        [CommandOption("--rsa <NAME=DIR>")] [Description("A network's rsa folder (rdm.npy: its RDM at one layer; rsa.json: against the label models), for the RDM heatmaps; give its --store too.")] public string[] Rsa { get; init; } = [];
        [CommandOption("--store <NAME=DIR>")] [Description("A network's activation store, whose stimulus table labels the rows of its RDM.")] public string[] Stores { get; init; } = [];
        [CommandOption("--neural-rsa <FILE>")] [Description("fmri rsa's TSV (layer RDMs against ROI RDMs, noise ceilings), for the model-comparison bars.")] public string? NeuralRsa { get; init; }
        [CommandOption("--label <NAME=DIR>")] [Description("A faces label folder (label.json), for that network's own confusion matrix on the face set.")] public string[] Labels { get; init; } = [];
        [CommandOption("--rois <FILE>")] [Description("ROI table of real responses (voxel, roi).")] public string? Rois { get; init; }
    }

    public override int Execute(CommandContext context, Settings s, CancellationToken cancellation)
    {
        if (s.Out.Length == 0) throw new InputException("--out is required");
        List<(string, string)> Pairs(string[] values, string option) => values.Select(v => Named(v, option)).ToList();
        // The experiment file goes through the one parser of the format (its title, published figures, seed, device).
        var experiment = s.Experiment is { } file ? ExperimentReader.Read(file, VerbOptions.Catalogue) : null;
        var request = new ReportRequest(s.Out, experiment, Pairs(s.Probes, "--probe"), Pairs(s.Train, "--train"),
            Pairs(s.Analysis, "--analysis"), Pairs(s.Profiles, "--profile"), Pairs(s.Fmri, "--fmri"), s.Rois, VerbOptions.Version,
            Pairs(s.Rsa, "--rsa"), Pairs(s.Stores, "--store"), s.NeuralRsa, Pairs(s.Labels, "--label"));
        var (index, rows) = StudyReport.Write(request);
        Console.Error.WriteLine($"report: {rows.Count} rows -> {Path.Combine(s.Out, "study.tsv")}; {index}");
        return 0;
    }

    static (string Name, string Path) Named(string value, string option)
    {
        int eq = value.IndexOf('=');
        if (eq <= 0 || eq == value.Length - 1) throw new InputException($"{option} {value}: expected NAME=PATH");
        return (value[..eq], value[(eq + 1)..]);
    }
}
