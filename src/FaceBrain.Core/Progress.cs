using System.Diagnostics;

namespace FaceBrain.Core;

/// <summary>
/// The one progress reporter for long steps (probe, analyse, encode, extract, ...): what is being done,
/// how far it is, its rate and an ETA, written to a text writer (the CLI passes stderr, so stdout stays
/// clean for --json). Libraries take a <see cref="Progress"/> and never print themselves;
/// <see cref="Silent"/> reports nothing. On a terminal the line is rewritten in place; otherwise a plain
/// line is written at most every <c>interval</c> seconds, plus the first and the last.
/// </summary>
public sealed class Progress
{
    readonly TextWriter? _writer;
    readonly bool _rewrite;
    readonly double _interval;
    readonly object _gate = new();
    readonly Stopwatch _clock = new();
    string _what = "";
    string _unit = "";
    long _total, _done;
    double _lastWrite = double.NegativeInfinity;

    public Progress(TextWriter? writer, bool rewriteLine = false, double intervalSeconds = 5)
    {
        _writer = writer;
        _rewrite = rewriteLine;
        _interval = intervalSeconds;
    }

    /// <summary>Reports nothing.</summary>
    public static Progress Silent { get; } = new(null);

    /// <summary>Standard error: a live line on a terminal, a line every 5 s when redirected to a log.</summary>
    public static Progress Stderr() => new(Console.Error, rewriteLine: !Console.IsErrorRedirected, intervalSeconds: Console.IsErrorRedirected ? 5 : 0.2);

    /// <summary>Starts a step of <paramref name="total"/> <paramref name="unit"/> (e.g. "fits", "layers").</summary>
    public void Begin(string what, long total, string unit)
    {
        if (_writer is null) return;
        lock (_gate)
        {
            _what = what; _unit = unit; _total = Math.Max(0, total); _done = 0;
            _lastWrite = double.NegativeInfinity;
            _clock.Restart();
            Write(force: true);
        }
    }

    /// <summary>Marks <paramref name="n"/> more units done.</summary>
    public void Advance(long n = 1)
    {
        if (_writer is null) return;
        lock (_gate)
        {
            _done = Math.Min(_total, _done + n);
            Write(force: _done >= _total);
        }
    }

    /// <summary>Ends the step with a line giving its duration.</summary>
    public void End()
    {
        if (_writer is null) return;
        lock (_gate)
        {
            var line = $"{_what}: {_done}/{_total} {_unit} in {Format(_clock.Elapsed)}";
            if (_rewrite) _writer.Write("\r" + line.PadRight(80) + "\n");
            else _writer.WriteLine(line);
            _writer.Flush();
        }
    }

    /// <summary>The status line: "WHAT: DONE/TOTAL UNIT, RATE UNIT/s, ETA hh:mm:ss".</summary>
    public static string Line(string what, long done, long total, string unit, TimeSpan elapsed)
    {
        double s = elapsed.TotalSeconds;
        double rate = s > 0 ? done / s : 0;
        string eta = done > 0 && rate > 0 ? Format(TimeSpan.FromSeconds((total - done) / rate)) : "unknown";
        return $"{what}: {done}/{total} {unit}, {rate:G3} {unit}/s, ETA {eta}";
    }

    static string Format(TimeSpan t) => t.TotalHours >= 100 ? $"{t.TotalHours:F0} h" : $"{(int)t.TotalHours:D2}:{t.Minutes:D2}:{t.Seconds:D2}";

    void Write(bool force)
    {
        double now = _clock.Elapsed.TotalSeconds;
        if (!force && now - _lastWrite < _interval) return;
        _lastWrite = now;
        var line = Line(_what, _done, _total, _unit, _clock.Elapsed);
        if (_rewrite) _writer!.Write("\r" + line.PadRight(80));
        else _writer!.WriteLine(line);
        _writer.Flush();
    }
}
