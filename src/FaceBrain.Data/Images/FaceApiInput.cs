namespace FaceBrain.Data.Images;

/// <summary>
/// face-api's input path (<c>NetInput.toBatchTensor(size, isCenterInputs=true)</c> then <c>normalize</c> and /255), on
/// a decoded RGB crop: pad to square with zeros (the odd row/column before, <c>Math.round(diff/2)</c> after),
/// TensorFlow's legacy bilinear resize (<c>resizeBilinear</c>, alignCorners=false, halfPixelCenters=false: source =
/// dst · in/out, no antialiasing) only when the side differs, then (x − mean RGB) / 255. A half-pixel resize
/// instead moves face-api's expression probabilities by up to 0.57, so this is not the pipeline's usual resize.
/// </summary>
public static class FaceApiInput
{
    /// <summary>face-api's channel means (RGB), subtracted before dividing by 255.</summary>
    public static readonly float[] MeanRgb = [122.782f, 117.001f, 104.298f];

    /// <summary>Zero rows/columns face-api puts before and after the content of a <paramref name="width"/>×<paramref name="height"/> image.</summary>
    public static (int Before, int After) Padding(int width, int height)
    {
        int diff = Math.Abs(height - width);
        int after = (int)Math.Floor(diff * 0.5 + 0.5); // JS Math.round: halves up
        return (diff - after, after);
    }

    /// <summary>
    /// The padded, resized image as float HWC in 0..255 (not rounded): what face-api's network sees before normalising.
    /// <paramref name="rgb"/> is HWC RGB bytes of a <paramref name="width"/>×<paramref name="height"/> image.
    /// </summary>
    public static float[] Resample(ReadOnlySpan<byte> rgb, int width, int height, int size)
    {
        if (rgb.Length != checked(width * height * 3)) throw new ArgumentException($"{rgb.Length} bytes for a {width}×{height} RGB image");
        int side = Math.Max(width, height);
        var (before, _) = Padding(width, height);
        int ox = width < height ? before : 0, oy = height < width ? before : 0; // content offset in the padded square
        var dst = new float[size * size * 3];
        // The padded image's value at (y, x): zero outside the content.
        float At(ReadOnlySpan<byte> src, int y, int x, int c)
        {
            int sy = y - oy, sx = x - ox;
            return (uint)sy < (uint)height && (uint)sx < (uint)width ? src[(sy * width + sx) * 3 + c] : 0f;
        }
        if (side == size)
        {
            for (int y = 0; y < size; y++)
                for (int x = 0; x < size; x++)
                    for (int c = 0; c < 3; c++) dst[(y * size + x) * 3 + c] = At(rgb, y, x, c);
            return dst;
        }
        double ratio = (double)side / size; // tfjs: effective input / effective output, in double
        var lo = new int[size]; var hi = new int[size]; var frac = new double[size];
        for (int i = 0; i < size; i++)
        {
            double s = ratio * i;
            lo[i] = Math.Max(0, (int)Math.Floor(s));
            hi[i] = Math.Min(side - 1, (int)Math.Ceiling(s));
            frac[i] = s - lo[i];
        }
        for (int y = 0; y < size; y++)
            for (int x = 0; x < size; x++)
                for (int c = 0; c < 3; c++)
                {
                    double tl = At(rgb, lo[y], lo[x], c), tr = At(rgb, lo[y], hi[x], c);
                    double bl = At(rgb, hi[y], lo[x], c), br = At(rgb, hi[y], hi[x], c);
                    double top = tl + (tr - tl) * frac[x];
                    double bottom = bl + (br - bl) * frac[x];
                    dst[(y * size + x) * 3 + c] = (float)(top + (bottom - top) * frac[y]);
                }
        return dst;
    }

    /// <summary>(x − mean) / 255 in float32 (tfjs's order of operations), HWC floats → CHW.</summary>
    public static void Normalise(ReadOnlySpan<float> hwc, Span<float> chw)
    {
        int pixels = hwc.Length / 3;
        if (chw.Length != hwc.Length) throw new ArgumentException($"{hwc.Length} values in, room for {chw.Length}");
        for (int c = 0; c < 3; c++)
        {
            float m = MeanRgb[c];
            var plane = chw.Slice(c * pixels, pixels);
            for (int i = 0; i < pixels; i++) plane[i] = (hwc[3 * i + c] - m) / 255f;
        }
    }

    /// <summary>The whole path: RGB crop → [3, size, size] network input.</summary>
    public static void Fill(ReadOnlySpan<byte> rgb, int width, int height, int size, Span<float> chw) =>
        Normalise(Resample(rgb, width, height, size), chw);
}
