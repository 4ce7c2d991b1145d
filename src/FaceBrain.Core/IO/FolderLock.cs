namespace FaceBrain.Core.IO;

/// <summary>
/// An exclusive lock on an output folder, held while one process writes there: <c>.facebrain.lock</c> is opened
/// without sharing (an OS lock that dies with the process, so a killed run leaves no stale lock), and the holder's
/// process id is written beside it in <c>.facebrain.lock.pid</c> so a second writer is refused naming it.
/// </summary>
public sealed class FolderLock : IDisposable
{
    public const string LockName = ".facebrain.lock";
    public const string PidName = ".facebrain.lock.pid";

    readonly FileStream _lock;
    readonly string _pidPath;
    // A signal that ends the process before Dispose removes the lock's files too (the OS lock dies with it anyway).
    readonly IDisposable[] _pending;

    FolderLock(string dir, FileStream stream)
    {
        Folder = dir;
        _lock = stream;
        _pidPath = Path.Combine(dir, PidName);
        _pending = [PendingOutputs.RegisterBookkeeping(_pidPath), PendingOutputs.RegisterBookkeeping(Path.Combine(dir, LockName))];
    }

    public string Folder { get; }

    /// <summary>Whether a file name is one of the lock's own (a folder holding only these is empty).</summary>
    public static bool IsLockFile(string name) => name is LockName or PidName;

    /// <summary>Takes the lock on <paramref name="dir"/> (which must exist), or refuses at once naming the holder.</summary>
    public static FolderLock Acquire(string dir)
    {
        var path = Path.Combine(dir, LockName);
        FileStream fs;
        try
        {
            fs = new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
        }
        catch (IOException) when (File.Exists(path))
        {
            throw new InputException(dir, $"another FaceBrain process{Holder(dir)} is writing into this folder; wait for it or choose another output");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new OutputException(dir, $"cannot lock the output folder: {OutputException.Reason(e)}", e);
        }
        var l = new FolderLock(dir, fs);
        try
        {
            File.WriteAllText(l._pidPath, Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture));
            // The holder alone writes here, so what an earlier holder killed with -9 left half-written goes now.
            StaleTemporaries.RemoveFiles(dir);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            l.Dispose();
            throw new OutputException(dir, $"cannot lock the output folder: {OutputException.Reason(e)}", e);
        }
        return l;
    }

    static string Holder(string dir)
    {
        try
        {
            var text = File.ReadAllText(Path.Combine(dir, PidName)).Trim();
            return int.TryParse(text, out var pid) ? $" (pid {pid})" : "";
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return ""; }
    }

    public void Dispose()
    {
        try { File.Delete(_pidPath); } catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
        try { File.Delete(Path.Combine(Folder, LockName)); } catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
        _lock.Dispose();
        foreach (var p in _pending) p.Dispose();
    }
}
