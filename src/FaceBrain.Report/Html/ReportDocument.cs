using FaceBrain.Report.Figures;

namespace FaceBrain.Report.Html;

/// <summary>
/// The study report as data: sections of blocks, a provenance block, and whether to show the banner that says the
/// numbers come from synthetic data. <see cref="HtmlReport.Write"/> turns it into index.html.
/// </summary>
public sealed record ReportDocument(string Title, IReadOnlyList<ReportSection> Sections, Provenance? Provenance = null, bool Synthetic = false);

/// <summary>A section: an &lt;h2&gt; heading and its blocks, in order.</summary>
public sealed record ReportSection(string Heading, IReadOnlyList<ReportBlock> Blocks);

/// <summary>What a section holds: <see cref="Paragraph"/>, <see cref="Subheading"/>, <see cref="TableBlock"/>, <see cref="FigureBlock"/>.</summary>
public abstract record ReportBlock;

/// <summary>Plain text; HTML in it is escaped, blank lines are not interpreted.</summary>
public sealed record Paragraph(string Text) : ReportBlock;

public sealed record Subheading(string Text) : ReportBlock;

/// <summary>A table from rows; numbers should already be formatted as the reader should see them.</summary>
public sealed record TableBlock(ReportTable Table, string? Caption = null) : ReportBlock;

/// <summary>A figure written by one of <see cref="Figures.Figures"/>'s functions; its SVG and TSV are linked beside it.</summary>
public sealed record FigureBlock(FigureFiles Files, string Caption) : ReportBlock;

/// <summary>How a run was made, so a reader can make it again.</summary>
public sealed record Provenance(
    string Command,
    string? ExperimentFile,
    IReadOnlyList<Seed> Seeds,
    string GitCommit,
    IReadOnlyList<PackageVersion> Packages,
    string Device,
    IReadOnlyList<StepTiming> Timings);

public sealed record Seed(string Name, long Value);

public sealed record PackageVersion(string Name, string Version)
{
    /// <summary>The informational version (build metadata after '+' dropped) of the assembly that defines <paramref name="type"/>.</summary>
    public static PackageVersion Of(Type type, string? name = null)
    {
        var assembly = type.Assembly;
        var version = System.Reflection.CustomAttributeExtensions
            .GetCustomAttribute<System.Reflection.AssemblyInformationalVersionAttribute>(assembly)?.InformationalVersion
            ?? assembly.GetName().Version?.ToString() ?? "unknown";
        int plus = version.IndexOf('+');
        return new PackageVersion(name ?? assembly.GetName().Name ?? type.Name, plus < 0 ? version : version[..plus]);
    }
}

/// <summary>How long one step took; <paramref name="Cached"/> when its output was reused rather than recomputed.</summary>
public sealed record StepTiming(string Step, TimeSpan Elapsed, bool Cached = false);

/// <summary>Where the report's figures go: files beside index.html (referenced by relative path), or inside it.</summary>
public enum FigureEmbedding { Beside, DataUri }
