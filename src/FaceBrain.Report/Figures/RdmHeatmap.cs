using ScottPlot;

namespace FaceBrain.Report.Figures;

/// <summary>
/// Figure (3): an n x n dissimilarity matrix (rows and columns in <paramref name="Stimuli"/> order) drawn ordered by
/// <paramref name="Groups"/> (each stimulus's identity, or its expression; <paramref name="GroupedBy"/> names which).
/// </summary>
public sealed record RdmFigure(string Title, string Distance, double[,] Matrix, IReadOnlyList<string> Stimuli,
                               IReadOnlyList<string> Groups, string GroupedBy);

public static partial class Figures
{
    /// <summary>
    /// RDM heatmap: stimuli sorted by group (stable, so the given order is kept within a group), lines at the group
    /// boundaries and group labels on both axes, a colour bar. The TSV is the reordered matrix with its labels.
    /// </summary>
    public static FigureFiles RdmHeatmap(RdmFigure figure, string basePath)
    {
        int n = figure.Matrix.GetLength(0);
        FigureWriter.Require(n > 1, basePath, $"the RDM has {n} rows; it needs at least 2");
        FigureWriter.Require(figure.Matrix.GetLength(1) == n, basePath, $"the RDM is {n} x {figure.Matrix.GetLength(1)}; it must be square");
        FigureWriter.Require(figure.Stimuli.Count == n, basePath, $"{figure.Stimuli.Count} stimulus names for a {n} x {n} RDM");
        FigureWriter.Require(figure.Groups.Count == n, basePath, $"{figure.Groups.Count} group labels for a {n} x {n} RDM");
        for (int i = 0; i < n; i++)
            for (int j = 0; j < n; j++)
                FigureWriter.RequireFinite(figure.Matrix[i, j], basePath, $"RDM cell ({i + 1}, {j + 1})");

        var firstSeen = figure.Groups.Distinct().Select((g, i) => (g, i)).ToDictionary(t => t.g, t => t.i);
        var order = Enumerable.Range(0, n).OrderBy(i => firstSeen[figure.Groups[i]]).ToArray();
        var sorted = new double[n, n];
        for (int i = 0; i < n; i++)
            for (int j = 0; j < n; j++)
                sorted[i, j] = figure.Matrix[order[i], order[j]];

        var plot = new Plot();
        var heatmap = plot.Add.Heatmap(sorted);
        heatmap.Colormap = new ScottPlot.Colormaps.Viridis();
        // Cell (row r, column c) covers x in [c, c+1] and y in [n-r-1, n-r]: row 0 on top, like a printed matrix.
        heatmap.Rectangle = new CoordinateRect(0, n, 0, n);
        double lo = sorted.Cast<double>().Min(), hi = sorted.Cast<double>().Max();
        if (hi > lo) heatmap.ManualRange = new ScottPlot.Range(lo, hi);
        FigureStyle.ColorBar(plot, heatmap, figure.Distance, lo, hi);

        var ticks = new List<(double Position, string Label)>();
        int start = 0;
        for (int i = 1; i <= n; i++)
        {
            if (i < n && figure.Groups[order[i]] == figure.Groups[order[start]]) continue;
            ticks.Add(((start + i) / 2.0, figure.Groups[order[start]]));
            if (i < n)
            {
                plot.Add.VerticalLine(i, 1.5f, Colors.White, LinePattern.Solid);
                plot.Add.HorizontalLine(n - i, 1.5f, Colors.White, LinePattern.Solid);
            }
            start = i;
        }
        FigureStyle.Apply(plot, figure.Title, $"stimuli by {figure.GroupedBy}", $"stimuli by {figure.GroupedBy}");
        FigureStyle.BottomLabels(plot, ticks.Select(t => t.Position).ToArray(), ticks.Select(t => t.Label).ToArray(), 520.0 / ticks.Count);
        plot.Axes.Left.TickGenerator = new ScottPlot.TickGenerators.NumericManual(
            ticks.Select(t => n - t.Position).ToArray(), ticks.Select(t => t.Label).ToArray());
        plot.Axes.SetLimits(0, n, 0, n);
        plot.HideGrid();

        var columns = new[] { "stimulus", figure.GroupedBy }.Concat(order.Select(i => figure.Stimuli[i])).ToArray();
        var rows = order.Select(i => (IReadOnlyList<string>)new[] { figure.Stimuli[i], figure.Groups[i] }
            .Concat(order.Select(j => ReportTable.Number(figure.Matrix[i, j]))).ToArray()).ToArray();
        return FigureWriter.Write(plot, basePath, 760, 640, new ReportTable(columns, rows));
    }
}
