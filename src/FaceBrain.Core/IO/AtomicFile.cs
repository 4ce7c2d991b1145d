namespace FaceBrain.Core.IO;

/// <summary>
/// Writes a file under a temporary name in the same folder and renames it into place only once it is
/// complete, so an interrupted run never leaves a half-written file under the final name.
/// </summary>
public sealed class AtomicFile : IDisposable
{
    readonly FileStream _stream;
    readonly IDisposable _pending;
    bool _committed;

    AtomicFile(string path)
    {
        FinalPath = Path.GetFullPath(path);
        var dir = Path.GetDirectoryName(FinalPath)!;
        OutputTarget.RequireFile(path);
        TempPath = Path.Combine(dir, $".{Path.GetFileName(FinalPath)}.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp");
        _pending = PendingOutputs.Register(TempPath);
        try
        {
            _stream = new FileStream(TempPath, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None, 1 << 16);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            _pending.Dispose();
            throw new OutputException(FinalPath, $"could not be written: {OutputException.Reason(e)}", e);
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
            _pending.Dispose();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            DisposeStream();
            TryDelete(TempPath);
            _pending.Dispose();
            throw new OutputException(FinalPath, $"could not be written: {OutputException.Reason(e)}", e);
        }
        _committed = true;
    }

    /// <summary>Without a commit, the temporary file is removed and nothing appears under the final name.</summary>
    public void Dispose()
    {
        if (_committed) return;
        DisposeStream();
        TryDelete(TempPath);
        _pending.Dispose();
    }

    // Closing flushes what is buffered; on a full disk that fails again, and the file is being abandoned anyway.
    void DisposeStream()
    {
        try { _stream.Dispose(); }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
    }

    static void TryDelete(string path)
    {
        try { File.Delete(path); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }

    public static void WriteAllBytes(string path, ReadOnlySpan<byte> bytes)
    {
        using var f = Create(path);
        try { f.Stream.Write(bytes); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { throw f.Failed(e); }
        f.Commit();
    }

    OutputException Failed(Exception e)
    {
        Dispose();
        return new OutputException(FinalPath, $"could not be written: {OutputException.Reason(e)}", e);
    }

    /// <summary>Writes through the stream; an I/O failure (disk full) names the final path, and the temporary file is removed.</summary>
    public void Guarded(Action<Stream> write)
    {
        try { write(_stream); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { throw Failed(e); }
    }

    /// <summary>
    /// Writes result files into a folder that is made only now, once there is something to put in it: each file is
    /// atomic, and a failed write removes a folder this call created, so a failure leaves no new folder behind.
    /// </summary>
    public static void WriteFiles(string dir, IReadOnlyList<(string Name, string Text)> files)
    {
        bool created = !Directory.Exists(dir);
        OutputException.Guard(dir, () => { Directory.CreateDirectory(dir); });
        try
        {
            foreach (var (name, text) in files) WriteAllText(Path.Combine(dir, name), text);
        }
        catch
        {
            if (created) try { Directory.Delete(dir, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
            throw;
        }
    }

    public static void WriteAllText(string path, string text) =>
        WriteAllBytes(path, new System.Text.UTF8Encoding(false).GetBytes(text));

    public static void Write(string path, Action<Stream> write)
    {
        using var f = Create(path);
        f.Guarded(write);
        f.Commit();
    }
}
