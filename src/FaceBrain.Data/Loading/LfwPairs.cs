using System.Globalization;
using FaceBrain.Core;

namespace FaceBrain.Data.Loading;

/// <summary>One verification pair: two stimulus ids (LFW stems like Aaron_Peirsol_0001).</summary>
public sealed record LfwPair(int Fold, bool Same, string A, string B);

/// <summary>
/// The LFW verification protocol as data: <c>Folds[k]</c> holds fold k's pairs (matched first, then
/// mismatched, as in the file). pairs.txt starts with "10 300" (10 folds × 300 matched + 300 mismatched);
/// pairsDevTrain/Test.txt start with one number (a single fold).
/// </summary>
public sealed record LfwPairs(string Source, int PairsPerHalf, IReadOnlyList<IReadOnlyList<LfwPair>> Folds)
{
    public IEnumerable<LfwPair> All => Folds.SelectMany(f => f);

    /// <summary>
    /// Reads a pairs file. Lines that name an image not in <paramref name="available"/> are dropped and
    /// reported in <paramref name="bad"/>; a file that does not have the pairs structure throws.
    /// </summary>
    public static LfwPairs Read(string path, IReadOnlySet<string> available, List<BadFile> bad)
    {
        if (!File.Exists(path)) throw new InputException(path, "file not found");
        var lines = File.ReadAllLines(path).Select(l => l.Trim()).ToList();
        while (lines.Count > 0 && lines[^1].Length == 0) lines.RemoveAt(lines.Count - 1);
        if (lines.Count == 0) throw new InputException(path, "empty file (expected a first line like '10 300')");
        var head = lines[0].Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
        int folds, n;
        if (head.Length == 2 && TryInt(head[0], out folds) && TryInt(head[1], out n)) { }
        else if (head.Length == 1 && TryInt(head[0], out n)) folds = 1;
        else throw new InputException(path, $"line 1 is '{lines[0]}', expected '<folds> <pairs per half>' like '10 300'");
        if (folds < 1 || n < 1) throw new InputException(path, $"line 1 gives {folds} folds of {n} pairs");
        long expected = 1 + 2L * folds * n;
        if (lines.Count != expected)
            throw new InputException(path, $"has {lines.Count} lines, the header '{lines[0]}' needs {expected}");

        var result = new List<IReadOnlyList<LfwPair>>(folds);
        int lineNo = 1;
        for (int f = 0; f < folds; f++)
        {
            var fold = new List<LfwPair>(2 * n);
            for (int k = 0; k < 2 * n; k++)
            {
                lineNo++;
                bool same = k < n;
                var parts = lines[lineNo - 1].Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
                string a, b;
                if (same && parts.Length == 3 && TryInt(parts[1], out var i) && TryInt(parts[2], out var j))
                    (a, b) = (Stem(parts[0], i), Stem(parts[0], j));
                else if (!same && parts.Length == 4 && TryInt(parts[1], out i) && TryInt(parts[3], out j))
                    (a, b) = (Stem(parts[0], i), Stem(parts[2], j));
                else
                    throw new InputException(path, $"line {lineNo} is '{lines[lineNo - 1]}', expected a {(same ? "matched pair 'name i j'" : "mismatched pair 'name1 i name2 j'")} (fold {f + 1})");
                var missing = new[] { a, b }.Where(s => !available.Contains(s)).Distinct().ToArray();
                if (missing.Length > 0)
                    bad.Add(new BadFile($"{path}:{lineNo}", $"names {string.Join(" and ", missing)}, not among the usable images; pair dropped"));
                else
                    fold.Add(new LfwPair(f, same, a, b));
            }
            result.Add(fold);
        }
        return new LfwPairs(path, n, result);
    }

    /// <summary>LFW's file stem for image <paramref name="index"/> of a person: Name_0001.</summary>
    public static string Stem(string name, int index) => $"{name}_{index:0000}";

    static bool TryInt(string s, out int v) => int.TryParse(s, NumberStyles.None, CultureInfo.InvariantCulture, out v);
}

/// <summary>peopleDevTrain.txt / peopleDevTest.txt: a count line, then "Name&lt;tab&gt;images" lines.</summary>
public static class LfwPeople
{
    public static IReadOnlyList<(string Name, int Images)> Read(string path)
    {
        if (!File.Exists(path)) throw new InputException(path, "file not found");
        var lines = File.ReadAllLines(path).Select(l => l.Trim()).Where(l => l.Length > 0).ToList();
        if (lines.Count == 0 || !int.TryParse(lines[0], NumberStyles.None, CultureInfo.InvariantCulture, out var count))
            throw new InputException(path, "expected a first line with the number of people");
        if (lines.Count - 1 != count)
            throw new InputException(path, $"line 1 says {count} people, the file lists {lines.Count - 1}");
        var people = new List<(string, int)>(count);
        for (int i = 1; i < lines.Count; i++)
        {
            var p = lines[i].Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
            if (p.Length != 2 || !int.TryParse(p[1], NumberStyles.None, CultureInfo.InvariantCulture, out var k))
                throw new InputException(path, $"line {i + 1} is '{lines[i]}', expected 'Name<tab>count'");
            people.Add((p[0], k));
        }
        return people;
    }
}
