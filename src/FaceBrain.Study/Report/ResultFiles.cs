using System.Globalization;
using FaceBrain.Core;

namespace FaceBrain.Study.Report;

/// <summary>Readers of the verbs' result tables the report draws from (TSV with a header; numbers invariant).</summary>
public static class ResultFiles
{
    /// <summary>Rows of a TSV as column → value maps.</summary>
    public static IReadOnlyList<IReadOnlyDictionary<string, string>> Tsv(string path)
    {
        if (!File.Exists(path)) throw new InputException(path, "result table not found");
        var lines = File.ReadAllLines(path).Where(l => l.Length > 0).ToArray();
        if (lines.Length == 0) throw new InputException(path, "empty table (no header)");
        var header = lines[0].Split('\t');
        return lines.Skip(1).Select((l, i) =>
        {
            var f = l.Split('\t');
            if (f.Length != header.Length) throw new InputException(path, $"row {i + 2} has {f.Length} fields, the header {header.Length}");
            return (IReadOnlyDictionary<string, string>)header.Zip(f).ToDictionary(p => p.First, p => p.Second);
        }).ToList();
    }

    public static double? Number(string s) =>
        double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out var v) && double.IsFinite(v) ? v : null;

    /// <summary>analyse's long table (layer, analysis, target, metric, value): the value of one measure per layer, in layer order.</summary>
    public static IReadOnlyList<(string Layer, double Value)> Measure(IReadOnlyList<IReadOnlyDictionary<string, string>> rows,
                                                                      string analysis, string target, string metric) =>
        rows.Where(r => r["analysis"] == analysis && r["target"] == target && r["metric"] == metric)
            .Select(r => (r["layer"], Number(r["value"])))
            .Where(p => p.Item2 != null).Select(p => (p.Item1, p.Item2!.Value)).ToList();
}
