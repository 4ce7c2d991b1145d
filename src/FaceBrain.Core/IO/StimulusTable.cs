using System.Text;
using FaceBrain.Core.Domain;

namespace FaceBrain.Core.IO;

/// <summary>
/// The stimulus table: UTF-8 TSV with a header row; <c>stimulus_id</c> is required and unique, other
/// columns are free. Row i describes row i of every matrix that goes with it.
/// </summary>
public sealed class StimulusTable
{
    public const string IdColumn = "stimulus_id";

    readonly string[][] _rows;
    readonly Dictionary<string, int> _columnIndex;

    public StimulusTable(IReadOnlyList<string> columns, IEnumerable<IReadOnlyList<string>> rows, string source = "<table>")
    {
        Source = source;
        Columns = columns.ToArray();
        _columnIndex = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int c = 0; c < Columns.Count; c++)
        {
            if (Columns[c].Length == 0) throw new InputException(source, $"header column {c + 1} has no name");
            if (!_columnIndex.TryAdd(Columns[c], c)) throw new InputException(source, $"column '{Columns[c]}' appears twice in the header");
        }
        if (!_columnIndex.ContainsKey(IdColumn))
            throw new InputException(source, $"no '{IdColumn}' column in the header");
        _rows = rows.Select(r => r.ToArray()).ToArray();
        var seen = new Dictionary<string, int>(StringComparer.Ordinal);
        int id = _columnIndex[IdColumn];
        for (int i = 0; i < _rows.Length; i++)
        {
            if (_rows[i].Length != Columns.Count)
                throw new InputException(source, $"row {i + 1} has {_rows[i].Length} fields, the header has {Columns.Count}");
            var key = _rows[i][id];
            if (key.Length == 0) throw new InputException(source, $"row {i + 1} has an empty {IdColumn}");
            if (!seen.TryAdd(key, i))
                throw new InputException(source, $"duplicate {IdColumn} '{key}' (rows {seen[key] + 1} and {i + 1})");
        }
    }

    /// <summary>Where the table came from (a path), for error messages.</summary>
    public string Source { get; }
    public IReadOnlyList<string> Columns { get; }
    public int Count => _rows.Length;
    public bool HasColumn(string name) => _columnIndex.ContainsKey(name);

    public IReadOnlyList<string> Ids => Column(IdColumn);

    public string this[int row, string column] => _rows[row][ColumnIndex(column)];

    public IReadOnlyList<string> Row(int row) => _rows[row];

    public IReadOnlyList<string> Column(string name)
    {
        int c = ColumnIndex(name);
        return _rows.Select(r => r[c]).ToArray();
    }

    int ColumnIndex(string name) =>
        _columnIndex.TryGetValue(name, out var c) ? c
        : throw new InputException(Source, $"no column '{name}' (columns: {string.Join(", ", Columns)})");

    /// <summary>Checks that a matrix read from <paramref name="matrixPath"/> has one row per stimulus.</summary>
    public void RequireRows(long matrixRows, string matrixPath)
    {
        if (matrixRows != Count)
            throw new InputException(matrixPath, $"has {matrixRows} rows but the stimulus table {Source} has {Count}");
    }

    public static StimulusTable FromStimuli(IReadOnlyList<Stimulus> stimuli, string source = "<stimuli>")
    {
        var columns = new List<string> { IdColumn };
        foreach (var s in stimuli)
            foreach (var k in s.Labels.Keys)
                if (k != IdColumn && !columns.Contains(k)) columns.Add(k);
        bool anyPath = stimuli.Any(s => s.Path != null) && !columns.Contains("path");
        if (anyPath) columns.Add("path");
        var rows = stimuli.Select(s => (IReadOnlyList<string>)columns.Select(c =>
            c == IdColumn ? s.Id : c == "path" && anyPath ? s.Path ?? "" : s.Label(c) ?? "").ToArray());
        return new StimulusTable(columns, rows, source);
    }

    // ---------------------------------------------------------------- TSV

    public static StimulusTable Read(string path)
    {
        var t = TsvFile.Read(path, "a stimulus table needs a header row");
        return new StimulusTable(t.Header, t.Rows, path);
    }

    public void Write(string path) => AtomicFile.WriteAllText(path, ToTsv());

    public string ToTsv()
    {
        var sb = new StringBuilder();
        sb.Append(string.Join('\t', Columns)).Append('\n');
        foreach (var r in _rows)
        {
            foreach (var f in r)
                if (f.Contains('\t') || f.Contains('\n'))
                    throw new InvalidOperationException($"value '{f}' contains a tab or newline and cannot go into a TSV");
            sb.Append(string.Join('\t', r)).Append('\n');
        }
        return sb.ToString();
    }
}
