namespace FaceBrain.Training.Probe;

/// <summary>One cross-validation fold: row indices to fit on and to test on.</summary>
public sealed record ProbeFold(string Name, int[] Train, int[] Test);

/// <summary>
/// Splits that answer the question honestly. Expression: test identities are never seen in training
/// (identities dealt into k folds after a seeded shuffle). Identity: test images are never seen in
/// training, the held-out group being a value of a column such as KDEF's session (A vs B).
/// </summary>
public static class ProbeFolds
{
    /// <summary>k folds over the distinct values of <paramref name="groups"/> (e.g. identities): a group is in exactly one test fold.</summary>
    public static IReadOnlyList<ProbeFold> LeaveGroupsOut(IReadOnlyList<string> groups, int k, long seed)
    {
        var distinct = groups.Distinct().Order(StringComparer.Ordinal).ToArray();
        if (distinct.Length < 2) throw new InputException($"probe: {distinct.Length} group(s); leaving groups out needs at least two");
        k = Math.Min(k, distinct.Length);
        new Random(unchecked((int)seed)).Shuffle(distinct);
        var foldOf = distinct.Select((g, i) => (g, i % k)).ToDictionary(p => p.g, p => p.Item2);
        return Enumerable.Range(0, k).Select(f => new ProbeFold(
            $"groups {f + 1}/{k}",
            Enumerable.Range(0, groups.Count).Where(i => foldOf[groups[i]] != f).ToArray(),
            Enumerable.Range(0, groups.Count).Where(i => foldOf[groups[i]] == f).ToArray())).ToList();
    }

    /// <summary>One fold per value of <paramref name="column"/> (train on the other values, test on it).</summary>
    public static IReadOnlyList<ProbeFold> ByValue(IReadOnlyList<string> column, string columnName)
    {
        var values = column.Distinct().Order(StringComparer.Ordinal).ToArray();
        if (values.Length < 2) throw new InputException($"probe: column '{columnName}' has {values.Length} value(s); holding one out needs at least two");
        return values.Select(v => new ProbeFold(
            $"{columnName}={v}",
            Enumerable.Range(0, column.Count).Where(i => column[i] != v).ToArray(),
            Enumerable.Range(0, column.Count).Where(i => column[i] == v).ToArray())).ToList();
    }
}
