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
/// permutation baseline (training labels shuffled within each fold, the whole CV refitted each time).
/// </summary>
public static class ProbeRunner
{
    public static ProbeResult Run(string backbone, string layer, string target, Tensor features, IReadOnlyList<string> labels,
                                  IReadOnlyList<ProbeFold> folds, ProbeFit fit, int permutations, long seed)
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

        var (acc, confusion, foldAcc) = CrossValidate(features, y, y, folds, classes.Length, fit, seed);
        var perm = new double[permutations];
        var rng = new Random(unchecked((int)seed) ^ 0x5bd1e995);
        for (int p = 0; p < permutations; p++)
        {
            var shuffled = (long[])y.Clone();
            foreach (var f in folds)
            {
                var vals = f.Train.Select(i => y[i]).ToArray();
                rng.Shuffle(vals);
                for (int k = 0; k < f.Train.Length; k++) shuffled[f.Train[k]] = vals[k];
            }
            perm[p] = CrossValidate(features, shuffled, y, folds, classes.Length, fit, seed + p + 1).Accuracy;
        }
        double majority = y.GroupBy(v => v).Max(g => g.Count()) / (double)y.Length;
        return new ProbeResult(backbone, layer, target, y.Length, (int)features.shape[1], classes, acc, 1.0 / classes.Length, majority,
            confusion, folds.Select(f => f.Name).ToArray(), foldAcc, permutations,
            permutations > 0 ? perm.Average() : double.NaN, permutations > 0 ? perm.Max() : double.NaN,
            permutations > 0 ? (perm.Count(v => v >= acc) + 1.0) / (permutations + 1) : double.NaN);
    }

    static (double Accuracy, int[][] Confusion, double[] FoldAccuracies) CrossValidate(
        Tensor x, long[] yFit, long[] yTrue, IReadOnlyList<ProbeFold> folds, int classes, ProbeFit fit, long seed)
    {
        var confusion = Enumerable.Range(0, classes).Select(_ => new int[classes]).ToArray();
        var foldAcc = new double[folds.Count];
        int right = 0, total = 0;
        for (int f = 0; f < folds.Count; f++)
        {
            using var scope = NewDisposeScope();
            var fold = folds[f];
            var xtr = x.index_select(0, tensor(fold.Train.Select(i => (long)i).ToArray()));
            var xte = x.index_select(0, tensor(fold.Test.Select(i => (long)i).ToArray()));
            var pred = LinearProbe.FitPredict(xtr, fold.Train.Select(i => yFit[i]).ToArray(), xte, classes, fit, seed);
            int r = 0;
            for (int k = 0; k < fold.Test.Length; k++)
            {
                long t = yTrue[fold.Test[k]];
                confusion[t][pred[k]]++;
                if (pred[k] == t) r++;
            }
            foldAcc[f] = (double)r / fold.Test.Length;
            right += r;
            total += fold.Test.Length;
        }
        return ((double)right / total, confusion, foldAcc);
    }
}
