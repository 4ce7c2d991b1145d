using FaceBrain.Core;
using FaceBrain.Core.Domain;
using FaceBrain.Data.Loading;
using FaceBrain.Data.Synthesis;

namespace FaceBrain.Data;

/// <summary>Row indices (into the stimulus list) of a train/test split, each ascending.</summary>
public sealed record DataSplit(IReadOnlyList<int> Train, IReadOnlyList<int> Test);

/// <summary>
/// Deterministic splits: the same stimuli and seed give the same split on every machine (the
/// shuffles use <see cref="Rng"/>, and groups are sorted before shuffling, so input order of
/// identities does not matter).
/// </summary>
public static class Splits
{
    /// <summary>
    /// Whole identities go to test (a fraction of them, at least one and at most all but one when there are
    /// two or more): no person appears on both sides.
    /// </summary>
    public static DataSplit IdentityDisjoint(IReadOnlyList<Stimulus> stimuli, double testFraction, int seed, string column = Labels.Identity)
    {
        CheckFraction(testFraction);
        var groups = Groups(stimuli, column);
        var names = groups.Keys.Order(StringComparer.Ordinal).ToList();
        var r = Rng.For(seed, 0x5917);
        Shuffle(names, ref r);
        int nTest = (int)Math.Round(names.Count * testFraction);
        if (names.Count >= 2) nTest = Math.Clamp(nTest, testFraction > 0 ? 1 : 0, names.Count - (testFraction < 1 ? 1 : 0));
        var test = names.Take(nTest).ToHashSet(StringComparer.Ordinal);
        return Make(stimuli.Count, i => test.Contains(Key(stimuli[i], column)));
    }

    /// <summary>
    /// k identity-disjoint folds: fold[i] is the fold of stimulus i. Identities are dealt to folds in a
    /// seeded order, so fold sizes differ by at most one identity.
    /// </summary>
    public static int[] IdentityFolds(IReadOnlyList<Stimulus> stimuli, int k, int seed, string column = Labels.Identity)
    {
        var groups = Groups(stimuli, column);
        if (k < 2 || k > groups.Count) throw new InputException($"need 2 to {groups.Count} identity folds (one per identity at most), got {k}");
        var names = groups.Keys.Order(StringComparer.Ordinal).ToList();
        var r = Rng.For(seed, 0xF01D);
        Shuffle(names, ref r);
        var fold = new int[stimuli.Count];
        for (int j = 0; j < names.Count; j++)
            foreach (var i in groups[names[j]]) fold[i] = j % k;
        return fold;
    }

    /// <summary>
    /// Within every class of <paramref name="column"/>, the same fraction goes to test (rounded per class),
    /// so class proportions match on both sides.
    /// </summary>
    public static DataSplit Stratified(IReadOnlyList<Stimulus> stimuli, string column, double testFraction, int seed)
    {
        CheckFraction(testFraction);
        var groups = Groups(stimuli, column);
        var test = new HashSet<int>();
        foreach (var name in groups.Keys.Order(StringComparer.Ordinal))
        {
            var rows = groups[name].ToList();
            var r = Rng.For(seed, 0x57A7, StableHash(name));
            Shuffle(rows, ref r);
            foreach (var i in rows.Take((int)Math.Round(rows.Count * testFraction))) test.Add(i);
        }
        return Make(stimuli.Count, test.Contains);
    }

    static Dictionary<string, List<int>> Groups(IReadOnlyList<Stimulus> stimuli, string column)
    {
        var g = new Dictionary<string, List<int>>(StringComparer.Ordinal);
        for (int i = 0; i < stimuli.Count; i++)
        {
            var key = Key(stimuli[i], column);
            if (!g.TryGetValue(key, out var list)) g[key] = list = [];
            list.Add(i);
        }
        if (g.Count == 0) throw new InputException("no stimuli to split");
        return g;
    }

    static string Key(Stimulus s, string column) =>
        s.Label(column) ?? throw new InputException($"stimulus {s.Id} has no '{column}' label to split by");

    static DataSplit Make(int n, Func<int, bool> isTest)
    {
        var train = new List<int>();
        var test = new List<int>();
        for (int i = 0; i < n; i++) (isTest(i) ? test : train).Add(i);
        return new DataSplit(train, test);
    }

    static void CheckFraction(double f)
    {
        if (f is < 0 or > 1 || double.IsNaN(f)) throw new InputException($"test fraction must be 0..1, got {f}");
    }

    static void Shuffle<T>(List<T> xs, ref Rng r)
    {
        for (int i = xs.Count - 1; i > 0; i--)
        {
            int j = r.Next(i + 1);
            (xs[i], xs[j]) = (xs[j], xs[i]);
        }
    }

    /// <summary>FNV-1a over UTF-16 code units: string.GetHashCode is randomised per process.</summary>
    static long StableHash(string s)
    {
        ulong h = 14695981039346656037UL;
        foreach (char ch in s) { h ^= ch; h *= 1099511628211UL; }
        return (long)h;
    }
}
