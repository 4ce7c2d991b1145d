using ScottPlot;

namespace FaceBrain.Report.Figures;

/// <summary>Figure (7): counts of test images by true class (rows) and predicted class (columns).</summary>
public sealed record ConfusionFigure(string Title, IReadOnlyList<string> Classes, int[,] Counts);

public static partial class Figures
{
    /// <summary>
    /// Confusion-matrix heatmap: colour is the share of each true class predicted as each class (rows sum to 1, so
    /// unequal class sizes do not mislead), the number in each cell is the count. The TSV holds the counts.
    /// </summary>
    public static FigureFiles ConfusionMatrix(ConfusionFigure figure, string basePath)
    {
        int k = figure.Classes.Count;
        FigureWriter.Require(k > 1, basePath, $"{k} classes; a confusion matrix needs at least 2");
        FigureWriter.Require(figure.Counts.GetLength(0) == k && figure.Counts.GetLength(1) == k, basePath,
            $"the counts are {figure.Counts.GetLength(0)} x {figure.Counts.GetLength(1)} for {k} classes");
        FigureWriter.Require(figure.Classes.Distinct().Count() == k, basePath, "a class is named twice");
        for (int i = 0; i < k; i++)
            for (int j = 0; j < k; j++)
                FigureWriter.Require(figure.Counts[i, j] >= 0, basePath, $"count ({figure.Classes[i]}, {figure.Classes[j]}) is negative");

        var share = new double[k, k];
        for (int i = 0; i < k; i++)
        {
            double total = 0;
            for (int j = 0; j < k; j++) total += figure.Counts[i, j];
            for (int j = 0; j < k; j++) share[i, j] = total > 0 ? figure.Counts[i, j] / total : double.NaN;
        }
        var plot = new Plot();
        var heatmap = plot.Add.Heatmap(share);
        heatmap.Colormap = new ScottPlot.Colormaps.Viridis();
        heatmap.ManualRange = new ScottPlot.Range(0, 1);
        heatmap.Rectangle = new CoordinateRect(0, k, 0, k);
        FigureStyle.ColorBar(plot, heatmap, "share of the true class", 0, 1);
        float cellFont = k <= 8 ? 16 : k <= 16 ? 11 : 8;
        for (int i = 0; i < k; i++)
            for (int j = 0; j < k; j++)
            {
                var text = plot.Add.Text(ReportTable.Number(figure.Counts[i, j]), j + 0.5, k - i - 0.5);
                text.Alignment = Alignment.MiddleCenter;
                text.LabelFontSize = cellFont;
                text.LabelFontName = FigureStyle.FontName;
                // Viridis is dark below about 0.6: white text there, black above.
                text.LabelFontColor = share[i, j] is > 0.6 ? Colors.Black : Colors.White;
            }
        var positions = Enumerable.Range(0, k).Select(i => i + 0.5).ToArray();
        FigureStyle.Apply(plot, figure.Title, "predicted", "true");
        FigureStyle.BottomLabels(plot, positions, figure.Classes.ToArray(), 560.0 / k);
        plot.Axes.Left.TickGenerator = new ScottPlot.TickGenerators.NumericManual(
            positions.Select(p => k - p).ToArray(), figure.Classes.ToArray());
        plot.Axes.SetLimits(0, k, 0, k);
        plot.HideGrid();

        var columns = new[] { "true\\predicted" }.Concat(figure.Classes).ToArray();
        var rows = Enumerable.Range(0, k).Select(i => (IReadOnlyList<string>)new[] { figure.Classes[i] }
            .Concat(Enumerable.Range(0, k).Select(j => ReportTable.Number(figure.Counts[i, j]))).ToArray()).ToArray();
        return FigureWriter.Write(plot, basePath, 780, 680, new ReportTable(columns, rows));
    }
}
