using System.Text.Json;
using FaceBrain.Report;
using FaceBrain.Report.Figures;
using FaceBrain.Report.Html;
using FaceBrain.Study.Run;
using FaceBrain.Study.Table;
using Fig = FaceBrain.Report.Figures.Figures;

namespace FaceBrain.Study.Report;

/// <summary>
/// What the report task is given: the experiment (null for a report made by hand) and the result folders of its
/// tasks, by network or store (Rsa: rsa/NAME with rsa.json and rdm.npy; Stores: the stores whose stimulus tables
/// label those RDMs; NeuralRsa: fmri rsa's TSV; Labels: faces label folders).
/// </summary>
public sealed record ReportRequest(
    string Out, Experiment.Experiment? Experiment,
    IReadOnlyList<(string Name, string Dir)> Probes, IReadOnlyList<(string Name, string Dir)> Train,
    IReadOnlyList<(string Name, string Dir)> Analysis, IReadOnlyList<(string Name, string File)> Profiles,
    IReadOnlyList<(string Name, string Dir)> Fmri, string? RoiTable, string Version,
    IReadOnlyList<(string Name, string Dir)> Rsa, IReadOnlyList<(string Name, string Dir)> Stores, string? NeuralRsa,
    IReadOnlyList<(string Name, string Dir)> Labels);

/// <summary>
/// The report (OUT/report): study.tsv, one figure per result kind through FaceBrain.Report (PNG + SVG + TSV beside
/// index.html), and index.html with the table beside the published figures, the curves, the encoding profiles,
/// the RDMs and RSA model comparisons, the training curves, the confusion matrices and the provenance. It reads result files; it computes nothing new.
/// </summary>
public static class StudyReport
{
    public static (string Index, IReadOnlyList<StudyRow> Rows) Write(ReportRequest r)
    {
        Directory.CreateDirectory(r.Out);
        var figures = Path.Combine(r.Out, "figures");
        Directory.CreateDirectory(figures);
        var info = ExperimentInfo.Of(r.Experiment);
        var probes = r.Probes.Select(p => (p.Name, Probe: ProbeFile.Read(Path.Combine(p.Dir, "probe.json")), p.Dir)).ToList();
        var rows = StudyTable.Assemble(probes.Select(p => (p.Name, p.Probe)));
        StudyTable.Write(Path.Combine(r.Out, "study.tsv"), rows);
        var sections = new List<ReportSection>();

        // The study's table beside the published figures.
        var blocks = new List<ReportBlock>();
        if (info.Synthetic)
            blocks.Add(new Paragraph("These numbers come from synthetic faces and simulated fMRI: they test the pipeline (every step ran and " +
                                     "found what was planted), they do not replicate the study. The published figures are from real LFW, VGGFace2 and KDEF."));
        blocks.Add(new TableBlock(StudyRowsTable(rows, info.Published), "The study's table (study.tsv): linear read-out of each frozen network, its random control below it"));
        if (rows.Count > 0)
        {
            var bars = rows.Select(x => new StudyBar(x.Network, x.Target, x.Accuracy, x.Chance, Finite(x.CiLow), Finite(x.CiHigh),
                info.Published.FirstOrDefault(p => p.Network == x.Network && p.Target == x.Target)?.Accuracy)).ToList();
            blocks.Add(new FigureBlock(Fig.StudyComparison(new StudyComparisonFigure("Read-out accuracy against the published study", bars, info.Synthetic),
                Path.Combine(figures, "study")), "Accuracy (bars, 95% bootstrap CI), chance (dotted) and the published accuracy (grey)"));
        }
        sections.Add(new ReportSection("The study", blocks));

        // Layerwise analyses.
        if (r.Analysis.Count > 0)
        {
            var tables = r.Analysis.Select(a => (a.Name, Rows: ResultFiles.Tsv(Path.Combine(a.Dir, "analysis.tsv")))).ToList();
            var layerBlocks = new List<ReportBlock>();
            var curves = new List<DecodingCurve>();
            foreach (var (name, t) in tables)
                foreach (var target in t.Where(x => x["analysis"] == "decoding").Select(x => x["target"]).Distinct())
                {
                    var acc = ResultFiles.Measure(t, "decoding", target, "accuracy");
                    var chance = ResultFiles.Measure(t, "decoding", target, "chance").Select(c => c.Value).FirstOrDefault();
                    if (acc.Count == 0 || chance is <= 0 or >= 1) continue;
                    curves.Add(new DecodingCurve(BaseName(name), target, name.EndsWith("-random") ? Weights.Random : Weights.Trained, chance,
                        acc.Select(a => new LayerValue(a.Layer, a.Value)).ToList()));
                }
            if (curves.Count > 0)
                layerBlocks.Add(new FigureBlock(Fig.DecodingCurves(new DecodingCurvesFigure("Decodability across layers", curves), Path.Combine(figures, "decoding")),
                    "Cross-validated decoding accuracy per layer (identity, expression), trained solid and random dashed, chance lines"));
            var panels = new List<LayerPanel>();
            void Panel(string title, string ylabel, string analysis, string target, string metric, ReferenceLine? reference)
            {
                var series = tables.Select(x => new LayerSeries(x.Name, ResultFiles.Measure(x.Rows, analysis, target, metric).Select(m => new LayerValue(m.Layer, m.Value)).ToList()))
                    .Where(s => s.Layers.Count > 0).ToList();
                if (series.Count > 0) panels.Add(new LayerPanel(title, ylabel, series, reference));
            }
            Panel("Identity/expression congruence", "mean |Tucker's congruence|", "disentanglement", "identityxexpression", "mean_abs_congruence", new ReferenceLine(0, "orthogonal"));
            Panel("Cross-expression identity generalisation", "accuracy", "disentanglement", "identityxexpression", "cross_expression_identity_accuracy", null);
            Panel("RSA: identity model", "Spearman ρ", "rsa", "identity", "spearman", new ReferenceLine(0, "zero"));
            Panel("RSA: expression model", "Spearman ρ", "rsa", "expression", "spearman", new ReferenceLine(0, "zero"));
            if (panels.Count > 0)
                layerBlocks.Add(new FigureBlock(Fig.LayerLines(new LayerLinesFigure("Disentanglement and RSA across layers", panels), Path.Combine(figures, "layers")),
                    "Congruence of identity and expression discriminant directions, cross-expression identity accuracy, and RDM correlations with the label models, per layer"));
            sections.Add(new ReportSection("Layers", layerBlocks));
        }

        // Encoding models.
        if (r.Profiles.Count > 0)
        {
            var truth = r.Fmri.Select(f => Path.Combine(f.Dir, "truth.tsv")).FirstOrDefault(File.Exists);
            var truthRows = truth != null ? ResultFiles.Tsv(truth) : [];
            var scores = r.Profiles.SelectMany(p => ProfileScores(p.Name, p.File)).ToList();
            var profiles = scores.GroupBy(s => s.Roi).Select(g =>
            {
                var series = g.GroupBy(s => s.Network).Select(n => new LayerSeries(n.Key, n.Select(s => new LayerValue(s.Layer, s.R, s.Low, s.High)).ToList())).ToList();
                var roiTruth = truthRows.Where(t => t["roi"] == g.Key).ToList();
                var ceiling = roiTruth.Select(t => ResultFiles.Number(t.GetValueOrDefault("ceiling_r", ""))).Where(v => v != null).Select(v => v!.Value).Order().ToList();
                Interval? band = ceiling.Count > 0 ? new Interval(ceiling[ceiling.Count / 4], ceiling[3 * ceiling.Count / 4]) : null;
                string? planted = roiTruth.Count == 0 ? null : roiTruth[0].GetValueOrDefault("source", "") is var src && src.StartsWith("layer:") ? src["layer:".Length..] : "";
                return new EncodingProfile(g.Key, series, band, planted);
            }).ToList();
            sections.Add(new ReportSection("Encoding models", [
                new FigureBlock(Fig.EncodingProfiles(new EncodingProfilesFigure("Encoding-model profiles per ROI", "median prediction r", profiles), Path.Combine(figures, "encoding")),
                    "Median cross-validated r over each ROI's voxels per layer (95% bootstrap CI over voxels); grey: the interquartile range of the voxels' true noise ceilings; marker: the layer the ROI was tuned to (simulated data)")]));
        }

        if (RsaSection.Build(r, figures) is { } rsa) sections.Add(rsa);

        // Training and confusion matrices.
        var extra = new List<ReportBlock>();
        var training = r.Train.SelectMany(t => TrainingSeries(t.Name, Path.Combine(t.Dir, "metrics.tsv"))).ToList();
        if (training.Count > 0)
            extra.Add(new FigureBlock(Fig.TrainingCurves(new TrainingCurvesFigure("Training", training), Path.Combine(figures, "training")),
                "Loss and accuracy per epoch of each trained network (held-out: images of the training identities kept out; siamese: LFW verification)"));
        foreach (var (name, probe, _) in probes)
        {
            var o = probe.Result;
            var counts = new int[o.Classes.Count, o.Classes.Count];
            for (int i = 0; i < o.Classes.Count; i++) for (int j = 0; j < o.Classes.Count; j++) counts[i, j] = o.Confusion[i][j];
            extra.Add(new FigureBlock(Fig.ConfusionMatrix(new ConfusionFigure($"{name}: {o.Target} from {o.Layer}", o.Classes, counts), Path.Combine(figures, $"confusion-{name}-{o.Target}")),
                $"Probe confusion matrix, {name}, {o.Target}"));
        }
        foreach (var (name, dir) in r.Labels)
        {
            var (classes, counts, accuracy, chance) = LabelScore(Path.Combine(dir, "label.json"));
            extra.Add(new FigureBlock(Fig.ConfusionMatrix(new ConfusionFigure($"{name}: its own expression labels", classes, counts), Path.Combine(figures, $"confusion-{name}-labels")),
                string.Create(System.Globalization.CultureInfo.InvariantCulture,
                    $"{name} labelling the faces' expressions itself (faces label, no probe): accuracy {accuracy:P1}, chance {chance:P1}")));
        }
        if (extra.Count > 0) sections.Add(new ReportSection("Training and probes", extra));

        var document = new ReportDocument(info.Title, sections, Provenance(r, info), info.Synthetic);
        var index = HtmlReport.Write(document, Path.Combine(r.Out, "index.html"));
        return (index, rows);
    }

    /// <summary>faces label's label.json: classes, confusion counts (true rows, predicted columns), accuracy, chance.</summary>
    static (IReadOnlyList<string> Classes, int[,] Counts, double Accuracy, double Chance) LabelScore(string file)
    {
        if (!File.Exists(file)) throw new FaceBrain.Core.InputException(file, "label result not found");
        using var doc = JsonDocument.Parse(File.ReadAllText(file));
        var score = doc.RootElement.GetProperty("score");
        var classes = score.GetProperty("classes").EnumerateArray().Select(c => c.GetString()!).ToList();
        var rows = score.GetProperty("confusion").EnumerateArray().Select(r => r.EnumerateArray().Select(v => v.GetInt32()).ToArray()).ToArray();
        if (rows.Length != classes.Count || rows.Any(r => r.Length != classes.Count))
            throw new FaceBrain.Core.InputException(file, $"the confusion matrix is not {classes.Count} x {classes.Count}");
        var counts = new int[classes.Count, classes.Count];
        for (int i = 0; i < classes.Count; i++) for (int j = 0; j < classes.Count; j++) counts[i, j] = rows[i][j];
        return (classes, counts, score.GetProperty("accuracy").GetDouble(), score.GetProperty("chance").GetDouble());
    }

    static double? Finite(double x) => double.IsFinite(x) ? x : null;
    static string BaseName(string store) => store.EndsWith("-random") ? store[..^"-random".Length] : store;

    static ReportTable StudyRowsTable(IReadOnlyList<StudyRow> rows, IReadOnlyList<Experiment.PublishedResult> published)
    {
        static string P(double x) => double.IsFinite(x) ? x.ToString("P1", System.Globalization.CultureInfo.InvariantCulture) : "";
        return new ReportTable(["network", "target", "layer", "accuracy", "95% CI", "chance", "p (permutations)", "published"],
            rows.Select(x => (IReadOnlyList<string>)[x.Network, x.Target, x.Layer, P(x.Accuracy),
                double.IsFinite(x.CiLow) ? $"{P(x.CiLow)} – {P(x.CiHigh)}" : "", P(x.Chance),
                double.IsFinite(x.PValue) ? $"{x.PValue.ToString("G3", System.Globalization.CultureInfo.InvariantCulture)} ({x.Permutations})" : "",
                published.FirstOrDefault(p => p.Network == x.Network && p.Target == x.Target) is { } pub ? $"{P(pub.Accuracy)} ({pub.Source})" : ""]).ToList());
    }

    static IEnumerable<(string Network, string Layer, string Roi, double R, double? Low, double? High)> ProfileScores(string name, string file)
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(file));
        foreach (var s in doc.RootElement.GetProperty("scores").EnumerateArray())
        {
            double? N(string k) => s.TryGetProperty(k, out var v) && v.ValueKind == JsonValueKind.Number ? v.GetDouble() : null;
            if (N("median_r") is { } r) yield return (name, s.GetProperty("layer").GetString()!, s.GetProperty("roi").GetString()!, r, N("ci_low"), N("ci_high"));
        }
    }

    /// <summary>metrics.tsv columns SPLIT_METRIC (train_loss, heldout_accuracy, ...) become one series each.</summary>
    static IEnumerable<TrainingSeries> TrainingSeries(string run, string file)
    {
        if (!File.Exists(file)) yield break;
        var rows = ResultFiles.Tsv(file);
        if (rows.Count == 0) yield break;
        foreach (var column in rows[0].Keys.Where(k => k.Contains('_') && k is not ("learning_rate" or "images_per_second")))
        {
            var cut = column.IndexOf('_');
            var epochs = rows.Select(x => (E: ResultFiles.Number(x["epoch"]), V: ResultFiles.Number(x[column])))
                .Where(p => p.E != null && p.V != null).Select(p => new EpochValue((int)p.E!.Value, p.V!.Value)).ToList();
            if (epochs.Count > 0) yield return new TrainingSeries(run, column[(cut + 1)..], column[..cut], epochs);
        }
    }

    static Provenance Provenance(ReportRequest r, ExperimentInfo info)
    {
        var records = info.OutDir is { } o && Directory.Exists(Path.Combine(o, ".tasks"))
            ? Directory.GetFiles(Path.Combine(o, ".tasks"), "*.json").Order(StringComparer.Ordinal).Select(DoneRecord.Read).OfType<DoneRecord>().ToList()
            : [];
        var timings = records.GroupBy(d => d.Step).Select(g => new StepTiming(g.Key, TimeSpan.FromSeconds(g.Sum(d => d.Seconds)))).ToList();
        var plus = r.Version.IndexOf('+');
        return new Provenance(
            info.OutDir != null ? $"facebrain run {Path.Combine(info.OutDir, "experiment.json")}" : "facebrain report",
            info.Json, [new Seed("experiment", info.Seed)], plus >= 0 ? r.Version[(plus + 1)..] : "unknown",
            [new PackageVersion("FaceBrain", r.Version), new PackageVersion(".NET", Environment.Version.ToString())],
            info.Device, timings);
    }
}

/// <summary>
/// What the report shows of the experiment (parsed by <see cref="Experiment.ExperimentReader"/>, the one parser of the
/// format): title, published figures, seed, device, synthetic or not, the file's text and its output folder.
/// </summary>
internal sealed record ExperimentInfo(string Title, IReadOnlyList<Experiment.PublishedResult> Published, long Seed, string Device,
                                      bool Synthetic, string? Json, string? OutDir)
{
    public static ExperimentInfo Of(Experiment.Experiment? e) =>
        e == null ? new("FaceBrain report", [], 0, "", false, null, null)
                  : new(e.Report?.Title ?? e.Name, e.Report?.Published ?? [], e.Seed, e.Device, e.Synthetic,
                        File.Exists(e.File) ? File.ReadAllText(e.File) : null, e.Out);
}
