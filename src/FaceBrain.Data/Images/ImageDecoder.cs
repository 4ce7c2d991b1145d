using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;

namespace FaceBrain.Data.Images;

/// <summary>
/// Decodes one image file to RGB under <see cref="DecodeLimits"/>. A bad file (zero bytes, not an
/// image, truncated, too large, crafted) yields a one-line reason; it never throws anything else
/// and never takes other images down with it.
/// </summary>
public static class ImageDecoder
{
    /// <summary>Decodes <paramref name="path"/>; throws <see cref="Core.InputException"/> naming the file when it is bad.</summary>
    public static Image<Rgb24> Decode(string path, DecodeLimits limits)
    {
        if (!TryDecode(path, limits, out var image, out var error))
            throw new Core.InputException(path, error);
        return image;
    }

    public static bool TryDecode(string path, DecodeLimits limits, out Image<Rgb24> image, out string error)
    {
        image = null!;
        if (!TryReadChecked(path, limits, out var bytes, out _, out _, out error)) return false;
        try
        {
            image = Image.Load<Rgb24>(limits.Configuration, bytes);
            return true;
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // Truncated or crafted data can surface as any exception type inside the decoder.
            error = $"cannot be decoded ({Describe(e)})";
            return false;
        }
    }

    /// <summary>
    /// Checks the header (format, dimensions against the limits) and that the file ends properly, reading
    /// only its first 256 KiB and last 4 KiB when that settles it (the whole file otherwise).
    /// </summary>
    public static bool TryIdentify(string path, DecodeLimits limits, out int width, out int height, out string error)
    {
        width = height = 0;
        const int headBytes = 256 * 1024, tailBytes = 4096;
        long length;
        try { length = new FileInfo(path).Length; }
        catch (IOException e) { error = $"cannot be read ({e.Message})"; return false; }
        if (length <= headBytes + tailBytes)
            return ReadBytes(path, limits, out var all, out error) && Identify(all, limits, out width, out height, out error);
        byte[] head = new byte[headBytes], tail = new byte[tailBytes];
        try
        {
            using var fs = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.RandomAccess);
            fs.ReadExactly(head);
            fs.Seek(-tailBytes, SeekOrigin.End);
            fs.ReadExactly(tail);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            error = $"cannot be read ({e.Message})";
            return false;
        }
        if (length > limits.MaxFileBytes) { error = $"file is {length} bytes, over the {limits.MaxFileBytes}-byte limit"; return false; }
        if (Identify(head, limits, out width, out height, out error, checkEnd: false, out var format)
            && (format == null || Truncation.EndLooksComplete(tail, format.Name)))
            return true;
        // Not settled by the ends (a huge header segment, data after the end marker): read it all.
        return ReadBytes(path, limits, out var bytes, out error) && Identify(bytes, limits, out width, out height, out error);
    }

    static bool TryReadChecked(string path, DecodeLimits limits, out byte[] bytes, out int width, out int height, out string error)
    {
        width = height = 0;
        return ReadBytes(path, limits, out bytes, out error) && Identify(bytes, limits, out width, out height, out error);
    }

    static bool ReadBytes(string path, DecodeLimits limits, out byte[] bytes, out string error)
    {
        bytes = [];
        error = "";
        try
        {
            var info = new FileInfo(path);
            if (!info.Exists) { error = "file not found"; return false; }
            if (info.Length == 0) { error = "zero-byte file"; return false; }
            if (info.Length > limits.MaxFileBytes)
            {
                error = $"file is {info.Length} bytes, over the {limits.MaxFileBytes}-byte limit";
                return false;
            }
            bytes = File.ReadAllBytes(path);
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            error = $"cannot be read ({e.Message})";
            return false;
        }
    }

    static bool Identify(byte[] bytes, DecodeLimits limits, out int width, out int height, out string error) =>
        Identify(bytes, limits, out width, out height, out error, checkEnd: true, out _);

    static bool Identify(byte[] bytes, DecodeLimits limits, out int width, out int height, out string error, bool checkEnd,
        out SixLabors.ImageSharp.Formats.IImageFormat? format)
    {
        width = height = 0;
        error = "";
        IImageInfo? info;
        format = null;
        try
        {
            info = Image.Identify(limits.Configuration, bytes, out format);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            error = $"unreadable image header ({Describe(e)})";
            return false;
        }
        if (info == null) { error = "not an image (unknown format)"; return false; }
        width = info.Width;
        height = info.Height;
        if (width <= 0 || height <= 0) { error = $"image header gives a {width}x{height} size"; return false; }
        if (width > limits.MaxDimension || height > limits.MaxDimension || (long)width * height > limits.MaxPixels)
        {
            error = $"{width}x{height} pixels is over the limit ({limits.MaxDimension} per side, {limits.MaxPixels} in all)";
            return false;
        }
        if (checkEnd && format != null && Truncation.Problem(bytes, format.Name) is { } cut) { error = cut; return false; }
        return true;
    }

    static string Describe(Exception e) => $"{e.GetType().Name}: {e.Message.Split('\n')[0].Trim()}";
}
