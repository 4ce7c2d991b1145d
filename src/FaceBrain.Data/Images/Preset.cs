using FaceBrain.Core;

namespace FaceBrain.Data.Images;

/// <summary>How RGB bytes become the float input a network expects.</summary>
public enum Preset
{
    /// <summary>BGR order, 0..255, minus the BGR mean [91.4953, 103.8827, 131.0912], no scaling: what the
    /// public VGGFace2 ResNet-50 (Caffe) weights expect. Their features are useless with any other input.</summary>
    VggFace2Caffe,
    /// <summary>RGB / 255, minus mean [0.485, 0.456, 0.406], divided by std [0.229, 0.224, 0.225].</summary>
    Imagenet,
    /// <summary>RGB / 255.</summary>
    Unit,
    /// <summary>face-api's networks: pad to square with zeros, TF legacy bilinear resize, (RGB − [122.782, 117.001,
    /// 104.298]) / 255 (<see cref="FaceApiInput"/>). The pipeline resizes in floating point for this preset.</summary>
    FaceApi,
}

public static class Presets
{
    public static readonly float[] VggFace2MeanBgr = [91.4953f, 103.8827f, 131.0912f];
    public static readonly float[] ImagenetMeanRgb = [0.485f, 0.456f, 0.406f];
    public static readonly float[] ImagenetStdRgb = [0.229f, 0.224f, 0.225f];

    static readonly (string Name, Preset Preset)[] Names =
        [("vggface2-caffe", Preset.VggFace2Caffe), ("imagenet", Preset.Imagenet), ("unit", Preset.Unit), ("faceapi", Preset.FaceApi)];

    public static string Name(this Preset p) => Names.First(n => n.Preset == p).Name;

    public static Preset Parse(string name) =>
        Names.Where(n => string.Equals(n.Name, name, StringComparison.OrdinalIgnoreCase)).Select(n => (Preset?)n.Preset).FirstOrDefault()
        ?? throw new InputException($"unknown preset '{name}' (known: {string.Join(", ", Names.Select(n => n.Name))})");

    /// <summary>
    /// Per output channel c (in CHW order): value = byte[source channel] * Scale[c] + Offset[c].
    /// Source channel is R,G,B for RGB presets and B,G,R for the Caffe preset.
    /// </summary>
    static (int[] Source, float[] Scale, float[] Offset) Coefficients(Preset p) => p switch
    {
        Preset.VggFace2Caffe => ([2, 1, 0], [1f, 1f, 1f], [-VggFace2MeanBgr[0], -VggFace2MeanBgr[1], -VggFace2MeanBgr[2]]),
        Preset.Imagenet => ([0, 1, 2],
            [1f / (255f * ImagenetStdRgb[0]), 1f / (255f * ImagenetStdRgb[1]), 1f / (255f * ImagenetStdRgb[2])],
            [-ImagenetMeanRgb[0] / ImagenetStdRgb[0], -ImagenetMeanRgb[1] / ImagenetStdRgb[1], -ImagenetMeanRgb[2] / ImagenetStdRgb[2]]),
        Preset.Unit => ([0, 1, 2], [1f / 255f, 1f / 255f, 1f / 255f], [0f, 0f, 0f]),
        Preset.FaceApi => ([0, 1, 2], [1f, 1f, 1f], [0f, 0f, 0f]), // (b − mean) / 255 in Apply, as face-api orders it
        _ => throw new ArgumentOutOfRangeException(nameof(p)),
    };

    /// <summary>
    /// Converts interleaved RGB bytes (HWC, <paramref name="pixels"/> pixels) to planar float (CHW) in
    /// <paramref name="chw"/>, which must hold 3 × pixels values.
    /// </summary>
    public static void Apply(this Preset preset, ReadOnlySpan<byte> rgb, Span<float> chw)
    {
        int pixels = rgb.Length / 3;
        if (rgb.Length != pixels * 3 || chw.Length != rgb.Length)
            throw new ArgumentException($"need 3 bytes per pixel and as many floats ({rgb.Length} bytes, {chw.Length} floats)");
        var (src, scale, offset) = Coefficients(preset);
        for (int c = 0; c < 3; c++)
        {
            var plane = chw.Slice(c * pixels, pixels);
            int s = src[c];
            float a = scale[c], b = offset[c];
            if (preset == Preset.FaceApi)
            {
                float m = FaceApiInput.MeanRgb[c];
                for (int i = 0; i < pixels; i++) plane[i] = (rgb[3 * i + s] - m) / 255f;
                continue;
            }
            for (int i = 0; i < pixels; i++) plane[i] = rgb[3 * i + s] * a + b;
        }
    }
}
