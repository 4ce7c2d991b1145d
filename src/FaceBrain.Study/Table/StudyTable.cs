using System.Globalization;
using System.Text;
using FaceBrain.Core.IO;

namespace FaceBrain.Study.Table;

/// <summary>A row of the study's table: one network (or its random control) and one target.</summary>
public sealed record StudyRow(string Network, string Target, string Layer, double Accuracy, double Chance, double PValue,
                              double CiLow, double CiHigh, int Images, int Classes, int Permutations, double NullMean);

/// <summary>
/// The study's table (report/study.tsv), assembled from the probes' result files: one row per network × target,
/// each network's random control (<c>NAME-random</c>) below it. The numbers are the probe's own: accuracy over
/// the out-of-fold predictions, uniform chance, permutation p-value, bootstrap confidence interval.
/// </summary>
public static class StudyTable
{
    public static readonly string[] Columns =
        ["network", "target", "layer", "accuracy", "chance", "p_value", "ci_low", "ci_high", "images", "classes", "permutations", "null_mean_accuracy"];

    /// <param name="probes">Network name and probe folder (holding probe.json), in the experiment's order.</param>
    public static IReadOnlyList<StudyRow> Assemble(IEnumerable<(string Network, string Dir)> probes) =>
        Assemble(probes.Select(p => (p.Network, ProbeFile.Read(Path.Combine(p.Dir, "probe.json")))));

    public static IReadOnlyList<StudyRow> Assemble(IEnumerable<(string Network, (ProbeOutcome Result, ProbeOutcome? Control) Probe)> probes)
    {
        var rows = new List<StudyRow>();
        var controls = new List<StudyRow>();
        string? current = null;
        foreach (var (network, (result, control)) in probes)
        {
            if (current != null && network != current) { rows.AddRange(controls); controls.Clear(); }
            current = network;
            rows.Add(Row(network, result));
            if (control != null) controls.Add(Row(network + "-random", control));
        }
        rows.AddRange(controls);
        return rows;
    }

    static StudyRow Row(string network, ProbeOutcome o) =>
        new(network, o.Target, o.Layer, o.Accuracy, o.Chance, o.PValue, o.CiLow, o.CiHigh, o.Images, o.Classes.Count, o.Permutations, o.NullMean);

    public static string ToTsv(IReadOnlyList<StudyRow> rows)
    {
        // Shortest round-trip form: the table holds the probes' numbers exactly.
        static string F(double x) => x.ToString("R", CultureInfo.InvariantCulture);
        var sb = new StringBuilder(string.Join('\t', Columns)).Append('\n');
        foreach (var r in rows)
            sb.Append(string.Join('\t', r.Network, r.Target, r.Layer, F(r.Accuracy), F(r.Chance), F(r.PValue), F(r.CiLow), F(r.CiHigh),
                r.Images.ToString(CultureInfo.InvariantCulture), r.Classes.ToString(CultureInfo.InvariantCulture),
                r.Permutations.ToString(CultureInfo.InvariantCulture), F(r.NullMean))).Append('\n');
        return sb.ToString();
    }

    public static void Write(string path, IReadOnlyList<StudyRow> rows) => AtomicFile.WriteAllText(path, ToTsv(rows));
}
