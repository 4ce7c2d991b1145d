using System.ComponentModel;
using FaceBrain.Core.IO;
using FaceBrain.Core.Torch;
using FaceBrain.Data.Loading;
using FaceBrain.Models;
using FaceBrain.Training;
using FaceBrain.Training.Data;
using FaceBrain.Training.Loop;
using FaceBrain.Training.Siamese;
using Spectre.Console.Cli;

namespace FaceBrain.Cli.Commands.Models;

/// <summary>
/// <c>facebrain train siamese</c>: the verification network on balanced pairs, evaluated each epoch with the
/// LFW 10-fold protocol on pairs.txt (identities in those pairs are left out of training by default).
/// </summary>
public sealed class TrainSiameseCommand : Command<TrainSiameseCommand.Settings>
{
    public sealed class Settings : TrainSettings
    {
        [CommandOption("--pairs <N>")]
        [Description("Training pairs drawn per epoch, half same, half different (default 2000).")]
        public int Pairs { get; init; } = 2000;

        [CommandOption("--hard-negatives <FRACTION>")]
        [Description("From the second epoch, replace this share of the different pairs by hard negatives: the most alike of 16 random other-identity images under the current network (default 0).")]
        public double HardNegatives { get; init; }

        [CommandOption("--exclude <WHAT>")]
        [Description("What of the evaluation pairs training must not see: identities (default) or images.")]
        public string Exclude { get; init; } = "identities";

        [CommandOption("--eval <SPEC>")]
        [Description("Evaluation set with a pairs.txt (lfw:DIR), when it is not the --data set itself.")]
        public string? Eval { get; init; }

        public Settings() { Model = "siamese"; }
    }

    public override int Execute(CommandContext context, Settings s, CancellationToken cancellation)
    {
        var dataSpec = s.RequireData();
        var options = s.TrainerOptions();
        var device = DeviceSpec.Parse(s.Device).Resolve();
        var spec = s.ToSpec();
        if (spec.Kind != ModelKind.Siamese) throw new FaceBrain.Core.InputException("train siamese: --model must be siamese");
        bool byIdentity = s.Exclude.ToLowerInvariant() switch
        {
            "identities" => true,
            "images" => false,
            _ => throw new FaceBrain.Core.InputException($"--exclude {s.Exclude}: expected identities or images"),
        };
        var data = FaceData.Load(dataSpec);
        var ids = FaceData.Column(data.Stimuli, Labels.Identity, dataSpec);
        var evalSet = s.Eval != null ? FaceData.Load(s.Eval) : data;
        if (s.Eval != null && evalSet.Pairs == null) throw new FaceBrain.Core.InputException(s.Eval, "has no pairs.txt to evaluate verification on");
        var (trainRows, evalRows, evalPairs) = evalSet.Pairs is { } lfw
            ? FromPairsFile(data, ids, evalSet, lfw, byIdentity, dataSpec)
            : HeldOutIdentities(ids, s.Seed);
        string preset = s.Preset ?? spec.DefaultPreset;
        using var train = FaceData.Tensors(trainRows.Select(i => data.Stimuli[i]).ToArray(), Labels.Identity, spec.EffectiveInputSize, preset, dataSpec, s.Cache);
        using var eval = FaceData.Tensors(evalRows.Select(i => evalSet.Stimuli[i]).ToArray(), Labels.Identity, spec.EffectiveInputSize, preset, s.Eval ?? dataSpec, s.Cache);
        Console.WriteLine($"train siamese: {train.Count} training images of {train.Classes.Count} identities; " +
                          $"{evalPairs.Count} evaluation pairs in {evalPairs.Select(p => p.Fold).Distinct().Count()} folds " +
                          $"({(evalSet.Pairs != null ? evalSet.Pairs.Source : "drawn from held-out identities")}) on {device}");
        using var net = Network.Create(spec, device, s.Seed);
        var task = new SiameseTask(net, train, s.Pairs, eval, evalPairs, s.Augmentation(), device, s.HardNegatives);
        var printer = new ProgressPrinter();
        var run = OutOfMemory.Guard(device, s.Batch, () => Trainer.Run(task, options, printer.Step, printer.Epoch, Interrupt.Token));
        var v = task.LastVerification!;
        JsonOutput.Write(Path.Combine(options.OutDir, "verification.json"), v);
        Console.WriteLine($"10-fold verification: accuracy {v.Accuracy:P2} ± {v.AccuracyStd:P2}, ROC AUC {v.Auc:F4} over {v.Pairs} pairs (chance 50%)");
        Console.WriteLine($"checkpoint: {run.Checkpoint}");
        return 0;
    }

    /// <summary>
    /// LFW: evaluation on pairs.txt (of <paramref name="evalSet"/>, which may be the training set itself);
    /// training on the images whose identity (or, with --exclude images, whose file) appears in no pair.
    /// </summary>
    static (int[] Train, int[] Eval, List<EvalPair> Pairs) FromPairsFile(LoadResult data, string[] ids, LoadResult evalSet, LfwPairs lfw, bool byIdentity, string source)
    {
        var row = evalSet.Stimuli.Select((st, i) => (st.Id, i)).ToDictionary(p => p.Id, p => p.i, StringComparer.Ordinal);
        var used = lfw.All.SelectMany(p => new[] { row[p.A], row[p.B] }).Distinct().Order().ToArray();
        var evalIndex = used.Select((r, k) => (r, k)).ToDictionary(p => p.r, p => p.k);
        var pairs = lfw.All.Select(p => new EvalPair(evalIndex[row[p.A]], evalIndex[row[p.B]], p.Same, p.Fold)).ToList();
        var usedIds = used.Select(r => evalSet.Stimuli[r].Label(Labels.Identity) ?? "").ToHashSet(StringComparer.Ordinal);
        var usedPaths = used.Select(r => Path.GetFullPath(evalSet.Stimuli[r].Path ?? "")).ToHashSet(StringComparer.Ordinal);
        var train = Enumerable.Range(0, ids.Length)
            .Where(i => byIdentity ? !usedIds.Contains(ids[i]) : !usedPaths.Contains(Path.GetFullPath(data.Stimuli[i].Path ?? ""))).ToArray();
        if (train.Length == 0)
            throw new FaceBrain.Core.InputException(source, $"no training images left after excluding the evaluation pairs' {(byIdentity ? "identities" : "images")}; try --exclude images");
        if (lfw.Folds.Count < 2)
            throw new FaceBrain.Core.InputException(lfw.Source, "has one fold; the 10-fold protocol needs pairs.txt");
        return (train, used, pairs);
    }

    /// <summary>No pairs file: a seeded fifth of the identities is held out and 600 balanced pairs are drawn from them, in 10 folds.</summary>
    static (int[] Train, int[] Eval, List<EvalPair> Pairs) HeldOutIdentities(string[] ids, long seed)
    {
        var names = ids.Distinct().Order(StringComparer.Ordinal).ToArray();
        if (names.Length < 4) throw new FaceBrain.Core.InputException($"train siamese: {names.Length} identities; holding out a fifth for evaluation needs at least 4");
        new Random(unchecked((int)seed)).Shuffle(names);
        var held = names.Take(Math.Max(2, names.Length / 5)).ToHashSet(StringComparer.Ordinal);
        var evalRows = Enumerable.Range(0, ids.Length).Where(i => held.Contains(ids[i])).ToArray();
        var trainRows = Enumerable.Range(0, ids.Length).Where(i => !held.Contains(ids[i])).ToArray();
        var labels = evalRows.Select(r => (long)Array.IndexOf(names, ids[r])).ToArray();
        var sampled = PairSampler.Balanced(labels, 600, Splits.SeedFor(seed, 0, 4));
        var pairs = sampled.Select((p, k) => new EvalPair(p.A, p.B, p.Same, k % 10)).ToList();
        return (trainRows, evalRows, pairs);
    }
}
