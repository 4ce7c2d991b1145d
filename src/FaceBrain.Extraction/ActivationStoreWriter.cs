using System.Runtime.InteropServices;
using FaceBrain.Core;
using FaceBrain.Core.IO;

namespace FaceBrain.Extraction;

/// <summary>
/// Writes an activation store batch by batch. Layer matrices live as <c>layers/&lt;layer&gt;.npy.partial</c>, pre-sized
/// with their final header, until every row is in; only then are they renamed to <c>.npy</c> and the manifest marked
/// complete. After each batch the layer files are flushed to disk before the manifest's <c>rows_done</c> moves on,
/// so an interrupted run resumes from the last complete batch and produces byte-identical files.
/// </summary>
public sealed class ActivationStoreWriter : IDisposable
{
    const string PartialSuffix = ".partial";
    readonly Dictionary<string, FileStream> _files = new(StringComparer.Ordinal);
    // Where each layer's data starts (its header length), fixed once the file exists.
    readonly Dictionary<string, long> _dataOffsets = new(StringComparer.Ordinal);
    StoreManifest _manifest;

    ActivationStoreWriter(string dir, StoreManifest manifest)
    {
        Directory = dir;
        _manifest = manifest;
    }

    public string Directory { get; }
    public StoreManifest Manifest => _manifest;
    public int RowsDone => _manifest.RowsDone;

    public static string ManifestPath(string dir) => Path.Combine(dir, "manifest.json");

    /// <summary>The on-disk element type of a layer: "float32" (default) or "float16".</summary>
    public static NpyDType ElementType(StoreLayer layer) => layer.Dtype switch
    {
        "float32" => NpyDType.Float32,
        "float16" => NpyDType.Float16,
        _ => throw new InputException($"layer {layer.Name}: unsupported store dtype '{layer.Dtype}' (float32 or float16)"),
    };

    static byte[] Header(StoreLayer layer) => Npy.EncodeHeader(ElementType(layer), layer.Shape);

    static long FileBytes(StoreLayer layer) =>
        Header(layer).Length + layer.Shape[0] * layer.Shape[1] * Npy.ItemSize(ElementType(layer));
    public static string StimuliPath(string dir) => Path.Combine(dir, "stimuli.tsv");

    /// <summary>Starts a new store. An existing folder is refused unless it is empty, or a store and <paramref name="overwrite"/>.</summary>
    public static ActivationStoreWriter Create(string dir, StimulusTable stimuli, StoreManifest manifest, bool overwrite)
    {
        if (System.IO.Directory.Exists(dir) && System.IO.Directory.EnumerateFileSystemEntries(dir).Any())
        {
            if (!overwrite)
                throw new InputException(dir, "output folder exists; pass --overwrite to replace it or --resume to continue it");
            if (!File.Exists(ManifestPath(dir)))
                throw new InputException(dir, "output folder exists and is not an activation store; refusing to overwrite it");
            StoreManifest.Read(ManifestPath(dir)); // refuse to delete a folder whose manifest is not ours
            System.IO.Directory.Delete(dir, recursive: true);
        }
        try
        {
            System.IO.Directory.CreateDirectory(Path.Combine(dir, "layers"));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new InputException(dir, $"cannot create the output folder: {e.Message}");
        }
        stimuli.Write(StimuliPath(dir));
        var w = new ActivationStoreWriter(dir, manifest with { Complete = false, RowsDone = 0, NStimuli = stimuli.Count, Layers = [] });
        w.SaveManifest();
        return w;
    }

    /// <summary>Reopens an interrupted store; the caller continues from <see cref="RowsDone"/>.</summary>
    public static ActivationStoreWriter Resume(string dir)
    {
        var manifest = StoreManifest.Read(ManifestPath(dir));
        if (manifest.Complete) throw new InputException(dir, "store is already complete; nothing to resume");
        var w = new ActivationStoreWriter(dir, manifest);
        foreach (var layer in manifest.Layers)
        {
            var path = Path.Combine(dir, layer.File + PartialSuffix);
            if (!File.Exists(path)) throw new InputException(path, "partial layer file missing; cannot resume (start again with --overwrite)");
            long expected = FileBytes(layer);
            var fs = new FileStream(path, FileMode.Open, FileAccess.ReadWrite, FileShare.None);
            if (fs.Length != expected)
            {
                fs.Dispose();
                throw new InputException(path, $"partial layer file has {fs.Length} bytes, expected {expected}; cannot resume");
            }
            w._files[layer.Name] = fs;
            w._dataOffsets[layer.Name] = Header(layer).Length;
        }
        return w;
    }

    /// <summary>Whether the layer files exist yet (they are created once the first batch shows each layer's width).</summary>
    public bool HasLayers => _manifest.Layers.Count > 0;

    /// <summary>Creates the pre-sized layer files. Names must match the layers later passed to <see cref="AppendBatch"/>.</summary>
    public void CreateLayers(IReadOnlyList<StoreLayer> layers)
    {
        if (HasLayers) throw new InvalidOperationException("layers already created");
        foreach (var layer in layers)
        {
            var path = Path.Combine(Directory, layer.File + PartialSuffix);
            var fs = new FileStream(path, FileMode.Create, FileAccess.ReadWrite, FileShare.None);
            try
            {
                fs.Write(Header(layer));
                // Reserve the whole file now: a full disk fails here, before hours of compute.
                fs.SetLength(FileBytes(layer));
            }
            catch (IOException e)
            {
                fs.Dispose();
                File.Delete(path);
                throw new InputException(path, $"cannot reserve {FileBytes(layer) / 1e6:F1} MB: {e.Message}");
            }
            _files[layer.Name] = fs;
            _dataOffsets[layer.Name] = Header(layer).Length;
        }
        _manifest = _manifest with { Layers = layers };
        SaveManifest();
    }

    /// <summary>Writes the next rows of every layer, then records them as done.</summary>
    public void AppendBatch(IReadOnlyDictionary<string, float[]> rowsByLayer, int rowCount)
    {
        foreach (var layer in _manifest.Layers)
        {
            var data = rowsByLayer[layer.Name];
            long width = layer.Shape[1];
            if (data.LongLength != rowCount * width)
                throw new InvalidOperationException($"layer {layer.Name}: {data.LongLength} values for {rowCount} rows of {width}");
            var fs = _files[layer.Name];
            var type = ElementType(layer);
            fs.Seek(_dataOffsets[layer.Name] + (long)_manifest.RowsDone * width * Npy.ItemSize(type), SeekOrigin.Begin);
            if (type == NpyDType.Float16)
            {
                var half = new Half[data.Length];
                for (int i = 0; i < data.Length; i++) half[i] = (Half)data[i];
                fs.Write(MemoryMarshal.AsBytes(half.AsSpan()));
            }
            else fs.Write(MemoryMarshal.AsBytes(data.AsSpan()));
        }
        foreach (var fs in _files.Values) fs.Flush(flushToDisk: true);
        _manifest = _manifest with { RowsDone = _manifest.RowsDone + rowCount };
        SaveManifest();
    }

    /// <summary>Publishes the layer files under their final names and marks the store complete.</summary>
    public void Complete(StoreManifest finalFields)
    {
        if (_manifest.RowsDone != _manifest.NStimuli)
            throw new InvalidOperationException($"{_manifest.RowsDone} of {_manifest.NStimuli} rows written");
        foreach (var fs in _files.Values) fs.Dispose();
        _files.Clear();
        foreach (var layer in _manifest.Layers)
        {
            var final = Path.Combine(Directory, layer.File);
            File.Move(final + PartialSuffix, final, overwrite: true);
        }
        _manifest = finalFields with { Layers = _manifest.Layers, NStimuli = _manifest.NStimuli, RowsDone = _manifest.RowsDone, Complete = true };
        SaveManifest();
    }

    void SaveManifest() => AtomicFile.WriteAllText(ManifestPath(Directory), _manifest.ToJson() + "\n");

    public void Dispose()
    {
        foreach (var fs in _files.Values) fs.Dispose();
        _files.Clear();
    }
}
