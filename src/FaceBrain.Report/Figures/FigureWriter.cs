using FaceBrain.Core;
using FaceBrain.Core.IO;
using ScottPlot;
using SkiaSharp;

namespace FaceBrain.Report.Figures;

/// <summary>
/// Renders a finished ScottPlot figure to PNG and SVG and writes them with the figure's data TSV. All three are
/// rendered in memory first and each is written atomically, so bad input leaves no file behind.
/// </summary>
static class FigureWriter
{
    const int TitleBand = 48;

    public static FigureFiles Write(Plot plot, string basePath, int width, int height, ReportTable data) =>
        Write(new Multiplot(plot), basePath, width, height, data, title: null);

    /// <summary>A panel figure; <paramref name="title"/>, when given, is drawn in a band above the panels.</summary>
    public static FigureFiles Write(Multiplot figure, string basePath, int width, int height, ReportTable data, string? title)
    {
        if (title is not null) height += TitleBand;
        foreach (var plot in figure.Subplots.GetPlots())
        {
            plot.Font.Set(FigureStyle.FontName);
            plot.Axes.Title.Label.Bold = true;
            plot.Legend.FontName = FigureStyle.FontName;
        }
        var files = new FigureFiles(basePath + ".png", basePath + ".svg", basePath + ".tsv");
        var dir = Path.GetDirectoryName(Path.GetFullPath(files.Png))!;
        if (!Directory.Exists(dir)) throw new InputException(files.Png, "the folder to write into does not exist");
        var png = RenderPng(figure, width, height, title);
        var svg = RenderSvg(figure, width, height, title);
        var tsv = data.ToTsv();
        AtomicFile.WriteAllBytes(files.Png, png);
        AtomicFile.WriteAllBytes(files.Svg, svg);
        AtomicFile.WriteAllText(files.Tsv, tsv);
        return files;
    }

    static byte[] RenderPng(Multiplot figure, int width, int height, string? title)
    {
        using var surface = SKSurface.Create(new SKImageInfo(width, height, SKColorType.Rgba8888, SKAlphaType.Premul))
            ?? throw new InvalidOperationException($"SkiaSharp could not create a {width}x{height} surface");
        surface.Canvas.Clear(SKColors.White);
        Draw(surface.Canvas, figure, width, height, title);
        using var image = surface.Snapshot();
        using var encoded = image.Encode(SKEncodedImageFormat.Png, 100);
        return encoded.ToArray();
    }

    // SkiaSharp's SVG canvas records the same drawing calls as vectors (text stays text), as ScottPlot's SaveSvg does.
    static byte[] RenderSvg(Multiplot figure, int width, int height, string? title)
    {
        using var buffer = new MemoryStream();
        using (var stream = new SKManagedWStream(buffer))
        using (var canvas = SKSvgCanvas.Create(new SKRect(0, 0, width, height), stream))
        {
            using (var white = new SKPaint { Color = SKColors.White }) canvas.DrawRect(0, 0, width, height, white);
            Draw(canvas, figure, width, height, title);
        }
        return buffer.ToArray();
    }

    static void Draw(SKCanvas canvas, Multiplot figure, int width, int height, string? title)
    {
        if (title is null)
        {
            figure.Render(canvas, new PixelRect(0, width, height, 0));
            return;
        }
        using var typeface = FigureFonts.Bold();
        using var font = new SKFont(typeface, FigureStyle.TitleSize + 2);
        using var paint = new SKPaint { Color = SKColors.Black, IsAntialias = true };
        canvas.DrawText(title, width / 2f, TitleBand * 0.68f, SKTextAlign.Center, font, paint);
        figure.Render(canvas, new PixelRect(0, width, height, TitleBand));
    }

    /// <summary>Refuses bad figure input with one line naming the figure and the problem.</summary>
    public static void Require(bool condition, string basePath, string problem)
    {
        if (!condition) throw new InputException(basePath + ".png", problem);
    }

    public static void RequireFinite(double value, string basePath, string what)
    {
        if (!double.IsFinite(value)) throw new InputException(basePath + ".png", $"{what} is {value}, not a finite number");
    }
}
