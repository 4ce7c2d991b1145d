using FaceBrain.Core.Domain;
using FaceBrain.Data.Loading;

namespace FaceBrain.Data;

/// <summary>Row indices (into the stimulus list) of a train/test split, each ascending.</summary>
public sealed record DataSplit(IReadOnlyList<int> Train, IReadOnlyList<int> Test);

/// <summary>
/// Held-out splits for training (cross-validation folds are Analysis' CrossValidation). Deterministic: the
/// same stimuli and seed give the same split on every machine and .NET version (the shuffles use Core's
/// <see cref="Rng"/>, and groups are sorted before shuffling, so the input order of identities does not matter).
/// </summary>
public static class Splits
{
    /// <summary>
    /// Whole identities go to test (a fraction of them, at least <paramref name="minTest"/> (default one) and at
    /// most all but one when there are two or more): no person appears on both sides.
    /// </summary>
    public static DataSplit IdentityDisjoint(IReadOnlyList<Stimulus> stimuli, double testFraction, int seed, string column = Labels.Identity, int minTest = 1)
    {
        CheckFraction(testFraction);
        var groups = Groups(Enumerable.Range(0, stimuli.Count).Select(i => Key(stimuli[i], column)).ToArray());
        var names = groups.Keys.Order(StringComparer.Ordinal).ToArray();
        var r = Rng.For(seed, 0x5917);
        r.Shuffle(names);
        int nTest = (int)Math.Round(names.Length * testFraction);
        if (names.Length >= 2) nTest = Math.Clamp(nTest, testFraction > 0 ? Math.Min(minTest, names.Length - 1) : 0, names.Length - (testFraction < 1 ? 1 : 0));
        var test = names.Take(nTest).ToHashSet(StringComparer.Ordinal);
        return Make(stimuli.Count, i => test.Contains(Key(stimuli[i], column)));
    }

    /// <summary>Within every class of <paramref name="column"/>, the same fraction goes to test; see <see cref="Stratified{T}"/>.</summary>
    public static DataSplit Stratified(IReadOnlyList<Stimulus> stimuli, string column, double testFraction, int seed) =>
        Stratified(stimuli.Select(s => Key(s, column)).ToArray(), testFraction, seed);

    /// <summary>
    /// Within every class, the same fraction goes to test (rounded per class, and at least one image of a class
    /// that has two or more), so class proportions match on both sides and held-out accuracy measures new images
    /// of known classes.
    /// </summary>
    public static DataSplit Stratified<T>(IReadOnlyList<T> classes, double testFraction, int seed) where T : notnull
    {
        CheckFraction(testFraction);
        if (testFraction >= 1) throw new InputException($"test fraction must be below 1 for a stratified split, got {testFraction}");
        var groups = Groups(classes);
        var test = new HashSet<int>();
        int c = 0;
        foreach (var name in groups.Keys.Order())
        {
            var rows = groups[name].ToArray();
            var r = Rng.For(seed, 0x57A7, c++);
            r.Shuffle(rows);
            int k = testFraction == 0 || rows.Length < 2 ? 0 : Math.Max(1, (int)Math.Round(rows.Length * testFraction));
            foreach (var i in rows.Take(k)) test.Add(i);
        }
        return Make(classes.Count, test.Contains);
    }

    static Dictionary<T, List<int>> Groups<T>(IReadOnlyList<T> keys) where T : notnull
    {
        var g = new Dictionary<T, List<int>>();
        for (int i = 0; i < keys.Count; i++)
        {
            if (!g.TryGetValue(keys[i], out var list)) g[keys[i]] = list = [];
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
}
