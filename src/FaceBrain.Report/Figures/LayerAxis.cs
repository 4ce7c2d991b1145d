using ScottPlot;

namespace FaceBrain.Report.Figures;

/// <summary>
/// Layers as a categorical x axis: each distinct layer name gets a position in first-seen order (the callers pass
/// layers bottom-up), and lines are drawn over those positions with their CI band.
/// </summary>
sealed class LayerAxis
{
    readonly List<string> _layers = new();
    readonly Dictionary<string, int> _index = new(StringComparer.Ordinal);

    public LayerAxis(IEnumerable<string> layers)
    {
        foreach (var l in layers)
            if (_index.TryAdd(l, _layers.Count)) _layers.Add(l);
    }

    public IReadOnlyList<string> Layers => _layers;
    public double Position(string layer) => _index[layer];

    /// <summary>Tick labels at the layer positions, turned when they would collide in a panel <paramref name="width"/> wide.</summary>
    public void Apply(Plot plot, int width = FigureStyle.PanelWidth)
    {
        FigureStyle.BottomLabels(plot, _layers.Select((_, i) => (double)i).ToArray(), _layers.ToArray(),
            (width - 120.0) / Math.Max(_layers.Count, 1));
        plot.Axes.SetLimitsX(-0.4, Math.Max(_layers.Count - 1, 1) + 0.4);
    }

    /// <summary>One line with markers, a translucent CI band where the points have intervals.</summary>
    public void Draw(Plot plot, IReadOnlyList<LayerValue> points, Color color, LinePattern pattern, string label,
                     MarkerShape marker = MarkerShape.FilledCircle)
    {
        var xs = points.Select(p => Position(p.Layer)).ToArray();
        var ys = points.Select(p => p.Value).ToArray();
        if (points.Any(p => p.CiLow is not null && p.CiHigh is not null))
        {
            var banded = points.Where(p => p.CiLow is not null && p.CiHigh is not null).ToArray();
            var band = plot.Add.FillY(banded.Select(p => Position(p.Layer)).ToArray(),
                banded.Select(p => p.CiLow!.Value).ToArray(), banded.Select(p => p.CiHigh!.Value).ToArray());
            band.FillColor = color.WithAlpha(pattern.Name == LinePattern.Solid.Name ? 0.22 : 0.12);
            band.LineWidth = 0;
            band.LegendText = "";
        }
        var line = plot.Add.Scatter(xs, ys, color);
        line.LineWidth = 2.5f;
        line.LinePattern = pattern;
        line.MarkerShape = marker;
        line.MarkerSize = 8;
        line.LegendText = label;
    }

    public static void DrawReference(Plot plot, ReferenceLine reference, Color color)
    {
        var line = plot.Add.HorizontalLine(reference.Value, 1.5f, color, LinePattern.Dotted);
        line.LegendText = reference.Label;
    }

    /// <summary>A noise ceiling: a grey band between its bounds (a line when they are equal).</summary>
    public static void DrawCeiling(Plot plot, Interval ceiling, string label)
    {
        if (ceiling.High > ceiling.Low)
        {
            var span = plot.Add.VerticalSpan(ceiling.Low, ceiling.High, FigureStyle.Ceiling.WithAlpha(0.25));
            span.LegendText = label;
            span.LineWidth = 0;
        }
        else
        {
            var line = plot.Add.HorizontalLine(ceiling.Low, 2f, FigureStyle.Ceiling, LinePattern.Dashed);
            line.LegendText = label;
        }
    }

    /// <summary>Long-form rows of a line's points: label columns first, then value and CI.</summary>
    public static IEnumerable<IReadOnlyList<string>> Rows(IReadOnlyList<LayerValue> points, params string[] prefix) =>
        points.Select(p => (IReadOnlyList<string>)prefix.Concat(new[]
            { p.Layer, ReportTable.Number(p.Value), ReportTable.Number(p.CiLow), ReportTable.Number(p.CiHigh) }).ToArray());
}

static class LayerChecks
{
    /// <summary>Every value finite, every interval ordered, every layer named, no layer twice in one line.</summary>
    public static void Check(IReadOnlyList<LayerValue> points, string basePath, string what)
    {
        FigureWriter.Require(points.Count > 0, basePath, $"{what} has no layers");
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var p in points)
        {
            FigureWriter.Require(!string.IsNullOrWhiteSpace(p.Layer), basePath, $"{what} has a layer without a name");
            FigureWriter.Require(seen.Add(p.Layer), basePath, $"{what} lists layer '{p.Layer}' twice");
            FigureWriter.RequireFinite(p.Value, basePath, $"{what} at {p.Layer}");
            FigureWriter.Require((p.CiLow is null) == (p.CiHigh is null), basePath, $"{what} at {p.Layer} has only one CI bound");
            if (p.CiLow is { } lo && p.CiHigh is { } hi)
            {
                FigureWriter.RequireFinite(lo, basePath, $"{what} at {p.Layer}: ci_low");
                FigureWriter.RequireFinite(hi, basePath, $"{what} at {p.Layer}: ci_high");
                FigureWriter.Require(lo <= hi, basePath, $"{what} at {p.Layer} has ci_low {lo} above ci_high {hi}");
            }
        }
    }
}
