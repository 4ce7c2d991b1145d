using ScottPlot;

namespace FaceBrain.Report.Figures;

/// <summary>
/// One look for every figure: laptop-readable sizes and the Okabe-Ito colour-blind-safe palette (ScottPlot's
/// ColorblindFriendly, without its black, which is kept for reference lines).
/// </summary>
static class FigureStyle
{
    public const int PanelWidth = 560, PanelHeight = 420;
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

    public static void Apply(Plot plot, string title, string xLabel, string yLabel)
    {
        plot.Title(title, TitleSize);
        plot.XLabel(xLabel, LabelSize);
        plot.YLabel(yLabel, LabelSize);
        plot.Axes.Bottom.TickLabelStyle.FontSize = TickSize;
        plot.Axes.Left.TickLabelStyle.FontSize = TickSize;
        plot.Legend.FontSize = LegendSize;
    }

    /// <summary>Columns of panels, at most <paramref name="maxColumns"/> wide.</summary>
    public static (int Rows, int Columns) Grid(int panels, int maxColumns = 3)
    {
        int cols = Math.Min(panels, maxColumns);
        return ((panels + cols - 1) / cols, cols);
    }

    public static Multiplot Panels(IReadOnlyList<Plot> plots, out int width, out int height, int maxColumns = 3)
    {
        var (rows, cols) = Grid(plots.Count, maxColumns);
        var figure = new Multiplot(plots[0]);
        foreach (var p in plots.Skip(1)) figure.AddPlot(p);
        figure.Layout = new ScottPlot.MultiplotLayouts.Grid(rows, cols);
        width = cols * PanelWidth;
        height = rows * PanelHeight;
        return figure;
    }
}
