using FaceBrain.Analysis;

namespace FaceBrain.Training.Labelling;

/// <summary>Predictions scored against ground truth with the decoders' own metrics (<c>Metrics.score</c>): confusion
/// (rows true, columns predicted), accuracy, chance (1 / classes), per-class recall (NaN for a class with no true instance).</summary>
public sealed record ConfusionScore(IReadOnlyList<string> Classes, IReadOnlyList<IReadOnlyList<int>> Confusion, int Images,
                                    double Accuracy, double Chance, IReadOnlyList<double> Recall)
{
    /// <summary>The confusion as the TSV table probe writes (header <c>true\predicted</c>, one row per true class).</summary>
    public string Tsv()
    {
        var m = new int[Classes.Count, Classes.Count];
        for (int i = 0; i < Classes.Count; i++) for (int j = 0; j < Classes.Count; j++) m[i, j] = Confusion[i][j];
        return Results.confusionTsvOf(Classes.ToArray(), m);
    }

    public static ConfusionScore Of(IReadOnlyList<string> truth, IReadOnlyList<string> predicted, IReadOnlyList<string> classes)
    {
        if (truth.Count != predicted.Count) throw new ArgumentException($"{truth.Count} true labels, {predicted.Count} predictions");
        if (truth.Count == 0) throw new InputException("no images to score");
        var index = classes.Select((c, i) => (c, i)).ToDictionary(p => p.c, p => p.i, StringComparer.Ordinal);
        int[] Codes(IReadOnlyList<string> labels, string what) => labels.Select(l => index.TryGetValue(l, out var i) ? i
            : throw new InputException($"{what} '{l}' is not one of the classes {string.Join(", ", classes)}")).ToArray();
        var s = Metrics.score(classes.Count, Codes(truth, "true label"), Codes(predicted, "prediction"));
        var confusion = Enumerable.Range(0, classes.Count)
            .Select(i => (IReadOnlyList<int>)Enumerable.Range(0, classes.Count).Select(j => s.Confusion[i, j]).ToArray()).ToArray();
        return new ConfusionScore(classes, confusion, truth.Count, s.Accuracy, s.ChanceUniform, s.Recall);
    }
}
