using System.Globalization;

namespace FaceBrain.Core.IO;

/// <summary>
/// Temporaries left by a writer that was killed with -9 (no handler runs, so <see cref="PendingOutputs"/> cannot
/// remove them). Every FaceBrain temporary carries its writer's process id (<c>.NAME.PID.GUID.tmp</c> for an
/// atomic file, <c>.NAME.partial-PID-GUID</c> for a partial folder); one whose process is gone is removed by the
/// next writer of that place, and one whose process still runs is left alone.
/// </summary>
public static class StaleTemporaries
{
    /// <summary>Whether process <paramref name="pid"/> is still running.</summary>
    public static bool IsAlive(int pid)
    {
        try { using var p = System.Diagnostics.Process.GetProcessById(pid); return !p.HasExited; }
        catch (ArgumentException) { return false; }
        catch (InvalidOperationException) { return false; }
    }

    /// <summary>Removes <c>.*.PID.GUID.tmp</c> files in <paramref name="dir"/> whose writer is gone.</summary>
    public static void RemoveFiles(string dir)
    {
        foreach (var path in Directory.EnumerateFiles(dir, ".*.tmp"))
        {
            // .NAME.PID.GUID.tmp: the PID is the second-to-last dotted part before "tmp".
            var parts = Path.GetFileName(path).Split('.');
            if (parts.Length < 5 || !TryPid(parts[^3], out var pid) || IsAlive(pid)) continue;
            TryDelete(() => File.Delete(path));
        }
    }

    /// <summary>Removes <c>.NAME.partial-PID-*</c> folders in <paramref name="parent"/> whose writer is gone.</summary>
    public static void RemovePartialFolders(string parent, string name)
    {
        var prefix = $".{name}.partial-";
        foreach (var dir in Directory.EnumerateDirectories(parent, prefix + "*"))
        {
            var rest = Path.GetFileName(dir)[prefix.Length..];
            int dash = rest.IndexOf('-');
            if (dash > 0 && TryPid(rest[..dash], out var pid) && IsAlive(pid)) continue;
            TryDelete(() => Directory.Delete(dir, recursive: true));
        }
    }

    static bool TryPid(string text, out int pid) =>
        int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out pid) && pid > 0;

    // A temporary that cannot be removed now (another user's, a read-only folder) is left for a later writer.
    static void TryDelete(Action delete)
    {
        try { delete(); }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
    }
}
