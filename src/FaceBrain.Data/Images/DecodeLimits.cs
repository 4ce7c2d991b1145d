using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Memory;

namespace FaceBrain.Data.Images;

/// <summary>
/// Hard limits on what one image may cost to decode. ImageSharp 2.1 has known problems with crafted
/// files, so every decode goes through these: the file size and the header's dimensions are checked
/// before any pixel buffer is allocated, and the allocator itself refuses buffers over the budget.
/// </summary>
public sealed record DecodeLimits
{
    public static DecodeLimits Default { get; } = new();

    /// <summary>Largest file read into memory, in bytes (default 64 MiB).</summary>
    public long MaxFileBytes { get; init; } = 64L << 20;
    /// <summary>Largest width or height accepted from a header (default 16384).</summary>
    public int MaxDimension { get; init; } = 16384;
    /// <summary>Largest width × height accepted from a header (default 50 megapixels).</summary>
    public long MaxPixels { get; init; } = 50_000_000;
    /// <summary>Largest single buffer the decoder may allocate, in MiB (default 512).</summary>
    public int MemoryBudgetMegabytes { get; init; } = 512;

    /// <summary>A copy with another memory budget (for F# callers, where `with` on C# records is awkward).</summary>
    public DecodeLimits With(int memoryBudgetMegabytes) => this with { MemoryBudgetMegabytes = memoryBudgetMegabytes };

    // One configuration per budget, shared: a cached field on this record would be copied by `with`
    // and keep the old budget.
    static readonly System.Collections.Concurrent.ConcurrentDictionary<int, Configuration> Configurations = new();

    /// <summary>An ImageSharp configuration bound to the memory budget; single-threaded per image because
    /// the batch loader already runs one image per core.</summary>
    internal Configuration Configuration => Configurations.GetOrAdd(MemoryBudgetMegabytes, MakeConfiguration);

    static Configuration MakeConfiguration(int budgetMegabytes)
    {
        if (budgetMegabytes < 1) throw new Core.InputException($"decode memory budget must be at least 1 MiB, got {budgetMegabytes}");
        // A fresh configuration (Clone would share, and so mutate, the default's format manager) whose multi-frame
        // decoders stop after the first frame: a few-KB GIF declaring 80 frames of 4000x4000 would otherwise
        // decode gigabytes. The network sees one frame anyway.
        var c = new Configuration(
            new SixLabors.ImageSharp.Formats.Png.PngConfigurationModule(),
            new SixLabors.ImageSharp.Formats.Jpeg.JpegConfigurationModule(),
            new SixLabors.ImageSharp.Formats.Gif.GifConfigurationModule(),
            new SixLabors.ImageSharp.Formats.Bmp.BmpConfigurationModule(),
            new SixLabors.ImageSharp.Formats.Pbm.PbmConfigurationModule(),
            new SixLabors.ImageSharp.Formats.Tga.TgaConfigurationModule(),
            new SixLabors.ImageSharp.Formats.Tiff.TiffConfigurationModule(),
            new SixLabors.ImageSharp.Formats.Webp.WebpConfigurationModule());
        c.ImageFormatsManager.SetDecoder(SixLabors.ImageSharp.Formats.Gif.GifFormat.Instance,
            new SixLabors.ImageSharp.Formats.Gif.GifDecoder { DecodingMode = SixLabors.ImageSharp.Metadata.FrameDecodingMode.First });
        c.ImageFormatsManager.SetDecoder(SixLabors.ImageSharp.Formats.Tiff.TiffFormat.Instance,
            new SixLabors.ImageSharp.Formats.Tiff.TiffDecoder { DecodingMode = SixLabors.ImageSharp.Metadata.FrameDecodingMode.First });
        c.MemoryAllocator = MemoryAllocator.Create(new MemoryAllocatorOptions
        {
            AllocationLimitMegabytes = budgetMegabytes,
            MaximumPoolSizeMegabytes = Math.Min(64, budgetMegabytes),
        });
        c.MaxDegreeOfParallelism = 1;
        return c;
    }
}
