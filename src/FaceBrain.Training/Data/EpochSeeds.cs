namespace FaceBrain.Training.Data;

/// <summary>
/// Per-epoch randomness of training (the order of the images, augmentation, pair sampling), derived from the
/// run's seed so that resuming at an epoch reproduces it. Held-out splits are FaceBrain.Data.Splits.
/// </summary>
public static class EpochSeeds
{
    /// <summary>A seeded permutation of 0..n−1 for one epoch: the same (seed, epoch) gives the same order.</summary>
    public static int[] EpochOrder(int n, long seed, int epoch)
    {
        var order = Enumerable.Range(0, n).ToArray();
        var r = Rng.For(SeedFor(seed, epoch, 1));
        r.Shuffle(order);
        return order;
    }

    /// <summary>A per-(seed, epoch, purpose) 31-bit seed, so resuming at an epoch reproduces its randomness.</summary>
    public static int SeedFor(long seed, int epoch, int purpose) =>
        (int)((unchecked((ulong)seed * 0x9E3779B97F4A7C15UL + (ulong)epoch * 0xBF58476D1CE4E5B9UL + (ulong)purpose * 0x94D049BB133111EBUL) >> 33));
}
