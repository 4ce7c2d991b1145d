using System.ComponentModel;
using System.Text.Json.Nodes;
using FaceBrain.Analysis;
using FaceBrain.Cli.Commands.Analysis;
using FaceBrain.Core;
using FaceBrain.Core.IO;
using FaceBrain.Core.Torch;
using FaceBrain.Data.Loading;
using FaceBrain.Training.Data;
using FaceBrain.Training.Probe;
using Spectre.Console.Cli;

namespace FaceBrain.Cli.Commands.Models;

/// <summary>
/// <c>facebrain probe</c>: the transfer experiment (FaceBrain.Training.Probe.ProbeExperiment). This verb parses,
/// opens the network and the images, and prints; the read-out is the decoder of <c>decode</c>.
/// </summary>
public sealed class ProbeCommand : Command<ProbeCommand.Settings>
{
    public sealed class Settings : ModelSettings
    {
        [CommandOption("--backbone <CHECKPOINT>")] [Description("A checkpoint from 'train identity' or 'train siamese'.")] public string? Backbone { get; init; }
        [CommandOption("--weights <FILE>")] [Description("Weights for --model (.pt, .pth, .safetensors).")] public string? Weights { get; init; }
        [CommandOption("--layer <LAYER>")] [Description("The layer to read (see 'models layers'); default: the pooled features.")] public string? Layer { get; init; }
        [CommandOption("--data <SPEC>")] [Description("Images with the target labels, e.g. kdef:DIR.")] public string? Data { get; init; }
        [CommandOption("--where <COLUMN=VALUES>")]
        [Description("Keep only matching images, e.g. angle=S (KDEF frontal) or session=A; repeatable, all must match.")]
        public string[]? Where { get; init; }
        [CommandOption("--target <COLUMN>")] [Description("identity or expression (or another label column).")] public string Target { get; init; } = "expression";
        [CommandOption("--cv <SCHEME>")]
        [Description("Folds, as for decode (logo:COLUMN, groupkfold:K:COLUMN, stratkfold:K, kfold:K[[:shuffle=SEED]], split:COLUMN:TRAIN[[:TEST]]). Default: identity by --split-by, other targets by K folds of identities.")]
        public string? Cv { get; init; }
        [CommandOption("--split-by <COLUMN>")]
        [Description("Identity target: the column whose values are held out in turn (default session: KDEF's A vs B).")]
        public string? SplitBy { get; init; }
        [CommandOption("--folds <K>")] [Description("Other targets: K folds of identities, identities never in both (default 5, or fewer when there are fewer identities).")] public int? Folds { get; init; }
        [CommandOption("--classifier <NAME>")] [Description("logistic (default), lda (Ledoit-Wolf shrinkage) or ridge, as for decode.")] public string Classifier { get; init; } = "logistic";
        [CommandOption("-C|--inverse-l2 <VALUE>")] [Description("Inverse L2 strength of the logistic regression (scikit-learn's C, default 1); also written --C.")] public double C { get; init; } = 1.0;
        [CommandOption("--alpha <VALUE>")] [Description("L2 strength of the ridge classifier (default 1).")] public double Alpha { get; init; } = 1.0;
        [CommandOption("--max-iter <N>")] [Description("Iteration budget of the logistic solver (default 2000).")] public int MaxIter { get; init; } = 2000;
        [CommandOption("--tol <VALUE>")] [Description("Logistic convergence: max |gradient| of the objective / (C·n) (default 1e-6).")] public double Tol { get; init; } = 1e-6;
        [CommandOption("--permutations <N>")] [Description("Label permutations for the permutation test (default 20).")] public int Permutations { get; init; } = 20;
        [CommandOption("--bootstrap <N>")] [Description("Bootstrap resamples for the accuracy's confidence interval (default 1000; 0: none).")] public int Bootstrap { get; init; } = 1000;
        [CommandOption("--control")] [Description("Also probe a randomly initialised frozen network of the same architecture.")] public bool Control { get; init; }
        [CommandOption("--preset <NAME>")] [Description("Preprocessing preset (default: the model's).")] public string? Preset { get; init; }
        [CommandOption("--seed <N>")] [Description("Seed of folds, permutations, bootstrap and the control network (default 1).")] public int Seed { get; init; } = 1;
        [CommandOption("--out <DIR>")] [Description("Write probe.json and confusion.tsv here.")] public string? Out { get; init; }
        [CommandOption("--device <DEVICE>")] [Description("auto (default), cpu, cuda or cuda:N.")] public string Device { get; init; } = "auto";
    }

    public override int Execute(CommandContext context, Settings s, CancellationToken cancellation)
    {
        var dataSpec = s.Data ?? throw new InputException("--data is required (e.g. --data kdef:DIR)");
        DataSettings.RequireNonNegative("--permutations", s.Permutations);
        DataSettings.RequireNonNegative("--bootstrap", s.Bootstrap);
        if (s.Folds is < 2) throw new InputException($"--folds {s.Folds}: must be at least 2");
        if (s.Out != null) OutputTarget.RequireFolder(s.Out); // before any image is decoded
        var request = new ProbeRequest(
            s.Target, DecodeCommand.ParseClassifier(s.Classifier, s.C, s.Alpha, s.MaxIter, s.Tol),
            s.Cv is { } cv ? CrossValidation.parse(cv) : null, s.SplitBy, s.Folds,
            Permutations: s.Permutations, Bootstrap: s.Bootstrap, Seed: s.Seed);
        var device = DeviceSpec.Parse(s.Device).Resolve();

        var (net, backbone, layer) = Backbone.Open(s.Backbone, s.Weights, s, s.Layer, device, s.Seed);
        using var _ = net;
        var spec = net.Spec;
        var data = FaceData.Load(dataSpec, StimulusFilter.Parse(s.Where));
        var table = StimulusTable.FromStimuli(data.Stimuli, dataSpec);
        FaceData.Column(data.Stimuli, s.Target, dataSpec); // a missing label is refused before any image is decoded
        ProbeExperiment.SchemeFor(table, request);          // and so are impossible folds
        string preset = s.Preset ?? spec.DefaultPreset;
        var load = System.Diagnostics.Stopwatch.StartNew();
        using var images = FaceData.Tensors(data.Stimuli, s.Target, spec.EffectiveInputSize, preset, dataSpec, kind: data.Kind);
        Console.Error.WriteLine($"probe: {images.Count} images decoded ({preset}, {spec.EffectiveInputSize} px) in {load.Elapsed.TotalSeconds:F1} s");

        var outcomes = ProbeExperiment.Run(net, backbone, layer, images.Images, table, request, s.Control, s.Seed, device, Progress.Stderr());
        foreach (var o in outcomes) Print(o);
        if (s.Out != null)
        {
            var json = new JsonObject { ["preset"] = preset, ["data"] = dataSpec, ["result"] = ToJson(outcomes[0]) };
            if (outcomes.Count > 1) json["control"] = ToJson(outcomes[1]);
            AtomicFile.WriteFiles(s.Out, [("probe.json", json.ToJsonString(JsonOutput.Options) + "\n"),
                                          ("confusion.tsv", outcomes[0].Result.Scored.ConfusionTsv())]);
        }
        return 0;
    }

    static JsonObject ToJson(ProbeOutcome o) => new()
    {
        ["backbone"] = o.Backbone, ["layer"] = o.Layer, ["features"] = o.Features,
        ["folds"] = new JsonArray(o.Folds.Select(f => (JsonNode?)f).ToArray()),
        ["decoding"] = Results.decoding(o.Result),
    };

    static void Print(ProbeOutcome o)
    {
        var r = o.Result;
        var sc = r.Scores;
        Console.WriteLine(o.Backbone);
        Console.WriteLine($"  {r.Target} from {o.Layer} ({o.Features} features, {r.Predictions.Length} images, {r.Classes.Length} classes, " +
                          $"{r.Classifier}, {r.Scheme}, folds: {string.Join(", ", o.Folds)})");
        var line = $"  accuracy {sc.Accuracy:P1} (chance {sc.ChanceUniform:P1}, majority class {sc.ChanceMajority:P1}), balanced accuracy {sc.BalancedAccuracy:P1}";
        if (r.Interval?.Value is { } ci) line += $", {ci.Level:P0} bootstrap interval [{ci.Low:P1}, {ci.High:P1}]";
        if (r.Permutation?.Value is { } p) line += $"; permutations: mean {p.NullMean:P1}, max {p.NullMax:P1}, p = {p.PValue:F3} ({p.Count})";
        Console.WriteLine(line);
        Console.WriteLine($"  time: features {o.FeatureSeconds:F1} s, read-out {o.ReadoutSeconds:F1} s ({r.Folds} folds, {(r.Permutation?.Value is { } q ? q.Count : 0)} permutations)");
        foreach (var w in r.Warnings) Console.WriteLine($"  warning: {CliErrors.Flags(w)}");
        Console.Write(r.Scored.ConfusionTsv().TrimEnd('\n').Replace("\n", "\n  ").Insert(0, "  "));
        Console.WriteLine();
    }
}
