using ScottPlot;

namespace FaceBrain.Report.Figures;

/// <summary>Whether a network's weights were trained or left at their random initialisation (the control).</summary>
public enum Weights { Trained, Random }

/// <summary>Decoding accuracy of one target (identity, expression) across one network's layers.</summary>
public sealed record DecodingCurve(string Network, string Target, Weights Weights, double Chance, IReadOnlyList<LayerValue> Layers);

/// <summary>Figure (1): one panel per network; each target in its colour, trained solid and random dashed.</summary>
public sealed record DecodingCurvesFigure(string Title, IReadOnlyList<DecodingCurve> Curves);

public static partial class Figures
{
    /// <summary>
    /// Layerwise decodability: per network one panel with identity and expression accuracy per layer, their CI
    /// bands and chance lines, trained and random overlaid. Writes <paramref name="basePath"/>.png/.svg/.tsv.
    /// </summary>
    public static FigureFiles DecodingCurves(DecodingCurvesFigure figure, string basePath)
    {
        FigureWriter.Require(figure.Curves.Count > 0, basePath, "no decoding curves to draw");
        foreach (var c in figure.Curves)
        {
            var what = $"curve {c.Network}/{c.Target}/{c.Weights}";
            LayerChecks.Check(c.Layers, basePath, what);
            FigureWriter.Require(c.Chance is > 0 and < 1, basePath, $"{what} has chance {c.Chance}, not in (0, 1)");
        }
        var dup = figure.Curves.GroupBy(c => (c.Network, c.Target, c.Weights)).FirstOrDefault(g => g.Count() > 1);
        FigureWriter.Require(dup is null, basePath, $"curve {dup?.Key} appears twice");

        var targets = figure.Curves.Select(c => c.Target).Distinct().ToList();
        var plots = new List<Plot>();
        foreach (var network in figure.Curves.GroupBy(c => c.Network))
        {
            var plot = new Plot();
            var axis = new LayerAxis(network.SelectMany(c => c.Layers).Select(l => l.Layer));
            foreach (var (target, chance) in network.Select(c => (c.Target, c.Chance)).Distinct())
                LayerAxis.DrawReference(plot, new ReferenceLine(chance, $"chance ({target})"),
                    FigureStyle.TargetColor(target, targets.IndexOf(target)).WithAlpha(0.8));
            foreach (var c in network.OrderBy(c => c.Weights).ThenBy(c => targets.IndexOf(c.Target)))
            {
                bool trained = c.Weights == Weights.Trained;
                axis.Draw(plot, c.Layers, FigureStyle.TargetColor(c.Target, targets.IndexOf(c.Target)),
                    trained ? LinePattern.Solid : LinePattern.Dashed, $"{c.Target} ({(trained ? "trained" : "random")})",
                    trained ? MarkerShape.FilledCircle : MarkerShape.OpenCircle);
            }
            FigureStyle.Apply(plot, network.Key, "layer", "decoding accuracy");
            axis.Apply(plot, FigureStyle.LegendPanelWidth - FigureStyle.LegendWidth);
            plot.Axes.SetLimitsY(0, 1.05);
            plot.ShowLegend(Edge.Right);
            plots.Add(plot);
        }
        var multiplot = FigureStyle.Panels(plots, out int width, out int height, maxColumns: 2, panelWidth: FigureStyle.LegendPanelWidth);
        var rows = figure.Curves.SelectMany(c => LayerAxis.Rows(c.Layers, c.Network, Name(c.Weights), c.Target)
            .Select(r => (IReadOnlyList<string>)r.Append(ReportTable.Number(c.Chance)).ToArray())).ToArray();
        var data = new ReportTable(new[] { "network", "weights", "target", "layer", "accuracy", "ci_low", "ci_high", "chance" }, rows);
        return FigureWriter.Write(multiplot, basePath, width, height, data, figure.Title);
    }

    internal static string Name(Weights w) => w == Weights.Trained ? "trained" : "random";
}
