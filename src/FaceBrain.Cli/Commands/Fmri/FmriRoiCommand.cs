using System.ComponentModel;
using FaceBrain.Core;
using FaceBrain.Core.IO;
using FaceBrain.Fmri;
using Spectre.Console.Cli;

namespace FaceBrain.Cli.Commands.Fmri;

/// <summary>`facebrain fmri roi`: voxels of a NIfTI beta/BOLD series inside a mask or atlas label (FaceBrain.Fmri.Roi).</summary>
public sealed class FmriRoiCommand : Command<FmriRoiCommand.Settings>
{
    public sealed class Settings : CommandSettings
    {
        [CommandOption("--bold <B.nii.gz>")]
        [Description("4-D NIfTI-1/2 series (one volume per trial or stimulus), .nii or .nii.gz.")]
        public string? Bold { get; init; }

        [CommandOption("--mask <M.nii.gz>")]
        [Description("3-D mask (non-zero voxels) or label atlas on the same grid.")]
        public string? Mask { get; init; }

        [CommandOption("--label <N>")]
        [Description("Keep only voxels whose mask value equals N (for label atlases).")]
        public int? Label { get; init; }

        [CommandOption("--trials <T.tsv>")]
        [Description("Optional trial table: its row count must equal the number of volumes.")]
        public string? Trials { get; init; }

        [CommandOption("--out <R.npy>")]
        [Description("Output [[volumes, voxels]] float64 matrix; voxel coordinates go to R.voxels.tsv beside it.")]
        public string? Out { get; init; }
    }

    public override int Execute(CommandContext context, Settings s, CancellationToken cancellation)
    {
        if (string.IsNullOrWhiteSpace(s.Bold)) throw new InputException("--bold is required");
        if (string.IsNullOrWhiteSpace(s.Mask)) throw new InputException("--mask is required");
        if (string.IsNullOrWhiteSpace(s.Out)) throw new InputException("--out is required");
        OutputTarget.RequireFile(s.Out);
        OutputTarget.RequireFile(Roi.coordinatesPath(s.Out));
        var selection = s.Label is int n ? Roi.Selection.NewLabel(n) : Roi.Selection.NonZero;
        var extraction = Roi.extract(s.Bold, s.Mask, selection);
        if (!string.IsNullOrWhiteSpace(s.Trials))
            TrialTableModule.requireRows(s.Bold, extraction.Data.Rows, TrialTableModule.read(s.Trials));
        Roi.write(s.Out, extraction);
        Console.WriteLine($"{extraction.Data.Rows} volumes x {extraction.Data.Cols} voxels -> {s.Out} (coordinates: {Roi.coordinatesPath(s.Out)})");
        return 0;
    }
}
