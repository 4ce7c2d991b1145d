using System.Text;

namespace FaceBrain.Data.Loading;

/// <summary>
/// Splits one CSV line (RFC 4180 quoting: "a, b" keeps its comma, "" is a quote). Spaces around
/// fields are trimmed, because VGGFace2's identity_meta.csv writes ", " between fields.
/// </summary>
public static class CsvLine
{
    /// <summary>The fields, or null with <paramref name="problem"/> set when the quoting is broken.</summary>
    public static List<string>? Split(string line, out string problem)
    {
        problem = "";
        var fields = new List<string>();
        var sb = new StringBuilder();
        int i = 0;
        while (true)
        {
            while (i < line.Length && line[i] == ' ') i++;
            sb.Clear();
            if (i < line.Length && line[i] == '"')
            {
                i++;
                while (true)
                {
                    if (i >= line.Length) { problem = "unterminated quoted field"; return null; }
                    if (line[i] == '"')
                    {
                        if (i + 1 < line.Length && line[i + 1] == '"') { sb.Append('"'); i += 2; continue; }
                        i++;
                        break;
                    }
                    sb.Append(line[i++]);
                }
                while (i < line.Length && line[i] == ' ') i++;
                if (i < line.Length && line[i] != ',') { problem = $"text after a closing quote at column {i + 1}"; return null; }
                fields.Add(sb.ToString());
            }
            else
            {
                int start = i;
                while (i < line.Length && line[i] != ',') i++;
                var raw = line[start..i].Trim();
                if (raw.Contains('"')) { problem = $"a quote inside an unquoted field at column {start + 1}"; return null; }
                fields.Add(raw);
            }
            if (i >= line.Length) return fields;
            i++; // the comma
        }
    }

    /// <summary>Quotes a field when it needs it, for writing.</summary>
    public static string Quote(string field) =>
        field.IndexOfAny([',', '"', '\n', '\r']) >= 0 || field != field.Trim() ? "\"" + field.Replace("\"", "\"\"") + "\"" : field;
}
