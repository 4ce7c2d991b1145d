namespace FaceBrain.Cli;

/// <summary>
/// Progress of a long verb on stderr (stdout stays clean for --json): one line rewritten in place on a terminal,
/// a plain log line every few seconds otherwise.
/// </summary>
public sealed class ProgressLine(string verb) : IProgress<FaceBrain.Extraction.ExtractionProgress>
{
    readonly bool _terminal = !Console.IsErrorRedirected;
    DateTime _last = DateTime.MinValue;

    public void Report(FaceBrain.Extraction.ExtractionProgress p)
    {
        var now = DateTime.UtcNow;
        bool last = p.RowsDone >= p.Total;
        if (!last && (now - _last).TotalSeconds < (_terminal ? 0.2 : 5)) return;
        _last = now;
        var eta = p.ImagesPerSecond > 0 ? TimeSpan.FromSeconds((p.Total - p.RowsDone) / p.ImagesPerSecond) : TimeSpan.Zero;
        var line = $"{verb}: {p.RowsDone}/{p.Total} images, {p.ImagesPerSecond:F1} images/s, ETA {eta:hh\\:mm\\:ss}";
        if (_terminal) Console.Error.Write("\r" + line.PadRight(Console.WindowWidth > 1 ? Math.Min(Console.WindowWidth - 1, 100) : 80));
        else Console.Error.WriteLine(line);
    }

    public void Done()
    {
        if (_terminal) Console.Error.WriteLine();
    }
}
