using SkiaSharp;

namespace FaceBrain.Data.Synthesis;

/// <summary>
/// The pseudo-3D head the renderer draws on. Features are placed in frontal coordinates (x right,
/// y down, face half-width about 0.85), lifted onto a curved face surface and rotated by the yaw, so a
/// turned head foreshortens its far side and shows the nose in profile. Orthographic projection.
/// </summary>
internal sealed class HeadModel
{
    readonly IdentityParams _id;
    readonly double _cos, _sin;

    public HeadModel(IdentityParams id, double yawDegrees, double jawDrop = 0)
    {
        _id = id;
        double t = yawDegrees * Math.PI / 180;
        _cos = Math.Cos(t);
        _sin = Math.Sin(t);
        Top = -0.95 * id.FaceLength;
        // the lower face's own length, and the chin moving down as the jaw drops
        Chin = 0.88 * id.FaceLength * id.ChinHeight + 0.13 * jawDrop;
    }

    public double Sin => _sin;
    public double Cos => _cos;
    /// <summary>y of the forehead top and of the chin.</summary>
    public double Top { get; }
    public double Chin { get; }
    /// <summary>Depth of the face surface at the centre line.</summary>
    public double Depth => 0.95 * _id.FaceWidth;

    /// <summary>Half-width of the frontal face outline at height y (0 outside the face).</summary>
    public double HalfWidth(double y)
    {
        double a = _id.FaceWidth;
        if (y <= 0)
        {
            double t = y / Top;
            return t >= 1 ? 0 : a * Math.Sqrt(1 - t * t);
        }
        double u = y / Chin;
        if (u >= 1) return 0;
        double n = 2 + 2.2 * _id.Jaw; // 2: oval chin, 4+: square jaw
        // prominent cheekbones widen the face just below the eyes and hollow it below them
        double cheek = 1 + 0.07 * (_id.CheekBones - 0.5) * (Math.Exp(-Math.Pow((y - 0.05) / 0.25, 2)) - 0.6 * Math.Exp(-Math.Pow((y - 0.45) / 0.2, 2)));
        return a * cheek * Math.Pow(1 - Math.Pow(u, n), 1 / n) * (1 - 0.22 * u * (1 - _id.Jaw));
    }

    double VerticalFall(double y) => Math.Sqrt(Math.Max(0.05, 1 - y * y / 4.0));

    /// <summary>Depth of the face surface at (x, y).</summary>
    public double SurfaceZ(double x, double y)
    {
        double w = Math.Max(HalfWidth(Math.Clamp(y, Top * 0.98, Chin * 0.98)), 1e-3);
        double r = Math.Min(1, Math.Abs(x) / w);
        return Depth * VerticalFall(y) * Math.Sqrt(1 - r * r);
    }

    /// <summary>Projects a point on the face surface lifted by dz; also returns its depth toward the viewer.</summary>
    public SKPoint P(double x, double y, double dz = 0) => P(x, y, dz, out _);

    public SKPoint P(double x, double y, double dz, out double facing)
    {
        double z = SurfaceZ(x, y) + dz;
        facing = -x * _sin + z * _cos;
        return new SKPoint((float)(x * _cos + z * _sin), (float)y);
    }

    /// <summary>A point of a rigid body whose depth is given (not on the face surface).</summary>
    public SKPoint Rigid(double x, double y, double z) => new((float)(x * _cos + z * _sin), (float)y);

    /// <summary>Half-width of the projected silhouette at height y.</summary>
    public double Silhouette(double y)
    {
        double w = HalfWidth(y), d = Depth * VerticalFall(y) * (w / _id.FaceWidth);
        return Math.Sqrt(w * w * _cos * _cos + d * d * _sin * _sin);
    }

    /// <summary>The projected face outline as a closed path.</summary>
    public SKPath Outline(int steps = 48)
    {
        var path = new SKPath();
        var right = new List<SKPoint>();
        var left = new List<SKPoint>();
        for (int i = 0; i <= steps; i++)
        {
            double y = Top + (Chin - Top) * i / steps;
            float e = (float)Silhouette(y);
            right.Add(new SKPoint(e, (float)y));
            left.Add(new SKPoint(-e, (float)y));
        }
        path.MoveTo(right[0]);
        foreach (var p in right.Skip(1)) path.LineTo(p);
        for (int i = left.Count - 1; i >= 0; i--) path.LineTo(left[i]);
        path.Close();
        return path;
    }

    /// <summary>Foreshortening of horizontal lengths near x (1 frontal, → 0 at the silhouette).</summary>
    public float Foreshortening(double x, double y)
    {
        const double h = 0.01;
        return (float)Math.Max(0.05, Math.Abs(P(x + h, y).X - P(x - h, y).X) / (2 * h));
    }
}
