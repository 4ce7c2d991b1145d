using ScottPlot;

namespace FaceBrain.Report.Figures;

/// <summary>
/// How well each layer's features predict one ROI's responses: one line per network, the ROI's noise ceiling, and,
/// for simulated data, the layer the ROI was planted from (null when unknown, "" or none for an ROI with no source).
/// </summary>
public sealed record EncodingProfile(string Roi, IReadOnlyList<LayerSeries> Series, Interval? NoiseCeiling = null, string? PlantedLayer = null);

/// <summary>Figure (5): one panel per ROI; <paramref name="YLabel"/> names the score (e.g. "prediction r").</summary>
public sealed record EncodingProfilesFigure(string Title, string YLabel, IReadOnlyList<EncodingProfile> Rois);

public static partial class Figures
{
    /// <summary>
    /// Encoding-model profiles: per ROI a panel of prediction scores across layers, the noise ceiling as a grey band
    /// and, where the truth was planted, a vertical marker at the source layer. Writes <paramref name="basePath"/>.png/.svg/.tsv.
    /// </summary>
    public static FigureFiles EncodingProfiles(EncodingProfilesFigure figure, string basePath)
    {
        FigureWriter.Require(figure.Rois.Count > 0, basePath, "no ROIs to draw");
        foreach (var roi in figure.Rois)
        {
            FigureWriter.Require(roi.Series.Count > 0, basePath, $"ROI '{roi.Roi}' has no lines");
            foreach (var s in roi.Series) LayerChecks.Check(s.Layers, basePath, $"line '{s.Label}' of ROI '{roi.Roi}'");
            if (roi.NoiseCeiling is { } c)
            {
                FigureWriter.RequireFinite(c.Low, basePath, $"the noise ceiling of ROI '{roi.Roi}'");
                FigureWriter.RequireFinite(c.High, basePath, $"the noise ceiling of ROI '{roi.Roi}'");
                FigureWriter.Require(c.Low <= c.High, basePath, $"the noise ceiling of ROI '{roi.Roi}' has low {c.Low} above high {c.High}");
            }
            if (HasPlantedLayer(roi))
                FigureWriter.Require(roi.Series.Any(s => s.Layers.Any(l => l.Layer == roi.PlantedLayer)), basePath,
                    $"ROI '{roi.Roi}' was planted from layer '{roi.PlantedLayer}', which none of its lines has");
        }
        var labels = figure.Rois.SelectMany(r => r.Series).Select(s => s.Label).Distinct().ToList();
        var plots = new List<Plot>();
        foreach (var roi in figure.Rois)
        {
            var plot = new Plot();
            var axis = new LayerAxis(roi.Series.SelectMany(s => s.Layers).Select(l => l.Layer));
            if (roi.NoiseCeiling is { } ceiling) LayerAxis.DrawCeiling(plot, ceiling, "noise ceiling");
            if (HasPlantedLayer(roi))
            {
                var marker = plot.Add.VerticalLine(axis.Position(roi.PlantedLayer!), 2f, FigureStyle.Reference, LinePattern.Dashed);
                marker.LegendText = $"planted: {roi.PlantedLayer}";
            }
            plot.Add.HorizontalLine(0, 1f, FigureStyle.Reference.WithAlpha(0.5), LinePattern.Solid);
            foreach (var s in roi.Series)
                axis.Draw(plot, s.Layers, FigureStyle.SeriesColor(labels.IndexOf(s.Label)), LinePattern.Solid, s.Label);
            var planted = roi.PlantedLayer switch { null => "", "" or "none" => " (no planted source)", _ => "" };
            FigureStyle.Apply(plot, $"ROI {roi.Roi}{planted}", "layer", figure.YLabel);
            axis.Apply(plot, FigureStyle.LegendPanelWidth - FigureStyle.LegendWidth);
            plot.ShowLegend(Edge.Right);
            plots.Add(plot);
        }
        var multiplot = FigureStyle.Panels(plots, out int width, out int height, maxColumns: 2, panelWidth: FigureStyle.LegendPanelWidth);
        var rows = figure.Rois.SelectMany(r => r.Series.SelectMany(s => LayerAxis.Rows(s.Layers, r.Roi, s.Label)
            .Select(row => (IReadOnlyList<string>)row.Concat(new[]
            {
                ReportTable.Number(r.NoiseCeiling?.Low), ReportTable.Number(r.NoiseCeiling?.High), r.PlantedLayer ?? "",
            }).ToArray()))).ToArray();
        var data = new ReportTable(new[] { "roi", "series", "layer", "score", "ci_low", "ci_high", "ceiling_low", "ceiling_high", "planted_layer" }, rows);
        return FigureWriter.Write(multiplot, basePath, width, height, data, figure.Title);
    }

    static bool HasPlantedLayer(EncodingProfile roi) => roi.PlantedLayer is { Length: > 0 } l && l != "none";
}
