using System.ComponentModel;
using FaceBrain.Core;
using FaceBrain.Core.IO;
using FaceBrain.Fmri;
using Spectre.Console.Cli;

namespace FaceBrain.Cli.Commands.Fmri;

/// <summary>`facebrain fmri simulate`: simulated fMRI with known ground truth (FaceBrain.Fmri.Simulate).</summary>
public sealed class FmriSimulateCommand : Command<FmriSimulateCommand.Settings>
{
    public sealed class Settings : CommandSettings
    {
        [CommandOption("--store <DIR>")]
        [Description("Activation store whose layers (and stimulus table) the voxels are tuned to.")]
        public string? Store { get; init; }

        [CommandOption("--layer <NAME>")]
        [Description("Default store layer for ROIs given without ':source'.")]
        public string? Layer { get; init; }

        [CommandOption("--features <F.npy>")]
        [Description("A feature matrix to tune to instead of a store (rows follow --stimuli when given).")]
        public string? Features { get; init; }

        [CommandOption("--stimuli <S.tsv>")]
        [Description("Stimulus table (with label columns such as identity and expression for label tuning).")]
        public string? Stimuli { get; init; }

        [CommandOption("--rois <SPEC>")]
        [Description("NAME or NAME:SOURCE, comma-separated, where SOURCE is a store layer, a stimulus-table column (one-hot label tuning), 'features' or 'none'; a bare NAME is tuned to --layer or --features. E.g. ffa:identity,psts:expression,null:none (default: roi).")]
        public string Rois { get; init; } = "roi";

        [CommandOption("--voxels <V>")]
        [Description("Voxels per ROI (default 100).")]
        public int Voxels { get; init; } = 100;

        [CommandOption("--repeats <R>")]
        [Description("Presentations of every stimulus (default 4).")]
        public int Repeats { get; init; } = 4;

        [CommandOption("--snr <S>")]
        [Description("Median single-trial signal-to-noise variance ratio; voxels spread one decade around it (default 1).")]
        public double Snr { get; init; } = 1.0;

        [CommandOption("--seed <N>")]
        [Description("Random seed (default 0).")]
        public int Seed { get; init; }

        [CommandOption("--no-nifti")]
        [Description("Skip the NIfTI version (bold.nii.gz, rois.nii.gz).")]
        public bool NoNifti { get; init; }

        [CommandOption("--out <DIR>")]
        [Description("Output folder (created when missing).")]
        public string? Out { get; init; }
    }

    public override int Execute(CommandContext context, Settings s, CancellationToken cancellation)
    {
        if (string.IsNullOrWhiteSpace(s.Out)) throw new InputException("--out is required");
        OutputTarget.RequireFolder(s.Out);
        var request = new Simulate.Request(FmriOptions.Option(s.Store), FmriOptions.Option(s.Layer), FmriOptions.Option(s.Features), FmriOptions.Option(s.Stimuli), s.Rois, s.Voxels, s.Repeats, s.Snr, s.Seed, !s.NoNifti);
        var sim = Simulate.run(request);
        var files = Simulate.write(s.Out, !s.NoNifti, s.Seed, sim);
        Console.WriteLine($"{sim.Responses.Rows} trials x {sim.Responses.Cols} voxels ({sim.Rois.Length} ROIs) -> {s.Out}: {string.Join(", ", files)}");
        return 0;
    }
}
