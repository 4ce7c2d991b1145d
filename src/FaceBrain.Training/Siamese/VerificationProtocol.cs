using FaceBrain.Data.Loading;
using FaceBrain.Training.Data;

namespace FaceBrain.Training.Siamese;

/// <summary>Which rows train, which rows are evaluated, the evaluation pairs, and how many identities the exclusion dropped.</summary>
public sealed record VerificationSplit(
    int[] Train, int[] Eval, List<EvalPair> Pairs, string PairsSource, int TrainingIdentities, int DroppedIdentities)
{
    /// <summary>The share of the training set's identities left out because they appear in the evaluation pairs.</summary>
    public double DroppedShare => TrainingIdentities == 0 ? 0 : (double)DroppedIdentities / TrainingIdentities;
}

/// <summary>
/// The LFW verification protocol of <c>train siamese</c>: evaluation on a pairs.txt (of the training set itself
/// or of a second set), training on what the pairs do not touch (their identities, or only their images);
/// without a pairs file, a seeded fifth of the identities is held out and 600 balanced pairs are drawn from it.
/// </summary>
public static class VerificationProtocol
{
    /// <summary>Above this share of dropped identities, evaluating on a second set is suspicious: its names coincide with the training set's.</summary>
    public const double SuspiciousDroppedShare = 0.05;

    public static VerificationSplit Split(LoadResult data, LoadResult evalSet, bool excludeIdentities, long seed, string source)
    {
        var ids = FaceData.Column(data.Stimuli, Labels.Identity, source);
        return evalSet.Pairs is { } lfw ? FromPairsFile(data, ids, evalSet, lfw, excludeIdentities, source) : HeldOutIdentities(data, ids, seed);
    }

    static VerificationSplit FromPairsFile(LoadResult data, string[] ids, LoadResult evalSet, LfwPairs lfw, bool byIdentity, string source)
    {
        var row = evalSet.Stimuli.Select((st, i) => (st.Id, i)).ToDictionary(p => p.Id, p => p.i, StringComparer.Ordinal);
        var used = lfw.All.SelectMany(p => new[] { row[p.A], row[p.B] }).Distinct().Order().ToArray();
        var evalIndex = used.Select((r, k) => (r, k)).ToDictionary(p => p.r, p => p.k);
        var pairs = lfw.All.Select(p => new EvalPair(evalIndex[row[p.A]], evalIndex[row[p.B]], p.Same, p.Fold)).ToList();
        var usedIds = used.Select(r => evalSet.Stimuli[r].Label(Labels.Identity) ?? "").ToHashSet(StringComparer.Ordinal);
        var usedPaths = used.Select(r => Path.GetFullPath(evalSet.Stimuli[r].Path ?? "")).ToHashSet(StringComparer.Ordinal);
        var train = Enumerable.Range(0, ids.Length)
            .Where(i => byIdentity ? !usedIds.Contains(ids[i]) : !usedPaths.Contains(Path.GetFullPath(data.Stimuli[i].Path ?? ""))).ToArray();
        if (train.Length == 0)
            throw new InputException(source, byIdentity ? "no training images left after excluding the evaluation pairs' identities; exclude only their images, or evaluate on a second set"
                                             : "no training images left: the evaluation pairs use every image; evaluate on a second set");
        if (lfw.Folds.Count < 2)
            throw new InputException(lfw.Source, "has one fold; the 10-fold protocol needs pairs.txt");
        var all = ids.Distinct(StringComparer.Ordinal).Count();
        var kept = train.Select(i => ids[i]).Distinct(StringComparer.Ordinal).Count();
        return new VerificationSplit(train, used, pairs, lfw.Source, all, all - kept);
    }

    static VerificationSplit HeldOutIdentities(LoadResult data, string[] ids, long seed)
    {
        int identities = ids.Distinct(StringComparer.Ordinal).Count();
        if (identities < 4) throw new InputException($"train siamese: {identities} identities; holding out a fifth for evaluation needs at least 4");
        // At least two held-out identities, so that 'different' pairs exist.
        var split = FaceBrain.Data.Splits.IdentityDisjoint(data.Stimuli, 0.2, unchecked((int)seed), minTest: 2);
        var evalRows = split.Test.ToArray();
        var trainRows = split.Train.ToArray();
        var code = evalRows.Select(r => ids[r]).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)
            .Select((name, k) => (name, k)).ToDictionary(p => p.name, p => (long)p.k, StringComparer.Ordinal);
        var labels = evalRows.Select(r => code[ids[r]]).ToArray();
        var sampled = PairSampler.Balanced(labels, 600, EpochSeeds.SeedFor(seed, 0, 4));
        var pairs = sampled.Select((p, k) => new EvalPair(p.A, p.B, p.Same, k % 10)).ToList();
        // The held-out identities are the evaluation set by design, not an overlap: nothing is reported as dropped.
        return new VerificationSplit(trainRows, evalRows, pairs, "drawn from held-out identities", identities - code.Count, 0);
    }
}
