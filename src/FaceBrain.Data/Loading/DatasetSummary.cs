namespace FaceBrain.Data.Loading;

/// <summary>Counts over a loaded set: what <c>data inspect</c> prints.</summary>
public sealed record DatasetSummary(
    string Kind,
    string Root,
    int Images,
    int Identities,
    IReadOnlyDictionary<string, int> ByIdentity,
    IReadOnlyDictionary<string, int> ByExpression,
    IReadOnlyDictionary<string, int> ByAngle,
    IReadOnlyDictionary<string, int> BySession,
    IReadOnlyDictionary<string, int> BySplit,
    int? PairFolds,
    int? Pairs,
    IReadOnlyList<BadFile> Bad)
{
    public static DatasetSummary Of(LoadResult r)
    {
        SortedDictionary<string, int> Count(string column)
        {
            var d = new SortedDictionary<string, int>(StringComparer.Ordinal);
            foreach (var s in r.Stimuli)
                if (s.Label(column) is { Length: > 0 } v) d[v] = d.GetValueOrDefault(v) + 1;
            return d;
        }
        var split = r.Kind == DatasetKind.Lfw ? Count(LfwLoader.DevSplit) : Count(Labels.Split);
        return new DatasetSummary(DataSpec.Prefix(r.Kind), r.Root, r.Stimuli.Count, r.Identities.Count,
            Count(Labels.Identity), Count(Labels.Expression), Count(Labels.Angle), Count(Labels.Session), split,
            r.Pairs?.Folds.Count, r.Pairs?.All.Count(), r.Bad);
    }
}
