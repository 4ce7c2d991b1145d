using System.ComponentModel;
using FaceBrain.Analysis;
using FaceBrain.Core;
using FaceBrain.Core.IO;
using FaceBrain.Core.Torch;
using FaceBrain.Fmri;
using Spectre.Console.Cli;

namespace FaceBrain.Cli.Commands.Fmri;

/// <summary>`facebrain encode`: cross-validated voxelwise ridge encoding models (FaceBrain.Fmri.EncodeWorkflow).</summary>
public sealed class EncodeCommand : Command<EncodeCommand.Settings>
{
    public sealed class Settings : CommandSettings
    {
        [CommandOption("--features <F.npy>")]
        [Description("Stimulus features [[stimuli, features]] (.npy); rows follow --stimuli when given.")]
        public string? Features { get; init; }

        [CommandOption("--store <DIR>")]
        [Description("An activation store (stimuli.tsv, layers/<layer>.npy, manifest.json); with --layer.")]
        public string? Store { get; init; }

        [CommandOption("--layer <NAME>")]
        [Description("The store layer to use as features.")]
        public string? Layer { get; init; }

        [CommandOption("--stimuli <S.tsv>")]
        [Description("Stimulus table giving the rows of --features (needed with --trials and logo:COLUMN).")]
        public string? Stimuli { get; init; }

        [CommandOption("--responses <R.npy>")]
        [Description("Responses [[stimuli or trials, voxels]] (.npy).")]
        public string? Responses { get; init; }

        [CommandOption("--trials <T.tsv>")]
        [Description("Trial table (stimulus_id per row of --responses, repeats allowed): repeats are averaged and give the noise ceiling.")]
        public string? Trials { get; init; }

        [CommandOption("--cv <SPEC>")]
        [Description("Outer cross-validation: kfold:K (default kfold:5, contiguous as scikit-learn's KFold), kfold:K:shuffle=SEED, logo:COLUMN, groupkfold:K:COLUMN (the grammar of decode).")]
        public string? Cv { get; init; }

        [CommandOption("--alpha <A>")]
        [Description("A fixed ridge penalty for every voxel. Without it, one alpha per voxel is chosen by inner CV.")]
        public double? Alpha { get; init; }

        [CommandOption("--alphas <GRID>")]
        [Description("Alpha grid for per-voxel selection: LO..HI:N (log-spaced) or a comma list. Default 1e-2..1e6:25.")]
        public string? Alphas { get; init; }

        [CommandOption("--inner-cv <SPEC>")]
        [Description("Inner cross-validation for choosing alphas (default kfold:5).")]
        public string? InnerCv { get; init; }

        [CommandOption("--batch-voxels <N>")]
        [Description("Voxels per batch (default: sized from a 256 MiB budget).")]
        public int? BatchVoxels { get; init; }

        [CommandOption("--drop-bad-voxels")]
        [Description("Exclude NaN/constant voxels (listed in the output) instead of failing.")]
        public bool DropBadVoxels { get; init; }

        [CommandOption("--device <DEV>")]
        [Description("auto, cpu, cuda or cuda:N (default cpu).")]
        public string Device { get; init; } = "cpu";

        [CommandOption("--out <SCORES.tsv>")]
        [Description("Also write per-voxel scores (r, r2, alpha, ceilings) as a TSV.")]
        public string? Out { get; init; }

        [CommandOption("--json")]
        [Description("Print one JSON object (r, r2, alphas, ceilings, excluded voxels).")]
        public bool Json { get; init; }
    }

    public override int Execute(CommandContext context, Settings s, CancellationToken cancellation)
    {
        if (!string.IsNullOrWhiteSpace(s.Out)) OutputTarget.RequireFile(s.Out); // before any work
        var device = DeviceSpec.Parse(s.Device).Resolve();
        var features = (FmriOptions.Given(s.Store), FmriOptions.Given(s.Features)) switch
        {
            (not null, not null) => throw new InputException("give either --features or --store, not both"),
            (string dir, null) => EncodeWorkflow.FeatureInput.NewStoreLayer(dir, FmriOptions.Given(s.Layer) ?? throw new InputException("--store needs --layer")),
            (null, string f) => EncodeWorkflow.FeatureInput.NewNpy(f, FmriOptions.Option(s.Stimuli)),
            _ => throw new InputException("give --features F.npy or --store DIR --layer L"),
        };
        var responses = FmriOptions.Given(s.Responses) ?? throw new InputException("--responses is required");
        var alpha = s.Alpha is double a
            ? Encoding.AlphaSpec.NewFixed(AlphaGrid.parseFixed("--alpha", a))
            : Encoding.AlphaSpec.NewPerVoxel(FmriOptions.Alphas(s.Alphas), FmriOptions.InnerCv(s.InnerCv));
        var request = new EncodeWorkflow.Request(
            features, responses, FmriOptions.Option(s.Trials), FmriOptions.Cv(s.Cv), alpha, FmriOptions.BatchVoxels(s.BatchVoxels), s.DropBadVoxels);
        var report = EncodeWorkflow.run(request, device);
        if (!string.IsNullOrWhiteSpace(s.Out)) AtomicFile.WriteAllText(s.Out, EncodeWorkflow.toTsv(report));
        Console.WriteLine(s.Json ? JsonOutput.Serialize(EncodeWorkflow.toJson(report)) : EncodeWorkflow.summary(report));
        return 0;
    }

}
