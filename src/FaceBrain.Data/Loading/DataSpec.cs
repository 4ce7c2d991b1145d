using FaceBrain.Core;

namespace FaceBrain.Data.Loading;

/// <summary>
/// Where a face set is and which layout it has, written as one string:
/// <c>kdef:DIR</c>, <c>lfw:DIR</c>, <c>vggface2:DIR</c>, <c>manifest:FILE</c> or <c>images:DIR</c>.
/// The common entry point for every loader: <c>DataSpec.Load("kdef:/data/KDEF_and_AKDEF")</c>.
/// </summary>
public sealed record DataSpec(DatasetKind Kind, string Path)
{
    static readonly (string Prefix, DatasetKind Kind)[] Prefixes =
    [
        ("kdef", DatasetKind.Kdef), ("lfw", DatasetKind.Lfw), ("vggface2", DatasetKind.VggFace2),
        ("manifest", DatasetKind.Manifest), ("images", DatasetKind.Images),
    ];

    public static DataSpec Parse(string spec)
    {
        int colon = spec.IndexOf(':');
        var prefix = colon < 0 ? "" : spec[..colon];
        var match = Prefixes.Where(p => string.Equals(p.Prefix, prefix, StringComparison.OrdinalIgnoreCase)).ToArray();
        if (match.Length == 0)
            throw new InputException($"data spec '{spec}': expected kdef:DIR, lfw:DIR, vggface2:DIR, manifest:FILE or images:DIR");
        var path = spec[(colon + 1)..];
        if (path.Length == 0) throw new InputException($"data spec '{spec}': no path after '{prefix}:'");
        return new DataSpec(match[0].Kind, path);
    }

    /// <summary>Parses <paramref name="spec"/> and runs its loader.</summary>
    public static LoadResult Load(string spec, LoadOptions? options = null) => Parse(spec).Load(options);

    public LoadResult Load(LoadOptions? options = null) => Kind switch
    {
        DatasetKind.Kdef => KdefLoader.Load(Path, options),
        DatasetKind.Lfw => LfwLoader.Load(Path, options),
        DatasetKind.VggFace2 => VggFace2Loader.Load(Path, options),
        DatasetKind.Manifest => ManifestLoader.Load(Path, options),
        DatasetKind.Images => FolderLoader.Load(Path, options),
        _ => throw new ArgumentOutOfRangeException(nameof(Kind)),
    };

    public static string Prefix(DatasetKind kind) => Prefixes.First(p => p.Kind == kind).Prefix;

    public override string ToString() => $"{Prefix(Kind)}:{Path}";
}
