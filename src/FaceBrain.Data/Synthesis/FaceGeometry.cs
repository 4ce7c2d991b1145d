using SkiaSharp;

namespace FaceBrain.Data.Synthesis;

/// <summary>
/// Where the features are, in frontal head units, for one identity and expression. The renderer and
/// the landmarks both read these, so a landmark is where its feature is drawn.
/// </summary>
internal sealed class FaceGeometry(IdentityParams id, ExpressionParams ex, HeadModel h)
{
    /// <summary>How much higher the features of this side (−1 image-left, +1 image-right) sit: the person's asymmetry.</summary>
    double SideLift(double side) => 0.015 * side * id.Asymmetry;

    /// <summary>An eye: centre, half-width, corners, lid apex heights above/below the centre, iris radius, and where
    /// along the fissure each lid's apex lies (the upper lid's highest point, the lower lid's lowest).</summary>
    public readonly record struct EyeShape(double Cx, double Cy, double Ew, double Xi, double Yi, double Xo, double Yo, double Upper, double Lower, double Iris,
        double UpperApexX, double LowerApexX)
    {
        public double X0 => Math.Min(Xi, Xo);
        public double X1 => Math.Max(Xi, Xo);
        public double Y0 => Xi < Xo ? Yi : Yo;
        public double Y1 => Xi < Xo ? Yo : Yi;
        /// <summary>The upper lid's margin at x (NaN beside the eye).</summary>
        public double UpperY(double x) => Arc(X0, Y0, X1, Y1, UpperApexX, Cy - Upper, x);
        /// <summary>The lower lid's margin at x (NaN beside the eye).</summary>
        public double LowerY(double x) => Arc(X0, Y0, X1, Y1, LowerApexX, Cy + Lower, x);
    }

    /// <summary>A lid-like curve from (x0, y0) to (x1, y1) whose extremum is (xa, ya): two half-parabolas that meet
    /// level at the apex, so the apex can sit off-centre as real lids' do; NaN outside the ends.</summary>
    public static double Arc(double x0, double y0, double x1, double y1, double xa, double ya, double x)
    {
        if (x < x0 || x > x1) return double.NaN;
        xa = Math.Clamp(xa, x0 + 1e-6, x1 - 1e-6);
        double t = x <= xa ? (xa - x) / (xa - x0) : (x - xa) / (x1 - xa);
        return ya + ((x <= xa ? y0 : y1) - ya) * t * t;
    }

    public EyeShape Eye(double side)
    {
        double cx = side * id.EyeSpacing, cy = id.EyeHeight - SideLift(side), ew = 0.19 * id.EyeSize; // a real eye fissure is about a fifth of the face's width
        // Neutral: the upper lid covers the top of the iris and the lower lid touches its bottom, as in
        // real relaxed eyes; white above the iris appears only with AU5 (surprise, fear).
        // a person's fissure height: mostly the lower lid, so wide-eyed people do not look surprised
        double upper = 0.068 * id.EyeSize * (1 + 0.5 * (id.EyeOpening - 1)) * Math.Clamp(1 + 0.9 * ex.EyeOpen, 0.12, 2.2) * (1 - 0.12 * id.Age);
        double lower = 0.058 * id.EyeSize * id.EyeOpening * Math.Clamp(1 - 0.5 * ex.LidTighten + 0.2 * Math.Max(0, ex.EyeOpen), 0.3, 1.35);
        double xi = cx - side * ew, xo = cx + side * ew;
        // the upper lid is highest a little toward the nose, the lower lowest a little toward the temple (more or
        // less by the person); the inner brow raiser (AU1) lifts the lid's inner part, the triangular lid of sadness
        double up = ew * (0.1 + 0.12 * id.LidPeak + 0.25 * Math.Max(0, ex.BrowInner));
        double low = ew * (0.12 - 0.08 * id.LidPeak);
        return new EyeShape(cx, cy, ew, xi, cy + 0.006, xo, cy - 0.01 - id.EyeTilt, upper, lower, 0.078 * id.EyeSize,
            cx - side * up, cx + side * low);
    }

    /// <summary>A brow: inner end, apex, outer end (frontal units) and thickness.</summary>
    public readonly record struct BrowShape(double Xi, double Yi, double Xm, double Ym, double Xo, double Yo, double Thickness);

    public BrowShape Brow(double side)
    {
        double cx = side * id.EyeSpacing;
        double baseY = id.EyeHeight - SideLift(side) * 1.3 - id.BrowHeight - 0.11 * ex.BrowRaise;
        double xi = side * Math.Max(0.07, id.EyeSpacing - 0.15 * id.BrowLength - 0.04 * ex.BrowTogether);
        double xo = cx + side * 0.17 * id.BrowLength;
        double yi = baseY - 0.13 * ex.BrowInner + 0.015 + 0.045 * ex.BrowTogether;
        double yo = baseY + 0.035 * ex.BrowInner + 0.025;
        double arch = 0.015 + 0.075 * id.BrowArch + 0.025 * Math.Max(0, ex.BrowRaise) - 0.02 * ex.BrowTogether;
        double xm = xi + (xo - xi) * 0.6;
        // the inner brow raiser (AU1) alone lifts the brow's inner end and leaves the outer end: the brow turns
        // oblique and straight (the sad brow), its arch flattened, instead of a whole arc lifted (surprise);
        // a raised brow that the corrugator (AU4) also draws together flattens too (the level brow of fear)
        double oblique = Math.Clamp(ex.BrowInner, 0, 1);
        double flat = Math.Clamp(ex.BrowTogether, 0, 1) * Math.Clamp(ex.BrowRaise / 0.5, 0, 1);
        double ym = Math.Min(yi, yo) + (Math.Max(yi, yo) - Math.Min(yi, yo)) * (0.3 + 0.3 * Math.Max(oblique, flat))
                    - arch * (1 - 0.5 * oblique) * (1 - 0.7 * flat);
        return new BrowShape(xi, yi, xm, ym, xo, yo, id.BrowThickness * 1.35);
    }

    /// <summary>The mouth: half-width, corner height, inner lip lines, outer lip lines (middle heights), and the
    /// teeth behind them: the upper incisors' edge (fixed to the skull) and the lower incisors' top (moving
    /// with the jaw), both at the midline, rising toward the sides along the dental arch.</summary>
    public readonly record struct MouthShape(double Mw, double CornerY, double InnerTop, double InnerBottom, double OuterTop, double OuterBottom, double Sag,
        double TeethEdge, double LowerTeethTop, double ArchWidth, double Square, double Bow)
    {
        /// <summary>The upper lip's outer line at x: the lip line with a Cupid's bow, a dip at the midline between
        /// two peaks where the philtrum's columns meet the lip.</summary>
        public double OuterTopY(double x)
        {
            double y = OuterY(OuterTop, x);
            if (double.IsNaN(y)) return y;
            double ax = Math.Abs(x);
            return y + Bow * (0.014 * Math.Exp(-x * x / (2 * 0.02 * 0.02)) - 0.006 * Math.Exp(-(ax - 0.055) * (ax - 0.055) / (2 * 0.025 * 0.025)));
        }

        public bool Open => InnerBottom - InnerTop > 0.012;
        /// <summary>A lip line through both corners and height <paramref name="mid"/> at the midline, at x
        /// (NaN beyond the corners at ±<paramref name="half"/>): a parabola for a relaxed mouth, flatter with
        /// squarer corners as <see cref="Square"/> (the stretched, tense mouth of fear, anger, disgust) grows.</summary>
        double LineY(double mid, double half, double x, double power)
        {
            double u = Math.Abs(x) / half;
            if (u > 1) return double.NaN;
            return CornerY + (mid - CornerY) * (1 - Math.Pow(u, power));
        }
        /// <summary>The outer (skin–lip) line through height <paramref name="mid"/>, corners at ±<see cref="Mw"/>.</summary>
        public double OuterY(double mid, double x) => LineY(mid, Mw, x, 2 + 1.5 * Square);
        /// <summary>The inner (lip–lip) line through height <paramref name="mid"/>, corners at ±<see cref="InnerHalf"/>;
        /// squarer than the outer line.</summary>
        public double InnerY(double mid, double x) => LineY(mid, InnerHalf, x, 2 + 3 * Square);
        /// <summary>Half-width of the lips' opening: a little inside the mouth's corners.</summary>
        public double InnerHalf => Mw * 0.92;
        /// <summary>Upper incisal edge and lower teeth top at x: the arch curves up toward the canines.</summary>
        public double UpperTeethEdgeAt(double x) => TeethEdge - ArchRise(x);
        public double LowerTeethTopAt(double x) => LowerTeethTop - ArchRise(x);
        double ArchRise(double x) { double u = x / ArchWidth; return 0.045 * u * u; }
    }

    public MouthShape MouthGeometry()
    {
        double my = id.MouthHeight, press = ex.LipPress;
        double curve = ex.MouthCurve + id.MouthRest * (1 - Math.Min(1, Math.Abs(ex.MouthCurve)));
        // the depressor draws the corners down and a little out (the lower lip's inverted U of sadness)
        double mw = id.MouthWidth * (1 + 0.45 * ex.MouthStretch + 0.12 * Math.Max(0, ex.MouthCurve) + 0.08 * Math.Max(0, -ex.MouthCurve) - 0.04 * ex.ChinRaise);
        double cornerY = my - 0.085 * curve - 0.025 * Math.Max(0, curve) + 0.02 * ex.MouthStretch * (1 - Math.Max(0, ex.MouthCurve));
        double gap = 0.22 * ex.MouthOpen;
        double innerTop = my - 0.3 * gap - 0.075 * ex.UpperLipRaise;
        double innerBottom = my + 0.7 * gap - 0.02 * ex.ChinRaise + 0.07 * ex.LowerLipDrop;
        if (innerBottom < innerTop) innerBottom = innerTop;
        // stretched lips thin out, as do lips drawn into a smile
        double thin = 1 - 0.2 * Math.Max(0, ex.MouthStretch) - 0.15 * Math.Max(0, ex.MouthCurve);
        double tu = 1.3 * id.LipThickness * id.UpperLipRatio * (1 - 0.65 * Math.Min(1, press)) * (1 + 0.2 * ex.ChinRaise) * thin;
        double tl = 1.35 * id.LipThickness * (1 - 0.6 * Math.Min(1, press)) * (1 + 0.25 * ex.ChinRaise) * thin;
        double sag = 0.05 * Math.Max(0, ex.MouthCurve); // smile: the lip line dips in the middle
        // the upper incisors show a little below the relaxed lip line; the lower ones sit just behind them
        // when the teeth meet and drop with the jaw
        double teethEdge = my + 0.012, lowerTop = teethEdge + 0.004 + 0.2 * Math.Max(0, ex.JawDrop);
        return new MouthShape(mw, cornerY, innerTop + sag, innerBottom + sag + 0.06 * Math.Max(0, ex.MouthCurve) * ex.MouthOpen,
            innerTop + sag * 0.5 - 2 * tu, innerBottom + sag + 2 * tl, sag, teethEdge, lowerTop, id.MouthWidth, ex.MouthSquare,
            id.LipBow * (1 - 0.6 * Math.Min(1, ex.UpperLipRaise)));
    }

    public double NoseTipY => NoseTip(id);

    /// <summary>The nose tip's height: it does not move with expression.</summary>
    internal static double NoseTip(IdentityParams id) => id.EyeHeight + id.NoseLength + 0.02;

    /// <summary>A point on a quadratic through (x0,y0), (xm,ym) at t = 1/2, (x1,y1), in frontal units.</summary>
    public static (double X, double Y) Quad(double x0, double y0, double xm, double ym, double x1, double y1, double t)
    {
        double cx = 2 * xm - (x0 + x1) / 2, cy = 2 * ym - (y0 + y1) / 2, u = 1 - t;
        return (u * u * x0 + 2 * u * t * cx + t * t * x1, u * u * y0 + 2 * u * t * cy + t * t * y1);
    }

    /// <summary>
    /// The 68 landmarks of the iBUG/dlib scheme (jaw 0–16, brows 17–26, nose 27–35, eyes 36–47,
    /// mouth 48–67), projected, in head units; the image-left eye is 36–41, as dlib numbers it.
    /// </summary>
    /// <param name="feature">Where a feature at frontal (x, y) is drawn (the person's fine shape shifts it sideways)
    /// and the relief's height there: a landmark lies on the rendered surface, so it moves with it when the head turns.</param>
    public SKPoint[] Landmarks(Func<double, double, (double X, double Relief)> feature)
    {
        SKPoint P(double x, double y, double _) { var (xd, z) = feature(x, y); return h.P(xd, y, z); }
        var pts = new SKPoint[68];
        // jaw: the visible outline from ear level down round the chin
        double y0 = id.EyeHeight + 0.05;
        for (int k = 0; k <= 16; k++)
        {
            double a = Math.PI * k / 16; // 0 .. pi, image-left to image-right
            double y = y0 + (h.Chin - y0) * Math.Sin(a) * 0.985;
            double s = -Math.Cos(a);
            pts[k] = new SKPoint((float)(s * h.Silhouette(y) + (1 - Math.Abs(s)) * h.P(0, y).X), (float)y);
        }
        for (int side = 0; side < 2; side++)
        {
            double sgn = side == 0 ? -1 : 1;
            var b = Brow(sgn);
            for (int k = 0; k < 5; k++)
            {
                // dlib runs each brow from image-left to image-right
                double t = side == 0 ? 1 - k / 4.0 : k / 4.0;
                var (x, y) = Quad(b.Xi, b.Yi, b.Xm, b.Ym, b.Xo, b.Yo, t);
                pts[17 + 5 * side + k] = P(x, y - b.Thickness * 0.2, 0.01);
            }
            var e = Eye(sgn);
            // 36..41: outer corner, two upper, inner corner, two lower (image-left eye's outer corner is its left end)
            var (xl, yl, xr, yr) = side == 0 ? (e.Xo, e.Yo, e.Xi, e.Yi) : (e.Xi, e.Yi, e.Xo, e.Yo);
            int o = 36 + 6 * side;
            pts[o] = P(xl, yl, 0.01);
            double xa = xl + (xr - xl) / 3, xb = xl + 2 * (xr - xl) / 3;
            pts[o + 1] = P(xa, e.UpperY(xa), 0.01);
            pts[o + 2] = P(xb, e.UpperY(xb), 0.01);
            pts[o + 3] = P(xr, yr, 0.01);
            pts[o + 4] = P(xb, e.LowerY(xb), 0.01);
            pts[o + 5] = P(xa, e.LowerY(xa), 0.01);
        }
        double ty = NoseTipY, nw = id.NoseWidth * (1 + 0.15 * ex.NoseWrinkle);
        for (int k = 0; k < 4; k++)
        {
            double y = id.EyeHeight + (ty - id.EyeHeight) * k / 3.0;
            pts[27 + k] = P(0, y, 0.2 * k / 3.0);
        }
        for (int k = 0; k < 5; k++)
            pts[31 + k] = P((k - 2) * nw * 0.45, ty + 0.04 - (k == 2 ? 0.0 : 0.01), 0.05);
        var m = MouthGeometry();
        // 48..59 the outer lip line from the image-left corner clockwise, 60..67 the inner line
        for (int k = 0; k < 12; k++)
        {
            double x = -m.Mw + 2 * m.Mw * (k <= 6 ? k / 6.0 : (12 - k) / 6.0);
            double y = k <= 6 ? m.OuterTopY(x) : m.OuterY(m.OuterBottom, x);
            pts[48 + k] = P(x, double.IsNaN(y) ? m.CornerY : y, 0.02);
        }
        for (int k = 0; k < 8; k++)
        {
            double x = m.InnerHalf * (-1 + 2 * (k <= 4 ? k / 4.0 : (8 - k) / 4.0));
            double y = m.InnerY(k <= 4 ? m.InnerTop : m.InnerBottom, x);
            pts[60 + k] = P(x, double.IsNaN(y) ? m.CornerY : y, 0.02);
        }
        return pts;
    }
}
