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

    /// <summary>
    /// Hard negatives: replaces the second image of a share <paramref name="fraction"/> of the different pairs by
    /// the candidate, among <paramref name="pool"/> images of other identities drawn at random, that the current
    /// network finds most alike (highest <paramref name="similarity"/> to the first image). Drawing from a random
    /// pool rather than the whole set keeps the negatives hard but not only the few closest look-alikes (or label
    /// noise). Same pairs are untouched, so the pairs stay balanced. Seeded: the same network gives the same pairs.
    /// </summary>
    /// <param name="similarity">Scores (anchor, candidate) row pairs in one batch; higher is more alike.</param>
    public static Pair[] WithHardNegatives(Pair[] pairs, IReadOnlyList<long> labels, double fraction, int pool, int seed,
                                           Func<int[], int[], double[]> similarity)
    {
        if (fraction < 0 || fraction > 1) throw new InputException($"`hard-negatives` {fraction}: must be between 0 and 1");
        if (pool < 2) throw new InputException($"hard-negative pool {pool}: must be at least 2");
        var rng = new Random(seed);
        var chosen = Enumerable.Range(0, pairs.Length).Where(k => !pairs[k].Same && rng.NextDouble() < fraction).ToArray();
        if (chosen.Length == 0) return pairs;
        var anchors = new int[chosen.Length * pool];
        var candidates = new int[chosen.Length * pool];
        for (int c = 0; c < chosen.Length; c++)
        {
            int a = pairs[chosen[c]].A;
            for (int j = 0; j < pool; j++)
            {
                int b;
                do b = rng.Next(labels.Count); while (labels[b] == labels[a]);
                anchors[c * pool + j] = a;
                candidates[c * pool + j] = b;
            }
        }
        var score = similarity(anchors, candidates);
        var result = (Pair[])pairs.Clone();
        for (int c = 0; c < chosen.Length; c++)
        {
            int best = c * pool;
            for (int j = c * pool + 1; j < (c + 1) * pool; j++) if (score[j] > score[best]) best = j;
            result[chosen[c]] = new Pair(anchors[best], candidates[best], false);
        }
        return result;
    }
}
