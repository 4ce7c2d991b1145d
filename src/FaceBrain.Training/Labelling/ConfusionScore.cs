namespace FaceBrain.Training.Labelling;

/// <summary>Predictions scored against ground truth: confusion (rows true, columns predicted), accuracy, chance (1 /
/// classes), and per-class recall (NaN for a class with no true instance).</summary>
public sealed record ConfusionScore(IReadOnlyList<string> Classes, IReadOnlyList<IReadOnlyList<int>> Confusion, int Images,
                                    double Accuracy, double Chance, IReadOnlyList<double> Recall)
{
    /// <summary>The confusion as a TSV table: header <c>true\predicted</c> and the classes, one row per true class (no final newline).</summary>
    public static string Tsv(IReadOnlyList<string> classes, IReadOnlyList<IReadOnlyList<int>> confusion)
    {
        var sb = new System.Text.StringBuilder("true\\predicted\t" + string.Join('\t', classes));
        for (int i = 0; i < classes.Count; i++) sb.Append('\n').Append(classes[i]).Append('\t').Append(string.Join('\t', confusion[i]));
        return sb.ToString();
    }

    public static ConfusionScore Of(IReadOnlyList<string> truth, IReadOnlyList<string> predicted, IReadOnlyList<string> classes)
    {
        if (truth.Count != predicted.Count) throw new ArgumentException($"{truth.Count} true labels, {predicted.Count} predictions");
        if (truth.Count == 0) throw new InputException("no images to score");
        var index = classes.Select((c, i) => (c, i)).ToDictionary(p => p.c, p => p.i, StringComparer.Ordinal);
        int Of(string label, string what) => index.TryGetValue(label, out var i) ? i
            : throw new InputException($"{what} '{label}' is not one of the classes {string.Join(", ", classes)}");
        var confusion = classes.Select(_ => new int[classes.Count]).ToArray();
        int right = 0;
        for (int k = 0; k < truth.Count; k++)
        {
            int t = Of(truth[k], "true label"), p = Of(predicted[k], "prediction");
            confusion[t][p]++;
            if (t == p) right++;
        }
        var recall = confusion.Select((row, i) => row.Sum() is var n and > 0 ? (double)row[i] / n : double.NaN).ToArray();
        return new ConfusionScore(classes, confusion, truth.Count, (double)right / truth.Count, 1.0 / classes.Count, recall);
    }
}
