using SkiaSharp;
using static FaceBrain.Data.Synthesis.FaceRenderer;

namespace FaceBrain.Data.Synthesis;

/// <summary>
/// Eyes and brows as a camera sees them: a grey-pink, shaded eyeball under a lid that casts a shadow
/// on it, a fibred iris with a dark limbal ring, a soft lash line; brows as many thin hairs.
/// </summary>
internal sealed partial class Painter
{
    void Eyes()
    {
        foreach (var side in new[] { -1.0, 1.0 })
        {
            var e = Eye(side);
            h.P(e.Cx, e.Cy, 0, out var facing);
            if (facing < 0.05) continue;
            var upper = Curve(e.Xi, e.Yi, e.Cx + side * 0.01, e.Cy - e.Upper, e.Xo, e.Yo);
            var lower = Curve(e.Xo, e.Yo, e.Cx + side * 0.015, e.Cy + e.Lower, e.Xi, e.Yi);
            using var eye = Poly(upper.Concat(lower));
            var ctr = h.P(e.Cx, e.Cy + 0.004, 0.01);
            float f = h.Foreshortening(e.Cx, e.Cy);
            float ir = (float)e.Iris;
            // upper-lid skin between the lashes and the crease: the lid bulges over the eyeball and catches light
            double crease = e.Upper + 0.04 + 0.015 * (1 - id.Age);
            var fold = Curve(e.Xi + side * 0.01, e.Yi - 0.03, e.Cx, e.Cy - crease, e.Xo + side * 0.005, e.Yo - 0.02);
            using (var lid = Poly(upper.Concat(fold.Reverse())))
            using (var p = Fill(Skin(1.06, 0.35)))
            {
                p.MaskFilter = SKMaskFilter.CreateBlur(SKBlurStyle.Normal, 0.02f);
                c.DrawPath(lid, p);
            }
            using (var p = Fill(Rgb(0.8, 0.75, 0.73)))
            {
                // a wet ball in a socket: never paper-white, darker and pinker toward the corners
                p.Shader = SKShader.CreateRadialGradient(ctr, (float)(e.Ew * 1.05 * f),
                    [Rgb(0.9, 0.88, 0.86), Rgb(0.82, 0.77, 0.75), Rgb(0.62, 0.5, 0.48)], [0f, 0.6f, 1f], SKShaderTileMode.Clamp);
                c.DrawPath(eye, p);
            }
            c.Save();
            c.ClipPath(eye, antialias: true);
            DrawIris(ctr, ir, f);
            // the upper lid and lashes shade the top of the eyeball
            float top = (float)h.P(e.Cx, e.Cy - e.Upper).Y;
            using (var p = new SKPaint { IsAntialias = true })
            {
                p.Shader = SKShader.CreateLinearGradient(new SKPoint(0, top), new SKPoint(0, top + 0.75f * ir),
                    [Rgb(0.1, 0.06, 0.05, 0.45), Rgb(0.1, 0.06, 0.05, 0)], SKShaderTileMode.Clamp);
                c.DrawRect(-5, top - 0.1f, 10, 0.1f + 0.75f * ir, p);
            }
            c.Restore();
            // lid margin and lashes: a soft dark band, heavier toward the outer corner
            using (var p = Stroke(Rgb(0.07, 0.05, 0.05, 0.92), 0.026 * (id.Sex == "F" ? 1.2 : 0.95), soft: 0.45))
                c.DrawPoints(SKPointMode.Polygon, upper, p);
            using (var p = Stroke(Rgb(0.07, 0.05, 0.05, 0.6), 0.02, soft: 0.6))
                c.DrawPoints(SKPointMode.Polygon, upper[(upper.Length / 2)..], p); // the curve runs inner to outer corner
            using (var p = Stroke(Skin(0.55, 0.55), 0.016)) c.DrawPoints(SKPointMode.Polygon, lower, p);
            using (var p = Stroke(Skin(0.5, 0.6), 0.022, soft: 1.0)) c.DrawPoints(SKPointMode.Polygon, fold, p);
            // lower-lid line: a tense lid (AU7, AU6) bulges; age gives a tear trough
            double bag = 0.25 * id.Age + 0.9 * ex.LidTighten;
            if (bag > 0.1)
            {
                var line = Curve(e.Xi, e.Yi + 0.02, e.Cx, e.Cy + e.Lower + 0.035, e.Xo, e.Yo + 0.02);
                using var p = Stroke(Skin(0.62, Math.Min(0.7, bag * 0.6)), 0.02, soft: 1.0);
                c.DrawPoints(SKPointMode.Polygon, line, p);
            }
        }
    }

    /// <summary>Iris (this person's colour, fibred, with a dark limbal ring), pupil and a small catchlight.</summary>
    void DrawIris(SKPoint ctr, float ir, float f)
    {
        double r = id.IrisR, g = id.IrisG, b = id.IrisB;
        using (var p = Fill(Rgb(r, g, b)))
        {
            p.Shader = SKShader.CreateRadialGradient(ctr, ir,
                [Rgb(r * 1.3, g * 1.25, b * 1.2), Rgb(r, g, b), Rgb(r * 0.8, g * 0.8, b * 0.8), Rgb(r * 0.3, g * 0.3, b * 0.3)],
                [0.3f, 0.6f, 0.85f, 1f], SKShaderTileMode.Clamp);
            c.DrawOval(ctr, new SKSize(ir * f, ir), p);
        }
        // radial fibres: the iris's own pattern, the same in every photo of this person
        var rng = new Rng(id.TextureSeed ^ 0x1815);
        using (var light = new SKPath())
        using (var dark = new SKPath())
        {
            for (int k = 0; k < 18; k++)
            {
                double a = 2 * Math.PI * (k + rng.Uniform(-0.3, 0.3)) / 18;
                var path = k % 2 == 0 ? light : dark;
                path.MoveTo(ctr.X + (float)Math.Cos(a) * ir * 0.45f * f, ctr.Y + (float)Math.Sin(a) * ir * 0.45f);
                path.LineTo(ctr.X + (float)Math.Cos(a) * ir * 0.9f * f, ctr.Y + (float)Math.Sin(a) * ir * 0.9f);
            }
            using (var p = Stroke(Rgb(r * 1.5, g * 1.45, b * 1.4, 0.35), ir * 0.12, soft: 0.5)) c.DrawPath(light, p);
            using (var p = Stroke(Rgb(r * 0.5, g * 0.5, b * 0.5, 0.35), ir * 0.12, soft: 0.5)) c.DrawPath(dark, p);
        }
        using (var p = Fill(Rgb(0.03, 0.02, 0.02)))
        {
            p.MaskFilter = SKMaskFilter.CreateBlur(SKBlurStyle.Normal, ir * 0.05f);
            c.DrawOval(ctr, new SKSize(ir * 0.4f * f, ir * 0.4f), p);
        }
        using (var p = Fill(SKColors.White.WithAlpha(190)))
        {
            p.MaskFilter = SKMaskFilter.CreateBlur(SKBlurStyle.Normal, ir * 0.04f);
            c.DrawCircle(ctr.X + ir * 0.3f * f, ctr.Y - ir * 0.3f, ir * 0.11f, p);
        }
    }

    /// <summary>A brow: a faint blurred base and a few dozen thin hairs, growing up and out at the inner end
    /// and along the brow toward the tail, placed by this person's texture seed.</summary>
    void Brows()
    {
        double dark = (id.HairR + id.HairG + id.HairB) / 3 > 0.45 ? 0.5 : 0.85; // fair and grey hair: darker brows
        foreach (var side in new[] { -1.0, 1.0 })
        {
            var b = Brow(side);
            h.P((b.Xi + b.Xo) / 2, b.Ym, 0, out var facing);
            if (facing < 0.05) continue;
            var top = new List<SKPoint>();
            var bottom = new List<SKPoint>();
            for (int i = 0; i <= 12; i++)
            {
                double u = i / 12.0;
                var (x, y) = Quad(b.Xi, b.Yi, b.Xm, b.Ym, b.Xo, b.Yo, u);
                double th = b.Thickness * (1.1 - 0.7 * u * u) * (i == 0 ? 0.8 : 1);
                top.Add(h.P(x, y - th / 2, 0.01));
                bottom.Add(h.P(x, y + th / 2, 0.01));
            }
            bottom.Reverse();
            using (var brow = Poly(top.Concat(bottom)))
            using (var p = Fill(Hair(dark, 0.45 + 0.3 * id.BrowDensity)))
            {
                p.MaskFilter = SKMaskFilter.CreateBlur(SKBlurStyle.Normal, (float)(b.Thickness * 0.35));
                c.DrawPath(brow, p);
            }
            var r = new Rng(id.TextureSeed ^ (side > 0 ? 0xB40Bu : 0xB40Au));
            using var hairs = new SKPath();
            using var light = new SKPath();
            int count = (int)(90 * id.BrowDensity);
            for (int k = 0; k < count; k++)
            {
                double u = (k + r.NextDouble()) / count;
                var (x, y) = Quad(b.Xi, b.Yi, b.Xm, b.Ym, b.Xo, b.Yo, u);
                var (x2, y2) = Quad(b.Xi, b.Yi, b.Xm, b.Ym, b.Xo, b.Yo, Math.Min(1, u + 0.02));
                double th = b.Thickness * (1.1 - 0.7 * u * u);
                double dy = r.Uniform(-0.45, 0.45) * th;
                // direction: mostly up at the head of the brow, along it toward the tail
                double ax = (x2 - x), ay = (y2 - y), an = Math.Sqrt(ax * ax + ay * ay) + 1e-9;
                ax /= an; ay /= an;
                double up = Math.Max(0, 1 - 3 * u);
                double dx = ax * (1 - up) + 0.3 * ax * up, dyy = ay * (1 - up) - up;
                double len = 0.04 + 0.02 * r.NextDouble();
                var path = r.NextDouble() < 0.25 ? light : hairs;
                path.MoveTo(h.P(x - dx * len * 0.5, y + dy - dyy * len * 0.5, 0.012));
                path.LineTo(h.P(x + dx * len * 0.5, y + dy + dyy * len * 0.5, 0.012));
            }
            using (var p = Stroke(Hair(dark * 0.6, 0.85), 0.011, soft: 0.3)) c.DrawPath(hairs, p);
            using (var p = Stroke(Hair(dark * 1.1, 0.5), 0.01, soft: 0.3)) c.DrawPath(light, p);
        }
    }
}
