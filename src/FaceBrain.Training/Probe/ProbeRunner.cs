using TorchSharp;
using static TorchSharp.torch;

namespace FaceBrain.Training.Probe;

/// <summary>The outcome of a probe on one backbone.</summary>
public sealed record ProbeResult(
    string Backbone, string Layer, string Target, int Images, int Features, IReadOnlyList<string> Classes,
    double Accuracy, double Chance, double MajorityRate, IReadOnlyList<IReadOnlyList<int>> Confusion,
    IReadOnlyList<string> Folds, IReadOnlyList<double> FoldAccuracies,
    int Permutations, double PermutationMean, double PermutationMax, double PermutationP);

/// <summary>
/// Cross-validated linear read-out of cached features: accuracy over all test predictions, chance
/// (1 / classes) and the majority-class rate, a confusion matrix (rows true, columns predicted), and a
/// permutation baseline (training labels shuffled within each fold, every fold refitted for each permutation).
/// </summary>
public static class ProbeRunner
{
    public static ProbeResult Run(string backbone, string layer, string target, Tensor features, IReadOnlyList<string> labels,
                                  IReadOnlyList<ProbeFold> folds, ProbeFit fit, int permutations, long seed, Device? device = null)
    {
        var classes = labels.Distinct().Order(StringComparer.Ordinal).ToArray();
        if (classes.Length < 2) throw new InputException($"probe: target '{target}' has {classes.Length} class(es); a probe needs at least two");
        foreach (var f in folds)
        {
            if (f.Train.Length == 0 || f.Test.Length == 0) throw new InputException($"probe: fold {f.Name} has an empty {(f.Train.Length == 0 ? "training" : "test")} split");
            if (f.Train.Select(i => labels[i]).Distinct().Count() < 2)
                throw new InputException($"probe: fold {f.Name} trains on one '{target}' class only");
        }
        var index = classes.Select((c, i) => (c, i)).ToDictionary(p => p.c, p => (long)p.i);
        var y = labels.Select(l => index[l]).ToArray();

        // Label sets per fold: row 0 the true labels, rows 1..P the training labels shuffled within the fold.
        var rng = new Random(unchecked((int)seed) ^ 0x5bd1e995);
        var confusion = Enumerable.Range(0, classes.Length).Select(_ => new int[classes.Length]).ToArray();
        var foldAcc = new double[folds.Count];
        var right = new long[permutations + 1];
        long total = 0;
        for (int fi = 0; fi < folds.Count; fi++)
        {
            var f = folds[fi];
            var sets = new List<long[]> { f.Train.Select(i => y[i]).ToArray() };
            for (int p = 0; p < permutations; p++)
            {
                var shuffled = (long[])sets[0].Clone();
                rng.Shuffle(shuffled);
                sets.Add(shuffled);
            }
            using var scope = NewDisposeScope();
            var xtr = features.index_select(0, tensor(f.Train.Select(i => (long)i).ToArray()));
            var xte = features.index_select(0, tensor(f.Test.Select(i => (long)i).ToArray()));
            var preds = LinearProbe.FitPredict(xtr, sets, xte, classes.Length, fit, device);
            for (int k = 0; k < f.Test.Length; k++)
            {
                long t = y[f.Test[k]];
                confusion[t][preds[0][k]]++;
                for (int p = 0; p <= permutations; p++) if (preds[p][k] == t) right[p]++;
            }
            foldAcc[fi] = f.Test.Where((row, k) => preds[0][k] == y[row]).Count() / (double)f.Test.Length;
            total += f.Test.Length;
        }
        double acc = (double)right[0] / total;
        var perm = right.Skip(1).Select(r => (double)r / total).ToArray();
        double majority = y.GroupBy(v => v).Max(g => g.Count()) / (double)y.Length;
        return new ProbeResult(backbone, layer, target, y.Length, (int)features.shape[1], classes, acc, 1.0 / classes.Length, majority,
            confusion, folds.Select(f => f.Name).ToArray(), foldAcc, permutations,
            permutations > 0 ? perm.Average() : double.NaN, permutations > 0 ? perm.Max() : double.NaN,
            permutations > 0 ? (perm.Count(v => v >= acc) + 1.0) / (permutations + 1) : double.NaN);
    }
}
