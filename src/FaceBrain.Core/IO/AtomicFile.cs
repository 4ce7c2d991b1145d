namespace FaceBrain.Core.IO;

/// <summary>
/// Writes a file under a temporary name in the same folder and renames it into place only once it is
/// complete, so an interrupted run never leaves a half-written file under the final name.
/// </summary>
public sealed class AtomicFile : IDisposable
{
    readonly FileStream _stream;
    bool _committed;

    AtomicFile(string path)
    {
        FinalPath = Path.GetFullPath(path);
        var dir = Path.GetDirectoryName(FinalPath)!;
        if (!Directory.Exists(dir))
            throw new InputException(path, "the folder to write into does not exist");
        TempPath = Path.Combine(dir, $".{Path.GetFileName(FinalPath)}.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp");
        try
        {
            _stream = new FileStream(TempPath, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None, 1 << 16);
        }
        catch (UnauthorizedAccessException)
        {
            throw new InputException(path, "cannot write here (permission denied)");
        }
    }

    public string FinalPath { get; }
    public string TempPath { get; }
    public FileStream Stream => _stream;

    /// <summary>Starts an atomic write of <paramref name="path"/>; call <see cref="Commit"/> to publish it.</summary>
    public static AtomicFile Create(string path) => new(path);

    /// <summary>Flushes to disk and renames the temporary file to the final name.</summary>
    public void Commit()
    {
        if (_committed) throw new InvalidOperationException("already committed");
        try
        {
            _stream.Flush(flushToDisk: true);
            _stream.Dispose();
            File.Move(TempPath, FinalPath, overwrite: true);
        }
        catch (IOException e)
        {
            TryDelete(TempPath);
            throw new InputException(FinalPath, $"could not be written: {e.Message}");
        }
        _committed = true;
    }

    /// <summary>Without a commit, the temporary file is removed and nothing appears under the final name.</summary>
    public void Dispose()
    {
        if (_committed) return;
        _stream.Dispose();
        TryDelete(TempPath);
    }

    static void TryDelete(string path)
    {
        try { File.Delete(path); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }

    public static void WriteAllBytes(string path, ReadOnlySpan<byte> bytes)
    {
        using var f = Create(path);
        f.Stream.Write(bytes);
        f.Commit();
    }

    public static void WriteAllText(string path, string text) =>
        WriteAllBytes(path, new System.Text.UTF8Encoding(false).GetBytes(text));

    public static void Write(string path, Action<Stream> write)
    {
        using var f = Create(path);
        write(f.Stream);
        f.Commit();
    }
}
