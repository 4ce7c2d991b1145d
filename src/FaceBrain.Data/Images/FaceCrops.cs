namespace FaceBrain.Data.Images;

/// <summary>A crop given as fractions of the image's width and height (left, top, right, bottom).</summary>
public readonly record struct RelativeBox(double Left, double Top, double Right, double Bottom)
{
    /// <summary>The box in pixels of a <paramref name="width"/>×<paramref name="height"/> image (floored, as face-api's integer crops are).</summary>
    public CropBox In(int width, int height)
    {
        int x0 = (int)Math.Floor(Left * width), y0 = (int)Math.Floor(Top * height);
        int x1 = (int)Math.Floor(Right * width), y1 = (int)Math.Floor(Bottom * height);
        return new CropBox(x0, y0, x1 - x0, y1 - y0);
    }
}

/// <summary>A layout's default face crop: one box for square images (the synthetic sets) and one for portraits.</summary>
public sealed record LayoutCrop(RelativeBox Square, RelativeBox Portrait)
{
    public CropBox In(int width, int height) => (width == height ? Square : Portrait).In(width, height);
}

/// <summary>
/// Default face crops for networks that expect a face-tight input (face-api's), per layout, used when a stimulus has
/// no box of its own. face-api itself crops around its 68 landmarks; without a detector FaceBrain uses fixed boxes:
/// synthetic KDEF-layout faces are drawn centred (face 0.27–0.73 of the width, forehead 0.2 to chin 0.8 of the
/// height), and the box below frames them from the forehead to below the chin; KDEF photographs (562×762)
/// are centred portraits, framed by the portrait box (not checked here against real KDEF: no copy on this machine).
/// VGGFace2-layout sets carry their own boxes (<c>bb_landmark/</c>), which win over any default.
/// </summary>
public static class FaceCrops
{
    public static readonly LayoutCrop Kdef = new(new RelativeBox(0.2, 0.2, 0.8, 0.85), new RelativeBox(0.18, 0.22, 0.82, 0.75));

    /// <summary>The default crop for a preset and layout: KDEF's box for the faceapi preset, else none (the whole
    /// image, or the set's own boxes).</summary>
    public static LayoutCrop? For(Preset preset, FaceBrain.Data.Loading.DatasetKind? kind) =>
        preset == Preset.FaceApi && kind == FaceBrain.Data.Loading.DatasetKind.Kdef ? Kdef : null;
}
