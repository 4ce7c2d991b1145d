using System.Diagnostics;
using System.Net;
using System.Text.RegularExpressions;
using SkiaSharp;

namespace FaceBrain.Report.Browser;

/// <summary>What a real browser made of a report: every &lt;img&gt; and whether it decoded, and the screenshot.</summary>
public sealed record BrowserCheck(string Screenshot, IReadOnlyList<ImageLoad> Images, ScreenshotStats Stats)
{
    public IReadOnlyList<ImageLoad> Broken => Images.Where(i => !i.Loaded).ToArray();
}

/// <summary>One &lt;img&gt;: its src (data URIs shortened) and its natural size once loaded (0 x 0 when it did not load).</summary>
public sealed record ImageLoad(string Source, bool Loaded, int NaturalWidth, int NaturalHeight);

/// <summary>
/// How much of a screenshot is not page background: the share of pixels whose colour (quantised to 4 bits per
/// channel) differs from the most common one, and the number of distinct quantised colours. A blank page has 0 and 1.
/// </summary>
public sealed record ScreenshotStats(int Width, int Height, double NonBackgroundShare, int DistinctColours)
{
    public static ScreenshotStats Of(string png)
    {
        using var bitmap = SKBitmap.Decode(png) ?? throw new InvalidOperationException($"{png}: not a PNG the decoder can read");
        var counts = new Dictionary<int, long>();
        for (int y = 0; y < bitmap.Height; y++)
            for (int x = 0; x < bitmap.Width; x++)
            {
                var c = bitmap.GetPixel(x, y);
                int key = (c.Red >> 4) << 8 | (c.Green >> 4) << 4 | (c.Blue >> 4);
                counts[key] = counts.GetValueOrDefault(key) + 1;
            }
        long total = bitmap.Width * (long)bitmap.Height;
        return new ScreenshotStats(bitmap.Width, bitmap.Height, 1 - counts.Values.Max() / (double)total, counts.Count);
    }
}

/// <summary>
/// Renders a report in headless Chromium (Debian's <c>chromium</c>): a screenshot, and a DOM dump of a copy of the page
/// with a small script that records each image's naturalWidth after the load event. The report itself carries no script.
/// </summary>
public static class Chromium
{
    const string CheckId = "facebrain-image-check";

    /// <summary>
    /// The browser to use: $FACEBRAIN_CHROMIUM if set, else the first of chromium, chromium-browser, google-chrome
    /// on PATH; null when there is none (the caller says why it cannot check, it never passes silently).
    /// </summary>
    public static string? Find()
    {
        var env = Environment.GetEnvironmentVariable("FACEBRAIN_CHROMIUM");
        if (!string.IsNullOrEmpty(env)) return File.Exists(env) ? env : null;
        var path = Environment.GetEnvironmentVariable("PATH") ?? "";
        foreach (var name in new[] { "chromium", "chromium-browser", "google-chrome" })
            foreach (var dir in path.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
            {
                var candidate = Path.Combine(dir, name);
                if (File.Exists(candidate)) return candidate;
            }
        return null;
    }

    /// <summary>
    /// Screenshots <paramref name="html"/> at <paramref name="width"/> x <paramref name="height"/> CSS pixels into
    /// <paramref name="screenshot"/> and reports which images loaded. Throws when the browser fails or times out.
    /// </summary>
    public static BrowserCheck Check(string browser, string html, string screenshot, int width = 1280, int height = 2400,
                                     TimeSpan? timeout = null)
    {
        var page = Path.GetFullPath(html);
        if (!File.Exists(page)) throw new FileNotFoundException("no report to render", page);
        var limit = timeout ?? TimeSpan.FromSeconds(90);
        var shot = Path.GetFullPath(screenshot);
        File.Delete(shot);
        Run(browser, limit, $"--screenshot={shot}", $"--window-size={width},{height}", "--hide-scrollbars", new Uri(page).AbsoluteUri);
        if (!File.Exists(shot)) throw new InvalidOperationException($"{browser} wrote no screenshot {shot}");

        // The copy sits beside the page so relative figure links resolve the same way; it is removed afterwards.
        var probe = Path.Combine(Path.GetDirectoryName(page)!, $".{Path.GetFileNameWithoutExtension(page)}.imagecheck.{Guid.NewGuid():N}.html");
        try
        {
            File.WriteAllText(probe, WithImageCheck(File.ReadAllText(page)));
            var dom = Run(browser, limit, "--dump-dom", "--virtual-time-budget=10000", new Uri(probe).AbsoluteUri);
            return new BrowserCheck(shot, ParseImageCheck(dom, page), ScreenshotStats.Of(shot));
        }
        finally
        {
            File.Delete(probe);
        }
    }

    static string WithImageCheck(string html)
    {
        var script = $$"""
            <script>
            window.addEventListener('load', function () {
              var out = document.createElement('pre');
              out.id = '{{CheckId}}';
              var lines = [];
              document.querySelectorAll('img').forEach(function (img) {
                var src = img.getAttribute('src') || '';
                if (src.length > 80) src = src.slice(0, 80) + '...';
                lines.push((img.complete && img.naturalWidth > 0 ? 'ok' : 'broken') + '\t' + img.naturalWidth + '\t' + img.naturalHeight + '\t' + src);
              });
              out.textContent = 'images ' + lines.length + '\n' + lines.join('\n');
              document.body.appendChild(out);
            });
            </script>
            """;
        int end = html.LastIndexOf("</body>", StringComparison.OrdinalIgnoreCase);
        if (end < 0) throw new InvalidOperationException("the report has no </body>");
        return html.Insert(end, script);
    }

    static IReadOnlyList<ImageLoad> ParseImageCheck(string dom, string page)
    {
        var m = Regex.Match(dom, $"<pre id=\"{CheckId}\">(.*?)</pre>", RegexOptions.Singleline);
        if (!m.Success) throw new InvalidOperationException($"{page}: the browser's DOM has no image check (the page's load event never fired)");
        var lines = WebUtility.HtmlDecode(m.Groups[1].Value).Split('\n');
        int count = int.Parse(lines[0].Split(' ')[1]);
        var images = lines.Skip(1).Where(l => l.Length > 0).Select(l =>
        {
            var f = l.Split('\t', 4);
            return new ImageLoad(f[3], f[0] == "ok", int.Parse(f[1]), int.Parse(f[2]));
        }).ToArray();
        if (images.Length != count) throw new InvalidOperationException($"{page}: the image check lists {images.Length} of {count} images");
        return images;
    }

    static string Run(string browser, TimeSpan timeout, params string[] args)
    {
        // A fresh profile per run: parallel checks never share a lock, and nothing of the user's profile is touched.
        var profile = Path.Combine(Path.GetTempPath(), "facebrain-chromium-" + Guid.NewGuid().ToString("N"));
        var psi = new ProcessStartInfo(browser)
        {
            RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
        };
        foreach (var a in new[] { "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                                  "--no-first-run", "--disable-extensions", $"--user-data-dir={profile}" }.Concat(args))
            psi.ArgumentList.Add(a);
        try
        {
            using var p = Process.Start(psi) ?? throw new InvalidOperationException($"could not start {browser}");
            var stdout = p.StandardOutput.ReadToEndAsync();
            var stderr = p.StandardError.ReadToEndAsync();
            if (!p.WaitForExit(timeout))
            {
                p.Kill(entireProcessTree: true);
                throw new TimeoutException($"{browser} did not finish within {timeout.TotalSeconds:0} s");
            }
            p.WaitForExit();
            if (p.ExitCode != 0)
                throw new InvalidOperationException($"{browser} exited with {p.ExitCode}: {LastLine(stderr.Result)}");
            return stdout.Result;
        }
        finally
        {
            try { Directory.Delete(profile, true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        }
    }

    static string LastLine(string text) =>
        text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).LastOrDefault() ?? "(no output)";
}
