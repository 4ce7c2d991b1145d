using FaceBrain.Core.Domain;

namespace FaceBrain.Data.Images;

/// <summary>
/// The images of a stimulus list as network input: <see cref="Fill"/> writes any rows as [N,3,S,S]
/// float32 into a caller's buffer, decoding each time (<see cref="Decoded"/>) or reading a
/// memory-mapped uint8 cache built on first use (<see cref="Cached"/>). Both give the same floats.
/// </summary>
public sealed class FaceImages : IDisposable
{
    readonly IReadOnlyList<ImageSource> _sources;
    readonly ImageCache? _cache;
    readonly bool _skipBad;

    FaceImages(ImagePipeline pipeline, IReadOnlyList<ImageSource> sources, ImageCache? cache, IReadOnlyList<BadImage> bad, bool skipBad)
    {
        Pipeline = pipeline;
        _sources = sources;
        _cache = cache;
        Bad = bad;
        _skipBad = skipBad;
    }

    public ImagePipeline Pipeline { get; }
    public int Count => _sources.Count;
    public int Size => Pipeline.Size;
    /// <summary>Floats per image: 3 × S × S.</summary>
    public int ValuesPerImage => Pipeline.ValuesPerImage;
    /// <summary>Rows that could not be decoded (cached sets: found while building; their input is zeros).</summary>
    public IReadOnlyList<BadImage> Bad { get; }

    /// <summary>Decodes on every <see cref="Fill"/>; a bad image throws naming it unless <paramref name="skipBad"/>.</summary>
    public static FaceImages Decoded(IReadOnlyList<Stimulus> stimuli, ImagePipeline pipeline, bool skipBad = false) =>
        new(pipeline, pipeline.Sources(stimuli), null, [], skipBad);

    /// <summary>Opens the cache at <paramref name="cachePath"/>, building it first when missing or stale.</summary>
    public static FaceImages Cached(IReadOnlyList<Stimulus> stimuli, ImagePipeline pipeline, string cachePath, bool skipBad = false)
    {
        var cache = ImageCache.OpenOrBuild(cachePath, pipeline, stimuli, skipBad);
        var sources = pipeline.Sources(stimuli);
        var bad = cache.Info.Bad.Select(i => new BadImage(i, sources[i].Path, "could not be decoded when the cache was built")).ToArray();
        return new FaceImages(pipeline, sources, cache, bad, skipBad);
    }

    /// <summary>Writes rows <paramref name="rows"/> (indices into the stimulus list) as [rows, 3, S, S] from offset 0.</summary>
    public IReadOnlyList<BadImage> Fill(IReadOnlyList<int> rows, float[] destination)
    {
        if (_cache != null)
        {
            _cache.ReadBatch(rows, Pipeline.Options.Preset, destination, Pipeline.Options.Parallelism);
            return Bad.Where(b => rows.Contains(b.Index)).ToArray();
        }
        var bad = Pipeline.LoadBatch(rows.Select(r => _sources[r]).ToArray(), destination, _skipBad);
        return bad.Select(b => b with { Index = rows[b.Index] }).ToArray();
    }

    public void Dispose() => _cache?.Dispose();
}
