using System.Globalization;
using System.Text;
using FaceBrain.Core.IO;

namespace FaceBrain.Study.Table;

/// <summary>A row of the study's table: one network (or its random control) and one target.</summary>
public sealed record StudyRow(string Network, string Target, string Layer, double Accuracy, double Chance, double PValue,
                              double CiLow, double CiHigh, int Images, int Classes, int Permutations, double PermutationMean);

/// <summary>
/// The study's table (report/study.tsv), assembled from the probes' result files: one row per network × target,
/// each network's random control (<c>NAME-random</c>) right below it. The interval is the Wilson 95% score
/// interval of the accuracy over the probe's test predictions (every image is predicted once, out of fold).
/// </summary>
public static class StudyTable
{
    public static readonly string[] Columns =
        ["network", "target", "layer", "accuracy", "chance", "p_value", "ci_low", "ci_high", "images", "classes", "permutations", "permutation_mean"];

    /// <param name="probes">Network name and probe folder (holding probe.json), in the experiment's order.</param>
    public static IReadOnlyList<StudyRow> Assemble(IEnumerable<(string Network, string Dir)> probes)
    {
        var rows = new List<StudyRow>();
        var controls = new List<StudyRow>();
        string? current = null;
        foreach (var (network, dir) in probes)
        {
            if (current != null && network != current) { rows.AddRange(controls); controls.Clear(); }
            current = network;
            var (result, control) = ProbeFile.Read(Path.Combine(dir, "probe.json"));
            rows.Add(Row(network, result));
            if (control != null) controls.Add(Row(network + "-random", control));
        }
        rows.AddRange(controls);
        return rows;
    }

    static StudyRow Row(string network, ProbeOutcome o)
    {
        var (low, high) = Wilson(o.Accuracy, o.Images);
        return new StudyRow(network, o.Target, o.Layer, o.Accuracy, o.Chance, o.PValue, low, high, o.Images, o.Classes, o.Permutations, o.PermutationMean);
    }

    /// <summary>Wilson score interval (95%) for a proportion <paramref name="p"/> of <paramref name="n"/> trials.</summary>
    public static (double Low, double High) Wilson(double p, int n)
    {
        if (n <= 0) return (double.NaN, double.NaN);
        const double z = 1.959963984540054;
        double z2 = z * z, denom = 1 + z2 / n;
        double centre = (p + z2 / (2 * n)) / denom;
        double half = z * Math.Sqrt(p * (1 - p) / n + z2 / (4.0 * n * n)) / denom;
        return (Math.Max(0, centre - half), Math.Min(1, centre + half));
    }

    public static string ToTsv(IReadOnlyList<StudyRow> rows)
    {
        // Shortest round-trip form: the table holds the probes' numbers exactly.
        static string F(double x) => x.ToString("R", CultureInfo.InvariantCulture);
        var sb = new StringBuilder(string.Join('\t', Columns)).Append('\n');
        foreach (var r in rows)
            sb.Append(string.Join('\t', r.Network, r.Target, r.Layer, F(r.Accuracy), F(r.Chance), F(r.PValue), F(r.CiLow), F(r.CiHigh),
                r.Images.ToString(CultureInfo.InvariantCulture), r.Classes.ToString(CultureInfo.InvariantCulture),
                r.Permutations.ToString(CultureInfo.InvariantCulture), F(r.PermutationMean))).Append('\n');
        return sb.ToString();
    }

    public static void Write(string path, IReadOnlyList<StudyRow> rows) => AtomicFile.WriteAllText(path, ToTsv(rows));
}
