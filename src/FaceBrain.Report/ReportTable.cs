using System.Globalization;
using System.Text;
using FaceBrain.Core;

namespace FaceBrain.Report;

/// <summary>
/// A table of strings with a header: the data TSV written beside every figure, and the tables of the HTML report.
/// One type for both, so a figure's data and the report's tables are formatted the same way.
/// </summary>
public sealed record ReportTable
{
    public ReportTable(IReadOnlyList<string> columns, IReadOnlyList<IReadOnlyList<string>> rows)
    {
        if (columns.Count == 0) throw new ArgumentException("a table needs at least one column", nameof(columns));
        for (int i = 0; i < rows.Count; i++)
            if (rows[i].Count != columns.Count)
                throw new ArgumentException($"row {i + 1} has {rows[i].Count} fields, the header has {columns.Count}", nameof(rows));
        Columns = columns.ToArray();
        Rows = rows.Select(r => (IReadOnlyList<string>)r.ToArray()).ToArray();
    }

    public IReadOnlyList<string> Columns { get; }
    public IReadOnlyList<IReadOnlyList<string>> Rows { get; }

    /// <summary>UTF-8 TSV, header first, '\n' line ends; a value holding a tab or newline is refused, not escaped.</summary>
    public string ToTsv()
    {
        var sb = new StringBuilder();
        foreach (var row in Rows.Prepend(Columns))
        {
            foreach (var f in row)
                if (f.Contains('\t') || f.Contains('\n') || f.Contains('\r'))
                    throw new InvalidOperationException($"value '{f}' contains a tab or newline and cannot go into a TSV");
            sb.Append(string.Join('\t', row)).Append('\n');
        }
        return sb.ToString();
    }

    /// <summary>Writes the TSV atomically (see <see cref="FaceBrain.Core.IO.AtomicFile"/>).</summary>
    public void WriteTsv(string path) => Core.IO.AtomicFile.WriteAllText(path, ToTsv());

    /// <summary>A number as the TSVs hold it: shortest round-trip form, invariant culture, empty for none.</summary>
    public static string Number(double? value) =>
        value is { } v ? v.ToString("R", CultureInfo.InvariantCulture) : "";

    public static string Number(int value) => value.ToString(CultureInfo.InvariantCulture);
}
