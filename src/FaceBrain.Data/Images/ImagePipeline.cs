using System.Runtime.InteropServices;
using FaceBrain.Core;
using FaceBrain.Core.Domain;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;
using SixLabors.ImageSharp.Processing;

namespace FaceBrain.Data.Images;

/// <summary>Settings of an <see cref="ImagePipeline"/>.</summary>
public sealed record PipelineOptions
{
    /// <summary>Side of the square output, in pixels.</summary>
    public int Size { get; init; } = 224;
    /// <summary>The shorter side is resized to this before the centre crop (null: <see cref="Size"/>).</summary>
    public int? ResizeTo { get; init; }
    public Preset Preset { get; init; } = Preset.Unit;
    public DecodeLimits Limits { get; init; } = DecodeLimits.Default;
    /// <summary>Crop to a stimulus' bounding box (bb_* labels) when it has one.</summary>
    public bool UseBoxes { get; init; } = true;
    /// <summary>Margin added to each side of a bounding box, as a fraction of its size.</summary>
    public double BoxMargin { get; init; }
    /// <summary>The crop used when a stimulus has no box of its own (null: the whole image); see <see cref="FaceCrops"/>.</summary>
    public LayoutCrop? DefaultCrop { get; init; }
    /// <summary>Images decoded at once by the batch loaders.</summary>
    public int Parallelism { get; init; } = Environment.ProcessorCount;

    /// <summary>The shorter side after resizing.</summary>
    public int Shorter => ResizeTo ?? Size;
}

/// <summary>An image to load: a file and, optionally, the face box to crop first.</summary>
public sealed record ImageSource(string Path, CropBox? Box = null);

/// <summary>An image of a batch that could not be loaded; its slot in the batch is left as zeros.</summary>
public sealed record BadImage(int Index, string Path, string Reason);

/// <summary>
/// Decode (under <see cref="DecodeLimits"/>) → optional face crop → resize of the shorter side
/// (bilinear with antialiasing, like torchvision's default) → centre crop → preset → float32 CHW. The faceapi
/// preset replaces resize and centre crop with face-api's own pad-to-square and legacy bilinear resize, in
/// floating point (<see cref="FaceApiInput"/>); its uint8 stage is that result rounded, so it is not cached.
/// The uint8 stage (<see cref="LoadPixels(string, CropBox?)"/>, HWC RGB) is what the cache stores,
/// so a cached image gives exactly the floats of a fresh decode. Thread-safe.
/// </summary>
public sealed class ImagePipeline
{
    public ImagePipeline(PipelineOptions? options = null)
    {
        Options = options ?? new PipelineOptions();
        if (Options.Size < 1) throw new InputException($"image size must be positive, got {Options.Size}");
        if (Options.Shorter < Options.Size)
            throw new InputException($"resize-to {Options.Shorter} is smaller than the crop size {Options.Size}");
    }

    public PipelineOptions Options { get; }
    public int Size => Options.Size;
    /// <summary>Bytes of one image at the uint8 stage (S × S × 3).</summary>
    public int BytesPerImage => Size * Size * 3;
    /// <summary>Floats of one image at the output (3 × S × S).</summary>
    public int ValuesPerImage => BytesPerImage;

    // ---------------------------------------------------------------- one image

    /// <summary>The S×S RGB bytes (HWC) of one image after crop, resize and centre crop.</summary>
    public byte[] LoadPixels(string path, CropBox? box = null)
    {
        var dst = new byte[BytesPerImage];
        LoadPixels(path, box, dst);
        return dst;
    }

    public void LoadPixels(string path, CropBox? box, Span<byte> destination)
    {
        if (!TryLoadPixels(path, box, destination, out var error)) throw new InputException(path, error);
    }

    public bool TryLoadPixels(string path, CropBox? box, Span<byte> destination, out string error)
    {
        if (destination.Length != BytesPerImage) throw new ArgumentException($"destination holds {destination.Length} bytes, need {BytesPerImage}");
        if (Options.Preset == Preset.FaceApi)
        {
            // face-api resizes in floating point; its uint8 stage (the cache's) is that result rounded.
            if (!TryFaceApi(path, box, out var hwc, out error)) return false;
            for (int i = 0; i < hwc.Length; i++) destination[i] = (byte)Math.Clamp(Math.Round(hwc[i]), 0, 255);
            return true;
        }
        if (!ImageDecoder.TryDecode(path, Options.Limits, out var image, out error)) return false;
        using (image)
        {
            if (!TryShape(image, FaceBox(box, image), out error)) return false;
            image.CopyPixelDataTo(MemoryMarshal.Cast<byte, Rgb24>(destination));
            return true;
        }
    }

    /// <summary>One image as float32 CHW after the preset; for the faceapi preset the resize stays in floating point.</summary>
    public bool TryLoad(string path, CropBox? box, Span<float> destination, out string error)
    {
        if (destination.Length != ValuesPerImage) throw new ArgumentException($"destination holds {destination.Length} values, need {ValuesPerImage}");
        if (Options.Preset == Preset.FaceApi)
        {
            if (!TryFaceApi(path, box, out var hwc, out error)) return false;
            FaceApiInput.Normalise(hwc, destination);
            return true;
        }
        var pixels = new byte[BytesPerImage];
        if (!TryLoadPixels(path, box, pixels, out error)) return false;
        Options.Preset.Apply(pixels, destination);
        return true;
    }

    CropBox? FaceBox(CropBox? box, Image<Rgb24> image) =>
        box is { } b ? b.Expand(Options.BoxMargin) : Options.DefaultCrop?.In(image.Width, image.Height);

    /// <summary>Decode → face crop → face-api's pad-to-square and legacy bilinear resize: float HWC, 0..255.</summary>
    bool TryFaceApi(string path, CropBox? box, out float[] hwc, out string error)
    {
        hwc = [];
        if (!ImageDecoder.TryDecode(path, Options.Limits, out var image, out error)) return false;
        using (image)
        {
            if (!TryCrop(image, FaceBox(box, image), out error)) return false;
            var rgb = new byte[image.Width * image.Height * 3];
            image.CopyPixelDataTo(MemoryMarshal.Cast<byte, Rgb24>(rgb.AsSpan()));
            hwc = FaceApiInput.Resample(rgb, image.Width, image.Height, Size);
            return true;
        }
    }

    /// <summary>One image as float32 CHW after the preset.</summary>
    public float[] Load(string path, CropBox? box = null)
    {
        var dst = new float[ValuesPerImage];
        Load(path, box, dst);
        return dst;
    }

    public void Load(string path, CropBox? box, Span<float> destination)
    {
        if (!TryLoad(path, box, destination, out var error)) throw new InputException(path, error);
    }

    /// <summary>Crop, resize and centre-crop in place. Public so tests and the cache share one geometry.</summary>
    public bool TryShape(Image<Rgb24> image, CropBox? box, out string error)
    {
        if (!TryCrop(image, box, out error)) return false;
        int w = image.Width, h = image.Height, r = Options.Shorter;
        int nw = w <= h ? r : (int)Math.Round((double)w * r / h);
        int nh = w <= h ? (int)Math.Round((double)h * r / w) : r;
        nw = Math.Max(nw, Size);
        nh = Math.Max(nh, Size);
        // Resizing to the size an image already has must change no pixel: skip it rather than resample.
        if (nw != w || nh != h) image.Mutate(c => c.Resize(nw, nh, KnownResamplers.Triangle));
        if (nw != Size || nh != Size)
            image.Mutate(c => c.Crop(new Rectangle((nw - Size) / 2, (nh - Size) / 2, Size, Size)));
        return true;
    }

    /// <summary>Cuts the box (clipped at the image borders, integer pixels) out of the image in place.</summary>
    static bool TryCrop(Image<Rgb24> image, CropBox? box, out string error)
    {
        error = "";
        if (box is { } b)
        {
            int x0 = Math.Max(0, b.X), y0 = Math.Max(0, b.Y);
            int x1 = Math.Min(image.Width, b.X + b.Width), y1 = Math.Min(image.Height, b.Y + b.Height);
            if (x1 <= x0 || y1 <= y0)
            {
                error = $"bounding box ({b.X},{b.Y},{b.Width},{b.Height}) lies outside the {image.Width}x{image.Height} image";
                return false;
            }
            if (x0 != 0 || y0 != 0 || x1 != image.Width || y1 != image.Height)
                image.Mutate(c => c.Crop(new Rectangle(x0, y0, x1 - x0, y1 - y0)));
        }
        return true;
    }

    // ---------------------------------------------------------------- batches

    /// <summary>Sources for stimuli: their path and, when <see cref="PipelineOptions.UseBoxes"/>, their box.</summary>
    public IReadOnlyList<ImageSource> Sources(IReadOnlyList<Stimulus> stimuli) =>
        stimuli.Select(s => new ImageSource(
            s.Path ?? throw new InputException($"stimulus {s.Id} has no image path"),
            Options.UseBoxes ? CropBox.FromLabels(s) : null)).ToArray();

    /// <summary>
    /// Fills <paramref name="destination"/> ([N,3,S,S] float32, N = items) in parallel. A bad image throws
    /// an <see cref="InputException"/> naming it (after the batch finished), unless
    /// <paramref name="skipBad"/>: then its slot is zeros and it is returned.
    /// </summary>
    public IReadOnlyList<BadImage> LoadBatch(IReadOnlyList<ImageSource> items, float[] destination, bool skipBad = false, int offset = 0)
    {
        Require(destination.Length - offset >= (long)items.Count * ValuesPerImage, items.Count, destination.Length - offset);
        return Run(items, skipBad, (i, item, _) =>
        {
            var slot = destination.AsSpan(offset + i * ValuesPerImage, ValuesPerImage);
            var ok = TryLoad(item.Path, item.Box, slot, out var error);
            if (!ok) slot.Clear();
            return ok ? null : error;
        });
    }

    public IReadOnlyList<BadImage> LoadBatch(IReadOnlyList<Stimulus> items, float[] destination, bool skipBad = false) =>
        LoadBatch(Sources(items), destination, skipBad);

    /// <summary>Like <see cref="LoadBatch(IReadOnlyList{ImageSource}, float[], bool, int)"/> but keeps uint8 HWC ([N,S,S,3]).</summary>
    public IReadOnlyList<BadImage> LoadPixelsBatch(IReadOnlyList<ImageSource> items, Memory<byte> destination, bool skipBad = false)
    {
        Require(destination.Length >= (long)items.Count * BytesPerImage, items.Count, destination.Length);
        return Run(items, skipBad, (i, item, buffer) =>
        {
            var ok = TryLoadPixels(item.Path, item.Box, buffer, out var error);
            var slot = destination.Span.Slice(i * BytesPerImage, BytesPerImage);
            if (ok) buffer.CopyTo(slot); else slot.Clear();
            return ok ? null : error;
        });
    }

    /// <summary>Loads every item with <paramref name="load"/> (index, item, a per-thread byte buffer) → error or null.</summary>
    IReadOnlyList<BadImage> Run(IReadOnlyList<ImageSource> items, bool skipBad, Func<int, ImageSource, byte[], string?> load)
    {
        var bad = new BadImage?[items.Count];
        Parallel.For(0, items.Count, new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, Options.Parallelism) },
            () => new byte[BytesPerImage],
            (i, _, buffer) =>
            {
                if (load(i, items[i], buffer) is { } error) bad[i] = new BadImage(i, items[i].Path, error);
                return buffer;
            },
            _ => { });
        var failures = bad.Where(b => b != null).Select(b => b!).ToArray();
        if (failures.Length > 0 && !skipBad)
            throw new InputException(failures[0].Path, failures[0].Reason
                + (failures.Length > 1 ? $" (and {failures.Length - 1} more bad images in this batch)" : "") + "; use `skip-bad` to leave bad images out");
        return failures;
    }

    static void Require(bool ok, int n, long have)
    {
        if (!ok) throw new ArgumentException($"destination too small for {n} images (has {have} values)");
    }
}
