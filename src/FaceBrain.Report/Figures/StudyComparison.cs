using ScottPlot;

namespace FaceBrain.Report.Figures;

/// <summary>One row of the study's table: a network's read-out of one target, and the published value to set beside it
/// (the published figures are data, given by the experiment file's report section).</summary>
public sealed record StudyBar(string Network, string Target, double Accuracy, double Chance,
                              double? CiLow = null, double? CiHigh = null, double? Published = null);

/// <summary>Figure (8): this run's table against the published figures; <paramref name="Synthetic"/> labels it a pipeline test.</summary>
public sealed record StudyComparisonFigure(string Title, IReadOnlyList<StudyBar> Bars, bool Synthetic);

public static partial class Figures
{
    /// <summary>
    /// The study's table as bars: this run's accuracy (identity blue, expression vermillion, CI whiskers) beside the
    /// published accuracy (grey) where there is one, and each row's chance level as a dotted segment.
    /// </summary>
    public static FigureFiles StudyComparison(StudyComparisonFigure figure, string basePath)
    {
        FigureWriter.Require(figure.Bars.Count > 0, basePath, "no study rows to draw");
        var points = figure.Bars.Select(b => new LayerValue($"{b.Network} {b.Target}", b.Accuracy, b.CiLow, b.CiHigh)).ToArray();
        LayerChecks.Check(points, basePath, "the study table");
        foreach (var b in figure.Bars)
        {
            FigureWriter.Require(b.Chance is > 0 and < 1, basePath, $"{b.Network} {b.Target} has chance {b.Chance}, not in (0, 1)");
            if (b.Published is { } p) FigureWriter.Require(p is >= 0 and <= 1, basePath, $"{b.Network} {b.Target} has published accuracy {p}, not in [0, 1]");
        }

        var plot = new Plot();
        var targets = figure.Bars.Select(b => b.Target).Distinct().ToList();
        const double half = 0.19;
        var bars = new List<Bar>();
        for (int i = 0; i < figure.Bars.Count; i++)
        {
            var b = figure.Bars[i];
            bool pub = b.Published is not null;
            bars.Add(new Bar
            {
                Position = pub ? i - half : i, Value = b.Accuracy, Size = pub ? 2 * half * 0.95 : 0.55, LineWidth = 0,
                FillColor = FigureStyle.TargetColor(b.Target, targets.IndexOf(b.Target)),
                Error = 0,
            });
            if (pub)
                bars.Add(new Bar { Position = i + half, Value = b.Published!.Value, Size = 2 * half * 0.95, LineWidth = 0, FillColor = FigureStyle.Published });
        }
        plot.Add.Bars(bars);
        var ci = figure.Bars.Select((b, i) => (b, i)).Where(t => t.b.CiLow is not null).ToArray();
        if (ci.Length > 0)
            plot.Add.Plottable(new ScottPlot.Plottables.ErrorBar(
                ci.Select(t => t.b.Published is null ? (double)t.i : t.i - half).ToArray(), ci.Select(t => t.b.Accuracy).ToArray(),
                new double[ci.Length], new double[ci.Length],
                ci.Select(t => t.b.CiHigh!.Value - t.b.Accuracy).ToArray(), ci.Select(t => t.b.Accuracy - t.b.CiLow!.Value).ToArray())
            { Color = FigureStyle.Reference, LineWidth = 2, CapSize = 8 });
        for (int i = 0; i < figure.Bars.Count; i++)
        {
            var chance = plot.Add.Line(i - 0.45, figure.Bars[i].Chance, i + 0.45, figure.Bars[i].Chance);
            chance.LineColor = FigureStyle.Reference;
            chance.LineWidth = 2;
            chance.LinePattern = LinePattern.Dotted;
        }
        for (int i = 0; i < figure.Bars.Count; i++)
        {
            var b = figure.Bars[i];
            var label = plot.Add.Text($"{100 * b.Accuracy:0.#}%", b.Published is null ? i : i - half, b.CiHigh ?? b.Accuracy);
            label.Alignment = Alignment.LowerCenter;
            label.LabelFontSize = 12;
            label.LabelFontName = FigureStyle.FontName;
            label.OffsetY = -3;
            if (b.Published is { } p)
            {
                var pl = plot.Add.Text($"{100 * p:0.#}%", i + half, p);
                pl.Alignment = Alignment.LowerCenter;
                pl.LabelFontSize = 12;
                pl.LabelFontName = FigureStyle.FontName;
                pl.OffsetY = -3;
            }
        }

        var legend = targets.Select((t, k) => new LegendItem
        {
            LabelText = $"this run: {t}", FillColor = FigureStyle.TargetColor(t, k),
        }).ToList();
        if (figure.Bars.Any(b => b.Published is not null))
            legend.Add(new LegendItem { LabelText = "published", FillColor = FigureStyle.Published });
        legend.Add(new LegendItem { LabelText = "chance", LineColor = FigureStyle.Reference, LineWidth = 2, LinePattern = LinePattern.Dotted });
        plot.ShowLegend(legend, Alignment.UpperRight);

        var title = figure.Synthetic ? $"{figure.Title} (SYNTHETIC DATA: pipeline test)" : figure.Title;
        FigureStyle.Apply(plot, title, "", "read-out accuracy");
        int width = Math.Max(720, 130 * figure.Bars.Count + 160);
        FigureStyle.BottomLabels(plot, figure.Bars.Select((_, i) => (double)i).ToArray(),
            figure.Bars.Select(b => $"{b.Network}\n{b.Target}").ToArray(), (width - 160.0) / figure.Bars.Count);
        plot.Axes.SetLimits(-0.6, figure.Bars.Count - 0.4, 0, 1.18);

        var rows = figure.Bars.Select(b => (IReadOnlyList<string>)new[]
        {
            b.Network, b.Target, ReportTable.Number(b.Accuracy), ReportTable.Number(b.CiLow), ReportTable.Number(b.CiHigh),
            ReportTable.Number(b.Chance), ReportTable.Number(b.Published),
        }).ToArray();
        var data = new ReportTable(new[] { "network", "target", "accuracy", "ci_low", "ci_high", "chance", "published" }, rows);
        return FigureWriter.Write(plot, basePath, width, 520, data);
    }
}
