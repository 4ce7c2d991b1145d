using SkiaSharp;

namespace FaceBrain.Report.Figures;

/// <summary>
/// The figures' typeface. The Linux SkiaSharp natives the project uses are built without fontconfig, so a family
/// name such as "sans-serif" resolves to whatever face Skia finds first (a serif one on Debian). A sans-serif file
/// that Debian installs (DejaVu from fonts-dejavu-core, Liberation from fonts-liberation, which chromium pulls in)
/// is registered with ScottPlot under one name instead; where neither is present ScottPlot's default face is used.
/// </summary>
static class FigureFonts
{
    const string Family = "FaceBrain Sans";

    static readonly (string Regular, string Bold)[] Candidates =
    {
        ("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf", "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf"),
        ("/usr/share/fonts/truetype/liberation/LiberationSans-Regular.ttf", "/usr/share/fonts/truetype/liberation/LiberationSans-Bold.ttf"),
    };

    static readonly Lazy<(string Name, string? BoldFile)> Registered = new(() =>
    {
        foreach (var (regular, bold) in Candidates)
            if (File.Exists(regular) && File.Exists(bold))
            {
                ScottPlot.Fonts.AddFontFile(Family, regular, bold: false, italic: false);
                ScottPlot.Fonts.AddFontFile(Family, bold, bold: true, italic: false);
                return (Family, bold);
            }
        return (ScottPlot.Fonts.Sans, null);
    });

    public static string Name => Registered.Value.Name;

    /// <summary>The bold face for the title band FigureWriter draws itself.</summary>
    public static SKTypeface Bold() =>
        Registered.Value.BoldFile is { } file ? SKTypeface.FromFile(file) : SKTypeface.FromFamilyName(Name, SKFontStyle.Bold);
}
