using System.Globalization;
using System.Text;
using System.Text.Json;
using FaceBrain.Core.IO;

namespace FaceBrain.Training.Loop;

/// <summary>One line of metrics.tsv / one entry of metrics.json.</summary>
public sealed record EpochMetrics(
    int Epoch, double TrainLoss, double TrainAccuracy, double HeldoutAccuracy, double? HeldoutAuc,
    double LearningRate, double Seconds, double ImagesPerSecond);

/// <summary>Writes the per-epoch metrics of a run as TSV and JSON (each rewritten atomically after every epoch).</summary>
public static class MetricsLog
{
    public const string TsvName = "metrics.tsv", JsonName = "metrics.json";

    public static void Write(string dir, IReadOnlyList<EpochMetrics> rows)
    {
        var sb = new StringBuilder("epoch\ttrain_loss\ttrain_accuracy\theldout_accuracy\theldout_auc\tlearning_rate\tseconds\timages_per_second\n");
        foreach (var m in rows)
            sb.Append(string.Join('\t', m.Epoch.ToString(CultureInfo.InvariantCulture), F(m.TrainLoss), F(m.TrainAccuracy),
                F(m.HeldoutAccuracy), m.HeldoutAuc is double a ? F(a) : "", F(m.LearningRate), F(m.Seconds), F(m.ImagesPerSecond))).Append('\n');
        AtomicFile.WriteAllText(Path.Combine(dir, TsvName), sb.ToString());
        JsonOutput.Write(Path.Combine(dir, JsonName), rows);
    }

    public static List<EpochMetrics> Read(string dir)
    {
        var path = Path.Combine(dir, JsonName);
        if (!File.Exists(path)) return [];
        try { return JsonSerializer.Deserialize<List<EpochMetrics>>(File.ReadAllText(path), JsonOutput.Options) ?? []; }
        catch (JsonException e) { throw new InputException(path, $"not valid metrics JSON: {e.Message.Split('\n')[0]}"); }
    }

    static string F(double v) => v.ToString("G6", CultureInfo.InvariantCulture);
}
