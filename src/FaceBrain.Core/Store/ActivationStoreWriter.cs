using System.Runtime.InteropServices;
using FaceBrain.Core.IO;

namespace FaceBrain.Core.Store;

/// <summary>
/// The one writer of activation stores. Layer matrices live as <c>layers/&lt;layer&gt;.npy.partial</c>, pre-sized
/// with their final header, until every row is in; only then are they renamed to <c>.npy</c> and the manifest marked
/// complete. After each batch the layer files are flushed to disk before the manifest's <c>rows_done</c> moves on,
/// so an interrupted run resumes from the last complete batch and produces byte-identical files. The folder is
/// locked (<see cref="FolderLock"/>) while the writer is open, so a second writer is refused at once.
/// </summary>
public sealed class ActivationStoreWriter : IDisposable
{
    public const string PartialSuffix = ".partial";
    readonly Dictionary<string, FileStream> _files = new(StringComparer.Ordinal);
    // Where each layer's data starts (its header length), fixed once the file exists.
    readonly Dictionary<string, long> _dataOffsets = new(StringComparer.Ordinal);
    readonly FolderLock _lock;
    readonly bool _createdFolder;
    StoreManifest _manifest;

    ActivationStoreWriter(string dir, StoreManifest manifest, FolderLock folderLock, bool createdFolder)
    {
        Directory = dir;
        _manifest = manifest;
        _lock = folderLock;
        _createdFolder = createdFolder;
    }

    public string Directory { get; }
    public StoreManifest Manifest => _manifest;
    public int RowsDone => _manifest.RowsDone;

    public static string ManifestPath(string dir) => Path.Combine(dir, "manifest.json");
    public static string StimuliPath(string dir) => Path.Combine(dir, "stimuli.tsv");

    static byte[] Header(StoreLayer layer, string dir) => Npy.EncodeHeader(StoreManifest.ElementType(layer, ManifestPath(dir)), layer.Shape);

    static long FileBytes(StoreLayer layer, string dir)
    {
        long item = Npy.ItemSize(StoreManifest.ElementType(layer, ManifestPath(dir)));
        try { return checked(Header(layer, dir).Length + layer.Shape[0] * layer.Shape[1] * item); }
        catch (OverflowException) { throw new InputException(ManifestPath(dir), $"layer '{layer.Name}': shape [{string.Join(", ", layer.Shape)}] overflows a file size"); }
    }

    /// <summary>Entries of a folder other than its lock files.</summary>
    static IEnumerable<string> Contents(string dir) =>
        System.IO.Directory.EnumerateFileSystemEntries(dir).Where(p => !FolderLock.IsLockFile(Path.GetFileName(p)));

    /// <summary>Creates <paramref name="dir"/> when missing and locks it; true when this call created it.</summary>
    static (FolderLock, bool) LockFolder(string dir, bool create)
    {
        bool created = false;
        if (!System.IO.Directory.Exists(dir))
        {
            if (!create) throw new InputException(dir, "store folder not found; nothing to resume");
            if (File.Exists(dir)) throw new InputException(dir, "is a file, not a folder");
            OutputException.Guard(dir, () => { System.IO.Directory.CreateDirectory(dir); });
            created = true;
        }
        try { return (FolderLock.Acquire(dir), created); }
        catch
        {
            if (created) TryDeleteFolder(dir);
            throw;
        }
    }

    /// <summary>Starts a new store. An existing folder is refused unless it is empty, or a store and <paramref name="overwrite"/>.</summary>
    public static ActivationStoreWriter Create(string dir, StimulusTable stimuli, StoreManifest manifest, bool overwrite)
    {
        var (folderLock, created) = LockFolder(dir, create: true);
        bool ours = false; // once the folder is empty, whatever is in it was written here
        try
        {
            if (Contents(dir).Any())
            {
                if (!overwrite)
                    throw new InputException(dir, "output folder exists; pass `overwrite` to replace it or `resume` to continue it");
                if (!File.Exists(ManifestPath(dir)))
                    throw new InputException(dir, "output folder exists and is not an activation store; refusing to overwrite it");
                StoreManifest.Read(ManifestPath(dir)); // refuse to delete a folder whose manifest is not ours
                foreach (var entry in Contents(dir).ToList())
                    OutputException.Guard(dir, () =>
                    {
                        if (System.IO.Directory.Exists(entry)) System.IO.Directory.Delete(entry, recursive: true);
                        else File.Delete(entry);
                    });
            }
            ours = true;
            OutputException.Guard(dir, () => { System.IO.Directory.CreateDirectory(Path.Combine(dir, "layers")); });
            stimuli.Write(StimuliPath(dir));
            var w = new ActivationStoreWriter(dir, manifest with { Complete = false, RowsDone = 0, NStimuli = stimuli.Count, Layers = [] }, folderLock, created);
            w.SaveManifest();
            return w;
        }
        catch
        {
            if (ours)
                foreach (var entry in Contents(dir).ToList())
                {
                    if (System.IO.Directory.Exists(entry)) TryDeleteFolder(entry);
                    else TryDelete(entry);
                }
            folderLock.Dispose();
            if (created) TryDeleteFolder(dir);
            throw;
        }
    }

    /// <summary>Reopens an interrupted store; the caller continues from <see cref="RowsDone"/>.</summary>
    public static ActivationStoreWriter Resume(string dir)
    {
        var (folderLock, _) = LockFolder(dir, create: false);
        ActivationStoreWriter? w = null;
        try
        {
            var manifest = StoreManifest.Read(ManifestPath(dir));
            if (manifest.Complete) throw new InputException(dir, "store is already complete; nothing to resume");
            w = new ActivationStoreWriter(dir, manifest, folderLock, createdFolder: false);
            foreach (var layer in manifest.Layers)
            {
                var path = Path.Combine(dir, layer.File + PartialSuffix);
                if (!File.Exists(path)) throw new InputException(path, "partial layer file missing; cannot resume (start again with `overwrite`)");
                long expected = FileBytes(layer, dir);
                var fs = OutputException.Guard(path, () => new FileStream(path, FileMode.Open, FileAccess.ReadWrite, FileShare.None));
                w._files[layer.Name] = fs;
                if (fs.Length != expected)
                    throw new InputException(path, $"partial layer file has {fs.Length} bytes, expected {expected}; cannot resume");
                w._dataOffsets[layer.Name] = Header(layer, dir).Length;
            }
            return w;
        }
        catch
        {
            if (w != null) w.Dispose();
            else folderLock.Dispose();
            throw;
        }
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
            long bytes = FileBytes(layer, Directory);
            var fs = OutputException.Guard(Path.Combine(Directory, layer.File), () => new FileStream(path, FileMode.Create, FileAccess.ReadWrite, FileShare.None));
            try
            {
                fs.Write(Header(layer, Directory));
                // Reserve the whole file now: a full disk fails here, before hours of compute.
                fs.SetLength(bytes);
            }
            catch (IOException e)
            {
                fs.Dispose();
                TryDelete(path);
                throw new OutputException(Path.Combine(Directory, layer.File), $"cannot reserve {bytes / 1e6:F1} MB: {OutputException.Reason(e)}", e);
            }
            _files[layer.Name] = fs;
            _dataOffsets[layer.Name] = Header(layer, Directory).Length;
        }
        _manifest = _manifest with { Layers = layers };
        SaveManifest();
    }

    /// <summary>Writes the next rows of every layer, then records them as done.</summary>
    public void AppendBatch(IReadOnlyDictionary<string, float[]> rowsByLayer, int rowCount)
    {
        foreach (var layer in _manifest.Layers)
        {
            if (!rowsByLayer.TryGetValue(layer.Name, out var data))
                throw new InvalidOperationException($"layer {layer.Name}: no rows in this batch");
            long width = layer.Shape[1];
            if (data.LongLength != rowCount * width)
                throw new InvalidOperationException($"layer {layer.Name}: {data.LongLength} values for {rowCount} rows of {width}");
            var fs = _files[layer.Name];
            var type = StoreManifest.ElementType(layer, ManifestPath(Directory));
            OutputException.Guard(Path.Combine(Directory, layer.File), () =>
            {
                fs.Seek(_dataOffsets[layer.Name] + (long)_manifest.RowsDone * width * Npy.ItemSize(type), SeekOrigin.Begin);
                if (type == NpyDType.Float16)
                {
                    var half = new Half[data.Length];
                    for (int i = 0; i < data.Length; i++) half[i] = (Half)data[i];
                    fs.Write(MemoryMarshal.AsBytes(half.AsSpan()));
                }
                else if (type == NpyDType.Float64)
                {
                    var wide = new double[data.Length];
                    for (int i = 0; i < data.Length; i++) wide[i] = data[i];
                    fs.Write(MemoryMarshal.AsBytes(wide.AsSpan()));
                }
                else fs.Write(MemoryMarshal.AsBytes(data.AsSpan()));
            });
        }
        foreach (var (name, fs) in _files)
            OutputException.Guard(Path.Combine(Directory, $"layers/{name}.npy"), () => fs.Flush(flushToDisk: true));
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
            OutputException.Guard(final, () => File.Move(final + PartialSuffix, final, overwrite: true));
        }
        _manifest = finalFields with { Layers = _manifest.Layers, NStimuli = _manifest.NStimuli, RowsDone = _manifest.RowsDone, Complete = true };
        SaveManifest();
    }

    /// <summary>
    /// Removes what this writer made (a run that failed before writing any row leaves nothing behind): the
    /// whole folder when this writer created it, else the store's own files.
    /// </summary>
    public void Discard()
    {
        foreach (var fs in _files.Values) fs.Dispose();
        _files.Clear();
        if (_createdFolder)
        {
            _lock.Dispose();
            TryDeleteFolder(Directory);
            return;
        }
        foreach (var layer in _manifest.Layers) TryDelete(Path.Combine(Directory, layer.File + PartialSuffix));
        try { if (System.IO.Directory.Exists(Path.Combine(Directory, "layers")) && !System.IO.Directory.EnumerateFileSystemEntries(Path.Combine(Directory, "layers")).Any()) System.IO.Directory.Delete(Path.Combine(Directory, "layers")); }
        catch (IOException) { }
        TryDelete(StimuliPath(Directory));
        TryDelete(ManifestPath(Directory));
    }

    void SaveManifest() => AtomicFile.WriteAllText(ManifestPath(Directory), _manifest.ToJson() + "\n");

    /// <summary>
    /// Writes a whole store from in-memory matrices through this writer (fixtures, benchmarks, tests); with
    /// <paramref name="complete"/> false it stops before publishing, leaving an interrupted store.
    /// </summary>
    public static void WriteAll(string dir, StimulusTable stimuli, StoreManifest manifest, IReadOnlyList<(string Name, int Columns, float[] Values)> layers, bool complete = true)
    {
        using var w = Create(dir, stimuli, manifest, overwrite: false);
        w.CreateLayers(layers.Select(l => new StoreLayer(l.Name, $"layers/{l.Name}.npy", "none", [stimuli.Count, l.Columns], "float32")).ToList());
        w.AppendBatch(layers.ToDictionary(l => l.Name, l => l.Values), stimuli.Count);
        if (complete) w.Complete(w.Manifest);
    }

    static void TryDelete(string path)
    {
        try { File.Delete(path); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }

    static void TryDeleteFolder(string path)
    {
        try { if (System.IO.Directory.Exists(path)) System.IO.Directory.Delete(path, recursive: true); }
        catch (IOException) { } catch (UnauthorizedAccessException) { }
    }

    public void Dispose()
    {
        foreach (var fs in _files.Values) fs.Dispose();
        _files.Clear();
        _lock.Dispose();
    }
}
