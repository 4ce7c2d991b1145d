using System.ComponentModel;
using FaceBrain.Core;
using FaceBrain.Core.IO;
using FaceBrain.Core.Torch;
using FaceBrain.Fmri;
using Spectre.Console.Cli;

namespace FaceBrain.Cli.Commands.Fmri;

/// <summary>`facebrain fmri partition`: banded ridge over several feature sets and variance partitioning (FaceBrain.Fmri.Banded).</summary>
public sealed class FmriPartitionCommand : Command<FmriPartitionCommand.Settings>
{
    public sealed class Settings : CommandSettings
    {
        [CommandOption("--features <F.npy>")]
        [Description("A feature set [[stimuli, features]]; repeat for each band (at least two).")]
        public string[] Features { get; init; } = [];

        [CommandOption("--stimuli <S.tsv>")] [Description("Stimulus table giving the rows of the feature sets.")] public string? Stimuli { get; init; }
        [CommandOption("--responses <R.npy>")] [Description("Responses [[stimuli or trials, voxels]].")] public string? Responses { get; init; }
        [CommandOption("--trials <T.tsv>")] [Description("Trial table for repeated presentations.")] public string? Trials { get; init; }
        [CommandOption("--cv <SPEC>")] [Description("Outer CV (default kfold:5).")] public string? Cv { get; init; }
        [CommandOption("--alphas <GRID>")] [Description("Alpha grid (default 1e-2..1e6:25).")] public string? Alphas { get; init; }
        [CommandOption("--inner-cv <SPEC>")] [Description("Inner CV for alphas and mixes (default kfold:5).")] public string? InnerCv { get; init; }
        [CommandOption("--mixes <N>")] [Description("Band mixes searched per voxel: corners, centre, random (default 20).")] public int Mixes { get; init; } = 20;
        [CommandOption("--seed <N>")] [Description("Seed of the random mixes (default 0).")] public int Seed { get; init; }
        [CommandOption("--batch-voxels <N>")] [Description("Voxels per batch.")] public int? BatchVoxels { get; init; }
        [CommandOption("--drop-bad-voxels")] [Description("Exclude NaN/constant voxels instead of failing.")] public bool DropBadVoxels { get; init; }
        [CommandOption("--device <DEV>")] [Description("auto, cpu, cuda or cuda:N (default cpu).")] public string Device { get; init; } = "cpu";
    }

    public override int Execute(CommandContext context, Settings s, CancellationToken cancellation)
    {
        var device = DeviceSpec.Parse(s.Device).Resolve();
        var responses = FmriOptions.Given(s.Responses) ?? throw new InputException("--responses is required");
        var request = new PartitionWorkflow.Request(s.Features, FmriOptions.Option(s.Stimuli), responses, FmriOptions.Option(s.Trials),
            FmriOptions.Cv(s.Cv), FmriOptions.Alphas(s.Alphas), FmriOptions.InnerCv(s.InnerCv), s.Mixes, s.Seed,
            FmriOptions.BatchVoxels(s.BatchVoxels), s.DropBadVoxels);
        var report = PartitionWorkflow.run(request, device);
        Console.WriteLine(JsonOutput.Serialize(PartitionWorkflow.toJson(report)));
        return 0;
    }
}
