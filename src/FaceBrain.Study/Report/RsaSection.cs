using System.Text.Json;
using FaceBrain.Core;
using FaceBrain.Core.IO;
using FaceBrain.Report.Figures;
using FaceBrain.Report.Html;
using Fig = FaceBrain.Report.Figures.Figures;

namespace FaceBrain.Study.Report;

/// <summary>
/// The report's RSA section, from the rsa step's files: each network's RDM at its chosen layer (rsa/NAME/rdm.npy,
/// rows in its store's stimulus order) drawn ordered by identity and by expression, with its correlation with the
/// label models (rsa.json); and, with fMRI, per ROI the networks' layer RDMs against the subjects' ROI RDMs
/// (fmri rsa's TSV) as bars under the noise ceiling.
/// </summary>
internal static class RsaSection
{
    public static ReportSection? Build(ReportRequest r, string figures)
    {
        var blocks = new List<ReportBlock>();
        var stores = r.Stores.ToDictionary(s => s.Name, s => s.Dir);
        foreach (var (name, dir) in r.Rsa)
        {
            if (!stores.TryGetValue(name, out var store)) throw new InputException(dir, $"no store given for the RDM of '{name}' (its stimulus table labels the rows)");
            var rdm = Npy.ReadAsDouble(Path.Combine(dir, "rdm.npy"));
            var stimuli = ResultFiles.Tsv(Path.Combine(store, "stimuli.tsv"));
            int n = stimuli.Count;
            if (rdm.Shape.Length != 2 || rdm.Shape[0] != n || rdm.Shape[1] != n)
                throw new InputException(Path.Combine(dir, "rdm.npy"), $"shape [{string.Join(", ", rdm.Shape)}] does not match the store's {n} stimuli");
            var matrix = new double[n, n];
            for (int i = 0; i < n; i++) for (int j = 0; j < n; j++) matrix[i, j] = rdm.Data[i * n + j];
            var ids = stimuli.Select(s => s["stimulus_id"]).ToList();
            var (distance, scores) = LabelModelScores(Path.Combine(dir, "rsa.json"));
            var layer = LayerOf(r, name);
            foreach (var by in new[] { "identity", "expression" })
            {
                if (!stimuli[0].ContainsKey(by)) continue;
                var groups = stimuli.Select(s => s[by]).ToList();
                var files = Fig.RdmHeatmap(new RdmFigure($"{name}, {layer ?? "chosen layer"}: ordered by {by}", $"{distance} distance", matrix, ids, groups, by),
                    Path.Combine(figures, $"rdm-{name}-by-{by}"));
                blocks.Add(new FigureBlock(files, $"RDM of {name} at {layer ?? "its chosen layer"} over the {n} stimuli, ordered by {by}" +
                    (by == "expression" && scores.Count > 0 ? $"; Spearman ρ with the label models: {string.Join(", ", scores)}" : "")));
            }
        }
        if (r.NeuralRsa is { } file)
        {
            var rows = ResultFiles.Tsv(file);
            foreach (var roi in rows.Select(x => x["roi"]).Distinct())
            {
                var inRoi = rows.Where(x => x["roi"] == roi).ToList();
                // Each network at its chosen layer (a random control at its network's): no layer picked by its score.
                var models = inRoi.GroupBy(x => x["network"]).Select(g =>
                {
                    var layer = LayerOf(r, BaseName(g.Key));
                    var row = g.FirstOrDefault(x => x["layer"] == layer) ?? g.Last();
                    return ResultFiles.Number(row["subject_mean"]) is { } v ? (Score: new ModelScore(g.Key, v), Layer: row["layer"]) : default((ModelScore Score, string Layer)?);
                }).OfType<(ModelScore Score, string Layer)>().ToList();
                if (models.Count == 0) continue;
                var lo = ResultFiles.Number(inRoi[0]["ceiling_lower"]);
                var hi = ResultFiles.Number(inRoi[0]["ceiling_upper"]);
                Interval? ceiling = lo is { } l && hi is { } h ? new Interval(Math.Min(l, h), Math.Max(l, h)) : null;
                var files = Fig.ModelComparison(new ModelComparisonFigure($"ROI {roi}: layer RDMs against the subjects' RDMs", "Spearman ρ (mean over subjects)",
                    models.Select(m => m.Score).ToList(), ceiling), Path.Combine(figures, $"rsa-roi-{roi}"));
                blocks.Add(new FigureBlock(files, $"ROI {roi}: each network's RDM at one layer ({string.Join(", ", models.Select(m => $"{m.Score.Model} {m.Layer}"))}) " +
                    "compared with each subject's ROI RDM, mean over subjects" +
                    (ceiling != null ? "; grey band: the noise ceiling (lower: each subject against the others' mean RDM, upper: against all)" : "; one subject, so no noise ceiling")));
            }
        }
        return blocks.Count > 0 ? new ReportSection("Representational similarity", blocks) : null;
    }

    /// <summary>The layer whose RDM the rsa step kept for a network: the experiment's choice, else unknown.</summary>
    static string? LayerOf(ReportRequest r, string network) =>
        r.Experiment is { Rsa: { } rsa } e && e.Networks.FirstOrDefault(n => n.Name == network) is { } net ? rsa.LayerOf(net) : null;

    static readonly System.Globalization.CultureInfo Invariant = System.Globalization.CultureInfo.InvariantCulture;

    static string BaseName(string store) => store.EndsWith("-random") ? store[..^"-random".Length] : store;

    /// <summary>rsa.json: the distance and each label model's Spearman ρ (with its interval when bootstrapped).</summary>
    static (string Distance, IReadOnlyList<string> Scores) LabelModelScores(string file)
    {
        if (!File.Exists(file)) throw new InputException(file, "rsa result not found");
        using var doc = JsonDocument.Parse(File.ReadAllText(file));
        var root = doc.RootElement;
        var distance = root.TryGetProperty("distance", out var d) ? d.GetString() ?? "" : "";
        var scores = new List<string>();
        if (root.TryGetProperty("models", out var models))
            foreach (var m in models.EnumerateObject())
                if (m.Value.TryGetProperty("spearman", out var v) && v.ValueKind == JsonValueKind.Number)
                {
                    var ci = m.Value.TryGetProperty("spearman_ci", out var c) && c.ValueKind == JsonValueKind.Object
                        ? string.Create(Invariant, $" [{c.GetProperty("low").GetDouble():F2}, {c.GetProperty("high").GetDouble():F2}]") : "";
                    scores.Add(string.Create(Invariant, $"{m.Name} {v.GetDouble():F2}{ci}"));
                }
        return (distance, scores);
    }
}
