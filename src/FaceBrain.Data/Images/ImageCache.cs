using System.IO.MemoryMappedFiles;
using System.Text;
using System.Text.Json;
using FaceBrain.Core;
using FaceBrain.Core.Domain;
using FaceBrain.Core.IO;

namespace FaceBrain.Data.Images;

/// <summary>
/// Decoded images of one set at one size, as uint8 RGB (HWC, S×S×3 per image) in one memory-mapped
/// file, so epochs after the first decode nothing. The bytes are exactly the pipeline's uint8 stage,
/// so a cached image gives the same floats as a fresh decode. Layout: "FBIMGC01", int64 header
/// length, a JSON header (geometry, ids, source file sizes and times), zero padding to 4096, pixels.
/// </summary>
public sealed unsafe class ImageCache : IDisposable
{
    const string Magic = "FBIMGC01";
    const int Align = 4096;

    /// <summary>What the cache was built from; a mismatch on open means the cache is stale.</summary>
    public sealed record Header(int Size, int ResizeTo, bool UseBoxes, double BoxMargin, string[] Ids, string[] Paths, long[] Lengths, long[] Ticks, int[] Bad);

    readonly MemoryMappedFile _file;
    readonly MemoryMappedViewAccessor _view;
    readonly byte* _base;
    readonly long _dataOffset;

    ImageCache(string path, Header header, MemoryMappedFile file, MemoryMappedViewAccessor view, long dataOffset)
    {
        Path = path;
        Info = header;
        _file = file;
        _view = view;
        _dataOffset = dataOffset;
        byte* p = null;
        _view.SafeMemoryMappedViewHandle.AcquirePointer(ref p);
        _base = p + _view.PointerOffset;
    }

    public string Path { get; }
    public Header Info { get; }
    public int Count => Info.Ids.Length;
    public int Size => Info.Size;
    public int BytesPerImage => Size * Size * 3;
    public IReadOnlyList<string> Ids => Info.Ids;

    /// <summary>The cache file for a set at a size: DIR/NAME-SIZE.fbcache (one file per set and size).</summary>
    public static string PathFor(string cacheDir, string setName, int size) =>
        System.IO.Path.Combine(cacheDir, $"{setName}-{size}.fbcache");

    /// <summary>The uint8 HWC pixels of image i (valid while the cache is open).</summary>
    public ReadOnlySpan<byte> Pixels(int i)
    {
        if ((uint)i >= (uint)Count) throw new ArgumentOutOfRangeException(nameof(i));
        return new ReadOnlySpan<byte>(_base + _dataOffset + (long)i * BytesPerImage, BytesPerImage);
    }

    /// <summary>Fills [N,3,S,S] floats for the given cache rows with a preset, in parallel.</summary>
    public void ReadBatch(IReadOnlyList<int> rows, Preset preset, float[] destination, int parallelism = 0)
    {
        if (preset == Preset.FaceApi)
            throw new InputException(Path, "the faceapi preset resizes in floating point; the uint8 image cache cannot reproduce it (decode instead)");
        int v = BytesPerImage;
        if (destination.Length < (long)rows.Count * v) throw new ArgumentException($"destination too small for {rows.Count} images");
        Parallel.For(0, rows.Count, new ParallelOptions { MaxDegreeOfParallelism = parallelism > 0 ? parallelism : Environment.ProcessorCount },
            k => preset.Apply(Pixels(rows[k]), destination.AsSpan(k * v, v)));
    }

    // ---------------------------------------------------------------- build and open

    /// <summary>
    /// Decodes every stimulus through <paramref name="pipeline"/> (in parallel, in chunks) and writes the
    /// cache atomically. A bad image throws naming it unless <paramref name="skipBad"/>: then its pixels
    /// are zeros and its row is listed in <see cref="Header.Bad"/>.
    /// </summary>
    public static IReadOnlyList<BadImage> Build(string path, ImagePipeline pipeline, IReadOnlyList<Stimulus> stimuli, bool skipBad = false) =>
        // A full disk names the cache file (its temporary is removed when the write is abandoned).
        OutputException.Guard(path, () => BuildCore(path, pipeline, stimuli, skipBad));

    static IReadOnlyList<BadImage> BuildCore(string path, ImagePipeline pipeline, IReadOnlyList<Stimulus> stimuli, bool skipBad)
    {
        if (pipeline.Options.Preset == Preset.FaceApi || pipeline.Options.DefaultCrop != null)
            throw new InputException(path, "the image cache holds centre-cropped uint8 images; the faceapi preset and default face crops are decoded each time");
        var sources = pipeline.Sources(stimuli);
        var o = pipeline.Options;
        var lengths = new long[sources.Count];
        var ticks = new long[sources.Count];
        for (int i = 0; i < sources.Count; i++)
        {
            var fi = new FileInfo(sources[i].Path);
            lengths[i] = fi.Exists ? fi.Length : -1;
            ticks[i] = fi.Exists ? fi.LastWriteTimeUtc.Ticks : 0;
        }
        const int chunk = 256;
        var bad = new List<BadImage>();
        var buffer = new byte[(long)Math.Min(chunk, Math.Max(1, sources.Count)) * pipeline.BytesPerImage];
        using var file = AtomicFile.Create(path);
        // Pixels first (their size is known), header bytes reserved up front and written last, once bad rows are known.
        var headerGuess = Encode(new Header(o.Size, o.Shorter, o.UseBoxes, o.BoxMargin, stimuli.Select(s => s.Id).ToArray(),
            sources.Select(s => s.Path).ToArray(), lengths, ticks, Enumerable.Range(0, stimuli.Count).ToArray()));
        long dataOffset = RoundUp(16 + headerGuess.Length);
        file.Stream.SetLength(dataOffset);
        file.Stream.Position = dataOffset;
        for (int start = 0; start < sources.Count; start += chunk)
        {
            int n = Math.Min(chunk, sources.Count - start);
            var items = sources.Skip(start).Take(n).ToArray();
            foreach (var b in pipeline.LoadPixelsBatch(items, buffer, skipBad))
                bad.Add(b with { Index = b.Index + start });
            file.Stream.Write(buffer, 0, n * pipeline.BytesPerImage);
        }
        var header = Encode(new Header(o.Size, o.Shorter, o.UseBoxes, o.BoxMargin, stimuli.Select(s => s.Id).ToArray(),
            sources.Select(s => s.Path).ToArray(), lengths, ticks, bad.Select(b => b.Index).ToArray()));
        if (16 + header.Length > dataOffset) throw new InvalidOperationException("cache header outgrew its reservation");
        // The header fills its whole reservation (JSON, then spaces), so the pixels start where Open expects.
        var padded = new byte[dataOffset - 16];
        padded.AsSpan().Fill((byte)' ');
        header.CopyTo(padded, 0);
        file.Stream.Position = 0;
        file.Stream.Write(Encoding.ASCII.GetBytes(Magic));
        file.Stream.Write(BitConverter.GetBytes((long)padded.Length));
        file.Stream.Write(padded);
        file.Commit();
        return bad;
    }

    public static ImageCache Open(string path)
    {
        if (!File.Exists(path)) throw new InputException(path, "cache file not found");
        long length = new FileInfo(path).Length;
        Header header;
        long dataOffset;
        using (var fs = File.OpenRead(path))
        {
            var head = new byte[16];
            if (fs.Read(head, 0, 16) != 16 || Encoding.ASCII.GetString(head, 0, 8) != Magic)
                throw new InputException(path, "not a FaceBrain image cache (bad magic)");
            long n = BitConverter.ToInt64(head, 8);
            if (n <= 0 || 16 + n > length) throw new InputException(path, "truncated image cache (header)");
            var json = new byte[n];
            fs.ReadExactly(json);
            try { header = JsonSerializer.Deserialize<Header>(json) ?? throw new JsonException("null"); }
            catch (JsonException e) { throw new InputException(path, $"unreadable image cache header ({e.Message})"); }
            dataOffset = RoundUp(16 + n);
        }
        long need = dataOffset + (long)header.Ids.Length * header.Size * header.Size * 3;
        if (length != need) throw new InputException(path, $"image cache is {length} bytes, its header needs {need} (truncated or corrupt)");
        var mm = MemoryMappedFile.CreateFromFile(path, FileMode.Open, null, 0, MemoryMappedFileAccess.Read);
        var view = mm.CreateViewAccessor(0, 0, MemoryMappedFileAccess.Read);
        return new ImageCache(path, header, mm, view, dataOffset);
    }

    /// <summary>True when the cache holds exactly these stimuli, from unchanged files, with this geometry.</summary>
    public bool Matches(ImagePipeline pipeline, IReadOnlyList<Stimulus> stimuli)
    {
        var o = pipeline.Options;
        if (Info.Size != o.Size || Info.ResizeTo != o.Shorter || Info.UseBoxes != o.UseBoxes || Info.BoxMargin != o.BoxMargin) return false;
        if (stimuli.Count != Count) return false;
        for (int i = 0; i < Count; i++)
        {
            if (stimuli[i].Id != Info.Ids[i] || stimuli[i].Path != Info.Paths[i]) return false;
            var fi = new FileInfo(Info.Paths[i]);
            if (!fi.Exists || fi.Length != Info.Lengths[i] || fi.LastWriteTimeUtc.Ticks != Info.Ticks[i]) return false;
        }
        return true;
    }

    /// <summary>Opens the cache when it matches, otherwise (re)builds it first.</summary>
    public static ImageCache OpenOrBuild(string path, ImagePipeline pipeline, IReadOnlyList<Stimulus> stimuli, bool skipBad = false)
    {
        if (File.Exists(path))
        {
            var c = Open(path);
            if (c.Matches(pipeline, stimuli)) return c;
            c.Dispose();
        }
        Build(path, pipeline, stimuli, skipBad);
        return Open(path);
    }

    static byte[] Encode(Header h) => JsonSerializer.SerializeToUtf8Bytes(h);

    static long RoundUp(long n) => (n + Align - 1) / Align * Align;

    public void Dispose()
    {
        _view.SafeMemoryMappedViewHandle.ReleasePointer();
        _view.Dispose();
        _file.Dispose();
    }
}
