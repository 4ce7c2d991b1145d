using System.Globalization;
using SkiaSharp;

namespace FaceBrain.Data.Synthesis;

/// <summary>
/// Where a drawn face's 68 landmarks (iBUG/dlib numbering) are, in pixels, and the crops the
/// face-api networks take from them: the generator knows its geometry, so no detector is needed.
/// </summary>
public sealed class FaceLandmarks
{
    public FaceLandmarks(SKPoint[] points)
    {
        if (points.Length != 68) throw new ArgumentException($"68 landmarks expected, got {points.Length}");
        Points = points;
    }

    public static FaceLandmarks Empty { get; } = new(new SKPoint[68]);

    public IReadOnlyList<SKPoint> Points { get; }

    SKPoint Mean(int from, int to)
    {
        float x = 0, y = 0;
        for (int k = from; k <= to; k++) { x += Points[k].X; y += Points[k].Y; }
        return new SKPoint(x / (to - from + 1), y / (to - from + 1));
    }

    /// <summary>Centre of the image-left eye (points 36–41), the image-right eye (42–47) and the mouth (48–67).</summary>
    public SKPoint LeftEye => Mean(36, 41);
    public SKPoint RightEye => Mean(42, 47);
    public SKPoint MouthCentre => Mean(48, 67);

    /// <summary>The landmarks' bounding box.</summary>
    public SKRect Box
    {
        get
        {
            float x0 = float.MaxValue, y0 = float.MaxValue, x1 = float.MinValue, y1 = float.MinValue;
            foreach (var p in Points) { x0 = Math.Min(x0, p.X); y0 = Math.Min(y0, p.Y); x1 = Math.Max(x1, p.X); y1 = Math.Max(y1, p.Y); }
            return new SKRect(x0, y0, x1, y1);
        }
    }

    /// <summary>The box and centres the crops and the ground truth need.</summary>
    public LandmarkSummary Summary => new(Box, LeftEye, RightEye, MouthCentre);

    /// <summary>face-api's expression-net crop: the landmark box padded by 20% (10% a side), clipped, floored.</summary>
    public SKRectI ExpressionCrop(int width, int height) => Summary.ExpressionCrop(width, height);

    /// <summary>face-api's recognition-net crop: dlib's alignment box from the eye and mouth centres, clipped, floored.</summary>
    public SKRectI RecognitionCrop(int width, int height) => Summary.RecognitionCrop(width, height);

    /// <summary>Ground-truth columns: the landmark box and the eye and mouth centres, in pixels.</summary>
    public IEnumerable<(string, string)> Columns() => Summary.Columns();
}

/// <summary>
/// A face's landmark box and eye and mouth centres (pixels): what <c>ground_truth.tsv</c> records of the 68
/// landmarks, and all face-api's two crops need, so the crops can be cut again from a written set.
/// </summary>
public readonly record struct LandmarkSummary(SKRect Box, SKPoint LeftEye, SKPoint RightEye, SKPoint Mouth)
{
    static readonly string[] Names = ["lmk_x0", "lmk_y0", "lmk_x1", "lmk_y1", "eye_l_x", "eye_l_y", "eye_r_x", "eye_r_y", "mouth_x", "mouth_y"];

    /// <summary>face-api's expression-net crop: the landmark box padded by 20% (10% a side), clipped, floored.</summary>
    public SKRectI ExpressionCrop(int width, int height)
    {
        float w = Box.Width, h = Box.Height;
        return Clip(Box.Left - 0.1f * w, Box.Top - 0.1f * h, 1.2f * w, 1.2f * h, width, height);
    }

    /// <summary>face-api's recognition-net crop: dlib's alignment box from the eye and mouth centres, clipped, floored.</summary>
    public SKRectI RecognitionCrop(int width, int height)
    {
        SKPoint l = LeftEye, r = RightEye, m = Mouth;
        static double D(SKPoint a, SKPoint b) => Math.Sqrt((a.X - b.X) * (a.X - b.X) + (a.Y - b.Y) * (a.Y - b.Y));
        double size = Math.Floor((D(m, l) + D(m, r)) / 2 / 0.45);
        double cx = (l.X + r.X + m.X) / 3, cy = (l.Y + r.Y + m.Y) / 3;
        double x = Math.Floor(Math.Max(0, cx - 0.5 * size)), y = Math.Floor(Math.Max(0, cy - 0.43 * size));
        return Clip((float)x, (float)y, (float)size, (float)size, width, height);
    }

    static SKRectI Clip(float x, float y, float w, float h, int width, int height)
    {
        float x0 = Math.Max(0, x), y0 = Math.Max(0, y);
        float x1 = Math.Min(width, x + w), y1 = Math.Min(height, y + h);
        int xi = (int)Math.Floor(x0), yi = (int)Math.Floor(y0);
        return new SKRectI(xi, yi, xi + (int)Math.Floor(x1 - x0), yi + (int)Math.Floor(y1 - y0));
    }

    /// <summary>Ground-truth columns: the landmark box and the eye and mouth centres, in pixels.</summary>
    public IEnumerable<(string, string)> Columns()
    {
        float[] v = [Box.Left, Box.Top, Box.Right, Box.Bottom, LeftEye.X, LeftEye.Y, RightEye.X, RightEye.Y, Mouth.X, Mouth.Y];
        for (int k = 0; k < Names.Length; k++) yield return (Names[k], v[k].ToString("0.##", CultureInfo.InvariantCulture));
    }

    /// <summary>True when a table has every landmark column.</summary>
    public static bool In(Func<string, bool> hasColumn) => Names.All(hasColumn);

    /// <summary>Reads the summary back from the columns <see cref="Columns"/> writes; <paramref name="label"/> gives a column's value.</summary>
    public static LandmarkSummary FromColumns(Func<string, string> label)
    {
        var v = Names.Select(n => float.Parse(label(n), NumberStyles.Float, CultureInfo.InvariantCulture)).ToArray();
        return new LandmarkSummary(new SKRect(v[0], v[1], v[2], v[3]), new SKPoint(v[4], v[5]), new SKPoint(v[6], v[7]), new SKPoint(v[8], v[9]));
    }
}
