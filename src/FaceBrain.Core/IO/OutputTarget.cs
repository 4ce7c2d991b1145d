namespace FaceBrain.Core.IO;

/// <summary>
/// Checks an output path before any work starts, so a run that could never write its result fails at once
/// (bad input, exit 2) instead of after hours of compute.
/// </summary>
public static class OutputTarget
{
    /// <summary>A file to write: not an existing folder, and its folder exists.</summary>
    public static void RequireFile(string path)
    {
        if (Directory.Exists(path)) throw new InputException(path, "is a folder; expected a file to write");
        var dir = Path.GetDirectoryName(Path.GetFullPath(path))!;
        if (File.Exists(dir)) throw new InputException(path, $"{dir} is a file, not a folder to write into");
        if (!Directory.Exists(dir)) throw new InputException(path, "the folder to write into does not exist");
    }

    /// <summary>A folder to write into (created when missing): not an existing file, nor under one.</summary>
    public static void RequireFolder(string path)
    {
        if (File.Exists(path)) throw new InputException(path, "is a file; expected a folder to write into");
        for (var dir = Path.GetDirectoryName(Path.GetFullPath(path)); !string.IsNullOrEmpty(dir); dir = Path.GetDirectoryName(dir))
            if (File.Exists(dir)) throw new InputException(path, $"{dir} is a file, not a folder");
    }
}
