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
    static readonly ConcurrentDictionary<long, (string Path, bool Output)> Paths = new();
    static long _next;

    public static IDisposable Register(string path) => Add(path, output: true);

    /// <summary>
    /// A file of the process's own bookkeeping (an output folder's lock files): removed with the temporaries, but
    /// not counted among the outputs removed.
    /// </summary>
    public static IDisposable RegisterBookkeeping(string path) => Add(path, output: false);

    static IDisposable Add(string path, bool output)
    {
        long id = Interlocked.Increment(ref _next);
        Paths[id] = (path, output);
        return new Handle(id);
    }

    /// <summary>Deletes every registered file or folder; returns how many outputs were removed.</summary>
    public static int DeleteAll()
    {
        int n = 0;
        foreach (var (id, (path, output)) in Paths.ToArray())
        {
            // A folder may still be growing (other threads writing into it): try a few times.
            for (int attempt = 0; attempt < 5; attempt++)
            {
                try
                {
                    if (Directory.Exists(path)) { Directory.Delete(path, recursive: true); if (output) n++; }
                    else if (File.Exists(path)) { File.Delete(path); if (output) n++; }
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
