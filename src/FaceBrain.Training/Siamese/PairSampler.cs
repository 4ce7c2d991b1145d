namespace FaceBrain.Training.Siamese;

/// <summary>A pair of image rows and whether they show the same identity.</summary>
public readonly record struct Pair(int A, int B, bool Same);

/// <summary>
/// Balanced pair sampling: half the pairs are two different images of one identity (drawn among identities
/// with at least two images), half are images of two different identities. Seeded, so an epoch repeats.
/// </summary>
public static class PairSampler
{
    public static Pair[] Balanced(IReadOnlyList<long> labels, int count, int seed)
    {
        var byClass = Enumerable.Range(0, labels.Count).GroupBy(i => labels[i]).OrderBy(g => g.Key).Select(g => g.ToArray()).ToArray();
        var multi = byClass.Where(c => c.Length >= 2).ToArray();
        if (multi.Length == 0) throw new InputException("train siamese: no identity has two images, so no same pair can be formed");
        if (byClass.Length < 2) throw new InputException("train siamese: only one identity, so no different pair can be formed");
        var rng = new Random(seed);
        var pairs = new Pair[count];
        for (int k = 0; k < count; k++)
        {
            if (k % 2 == 0)
            {
                var c = multi[rng.Next(multi.Length)];
                int i = rng.Next(c.Length), j = rng.Next(c.Length - 1);
                if (j >= i) j++;
                pairs[k] = new Pair(c[i], c[j], true);
            }
            else
            {
                int ci = rng.Next(byClass.Length), cj = rng.Next(byClass.Length - 1);
                if (cj >= ci) cj++;
                pairs[k] = new Pair(byClass[ci][rng.Next(byClass[ci].Length)], byClass[cj][rng.Next(byClass[cj].Length)], false);
            }
        }
        rng.Shuffle(pairs);
        return pairs;
    }
}
