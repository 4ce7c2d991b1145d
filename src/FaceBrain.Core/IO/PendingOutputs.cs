using System.Collections.Concurrent;

namespace FaceBrain.Core.IO;

/// <summary>
/// The temporary files and folders this process has open (atomic writes, partial output folders), so that a
/// signal handler that has to stop the process at once can remove them first. Process-wide by nature: a signal
/// stops the whole process. Each writer registers its temporary when it creates it and unregisters on commit or
/// cleanup (dispose the handle).
/// </summary>
public static class PendingOutputs
{
    static readonly ConcurrentDictionary<long, string> Paths = new();
    static long _next;

    public static IDisposable Register(string path)
    {
        long id = Interlocked.Increment(ref _next);
        Paths[id] = path;
        return new Handle(id);
    }

    /// <summary>Deletes every registered file or folder; returns how many were removed.</summary>
    public static int DeleteAll()
    {
        int n = 0;
        foreach (var (id, path) in Paths.ToArray())
        {
            // A folder may still be growing (other threads writing into it): try a few times.
            for (int attempt = 0; attempt < 5; attempt++)
            {
                try
                {
                    if (Directory.Exists(path)) { Directory.Delete(path, recursive: true); n++; }
                    else if (File.Exists(path)) { File.Delete(path); n++; }
                    break;
                }
                catch (IOException) { Thread.Sleep(20); }
                catch (UnauthorizedAccessException) { break; }
            }
            Paths.TryRemove(id, out _);
        }
        return n;
    }

    sealed class Handle(long id) : IDisposable
    {
        public void Dispose() => Paths.TryRemove(id, out _);
    }
}
