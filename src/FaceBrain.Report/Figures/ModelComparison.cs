using ScottPlot;

namespace FaceBrain.Report.Figures;

/// <summary>One model's score (e.g. its RDM's Spearman correlation with the data) with its CI where computed.</summary>
public sealed record ModelScore(string Model, double Value, double? CiLow = null, double? CiHigh = null);

/// <summary>Figure (4): bars per model, the data's noise ceiling as a band.</summary>
public sealed record ModelComparisonFigure(string Title, string YLabel, IReadOnlyList<ModelScore> Models, Interval? NoiseCeiling = null);

public static partial class Figures
{
    /// <summary>Model-comparison bars with CI error bars and a noise-ceiling band. Writes <paramref name="basePath"/>.png/.svg/.tsv.</summary>
    public static FigureFiles ModelComparison(ModelComparisonFigure figure, string basePath)
    {
        FigureWriter.Require(figure.Models.Count > 0, basePath, "no models to draw");
        var points = figure.Models.Select(m => new LayerValue(m.Model, m.Value, m.CiLow, m.CiHigh)).ToArray();
        LayerChecks.Check(points, basePath, "the model comparison");
        if (figure.NoiseCeiling is { } c)
        {
            FigureWriter.RequireFinite(c.Low, basePath, "the noise ceiling");
            FigureWriter.RequireFinite(c.High, basePath, "the noise ceiling");
            FigureWriter.Require(c.Low <= c.High, basePath, $"the noise ceiling has low {c.Low} above high {c.High}");
        }

        var plot = new Plot();
        if (figure.NoiseCeiling is { } ceiling) LayerAxis.DrawCeiling(plot, ceiling, "noise ceiling");
        var bars = figure.Models.Select((m, i) => new Bar
        {
            Position = i, Value = m.Value, FillColor = FigureStyle.SeriesColor(i), LineWidth = 0, Size = 0.7,
        }).ToArray();
        plot.Add.Bars(bars);
        var withCi = figure.Models.Select((m, i) => (m, i)).Where(t => t.m.CiLow is not null).ToArray();
        if (withCi.Length > 0)
        {
            var errors = new ScottPlot.Plottables.ErrorBar(
                withCi.Select(t => (double)t.i).ToArray(), withCi.Select(t => t.m.Value).ToArray(),
                new double[withCi.Length], new double[withCi.Length],
                withCi.Select(t => t.m.CiHigh!.Value - t.m.Value).ToArray(), withCi.Select(t => t.m.Value - t.m.CiLow!.Value).ToArray())
            { Color = FigureStyle.Reference, LineWidth = 2, CapSize = 10 };
            plot.Add.Plottable(errors);
        }
        plot.Add.HorizontalLine(0, 1f, FigureStyle.Reference, LinePattern.Solid);
        FigureStyle.Apply(plot, figure.Title, "model", figure.YLabel);
        new LayerAxis(figure.Models.Select(m => m.Model)).Apply(plot);
        if (figure.NoiseCeiling is not null) plot.ShowLegend(Alignment.UpperRight);

        var rows = LayerAxis.Rows(points).Select(r => (IReadOnlyList<string>)r.Concat(new[]
            { ReportTable.Number(figure.NoiseCeiling?.Low), ReportTable.Number(figure.NoiseCeiling?.High) }).ToArray()).ToArray();
        var data = new ReportTable(new[] { "model", "value", "ci_low", "ci_high", "ceiling_low", "ceiling_high" }, rows);
        return FigureWriter.Write(plot, basePath, Math.Max(FigureStyle.PanelWidth, 110 * figure.Models.Count + 160), 460, data);
    }
}
