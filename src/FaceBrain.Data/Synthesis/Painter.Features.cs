using SkiaSharp;
using static FaceBrain.Data.Synthesis.FaceRenderer;

namespace FaceBrain.Data.Synthesis;

/// <summary>The facial features: eyes, brows, nose, mouth, cheeks, wrinkles, stubble.</summary>
internal sealed partial class Painter
{
    void Eyes()
    {
        foreach (var side in new[] { -1.0, 1.0 })
        {
            double cx = side * id.EyeSpacing, cy = id.EyeHeight;
            h.P(cx, cy, 0, out var facing);
            if (facing < 0.05) continue;
            double ew = 0.14 * id.EyeSize;
            double open = Math.Max(0.12, 1 + 0.75 * ex.EyeOpen);
            double up = 0.07 * id.EyeSize * open, down = 0.045 * id.EyeSize * Math.Max(0.5, Math.Min(open, 1.6));
            // almond: outer corner slightly higher than the inner one
            double xi = cx - side * ew, xo = cx + side * ew, yi = cy + 0.005, yo = cy - 0.012;
            var upper = Curve(xi, yi, cx, cy - 2 * up, xo, yo);
            var lower = Curve(xo, yo, cx, cy + 2 * down, xi, yi);
            using var eye = Poly(upper.Concat(lower));
            using (var p = Fill(Rgb(0.96, 0.95, 0.93))) c.DrawPath(eye, p);
            c.Save();
            c.ClipPath(eye, antialias: true);
            var ctr = h.P(cx, cy + 0.005, 0.01);
            float f = h.Foreshortening(cx, cy);
            float ir = (float)(0.064 * id.EyeSize);
            using (var p = Fill(Rgb(id.IrisR, id.IrisG, id.IrisB))) c.DrawOval(ctr, new SKSize(ir * f, ir), p);
            using (var p = Fill(Rgb(0.04, 0.03, 0.03))) c.DrawOval(ctr, new SKSize(ir * 0.45f * f, ir * 0.45f), p);
            using (var p = Fill(SKColors.White.WithAlpha(220))) c.DrawCircle(ctr.X + ir * 0.3f * f, ctr.Y - ir * 0.35f, ir * 0.18f, p);
            using (var p = Fill(Skin(0.55, 0.35))) c.DrawRect(-5, (float)(cy - 2 * up), 10, (float)(up * 0.55), p); // lid shadow
            c.Restore();
            using (var p = Stroke(Rgb(0.12, 0.08, 0.07), 0.028)) c.DrawPoints(SKPointMode.Polygon, upper, p);
            using (var p = Stroke(Skin(0.6), 0.012)) c.DrawPoints(SKPointMode.Polygon, lower, p);
            // the lid crease above the eye
            var crease = Curve(cx - side * ew * 0.8, cy - up * 0.9 - 0.03, cx, cy - 2 * up - 0.06, cx + side * ew * 0.9, cy - up * 0.8 - 0.035);
            using (var p = Stroke(Skin(0.7, 0.6), 0.012)) c.DrawPoints(SKPointMode.Polygon, crease, p);
        }
    }

    void Brows()
    {
        foreach (var side in new[] { -1.0, 1.0 })
        {
            double cx = side * id.EyeSpacing;
            double baseY = id.EyeHeight - id.BrowHeight - 0.12 * ex.BrowRaise;
            double xi = cx - side * (0.13 - 0.03 * Math.Max(0, -ex.BrowInner)), xo = cx + side * 0.17;
            double yi = baseY - 0.1 * ex.BrowInner + 0.01, yo = baseY + 0.025 * ex.BrowInner + 0.02;
            double ym = (yi + yo) / 2 - 0.045 - 0.02 * ex.BrowRaise;
            h.P(cx, baseY, 0, out var facing);
            if (facing < 0.05) continue;
            double t = id.BrowThickness * 1.35;
            var top = new List<SKPoint>();
            var bottom = new List<SKPoint>();
            for (int i = 0; i <= 10; i++)
            {
                double u = i / 10.0;
                double x = xi + (xo - xi) * u;
                double y = (1 - u) * (1 - u) * yi + 2 * u * (1 - u) * ym + u * u * yo;
                double th = t * (1 - 0.55 * u);
                top.Add(h.P(x, y - th / 2, 0.01));
                bottom.Add(h.P(x, y + th / 2, 0.01));
            }
            bottom.Reverse();
            using var brow = Poly(top.Concat(bottom));
            double dark = (id.HairR + id.HairG + id.HairB) / 3 > 0.45 ? 0.55 : 0.9; // fair and grey hair: darker brows
            using (var p = Fill(Hair(dark))) c.DrawPath(brow, p);
        }
    }

    double NoseTipY => id.EyeHeight + id.NoseLength + 0.02;

    void Nose()
    {
        double ty = NoseTipY, nw = id.NoseWidth * (1 + 0.15 * ex.NoseWrinkle);
        double lift = 0.035 * ex.NoseWrinkle;
        var shadeSide = Math.Cos(n.LightAngle * Math.PI / 180) >= 0 ? -1.0 : 1.0;
        // bridge shadow on the side away from the light
        var bridge = Curve(shadeSide * 0.06, id.EyeHeight + 0.02, shadeSide * 0.07, ty - 0.15, shadeSide * nw * 0.75, ty - 0.02 - lift, 0.03);
        using (var p = Stroke(Skin(0.75, 0.55), 0.025)) c.DrawPoints(SKPointMode.Polygon, bridge, p);
        // alae and the base of the nose
        foreach (var side in new[] { -1.0, 1.0 })
        {
            var ala = Curve(side * nw * 0.55, ty - 0.07 - lift, side * nw * 1.15, ty - lift, side * nw * 0.5, ty + 0.045 - lift, 0.05);
            using var p = Stroke(Skin(0.62), 0.022);
            c.DrawPoints(SKPointMode.Polygon, ala, p);
            h.P(side * nw * 0.45, ty + 0.03, 0.08, out var facing);
            if (facing > 0.05)
            {
                var nost = h.P(side * nw * 0.45, ty + 0.03 - lift, 0.08);
                float f = h.Foreshortening(side * nw * 0.45, ty);
                using var q = Fill(Rgb(id.SkinR * 0.35, id.SkinG * 0.25, id.SkinB * 0.25, 0.85));
                c.DrawOval(nost, new SKSize((float)(nw * 0.32) * f, 0.022f), q);
            }
        }
        var tip = h.P(0, ty - 0.04, 0.2);
        using (var p = Fill(Skin(1.12, 0.35))) c.DrawOval(tip, new SKSize(0.05f * h.Foreshortening(0, ty), 0.04f), p);
    }

    /// <summary>
    /// The centre-line profile (brow, nose, lips, chin) standing out from the face surface: invisible from the
    /// front, it gives a turned head its silhouette. Filled back into the near cheek so it joins the face.
    /// </summary>
    void NoseProfile()
    {
        if (Math.Abs(h.Sin) < 0.15) return;
        double ty = NoseTipY, prot = 0.18 + 0.25 * id.NoseLength;
        double my = id.MouthHeight, lip = 0.03 + 0.6 * id.LipThickness * (1 - 0.5 * ex.LipPress);
        double gap = 0.2 * ex.MouthOpen;
        double brow = id.EyeHeight - id.BrowHeight - 0.1 * ex.BrowRaise;
        var nose = new (double Y, double Dz)[]
        {
            (id.EyeHeight - 0.02, 0.0), (id.EyeHeight + 0.05, 0.03),
            (ty - 0.05, prot), (ty + 0.01, prot * 0.95), (ty + 0.05, prot * 0.55), (ty + 0.08, 0.0),
        };
        if (Math.Abs(h.Sin) < 0.9)
        {
            // half-turned: only the nose stands out; the lips and chin are still seen from the front
            var np = nose.Select(q => h.P(0, q.Y, q.Dz)).ToList();
            double nb = Math.Sign(h.Sin) * -0.25;
            using var nosePath = Poly(np.Concat([h.P(nb, ty + 0.08, 0), h.P(nb, id.EyeHeight, 0)]));
            using (var p = Fill(Skin(0.98))) c.DrawPath(nosePath, p);
            using var noseEdge = Stroke(Skin(0.65, Math.Min(1, Math.Abs(h.Sin) * 1.5)), 0.015);
            using var noseRidge = Poly(np, close: false);
            c.DrawPath(noseRidge, noseEdge);
            return;
        }
        var profile = new (double Y, double Dz)[]
        {
            (brow - 0.25, 0.0), (brow, 0.05), (id.EyeHeight - 0.02, 0.0), (id.EyeHeight + 0.05, 0.03),
            (ty - 0.05, prot), (ty + 0.01, prot * 0.95), (ty + 0.05, prot * 0.55), (ty + 0.08, 0.02),
            (my - 0.06 - gap * 0.45, lip), (my - gap * 0.45, 0.01), (my + gap, 0.01), (my + 0.07 + gap, lip * 0.9),
            (my + 0.16 + gap, 0.0), (h.Chin - 0.12, 0.05), (h.Chin - 0.03, 0.02),
        };
        var pts = profile.Select(q => h.P(0, q.Y, q.Dz)).ToList();
        double back = Math.Sign(h.Sin) * -0.12; // a thin strip: the near eye sits just behind it
        var closed = pts.Concat([h.P(back, h.Chin - 0.1, 0), h.P(back, brow - 0.25, 0)]).ToList();
        using var path = Poly(closed);
        using (var p = Fill(Skin(0.97))) c.DrawPath(path, p);
        // the lips' red seen from the side
        var lipColour = id.Sex == "F"
            ? Rgb(id.SkinR * 0.62 + 0.3, id.SkinG * 0.45 + 0.05, id.SkinB * 0.5 + 0.06, Math.Min(1, Math.Abs(h.Sin) * 1.3))
            : Rgb(id.SkinR * 0.75 + 0.12, id.SkinG * 0.6 + 0.02, id.SkinB * 0.6 + 0.03, Math.Min(1, Math.Abs(h.Sin) * 1.3));
        using (var lips = Poly([h.P(0, my - 0.075 - gap * 0.45, 0.01), pts[8], pts[9], pts[10], pts[11], h.P(0, my + 0.1 + gap, 0.01),
                   h.P(back * 0.3, my + 0.08 + gap, 0), h.P(back * 0.3, my - 0.07 - gap * 0.45, 0)]))
        using (var p = Fill(lipColour))
            c.DrawPath(lips, p);
        using var edge = Stroke(Skin(0.65, Math.Min(1, Math.Abs(h.Sin) * 1.5)), 0.015);
        using var ridge = Poly(pts, close: false);
        c.DrawPath(ridge, edge);
    }

    void Mouth()
    {
        double my = id.MouthHeight, press = ex.LipPress;
        double mw = id.MouthWidth * (1 + 0.45 * ex.MouthStretch + 0.12 * Math.Max(0, ex.MouthCurve));
        double cornerY = my - 0.085 * ex.MouthCurve;
        double gap = 0.2 * ex.MouthOpen;
        double tu = id.LipThickness * (1 - 0.65 * press), tl = 1.35 * id.LipThickness * (1 - 0.65 * press);
        double raise = 0.07 * ex.NoseWrinkle;
        double innerTop = my - gap * 0.45 - raise, innerBottom = my + gap + 0.06 * Math.Max(0, ex.MouthCurve) * ex.MouthOpen * 2;
        double sag = 0.05 * ex.MouthCurve; // smile: the lip line dips in the middle

        var upperInner = Curve(-mw, cornerY, 0, innerTop + sag, mw, cornerY, 0.02);
        var lowerInner = Curve(mw, cornerY, 0, innerBottom + sag, -mw, cornerY, 0.02);
        var upperOuter = Curve(-mw, cornerY, 0, innerTop - 2 * tu + sag * 0.5, mw, cornerY, 0.02);
        var lowerOuter = Curve(mw, cornerY, 0, innerBottom + 2 * tl + sag, -mw, cornerY, 0.02);

        var lip = id.Sex == "F"
            ? Rgb(id.SkinR * 0.62 + 0.3, id.SkinG * 0.45 + 0.05, id.SkinB * 0.5 + 0.06)
            : Rgb(id.SkinR * 0.75 + 0.12, id.SkinG * 0.6 + 0.02, id.SkinB * 0.6 + 0.03);
        using (var p = Fill(lip))
        {
            using var up = Poly(upperOuter.Concat(upperInner.Reverse()));
            using var lo = Poly(lowerInner.Concat(lowerOuter.Reverse()));
            c.DrawPath(up, p);
            c.DrawPath(lo, p);
        }
        if (gap > 0.012)
        {
            using var inside = Poly(upperInner.Concat(lowerInner));
            using (var p = Fill(Rgb(0.28, 0.07, 0.08))) c.DrawPath(inside, p);
            c.Save();
            c.ClipPath(inside, antialias: true);
            using (var p = Fill(Rgb(0.95, 0.94, 0.9)))
            {
                using var teeth = Poly(Curve(-mw, cornerY - 0.02, 0, innerTop + sag - 0.02, mw, cornerY - 0.02, 0.02)
                    .Concat(Curve(mw, cornerY + 0.0, 0, innerTop + sag + Math.Min(gap * 0.55, 0.075), -mw, cornerY + 0.0, 0.02)));
                c.DrawPath(teeth, p);
            }
            c.Restore();
        }
        using (var p = Stroke(Rgb(0.3, 0.12, 0.1, 0.85), 0.018))
        {
            if (gap <= 0.012) c.DrawPoints(SKPointMode.Polygon, upperInner, p);
        }
        // shadow under the lower lip
        var chin = Curve(-mw * 0.3, innerBottom + 2 * tl + 0.07, 0, innerBottom + 2 * tl + 0.09, mw * 0.3, innerBottom + 2 * tl + 0.07, 0.01);
        using (var p = Stroke(Skin(0.75, 0.35), 0.02)) c.DrawPoints(SKPointMode.Polygon, chin, p);
        // mouth corners: dimples when smiling, down-turned creases when sad
        foreach (var side in new[] { -1.0, 1.0 })
        {
            double cxp = side * (mw + 0.02);
            var crease = Curve(cxp, cornerY - 0.04 * Math.Sign(ex.MouthCurve), cxp + side * 0.02, cornerY, cxp, cornerY + 0.05 * Math.Sign(ex.MouthCurve), 0.01);
            using var p = Stroke(Skin(0.68, Math.Min(0.8, Math.Abs(ex.MouthCurve) * 0.8)), 0.015);
            c.DrawPoints(SKPointMode.Polygon, crease, p);
        }
    }

    void Cheeks()
    {
        double ty = NoseTipY;
        foreach (var side in new[] { -1.0, 1.0 })
        {
            // nasolabial fold: faint always, deep with a smile or disgust
            double depth = 0.07 + 0.6 * Math.Max(0, ex.CheekRaise) + 0.5 * ex.NoseWrinkle;
            double mw = id.MouthWidth * (1 + 0.45 * ex.MouthStretch);
            double end = id.MouthHeight - 0.085 * ex.MouthCurve + 0.03; // stops beside the mouth corner
            var fold = Curve(side * id.NoseWidth * 1.25, ty - 0.03, side * (mw + 0.13), (ty + end) / 2, side * (mw + 0.07), end, 0.01);
            using (var p = Stroke(Skin(0.66, Math.Min(0.9, depth)), 0.02)) c.DrawPoints(SKPointMode.Polygon, fold, p);
            if (ex.CheekRaise > 0)
            {
                var ctr = h.P(side * (id.EyeSpacing + 0.05), id.EyeHeight + 0.3, 0.02);
                using var p = Fill(SKColors.Transparent);
                var blush = Rgb(0.95, 0.45, 0.45, 0.22 * ex.CheekRaise);
                p.Shader = SKShader.CreateRadialGradient(ctr, 0.15f, [blush, blush.WithAlpha(0)], SKShaderTileMode.Clamp);
                c.DrawOval(ctr, new SKSize(0.16f * h.Foreshortening(side * 0.45, 0.2), 0.12f), p);
                // raised lower lid
                var lid = Curve(side * (id.EyeSpacing - 0.1), id.EyeHeight + 0.085, side * id.EyeSpacing, id.EyeHeight + 0.125, side * (id.EyeSpacing + 0.11), id.EyeHeight + 0.075, 0.01);
                using var q = Stroke(Skin(0.68, 0.7 * ex.CheekRaise), 0.015);
                c.DrawPoints(SKPointMode.Polygon, lid, q);
            }
        }
    }

    void Wrinkles()
    {
        if (ex.BrowRaise > 0.3)
        {
            double a = Math.Min(0.7, (ex.BrowRaise - 0.3) * 1.2);
            for (int k = 0; k < 3; k++)
            {
                double y = id.EyeHeight - id.BrowHeight - 0.2 - 0.075 * k;
                var line = Curve(-0.35, y + 0.02, 0, y - 0.02, 0.35, y + 0.02, 0.01);
                using var p = Stroke(Skin(0.7, a), 0.014);
                c.DrawPoints(SKPointMode.Polygon, line, p);
            }
        }
        if (ex.BrowInner < -0.3)
        {
            double a = Math.Min(0.8, (-ex.BrowInner - 0.2));
            foreach (var x in new[] { -0.045, 0.045 })
            {
                double y = id.EyeHeight - id.BrowHeight;
                var line = Curve(x * 0.8, y - 0.08, x, y - 0.02, x * 1.2, y + 0.04, 0.01);
                using var p = Stroke(Skin(0.62, a), 0.016);
                c.DrawPoints(SKPointMode.Polygon, line, p);
            }
        }
        if (ex.BrowInner > 0.3)
        {
            // worry: a short raised crease above the inner brows
            double y = id.EyeHeight - id.BrowHeight - 0.12;
            var line = Curve(-0.12, y + 0.01, 0, y - 0.03, 0.12, y + 0.01, 0.01);
            using var p = Stroke(Skin(0.7, Math.Min(0.6, ex.BrowInner - 0.2)), 0.014);
            c.DrawPoints(SKPointMode.Polygon, line, p);
        }
        if (ex.NoseWrinkle > 0.2)
        {
            double a = Math.Min(0.55, ex.NoseWrinkle * 0.6);
            for (int k = 0; k < 2; k++)
            {
                double y = id.EyeHeight + 0.08 + 0.05 * k;
                var line = Curve(-0.06, y + 0.012, 0, y - 0.012, 0.06, y + 0.012, 0.03);
                using var p = Stroke(Skin(0.65, a), 0.011);
                c.DrawPoints(SKPointMode.Polygon, line, p);
            }
        }
    }

    void Stubble()
    {
        double top = NoseTipY + 0.07;
        using var p = Fill(SKColors.Transparent);
        var beard = Rgb(id.HairR * 0.5, id.HairG * 0.5, id.HairB * 0.55, id.Stubble * 0.6);
        p.Shader = SKShader.CreateLinearGradient(new SKPoint(0, (float)top - 0.05f), new SKPoint(0, (float)top + 0.12f),
            [beard.WithAlpha(0), beard], SKShaderTileMode.Clamp);
        using var region = new SKPath();
        double a = id.FaceWidth;
        region.MoveTo(h.P(-a, id.MouthHeight - 0.05));
        region.LineTo(h.P(-id.MouthWidth - 0.1, top));
        region.LineTo(h.P(id.MouthWidth + 0.1, top));
        region.LineTo(h.P(a, id.MouthHeight - 0.05));
        region.LineTo(h.P(a, h.Chin + 0.3));
        region.LineTo(h.P(-a, h.Chin + 0.3));
        region.Close();
        c.DrawPath(region, p);
    }
}
