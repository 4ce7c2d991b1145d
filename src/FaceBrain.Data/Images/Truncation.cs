namespace FaceBrain.Data.Images;

/// <summary>
/// Detects files cut short. ImageSharp 2.1 decodes a truncated JPEG or PNG without complaint (the
/// missing rows come out grey), so a half-copied file would silently become a training image.
/// </summary>
internal static class Truncation
{
    /// <summary>Null when the file ends properly, otherwise why it looks truncated.</summary>
    public static string? Problem(ReadOnlySpan<byte> bytes, string formatName) => formatName.ToUpperInvariant() switch
    {
        "JPEG" => JpegEndsProperly(bytes) ? null : "truncated JPEG (no end-of-image marker after the last scan)",
        "PNG" => bytes.LastIndexOf("IEND"u8) >= 0 ? null : "truncated PNG (no IEND chunk)",
        _ => null,
    };

    /// <summary>Quick test on the last bytes of a file: true when they hold the format's end marker.</summary>
    public static bool EndLooksComplete(ReadOnlySpan<byte> tail, string formatName) => formatName.ToUpperInvariant() switch
    {
        "JPEG" => tail.IndexOf((ReadOnlySpan<byte>)[0xFF, 0xD9]) >= 0,
        "PNG" => tail.LastIndexOf("IEND"u8) >= 0,
        _ => true,
    };

    // Inside entropy-coded data every 0xFF is followed by 0x00 or a restart marker, so an EOI (FF D9)
    // after the last start-of-scan (FF DA) is the real end. EXIF thumbnails come before the main scan.
    static bool JpegEndsProperly(ReadOnlySpan<byte> b)
    {
        int sos = b.LastIndexOf((ReadOnlySpan<byte>)[0xFF, 0xDA]);
        if (sos < 0) return false;
        return b[sos..].IndexOf((ReadOnlySpan<byte>)[0xFF, 0xD9]) >= 0;
    }
}
