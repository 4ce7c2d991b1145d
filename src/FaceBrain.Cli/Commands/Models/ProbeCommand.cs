using System.ComponentModel;
using System.Text;
using FaceBrain.Core.IO;
using FaceBrain.Core.Torch;
using FaceBrain.Data.Loading;
using FaceBrain.Models;
using FaceBrain.Training.Data;
using FaceBrain.Training.Probe;
using Spectre.Console.Cli;
using TorchSharp;

namespace FaceBrain.Cli.Commands.Models;

/// <summary>
/// <c>facebrain probe</c>: the transfer experiment. A frozen backbone's layer is read out by a new linear layer,
/// with splits that never test on what was trained on, a permutation baseline and, with --control, the
/// same probe on a randomly initialised frozen network of the same architecture.
/// </summary>
public sealed class ProbeCommand : Command<ProbeCommand.Settings>
{
    public sealed class Settings : ModelSettings
    {
        [CommandOption("--backbone <CHECKPOINT>")] [Description("A checkpoint from 'train identity' or 'train siamese'.")] public string? Backbone { get; init; }
        [CommandOption("--weights <FILE>")] [Description("Weights for --model (.pt, .pth, .safetensors; a TF.js manifest or folder; faceapi for face-api's cached weights).")] public string? Weights { get; init; }
        [CommandOption("--layer <LAYER>")] [Description("The layer to read (see 'models layers'); default: the pooled features.")] public string? Layer { get; init; }
        [CommandOption("--data <SPEC>")] [Description("Images with the target labels, e.g. kdef:DIR.")] public string? Data { get; init; }
        [CommandOption("--where <COLUMN=VALUES>")]
        [Description("Keep only matching images, e.g. angle=S (KDEF frontal) or session=A; repeatable, all must match.")]
        public string[]? Where { get; init; }
        [CommandOption("--target <COLUMN>")] [Description("identity or expression (or another label column).")] public string Target { get; init; } = "expression";
        [CommandOption("--split-by <COLUMN>")]
        [Description("Identity target: the column whose values are held out in turn (default session: KDEF's A vs B). Other targets: identities are left out.")]
        public string? SplitBy { get; init; }
        [CommandOption("--folds <K>")] [Description("Folds of identities for leave-identities-out (default 5).")] public int Folds { get; init; } = 5;
        [CommandOption("--permutations <N>")] [Description("Label permutations for the baseline (default 20).")] public int Permutations { get; init; } = 20;
        [CommandOption("--iterations <N>")] [Description("Full-batch Adam iterations of the linear layer (default 300).")] public int Iterations { get; init; } = 300;
        [CommandOption("--control")] [Description("Also probe a randomly initialised frozen network of the same architecture.")] public bool Control { get; init; }
        [CommandOption("--preset <NAME>")] [Description("Preprocessing preset (default: the model's).")] public string? Preset { get; init; }
        [CommandOption("--seed <N>")] [Description("Seed of folds, permutations and the control network (default 1).")] public long Seed { get; init; } = 1;
        [CommandOption("--out <DIR>")] [Description("Write probe.json and confusion.tsv here.")] public string? Out { get; init; }
        [CommandOption("--device <DEVICE>")] [Description("auto (default), cpu, cuda or cuda:N.")] public string Device { get; init; } = "auto";
    }

    public override int Execute(CommandContext context, Settings s, CancellationToken cancellation)
    {
        var dataSpec = s.Data ?? throw new FaceBrain.Core.InputException("--data is required (e.g. --data kdef:DIR)");
        if (s.Permutations < 0) throw new FaceBrain.Core.InputException($"--permutations {s.Permutations}: must be 0 or more");
        if (s.Out != null && File.Exists(s.Out)) throw new FaceBrain.Core.InputException(s.Out, "--out names a file, not a folder");
        var device = DeviceSpec.Parse(s.Device).Resolve();

        // The backbone and its description.
        var (net, backbone, layer) = Backbone.Open(s.Backbone, s.Weights, s, s.Layer, device, s.Seed);
        using var _ = net;
        var spec = net.Spec;

        // Labels and honest folds.
        var data = FaceData.Load(dataSpec, StimulusFilter.Parse(s.Where));
        var labels = FaceData.Column(data.Stimuli, s.Target, dataSpec);
        var folds = s.Target == Labels.Identity
            ? ProbeFolds.ByValue(FaceData.Column(data.Stimuli, s.SplitBy ?? Labels.Session, dataSpec), s.SplitBy ?? Labels.Session)
            : ProbeFolds.LeaveGroupsOut(FaceData.Column(data.Stimuli, Labels.Identity, dataSpec), s.Folds, s.Seed);
        var fit = new ProbeFit(Iterations: s.Iterations);
        string preset = s.Preset ?? spec.DefaultPreset;
        var load = System.Diagnostics.Stopwatch.StartNew();
        using var images = FaceData.Tensors(data.Stimuli, s.Target, spec.EffectiveInputSize, preset, dataSpec, data.Kind);
        Console.Error.WriteLine($"probe: {images.Count} images decoded ({preset}, {spec.EffectiveInputSize} px) in {load.Elapsed.TotalSeconds:F1} s");

        // Features are computed once; every fold and permutation reuses them.
        ProbeResult Probe(Network n, string name)
        {
            var sw = System.Diagnostics.Stopwatch.StartNew();
            using var features = FrozenFeatures.Extract(n, layer, images.Images, device);
            double extract = sw.Elapsed.TotalSeconds;
            var r = ProbeRunner.Run(name, layer, s.Target, features, labels, folds, fit, s.Permutations, s.Seed, device);
            Console.Error.WriteLine($"probe: features {features.shape[0]}×{features.shape[1]} in {extract:F1} s, " +
                                    $"{folds.Count} folds × {1 + s.Permutations} linear layers in {sw.Elapsed.TotalSeconds - extract:F1} s");
            return r;
        }
        var result = Probe(net, backbone);
        Print(result);
        ProbeResult? control = null;
        if (s.Control)
        {
            using var random = Network.Create(spec, device, s.Seed + 1000);
            control = Probe(random, $"{spec.Name} randomly initialised, frozen (control, seed {s.Seed + 1000})");
            Print(control);
        }
        if (s.Out != null)
        {
            Directory.CreateDirectory(s.Out);
            JsonOutput.Write(Path.Combine(s.Out, "probe.json"), new { preset, data = dataSpec, result, control });
            AtomicFile.WriteAllText(Path.Combine(s.Out, "confusion.tsv"), ConfusionTsv(result));
        }
        return 0;
    }

    static void Print(ProbeResult r)
    {
        Console.WriteLine($"{r.Backbone}");
        Console.WriteLine($"  {r.Target} from {r.Layer} ({r.Features} features, {r.Images} images, {r.Classes.Count} classes, folds: {string.Join(", ", r.Folds)})");
        Console.WriteLine($"  accuracy {r.Accuracy:P1} (chance {r.Chance:P1}, majority class {r.MajorityRate:P1})" +
                          (r.Permutations > 0 ? $"; permutations: mean {r.PermutationMean:P1}, max {r.PermutationMax:P1}, p = {r.PermutationP:F3} ({r.Permutations})" : ""));
        Console.Write(ConfusionTsv(r).Replace("\n", "\n  ").Insert(0, "  "));
        Console.WriteLine();
    }

    static string ConfusionTsv(ProbeResult r) => FaceBrain.Training.Labelling.ConfusionScore.Tsv(r.Classes, r.Confusion);
}
