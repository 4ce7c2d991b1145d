using FaceBrain.Core.Domain;

namespace FaceBrain.Data.Loading;

/// <summary>The face sets the loaders understand.</summary>
public enum DatasetKind { Kdef, Lfw, VggFace2, Manifest, Images }

/// <summary>A file (or a line of a list file) that could not be used, and why, in one line.</summary>
public sealed record BadFile(string Path, string Reason)
{
    public override string ToString() => $"{Path}: {Reason}";
}

/// <summary>
/// What a loader found: the usable stimuli in a stable order (sorted by id), and every file it had to
/// leave out with the reason. Loaders never guess: an unparseable name is listed here, not dropped.
/// </summary>
public sealed record LoadResult(
    DatasetKind Kind,
    string Root,
    IReadOnlyList<Stimulus> Stimuli,
    IReadOnlyList<BadFile> Bad)
{
    /// <summary>LFW only: the verification protocol from pairs.txt, when the file is present.</summary>
    public LfwPairs? Pairs { get; init; }

    // Keyed by the list itself, not cached in a field: `with { Stimuli = ... }` would copy a stale field.
    static readonly System.Runtime.CompilerServices.ConditionalWeakTable<IReadOnlyList<Stimulus>, Dictionary<string, int>> Indexes = new();

    /// <summary>Row of the stimulus with this id (e.g. an LFW pair's A or B), or -1.</summary>
    public int IndexOf(string id)
    {
        var index = Indexes.GetValue(Stimuli, list => list.Select((s, i) => (s.Id, i)).ToDictionary(p => p.Id, p => p.i, StringComparer.Ordinal));
        return index.TryGetValue(id, out var i) ? i : -1;
    }

    /// <summary>Distinct values of the <c>identity</c> label, sorted.</summary>
    public IReadOnlyList<string> Identities =>
        Stimuli.Select(s => s.Label(Labels.Identity) ?? "").Distinct().Order(StringComparer.Ordinal).ToArray();

    /// <summary>Throws when some files were bad; for callers that must not silently train on less.</summary>
    public LoadResult RequireNoBad()
    {
        if (Bad.Count > 0)
            throw new Core.InputException(Bad[0].Path,
                Bad[0].Reason + (Bad.Count > 1 ? $" (and {Bad.Count - 1} more bad files; run `facebrain data inspect`)" : ""));
        return this;
    }
}

/// <summary>The label columns the loaders fill (text values, as in the stimulus TSV).</summary>
public static class Labels
{
    public const string Identity = "identity";
    /// <summary>KDEF expression code: AF AN DI HA NE SA SU.</summary>
    public const string Expression = "expression";
    /// <summary>KDEF angle code: FL HL S HR FR.</summary>
    public const string Angle = "angle";
    /// <summary>KDEF session: A or B.</summary>
    public const string Session = "session";
    /// <summary>F or M (KDEF), f or m (VGGFace2 identity_meta.csv).</summary>
    public const string Sex = "sex";
    /// <summary>VGGFace2 split: train or test.</summary>
    public const string Split = "split";
    /// <summary>Human-readable identity name (VGGFace2 identity_meta.csv).</summary>
    public const string Name = "name";
    /// <summary>Face bounding box in source pixels (VGGFace2 loose crop), when known.</summary>
    public const string BoxX = "bb_x", BoxY = "bb_y", BoxW = "bb_w", BoxH = "bb_h";
}
