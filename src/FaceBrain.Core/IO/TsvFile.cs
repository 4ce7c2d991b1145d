using System.Text;

namespace FaceBrain.Core.IO;

/// <summary>
/// The solution's one TSV reader: UTF-8 (invalid bytes refused), a header row, every row as many fields as
/// the header, no empty line inside (a trailing newline is not a row), an optional BOM and CR line ends.
/// The stimulus table, fMRI's trial table (ids may repeat) and the ROI table all read through it; what a
/// table's columns must hold is the caller's check.
/// </summary>
public sealed class TsvFile
{
    TsvFile(string source, string[] header, IReadOnlyList<string[]> rows)
    {
        Source = source;
        Header = header;
        Rows = rows;
    }

    /// <summary>The path, for error messages.</summary>
    public string Source { get; }
    public IReadOnlyList<string> Header { get; }
    public IReadOnlyList<string[]> Rows { get; }

    /// <summary>The index of a header column, or a one-line error naming the file and the columns it has.</summary>
    public int ColumnIndex(string name)
    {
        for (int c = 0; c < Header.Count; c++)
            if (Header[c] == name) return c;
        throw new InputException(Source, $"no column '{name}' (columns: {string.Join(", ", Header)})");
    }

    /// <summary>Reads <paramref name="path"/>; <paramref name="needs"/> says what an empty file lacks
    /// (e.g. "a stimulus table needs a header row").</summary>
    public static TsvFile Read(string path, string needs)
    {
        if (!File.Exists(path)) throw new InputException(path, "file not found");
        string[] lines;
        try
        {
            lines = File.ReadAllLines(path, new UTF8Encoding(false, throwOnInvalidBytes: true));
        }
        catch (DecoderFallbackException)
        {
            throw new InputException(path, "not valid UTF-8");
        }
        int last = lines.Length;
        while (last > 0 && lines[last - 1].Length == 0) last--; // a trailing newline is not a row
        if (last == 0) throw new InputException(path, $"empty file ({needs})");
        var header = Split(lines[0].TrimStart('\uFEFF'));
        var rows = new List<string[]>(last - 1);
        for (int i = 1; i < last; i++)
        {
            if (lines[i].Length == 0)
                throw new InputException(path, $"line {i + 1} is empty");
            var fields = Split(lines[i]);
            if (fields.Length != header.Length)
                throw new InputException(path, $"line {i + 1} has {fields.Length} fields, the header has {header.Length}");
            rows.Add(fields);
        }
        return new TsvFile(path, header, rows);
    }

    static string[] Split(string line) => line.TrimEnd('\r').Split('\t');
}
