namespace FaceBrain.Training.Data;

/// <summary>Row indices of a train/test split.</summary>
public sealed record Split(IReadOnlyList<int> Train, IReadOnlyList<int> Test);

public static class Splits
{
    /// <summary>
    /// Per class, a seeded random <paramref name="fraction"/> of the images (at least one when a class has two
    /// or more) goes to the held-out set, so held-out accuracy measures new images of known identities.
    /// </summary>
    public static Split Stratified(IReadOnlyList<long> labels, double fraction, long seed)
    {
        if (fraction is < 0 or >= 1) throw new InputException($"--holdout {fraction}: must be in [0, 1)");
        var rng = new Random(unchecked((int)seed));
        var train = new List<int>();
        var test = new List<int>();
        foreach (var group in Enumerable.Range(0, labels.Count).GroupBy(i => labels[i]).OrderBy(g => g.Key))
        {
            var rows = group.ToArray();
            rng.Shuffle(rows);
            int k = fraction == 0 || rows.Length < 2 ? 0 : Math.Max(1, (int)Math.Round(rows.Length * fraction));
            test.AddRange(rows.Take(k));
            train.AddRange(rows.Skip(k));
        }
        train.Sort();
        test.Sort();
        return new Split(train, test);
    }

    /// <summary>A seeded permutation of 0..n−1 for one epoch: the same (seed, epoch) gives the same order.</summary>
    public static int[] EpochOrder(int n, long seed, int epoch)
    {
        var order = Enumerable.Range(0, n).ToArray();
        new Random(SeedFor(seed, epoch, 1)).Shuffle(order);
        return order;
    }

    /// <summary>A per-(seed, epoch, purpose) 31-bit seed, so resuming at an epoch reproduces its randomness.</summary>
    public static int SeedFor(long seed, int epoch, int purpose) =>
        (int)((unchecked((ulong)seed * 0x9E3779B97F4A7C15UL + (ulong)epoch * 0xBF58476D1CE4E5B9UL + (ulong)purpose * 0x94D049BB133111EBUL) >> 33));
}
