using System.Security.Cryptography;
using System.Text;
using FaceBrain.Study.Plan;

namespace FaceBrain.Study.Run;

/// <summary>
/// A task's cache key: SHA-256 of its argv with the output folder written as <c>{out}</c> (the same experiment in
/// another folder has the same keys), the keys of the tasks it depends on (a changed upstream task changes every
/// task below it), the content of its external input files, the FaceBrain version (its git commit included), and
/// its thread count (threaded sums change the last digits, so outputs made with other threads are not reused).
/// </summary>
public static class TaskKey
{
    public static IReadOnlyDictionary<string, string> All(TaskList list, string version, InputHasher hasher)
    {
        var keys = new Dictionary<string, string>();
        foreach (var t in list.Tasks) keys[t.Id] = Of(t, list.Out, version, t.DependsOn.Select(d => keys[d]), hasher, list.ResourcesOf(t).Cpus);
        return keys;
    }

    public static string Of(StudyTask task, string outDir, string version, IEnumerable<string> dependencyKeys, InputHasher hasher, int threads)
    {
        var text = new StringBuilder();
        text.Append("facebrain ").Append(version).Append('\n');
        text.Append("threads ").Append(threads).Append('\n');
        foreach (var a in task.Argv) text.Append("arg ").Append(Normalise(a, outDir)).Append('\n');
        foreach (var k in dependencyKeys) text.Append("after ").Append(k).Append('\n');
        foreach (var i in task.Inputs) text.Append("input ").Append(Normalise(i, outDir)).Append(' ').Append(hasher.Hash(i)).Append('\n');
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text.ToString())));
    }

    /// <summary>Output paths are written relative to the output folder, so keys do not depend on where it is.</summary>
    public static string Normalise(string arg, string outDir)
    {
        var root = Path.TrimEndingDirectorySeparator(Path.GetFullPath(outDir));
        return arg.Replace(root + Path.DirectorySeparatorChar, "{out}/").Replace(root, "{out}");
    }
}

/// <summary>
/// Content hashes of external inputs, each computed once per run. A file is hashed by its bytes; a folder (a face
/// set) by the relative path, size and modification time of every file in it, which changes when any file does
/// without reading tens of gigabytes of images on every run.
/// </summary>
public sealed class InputHasher
{
    readonly Dictionary<string, string> _cache = [];

    public string Hash(string path)
    {
        if (_cache.TryGetValue(path, out var h)) return h;
        if (File.Exists(path))
        {
            using var s = File.OpenRead(path);
            h = Convert.ToHexStringLower(SHA256.HashData(s));
        }
        else if (Directory.Exists(path))
        {
            var listing = new StringBuilder();
            foreach (var f in Directory.EnumerateFiles(path, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
            {
                var info = new FileInfo(f);
                listing.Append(Path.GetRelativePath(path, f)).Append('\t').Append(info.Length).Append('\t')
                       .Append(info.LastWriteTimeUtc.Ticks).Append('\n');
            }
            h = "dir:" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(listing.ToString())));
        }
        else throw new FaceBrain.Core.InputException(path, "input not found");
        _cache[path] = h;
        return h;
    }
}
