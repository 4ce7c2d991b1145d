namespace FaceBrain.Training.Siamese;

/// <summary>The LFW 10-fold result: mean and spread of fold accuracies, each fold's threshold, and ROC AUC over all pairs.</summary>
public sealed record VerificationResult(
    double Accuracy, double AccuracyStd, IReadOnlyList<double> FoldAccuracies, IReadOnlyList<double> Thresholds, double Auc, int Pairs);

/// <summary>
/// The LFW verification protocol: for each fold, the threshold that maximises accuracy on the other folds
/// (nine of ten) is applied to that fold ("same" when score ≥ threshold); accuracy is the mean over folds.
/// AUC is the Mann–Whitney probability that a same pair outscores a different pair (ties count ½).
/// </summary>
public static class Verification
{
    public static VerificationResult TenFold(IReadOnlyList<double> scores, IReadOnlyList<bool> same, IReadOnlyList<int> fold)
    {
        if (scores.Count == 0) throw new InputException("verification: no pairs to evaluate (empty split)");
        if (scores.Count != same.Count || scores.Count != fold.Count) throw new ArgumentException("one score, label and fold per pair");
        var folds = fold.Distinct().Order().ToArray();
        if (folds.Length < 2) throw new InputException("verification: the pairs form one fold; the protocol needs at least two");
        var accs = new List<double>();
        var ths = new List<double>();
        foreach (var f in folds)
        {
            var trainIdx = Enumerable.Range(0, scores.Count).Where(i => fold[i] != f).ToArray();
            var testIdx = Enumerable.Range(0, scores.Count).Where(i => fold[i] == f).ToArray();
            double t = BestThreshold(trainIdx.Select(i => scores[i]).ToArray(), trainIdx.Select(i => same[i]).ToArray());
            ths.Add(t);
            accs.Add(testIdx.Count(i => (scores[i] >= t) == same[i]) / (double)testIdx.Length);
        }
        double mean = accs.Average();
        double std = Math.Sqrt(accs.Sum(a => (a - mean) * (a - mean)) / accs.Count);
        return new VerificationResult(mean, std, accs, ths, Auc(scores, same), scores.Count);
    }

    /// <summary>The threshold (midway between adjacent distinct scores, or beyond the extremes) with the best accuracy; ties go to the lowest.</summary>
    public static double BestThreshold(IReadOnlyList<double> scores, IReadOnlyList<bool> same)
    {
        var distinct = scores.Distinct().Order().ToArray();
        var candidates = new List<double> { distinct[0] - 1 };
        for (int i = 0; i + 1 < distinct.Length; i++) candidates.Add((distinct[i] + distinct[i + 1]) / 2);
        candidates.Add(distinct[^1] + 1);
        double best = candidates[0];
        int bestRight = -1;
        foreach (var t in candidates)
        {
            int right = 0;
            for (int i = 0; i < scores.Count; i++) if ((scores[i] >= t) == same[i]) right++;
            if (right > bestRight) { bestRight = right; best = t; }
        }
        return best;
    }

    public static double Auc(IReadOnlyList<double> scores, IReadOnlyList<bool> same)
    {
        int pos = same.Count(s => s), neg = same.Count - pos;
        if (pos == 0 || neg == 0) return double.NaN;
        var order = Enumerable.Range(0, scores.Count).OrderBy(i => scores[i]).ToArray();
        var ranks = new double[scores.Count];
        for (int i = 0; i < order.Length;)
        {
            int j = i;
            while (j + 1 < order.Length && scores[order[j + 1]] == scores[order[i]]) j++;
            double r = (i + j) / 2.0 + 1;
            for (int k = i; k <= j; k++) ranks[order[k]] = r;
            i = j + 1;
        }
        double sumPos = Enumerable.Range(0, scores.Count).Where(i => same[i]).Sum(i => ranks[i]);
        return (sumPos - pos * (pos + 1) / 2.0) / ((double)pos * neg);
    }
}
