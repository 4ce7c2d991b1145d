namespace FaceBrain.Study.Experiment;

/// <summary>The valid name closest to a misspelt one (edit distance), for "did you mean" hints.</summary>
public static class NearestName
{
    public static string? Find(string name, IEnumerable<string> valid)
    {
        string? best = null;
        int bestDistance = int.MaxValue;
        foreach (var v in valid)
        {
            int d = Distance(name.ToLowerInvariant(), v.ToLowerInvariant());
            if (d < bestDistance) { best = v; bestDistance = d; }
        }
        // A suggestion that shares almost nothing with the name helps nobody.
        return best != null && bestDistance <= Math.Max(2, name.Length / 2) ? best : null;
    }

    public static string Hint(string name, IEnumerable<string> valid) =>
        Find(name, valid) is { } n ? $" (did you mean '{n}'?)" : "";

    static int Distance(string a, string b)
    {
        var row = new int[b.Length + 1];
        for (int j = 0; j <= b.Length; j++) row[j] = j;
        for (int i = 1; i <= a.Length; i++)
        {
            int diagonal = row[0];
            row[0] = i;
            for (int j = 1; j <= b.Length; j++)
            {
                int above = row[j];
                row[j] = Math.Min(Math.Min(row[j] + 1, row[j - 1] + 1), diagonal + (a[i - 1] == b[j - 1] ? 0 : 1));
                diagonal = above;
            }
        }
        return row[b.Length];
    }
}
