using System.Security.Cryptography;
using System.Text;
using FaceBrain.Core.Domain;
using TorchSharp;

namespace FaceBrain.Data.Images;

/// <summary>
/// The one batch source: the images of a stimulus list as preprocessed network input, for extract, probe and
/// train. <see cref="Fill"/> writes any rows as [N,3,S,S] float32 into a caller's buffer and <see cref="Batch"/>
/// returns them as a tensor, decoding each time (<see cref="Decoded"/>) or reading a memory-mapped uint8 cache built
/// on first use (<see cref="Cached"/>). Both give the same floats. <see cref="Usable"/> leaves unusable images out
/// while decoding every image exactly once (into a cache, kept in a cache folder or removed on dispose).
/// </summary>
public sealed class FaceImages : IDisposable
{
    readonly IReadOnlyList<ImageSource> _sources;
    readonly ImageCache? _cache;
    readonly bool _skipBad;
    // Row i of this set is row _rows[i] of the cache (null: the identity).
    readonly int[]? _rows;
    readonly string? _scratch;

    FaceImages(ImagePipeline pipeline, IReadOnlyList<Stimulus> stimuli, IReadOnlyList<ImageSource> sources, ImageCache? cache,
               IReadOnlyList<BadImage> bad, bool skipBad, int[]? rows = null, string? scratch = null)
    {
        Pipeline = pipeline;
        Stimuli = stimuli;
        _sources = sources;
        _cache = cache;
        Bad = bad;
        _skipBad = skipBad;
        _rows = rows;
        _scratch = scratch;
    }

    public ImagePipeline Pipeline { get; }
    /// <summary>The stimuli of this set, in row order.</summary>
    public IReadOnlyList<Stimulus> Stimuli { get; }
    public int Count => Stimuli.Count;
    public int Size => Pipeline.Size;
    /// <summary>Floats per image: 3 × S × S.</summary>
    public int ValuesPerImage => Pipeline.ValuesPerImage;
    /// <summary>Images that could not be decoded (cached sets: found while building; a <see cref="Usable"/> set: left out).</summary>
    public IReadOnlyList<BadImage> Bad { get; }

    /// <summary>Decodes on every <see cref="Fill"/>; a bad image throws naming it unless <paramref name="skipBad"/>.</summary>
    public static FaceImages Decoded(IReadOnlyList<Stimulus> stimuli, ImagePipeline pipeline, bool skipBad = false) =>
        new(pipeline, stimuli, pipeline.Sources(stimuli), null, [], skipBad);

    /// <summary>Opens the cache at <paramref name="cachePath"/>, building it first when missing or stale.</summary>
    public static FaceImages Cached(IReadOnlyList<Stimulus> stimuli, ImagePipeline pipeline, string cachePath, bool skipBad = false)
    {
        var cache = ImageCache.OpenOrBuild(cachePath, pipeline, stimuli, skipBad);
        var sources = pipeline.Sources(stimuli);
        var bad = cache.Info.Bad.Select(i => new BadImage(i, sources[i].Path, "could not be decoded when the cache was built")).ToArray();
        return new FaceImages(pipeline, stimuli, sources, cache, bad, skipBad);
    }

    /// <summary>
    /// The set a run reads: from the cache in <paramref name="cacheDir"/> when one is given (built on first use,
    /// reused while the files are unchanged), else decoded per batch. With <paramref name="skipBad"/> the unusable
    /// images are left out (listed in <see cref="Bad"/>): each image is decoded once, into the cache folder's cache
    /// or, without one, a temporary cache that is removed when this set is disposed.
    /// </summary>
    public static FaceImages Open(IReadOnlyList<Stimulus> stimuli, ImagePipeline pipeline, string? cacheDir = null, bool skipBad = false)
    {
        if (!skipBad)
        {
            if (cacheDir is null) return Decoded(stimuli, pipeline);
            var cached = Cached(stimuli, pipeline, CachePath(cacheDir, pipeline, stimuli));
            return cached;
        }
        string? scratch = null;
        string path;
        if (cacheDir is null)
        {
            scratch = Path.Combine(Path.GetTempPath(), $"facebrain-decoded-{Environment.ProcessId}-{Guid.NewGuid():N}.fbcache");
            path = scratch;
        }
        else path = CachePath(cacheDir, pipeline, stimuli);
        try
        {
            var all = Cached(stimuli, pipeline, path, skipBad: true);
            var badRows = all.Bad.Select(b => b.Index).ToHashSet();
            var keep = Enumerable.Range(0, stimuli.Count).Where(i => !badRows.Contains(i)).ToArray();
            var bad = all.Bad.Select(b => b with { Reason = ReasonOf(pipeline, b, all._sources[b.Index].Box) }).ToArray();
            return new FaceImages(pipeline, keep.Select(i => stimuli[i]).ToArray(), keep.Select(i => all._sources[i]).ToArray(),
                                  all._cache, bad, skipBad: true, keep, scratch);
        }
        catch
        {
            if (scratch != null) TryDelete(scratch);
            throw;
        }
    }

    // The cache only records that a row failed; the reason is found again for that row alone (bad rows are rare).
    static string ReasonOf(ImagePipeline pipeline, BadImage b, CropBox? box)
    {
        var buffer = new byte[pipeline.BytesPerImage];
        return pipeline.TryLoadPixels(b.Path, box, buffer, out var error) ? b.Reason : error;
    }

    /// <summary>DIR/set-HASH-rR-S.fbcache: one file per stimulus list (ids and paths), resize and size.</summary>
    public static string CachePath(string cacheDir, ImagePipeline pipeline, IReadOnlyList<Stimulus> stimuli)
    {
        if (!Directory.Exists(cacheDir)) throw new Core.InputException(cacheDir, "cache folder not found");
        var text = new StringBuilder();
        foreach (var s in stimuli) text.Append(s.Id).Append('\t').Append(s.Path).Append('\n');
        var hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text.ToString())))[..16];
        return ImageCache.PathFor(cacheDir, $"set-{hash}-r{pipeline.Options.Shorter}", pipeline.Size);
    }

    /// <summary>Writes rows <paramref name="rows"/> (indices into this set) as [rows, 3, S, S] from offset 0.</summary>
    public IReadOnlyList<BadImage> Fill(IReadOnlyList<int> rows, float[] destination)
    {
        if (_cache != null)
        {
            var cacheRows = _rows is null ? rows : rows.Select(r => _rows[r]).ToArray();
            _cache.ReadBatch(cacheRows, Pipeline.Options.Preset, destination, Pipeline.Options.Parallelism);
            return _rows is null ? Bad.Where(b => rows.Contains(b.Index)).ToArray() : [];
        }
        var bad = Pipeline.LoadBatch(rows.Select(r => _sources[r]).ToArray(), destination, _skipBad);
        return bad.Select(b => b with { Index = rows[b.Index] }).ToArray();
    }

    /// <summary>Rows [start, start + count) as a float32 [count, 3, S, S] CPU tensor.</summary>
    public torch.Tensor Batch(int start, int count)
    {
        var buffer = new float[(long)count * ValuesPerImage];
        Fill(Enumerable.Range(start, count).ToArray(), buffer);
        return torch.tensor(buffer).reshape(count, 3, Size, Size);
    }

    /// <summary>Every row, in order, as one float32 array [N·3·S·S] (training and probing hold the set in memory).</summary>
    public float[] All()
    {
        var buffer = new float[(long)Count * ValuesPerImage];
        const int chunk = 256;
        var part = new float[(long)Math.Min(chunk, Math.Max(1, Count)) * ValuesPerImage];
        for (int start = 0; start < Count; start += chunk)
        {
            int n = Math.Min(chunk, Count - start);
            Fill(Enumerable.Range(start, n).ToArray(), part);
            Array.Copy(part, 0, buffer, (long)start * ValuesPerImage, (long)n * ValuesPerImage);
        }
        return buffer;
    }

    static void TryDelete(string path)
    {
        try { File.Delete(path); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }

    public void Dispose()
    {
        _cache?.Dispose();
        if (_scratch != null) TryDelete(_scratch);
    }
}
