using ScottPlot;

namespace FaceBrain.Report.Figures;

/// <summary>A metric's value after one epoch.</summary>
public sealed record EpochValue(int Epoch, double Value);

/// <summary>One training run's metric (loss, accuracy) on one split (train, validation) per epoch.</summary>
public sealed record TrainingSeries(string Run, string Metric, string Split, IReadOnlyList<EpochValue> Epochs);

/// <summary>Figure (6): one panel per metric, one line per run and split.</summary>
public sealed record TrainingCurvesFigure(string Title, IReadOnlyList<TrainingSeries> Series);

public static partial class Figures
{
    /// <summary>Training curves: loss and accuracy per epoch, one panel per metric. Writes <paramref name="basePath"/>.png/.svg/.tsv.</summary>
    public static FigureFiles TrainingCurves(TrainingCurvesFigure figure, string basePath)
    {
        FigureWriter.Require(figure.Series.Count > 0, basePath, "no training curves to draw");
        foreach (var s in figure.Series)
        {
            var what = $"run {s.Run}, {s.Metric} ({s.Split})";
            FigureWriter.Require(s.Epochs.Count > 0, basePath, $"{what} has no epochs");
            FigureWriter.Require(s.Epochs.Select(e => e.Epoch).Distinct().Count() == s.Epochs.Count, basePath, $"{what} lists an epoch twice");
            foreach (var e in s.Epochs) FigureWriter.RequireFinite(e.Value, basePath, $"{what} at epoch {e.Epoch}");
        }
        var runs = figure.Series.Select(s => s.Run).Distinct().ToList();
        var splits = figure.Series.Select(s => s.Split).Distinct().ToList();
        var plots = new List<Plot>();
        foreach (var metric in figure.Series.GroupBy(s => s.Metric))
        {
            var plot = new Plot();
            foreach (var s in metric)
            {
                var epochs = s.Epochs.OrderBy(e => e.Epoch).ToArray();
                var line = plot.Add.Scatter(epochs.Select(e => (double)e.Epoch).ToArray(), epochs.Select(e => e.Value).ToArray(),
                    FigureStyle.SeriesColor(runs.IndexOf(s.Run)));
                line.LineWidth = 2.5f;
                line.LinePattern = splits.IndexOf(s.Split) switch { 0 => LinePattern.Solid, 1 => LinePattern.Dashed, _ => LinePattern.Dotted };
                line.MarkerSize = 7;
                line.LegendText = $"{s.Run} ({s.Split})";
            }
            FigureStyle.Apply(plot, metric.Key, "epoch", metric.Key);
            plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericAutomatic { IntegerTicksOnly = true };
            plot.Axes.Bottom.TickLabelStyle.FontSize = FigureStyle.TickSize;
            plot.ShowLegend(Edge.Right);
            plots.Add(plot);
        }
        var multiplot = FigureStyle.Panels(plots, out int width, out int height, maxColumns: 2, panelWidth: FigureStyle.LegendPanelWidth);
        var rows = figure.Series.SelectMany(s => s.Epochs.OrderBy(e => e.Epoch).Select(e => (IReadOnlyList<string>)new[]
            { s.Run, s.Metric, s.Split, ReportTable.Number(e.Epoch), ReportTable.Number(e.Value) })).ToArray();
        var data = new ReportTable(new[] { "run", "metric", "split", "epoch", "value" }, rows);
        return FigureWriter.Write(multiplot, basePath, width, height, data, figure.Title);
    }
}
