using ScottPlot;

namespace FaceBrain.Report.Figures;

/// <summary>One panel of lines across layers, e.g. Tucker's congruence, or cross-expression identity accuracy.</summary>
public sealed record LayerPanel(string Title, string YLabel, IReadOnlyList<LayerSeries> Series, ReferenceLine? Reference = null);

/// <summary>Figure (2): per-layer measures of disentanglement, one panel per measure.</summary>
public sealed record LayerLinesFigure(string Title, IReadOnlyList<LayerPanel> Panels);

public static partial class Figures
{
    /// <summary>
    /// Per-layer lines (congruence, cross-generalisation): one panel per measure, one line per network with its CI
    /// band, and the measure's reference line (chance, zero). Writes <paramref name="basePath"/>.png/.svg/.tsv.
    /// </summary>
    public static FigureFiles LayerLines(LayerLinesFigure figure, string basePath)
    {
        FigureWriter.Require(figure.Panels.Count > 0, basePath, "no panels to draw");
        foreach (var p in figure.Panels)
        {
            FigureWriter.Require(p.Series.Count > 0, basePath, $"panel '{p.Title}' has no lines");
            foreach (var s in p.Series) LayerChecks.Check(s.Layers, basePath, $"line '{s.Label}' of panel '{p.Title}'");
            if (p.Reference is { } r) FigureWriter.RequireFinite(r.Value, basePath, $"the reference line of panel '{p.Title}'");
        }
        var labels = figure.Panels.SelectMany(p => p.Series).Select(s => s.Label).Distinct().ToList();
        var plots = new List<Plot>();
        foreach (var panel in figure.Panels)
        {
            var plot = new Plot();
            var axis = new LayerAxis(panel.Series.SelectMany(s => s.Layers).Select(l => l.Layer));
            if (panel.Reference is { } reference) LayerAxis.DrawReference(plot, reference, FigureStyle.Reference);
            foreach (var s in panel.Series)
                axis.Draw(plot, s.Layers, FigureStyle.SeriesColor(labels.IndexOf(s.Label)), LinePattern.Solid, s.Label);
            FigureStyle.Apply(plot, panel.Title, "layer", panel.YLabel);
            axis.Apply(plot, FigureStyle.LegendPanelWidth - FigureStyle.LegendWidth);
            plot.ShowLegend(Edge.Right);
            plots.Add(plot);
        }
        var multiplot = FigureStyle.Panels(plots, out int width, out int height, maxColumns: 2, panelWidth: FigureStyle.LegendPanelWidth);
        var rows = figure.Panels.SelectMany(p => p.Series.SelectMany(s => LayerAxis.Rows(s.Layers, p.Title, s.Label))).ToArray();
        var data = new ReportTable(new[] { "panel", "series", "layer", "value", "ci_low", "ci_high" }, rows);
        return FigureWriter.Write(multiplot, basePath, width, height, data, figure.Title);
    }
}
