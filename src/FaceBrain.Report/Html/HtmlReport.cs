using System.Globalization;
using System.Net;
using System.Text;
using FaceBrain.Core;
using FaceBrain.Core.IO;

namespace FaceBrain.Report.Html;

/// <summary>
/// Writes a <see cref="ReportDocument"/> as one HTML file with inline CSS and nothing loaded from the network:
/// figures are PNGs beside the file (relative links) or data URIs inside it. The file is written atomically.
/// </summary>
public static class HtmlReport
{
    /// <summary>Writes <paramref name="path"/> (normally OUT/report/index.html) and returns its full path.</summary>
    public static string Write(ReportDocument document, string path, FigureEmbedding embedding = FigureEmbedding.Beside)
    {
        var full = Path.GetFullPath(path);
        var dir = Path.GetDirectoryName(full)!;
        if (!Directory.Exists(dir)) throw new InputException(path, "the folder to write into does not exist");
        var html = Render(document, dir, embedding);
        AtomicFile.WriteAllText(full, html);
        return full;
    }

    /// <summary>The HTML text; figure links are made relative to <paramref name="reportFolder"/>.</summary>
    public static string Render(ReportDocument document, string reportFolder, FigureEmbedding embedding)
    {
        var h = new StringBuilder();
        h.Append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n")
         .Append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n")
         .Append("<title>").Append(E(document.Title)).Append("</title>\n<style>\n").Append(Css).Append("</style>\n</head>\n<body>\n");
        if (document.Synthetic)
            h.Append("<div class=\"synthetic\" role=\"alert\"><strong>SYNTHETIC DATA — pipeline test.</strong> ")
             .Append("These numbers come from generated faces and simulated fMRI; they test the pipeline and say nothing about real faces or brains.</div>\n");
        h.Append("<main>\n<h1>").Append(E(document.Title)).Append("</h1>\n");
        if (document.Sections.Count > 1)
        {
            h.Append("<nav><ol>\n");
            foreach (var (s, i) in document.Sections.Select((s, i) => (s, i)))
                h.Append("<li><a href=\"#s").Append(i + 1).Append("\">").Append(E(s.Heading)).Append("</a></li>\n");
            if (document.Provenance is not null) h.Append("<li><a href=\"#provenance\">Provenance</a></li>\n");
            h.Append("</ol></nav>\n");
        }
        foreach (var (section, i) in document.Sections.Select((s, i) => (s, i)))
        {
            h.Append("<section id=\"s").Append(i + 1).Append("\">\n<h2>").Append(E(section.Heading)).Append("</h2>\n");
            foreach (var block in section.Blocks) Block(h, block, reportFolder, embedding);
            h.Append("</section>\n");
        }
        if (document.Provenance is { } p) ProvenanceBlock(h, p);
        h.Append("</main>\n</body>\n</html>\n");
        return h.ToString();
    }

    static void Block(StringBuilder h, ReportBlock block, string folder, FigureEmbedding embedding)
    {
        switch (block)
        {
            case Paragraph p:
                h.Append("<p>").Append(E(p.Text)).Append("</p>\n");
                break;
            case Subheading s:
                h.Append("<h3>").Append(E(s.Text)).Append("</h3>\n");
                break;
            case TableBlock t:
                Table(h, t.Table, t.Caption);
                break;
            case FigureBlock f:
                Figure(h, f, folder, embedding);
                break;
            default:
                throw new ArgumentException($"unknown report block {block.GetType().Name}");
        }
    }

    static void Table(StringBuilder h, ReportTable table, string? caption)
    {
        h.Append("<div class=\"table\"><table>\n");
        if (caption is not null) h.Append("<caption>").Append(E(caption)).Append("</caption>\n");
        h.Append("<thead><tr>");
        foreach (var c in table.Columns) h.Append("<th>").Append(E(c)).Append("</th>");
        h.Append("</tr></thead>\n<tbody>\n");
        foreach (var row in table.Rows)
        {
            h.Append("<tr>");
            foreach (var v in row)
                h.Append(IsNumber(v) ? "<td class=\"num\">" : "<td>").Append(E(v)).Append("</td>");
            h.Append("</tr>\n");
        }
        h.Append("</tbody></table></div>\n");
    }

    /// A number ("96.4 %" included) or a range of two ("91.1 % – 100.0 %", a confidence interval): right-aligned
    /// and never wrapped, so an interval stays on one line in a narrow column.
    static bool IsNumber(string v) =>
        v.Split(" – ") is var parts && parts.Length <= 2 && parts.All(p =>
            p.Length > 0 && double.TryParse(p.TrimEnd('%'), NumberStyles.Float, CultureInfo.InvariantCulture, out _));

    static void Figure(StringBuilder h, FigureBlock f, string folder, FigureEmbedding embedding)
    {
        foreach (var file in new[] { f.Files.Png, f.Files.Svg, f.Files.Tsv })
            if (!File.Exists(file)) throw new InputException(file, "figure file not found (write the figure before the report)");
        string src = embedding == FigureEmbedding.DataUri
            ? "data:image/png;base64," + Convert.ToBase64String(File.ReadAllBytes(f.Files.Png))
            : Relative(folder, f.Files.Png);
        h.Append("<figure>\n<img src=\"").Append(E(src)).Append("\" alt=\"").Append(E(f.Caption)).Append("\">\n<figcaption>")
         .Append(E(f.Caption));
        // The SVG and TSV stay files beside the report even when the PNG is embedded; linked only when reachable.
        if (Inside(folder, f.Files.Svg))
            h.Append(" <span class=\"files\"><a href=\"").Append(E(Relative(folder, f.Files.Svg))).Append("\">SVG</a> · <a href=\"")
             .Append(E(Relative(folder, f.Files.Tsv))).Append("\">data (TSV)</a></span>");
        h.Append("</figcaption>\n</figure>\n");
    }

    static bool Inside(string folder, string file)
    {
        var rel = Path.GetRelativePath(folder, Path.GetFullPath(file));
        return !rel.StartsWith("..", StringComparison.Ordinal) && !Path.IsPathRooted(rel);
    }

    static string Relative(string folder, string file)
    {
        if (!Inside(folder, file))
            throw new InputException(file, $"is outside the report folder {folder}; write figures under it or embed them as data URIs");
        var rel = Path.GetRelativePath(folder, Path.GetFullPath(file));
        return string.Join('/', rel.Split(Path.DirectorySeparatorChar).Select(Uri.EscapeDataString));
    }

    static void ProvenanceBlock(StringBuilder h, Provenance p)
    {
        h.Append("<section id=\"provenance\" class=\"provenance\">\n<h2>Provenance</h2>\n<dl>\n");
        Item(h, "Command", $"<code>{E(p.Command)}</code>");
        Item(h, "Experiment file", p.ExperimentFile is null ? "none" : $"<code>{E(p.ExperimentFile)}</code>");
        Item(h, "Seeds", p.Seeds.Count == 0 ? "none" : string.Join(", ", p.Seeds.Select(s => $"{E(s.Name)} = {s.Value.ToString(CultureInfo.InvariantCulture)}")));
        Item(h, "Git commit", $"<code>{E(p.GitCommit)}</code>");
        Item(h, "Device", E(p.Device));
        Item(h, "Packages", p.Packages.Count == 0 ? "none" : string.Join(", ", p.Packages.Select(v => $"{E(v.Name)} {E(v.Version)}")));
        h.Append("</dl>\n");
        if (p.Timings.Count > 0)
        {
            var rows = p.Timings.Select(t => (IReadOnlyList<string>)new[] { t.Step, Seconds(t.Elapsed), t.Cached ? "cached" : "computed" }).ToList();
            var total = TimeSpan.FromTicks(p.Timings.Sum(t => t.Elapsed.Ticks));
            rows.Add(new[] { "total", Seconds(total), "" });
            Table(h, new ReportTable(new[] { "step", "seconds", "" }, rows), "Timings per step");
        }
        h.Append("</section>\n");
    }

    static string Seconds(TimeSpan t) => t.TotalSeconds.ToString("0.0", CultureInfo.InvariantCulture);

    static void Item(StringBuilder h, string term, string html) =>
        h.Append("<dt>").Append(E(term)).Append("</dt><dd>").Append(html).Append("</dd>\n");

    static string E(string s) => WebUtility.HtmlEncode(s);

    // Readable on a laptop: one centred column, figures scaled to the column, tables scroll sideways if wide.
    const string Css = """
        body { margin: 0; font: 16px/1.5 system-ui, -apple-system, "Segoe UI", "DejaVu Sans", sans-serif; color: #1b1b1b; background: #fff; }
        main { max-width: 1180px; margin: 0 auto; padding: 1rem 1.5rem 3rem; }
        h1 { font-size: 1.9rem; margin: 0.6rem 0 0.4rem; }
        h2 { font-size: 1.45rem; margin-top: 2.2rem; border-bottom: 2px solid #e3e3e3; padding-bottom: 0.2rem; }
        h3 { font-size: 1.15rem; margin-top: 1.4rem; }
        nav ol { columns: 2; padding-left: 1.4rem; }
        .synthetic { position: sticky; top: 0; z-index: 1; background: #E69F00; color: #000; padding: 0.6rem 1.5rem; font-size: 1.05rem; text-align: center; border-bottom: 3px solid #000; }
        figure { margin: 1.2rem 0; }
        figure img { display: block; max-width: 100%; height: auto; border: 1px solid #e3e3e3; }
        figcaption { font-size: 0.95rem; color: #444; margin-top: 0.3rem; }
        .files { margin-left: 0.5rem; white-space: nowrap; }
        .table { overflow-x: auto; margin: 1rem 0; }
        table { border-collapse: collapse; font-size: 0.95rem; }
        caption { text-align: left; font-weight: 600; padding-bottom: 0.3rem; }
        th, td { padding: 0.3rem 0.7rem; border-bottom: 1px solid #e3e3e3; text-align: left; }
        th { background: #f4f4f4; }
        td.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
        .provenance dl { display: grid; grid-template-columns: max-content 1fr; gap: 0.3rem 1rem; }
        .provenance dt { font-weight: 600; }
        .provenance dd { margin: 0; overflow-wrap: anywhere; }
        code { font-size: 0.9rem; background: #f4f4f4; padding: 0 0.2rem; }

        """;
}
