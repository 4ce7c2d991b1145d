using System.Globalization;
using FaceBrain.Core.Domain;
using FaceBrain.Data.Loading;

namespace FaceBrain.Data.Images;

/// <summary>A face bounding box in source-image pixels.</summary>
public readonly record struct CropBox(int X, int Y, int Width, int Height)
{
    /// <summary>Grows the box by <paramref name="margin"/> × its size on every side (0.15 → 30% larger overall).</summary>
    public CropBox Expand(double margin)
    {
        if (margin == 0) return this;
        int dx = (int)Math.Round(Width * margin), dy = (int)Math.Round(Height * margin);
        return new CropBox(X - dx, Y - dy, Width + 2 * dx, Height + 2 * dy);
    }

    /// <summary>The box from a stimulus' bb_x/bb_y/bb_w/bb_h labels (VGGFace2 loose crops), or null.</summary>
    public static CropBox? FromLabels(Stimulus s)
    {
        if (s.Label(Labels.BoxX) is not { Length: > 0 } x || s.Label(Labels.BoxY) is not { } y
            || s.Label(Labels.BoxW) is not { } w || s.Label(Labels.BoxH) is not { } h) return null;
        static int P(string v) => int.Parse(v, NumberStyles.Integer, CultureInfo.InvariantCulture);
        return new CropBox(P(x), P(y), P(w), P(h));
    }
}
