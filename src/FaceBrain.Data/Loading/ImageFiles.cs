using SixLabors.ImageSharp;

namespace FaceBrain.Data.Loading;

/// <summary>How much a loader checks each image file before listing it as usable.</summary>
public enum ImageCheck
{
    /// <summary>Names and sizes only (zero-byte files are bad). Fast on millions of files.</summary>
    Name,
    /// <summary>Also read the header: non-image files and unknown formats are bad.</summary>
    Header,
    /// <summary>Decode every image fully (what <c>data inspect</c> does): truncated files are bad too.</summary>
    Decode,
}

/// <summary>Options shared by every loader.</summary>
public sealed record LoadOptions
{
    public static LoadOptions Default { get; } = new();
    public ImageCheck Check { get; init; } = ImageCheck.Header;
    /// <summary>KDEF only: keep these angles (null: all).</summary>
    public IReadOnlySet<string>? Angles { get; init; }
    /// <summary>KDEF only: keep these sessions, "A" and/or "B" (null: both).</summary>
    public IReadOnlySet<string>? Sessions { get; init; }
    /// <summary>KDEF only: keep these expression codes (null: all seven).</summary>
    public IReadOnlySet<string>? Expressions { get; init; }
    /// <summary>Decoding limits used by the Header and Decode checks.</summary>
    public Images.DecodeLimits Limits { get; init; } = Images.DecodeLimits.Default;
}

/// <summary>Image file names and the per-file check the loaders share.</summary>
public static class ImageFiles
{
    static readonly string[] Extensions = [".jpg", ".jpeg", ".png", ".bmp", ".gif", ".tif", ".tiff", ".webp", ".tga"];

    public static bool HasImageExtension(string path) =>
        Extensions.Contains(Path.GetExtension(path), StringComparer.OrdinalIgnoreCase);

    /// <summary>Null when the file passes the check, otherwise the reason it is bad.</summary>
    public static string? Problem(string path, ImageCheck check, Images.DecodeLimits limits)
    {
        long length;
        try { length = new FileInfo(path).Length; }
        catch (IOException e) { return $"cannot be read ({e.Message})"; }
        if (length == 0) return "zero-byte file";
        if (check == ImageCheck.Name) return null;
        if (check == ImageCheck.Decode)
            return Images.ImageDecoder.TryDecode(path, limits, out var img, out var error) ? Dispose(img) : error;
        return Images.ImageDecoder.TryIdentify(path, limits, out _, out _, out var why) ? null : why;
    }

    static string? Dispose(IDisposable? d) { d?.Dispose(); return null; }

    /// <summary>Runs <see cref="Problem"/> over many files in parallel; returns one entry per file, in order.</summary>
    public static string?[] Problems(IReadOnlyList<string> paths, ImageCheck check, Images.DecodeLimits limits)
    {
        var result = new string?[paths.Count];
        if (check == ImageCheck.Name)
            for (int i = 0; i < paths.Count; i++) result[i] = Problem(paths[i], check, limits);
        else
            Parallel.For(0, paths.Count, new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount },
                i => result[i] = Problem(paths[i], check, limits));
        return result;
    }

    /// <summary>A hint for "nothing usable" errors: the first bad file and why.</summary>
    internal static string FirstBad(IReadOnlyList<BadFile> bad) =>
        bad.Count == 0 ? " (empty, or another layout?)" : $" (e.g. {bad[0].Path}: {bad[0].Reason})";

    public static void RequireDirectory(string dir, string what)
    {
        if (File.Exists(dir)) throw new Core.InputException(dir, $"is a file, expected a {what} folder");
        if (!Directory.Exists(dir)) throw new Core.InputException(dir, $"{what} folder not found");
    }
}
