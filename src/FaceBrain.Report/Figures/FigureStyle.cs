using ScottPlot;

namespace FaceBrain.Report.Figures;

/// <summary>
/// One look for every figure: laptop-readable sizes and the Okabe-Ito colour-blind-safe palette (ScottPlot's
/// ColorblindFriendly, without its black, which is kept for reference lines).
/// </summary>
static class FigureStyle
{
    public const int PanelWidth = 560, PanelHeight = 420;
    /// <summary>Panels of lines across layers keep their legend outside the data, to the right.</summary>
    public const int LegendPanelWidth = 760, LegendWidth = 210;
    public const float TitleSize = 20, LabelSize = 16, TickSize = 14, LegendSize = 14;

    public static readonly Color Identity = Color.FromHex("#0072B2");   // blue
    public static readonly Color Expression = Color.FromHex("#D55E00"); // vermillion
    public static readonly Color Reference = Color.FromHex("#000000");
    public static readonly Color Ceiling = Color.FromHex("#999999");
    public static readonly Color Published = Color.FromHex("#7F7F7F");

    static readonly Color[] Series = new ScottPlot.Palettes.ColorblindFriendly().Colors
        .Where(c => c.ToHex() != "#000000").ToArray();

    /// <summary>The i-th series colour; identity and expression keep their own colours wherever they appear.</summary>
    public static Color SeriesColor(int i) => Series[i % Series.Length];

    public static Color TargetColor(string target, int fallbackIndex) => target.ToLowerInvariant() switch
    {
        "identity" => Identity,
        "expression" => Expression,
        _ => SeriesColor(fallbackIndex + 2),
    };

    /// <summary>The sans-serif face every figure uses (see <see cref="FigureFonts"/>).</summary>
    public static string FontName => FigureFonts.Name;

    public static void Apply(Plot plot, string title, string xLabel, string yLabel)
    {
        plot.Title(title, TitleSize);
        plot.XLabel(xLabel, LabelSize);
        plot.YLabel(yLabel, LabelSize);
        plot.Axes.Bottom.TickLabelStyle.FontSize = TickSize;
        plot.Axes.Left.TickLabelStyle.FontSize = TickSize;
        plot.Legend.FontSize = LegendSize;
    }

    /// <summary>
    /// Categorical tick labels on the bottom axis; when they would collide they are turned 45 degrees and the axis
    /// is made tall enough for the longest one.
    /// </summary>
    public static void BottomLabels(Plot plot, double[] positions, string[] labels, double pixelsPerCategory)
    {
        plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericManual(positions, labels);
        int longest = labels.Length == 0 ? 0 : labels.Max(l => l.Split('\n').Max(part => part.Length));
        if (longest * TickSize * 0.55 > pixelsPerCategory * 0.95)
        {
            plot.Axes.Bottom.TickLabelStyle.Rotation = 45;
            plot.Axes.Bottom.TickLabelStyle.Alignment = Alignment.MiddleLeft;
            plot.Axes.Bottom.MinimumSize = (float)(longest * TickSize * 0.55 * 0.72 + LabelSize * 2.5);
            // A turned label runs right of its tick: leave room for the last one.
            int last = labels[^1].Split('\n').Max(part => part.Length);
            plot.Axes.Right.MinimumSize = Math.Max(plot.Axes.Right.MinimumSize, (float)(last * TickSize * 0.55 * 0.72));
        }
    }

    /// <summary>A colour bar with five labelled ticks from <paramref name="min"/> to <paramref name="max"/>.</summary>
    public static void ColorBar(Plot plot, IHasColorAxis source, string label, double min, double max)
    {
        var bar = plot.Add.ColorBar(source, Edge.Right);
        bar.Label = label;
        bar.LabelStyle.FontSize = LabelSize;
        bar.LabelStyle.FontName = FontName;
        var ticks = NiceTicks(min, max);
        bar.Axis.TickGenerator = new ScottPlot.TickGenerators.NumericManual(ticks,
            ticks.Select(t => t.ToString("0.###", System.Globalization.CultureInfo.InvariantCulture)).ToArray());
        bar.Axis.TickLabelStyle.FontSize = TickSize;
        bar.Axis.TickLabelStyle.FontName = FontName;
    }

    /// <summary>Round tick values (steps of 1, 2, 2.5 or 5 times a power of ten) inside [min, max], about five of them.</summary>
    public static double[] NiceTicks(double min, double max)
    {
        if (!(max > min)) return new[] { min };
        double raw = (max - min) / 4, magnitude = Math.Pow(10, Math.Floor(Math.Log10(raw)));
        double step = new[] { 1, 2, 2.5, 5, 10 }.Select(m => m * magnitude).First(s => s >= raw);
        var ticks = new List<double>();
        for (double t = Math.Ceiling(min / step - 1e-9) * step; t <= max + 1e-9 * step; t += step)
            ticks.Add(Math.Round(t / step) * step + 0.0); // + 0.0 turns -0 into 0
        return ticks.ToArray();
    }

    /// <summary>Columns of panels, at most <paramref name="maxColumns"/> wide.</summary>
    public static (int Rows, int Columns) Grid(int panels, int maxColumns = 3)
    {
        int cols = Math.Min(panels, maxColumns);
        return ((panels + cols - 1) / cols, cols);
    }

    public static Multiplot Panels(IReadOnlyList<Plot> plots, out int width, out int height, int maxColumns = 3, int panelWidth = PanelWidth)
    {
        var (rows, cols) = Grid(plots.Count, maxColumns);
        var figure = new Multiplot(plots[0]);
        foreach (var p in plots.Skip(1)) figure.AddPlot(p);
        figure.Layout = new ScottPlot.MultiplotLayouts.Grid(rows, cols);
        width = cols * panelWidth;
        height = rows * PanelHeight;
        return figure;
    }
}
