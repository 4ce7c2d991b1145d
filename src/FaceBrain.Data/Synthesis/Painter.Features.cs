using SkiaSharp;
using static FaceBrain.Data.Synthesis.FaceRenderer;

namespace FaceBrain.Data.Synthesis;

/// <summary>The facial features: eyes, brows, nose, mouth, cheeks, wrinkles, stubble.</summary>
internal sealed partial class Painter
{
    /// <summary>Eye-socket and brow-ridge shading: the eyes sit in hollows under the brows.</summary>
    void Sockets()
    {
        foreach (var side in new[] { -1.0, 1.0 })
        {
            var e = Eye(side);
            // darkest toward the nose, under the brow ridge, where the socket is deepest
            var ctr = h.P(e.Cx - side * 0.04, e.Cy - 0.045, 0);
            float f = h.Foreshortening(e.Cx, e.Cy);
            using var p = Fill(SKColors.Black);
            // a lowered brow (AU4) overhangs the eye and deepens the socket's shadow; a raised one lifts it
            double overhang = Math.Clamp(1 + 0.5 * Math.Max(0, -ex.BrowRaise) + 0.2 * ex.BrowTogether - 0.4 * Math.Max(0, ex.BrowRaise), 0.5, 1.6);
            var shade = Skin(0.55, (0.12 + 0.15 * id.EyeDepth) * overhang);
            p.Shader = SKShader.CreateRadialGradient(ctr, 0.26f, [shade, shade.WithAlpha(0)], SKShaderTileMode.Clamp);
            c.DrawOval(ctr, new SKSize(0.28f * f, 0.19f), p);
        }
    }

    void Nose()
    {
        double ty = NoseTipY, nw = id.NoseWidth * (1 + 0.15 * ex.NoseWrinkle), bw = 0.06 * id.NoseBridge;
        double lift = 0.035 * ex.NoseWrinkle + 0.015 * ex.UpperLipRaise;
        double lightX = Math.Cos(n.LightAngle * Math.PI / 180);
        // both sides of the bridge are shaded, the side away from the light more
        foreach (var side in new[] { -1.0, 1.0 })
        {
            double a = 0.3 + 0.35 * Math.Max(0, -side * lightX * 2.5) * n.LightStrength / 0.35;
            // a broad, soft shade down the side walls, fading in below the nose root (no lines between the eyes)
            var bridge = Curve(side * bw * 1.2, id.EyeHeight + 0.07, side * bw * 1.3, ty - 0.15, side * nw * 0.75, ty - 0.02 - lift, 0.03);
            using var p = Stroke(Skin(0.72, Math.Min(0.6, a * 0.8)), 0.05, soft: 0.9);
            c.DrawPoints(SKPointMode.Polygon, bridge, p);
        }
        // shadow under the nose, on the upper lip
        var under = h.P(0, ty + 0.07, 0.04);
        using (var p = Fill(Skin(0.6, 0.35)))
        {
            p.MaskFilter = SKMaskFilter.CreateBlur(SKBlurStyle.Normal, 0.02f);
            c.DrawOval(under, new SKSize((float)(nw * 0.9) * h.Foreshortening(0, ty), 0.03f), p);
        }
        // alae and the base of the nose
        foreach (var side in new[] { -1.0, 1.0 })
        {
            var ala = Curve(side * nw * 0.55, ty - 0.07 - lift, side * nw * 1.15, ty - lift, side * nw * 0.5, ty + 0.045 - lift, 0.05);
            using var p = Stroke(Skin(0.6, 0.55), 0.045, soft: 1.0); // the alar crease is a shade, not an outline
            c.DrawPoints(SKPointMode.Polygon, ala, p);
            h.P(side * nw * 0.45, ty + 0.03, 0.08, out var facing);
            if (facing > 0.05)
            {
                var nost = h.P(side * nw * 0.42, ty + 0.03 - lift, 0.08);
                float f = h.Foreshortening(side * nw * 0.45, ty);
                using var q = Fill(Rgb(id.SkinR * 0.3, id.SkinG * 0.2, id.SkinB * 0.2, 0.9));
                q.MaskFilter = SKMaskFilter.CreateBlur(SKBlurStyle.Normal, 0.01f);
                c.DrawOval(nost, new SKSize((float)(nw * 0.3 * (1 + 0.3 * ex.NoseWrinkle)) * f, 0.022f), q);
            }
        }
        var tip = h.P(0, ty - 0.04, 0.2);
        float tr = (float)(0.05 * id.NoseTip);
        using (var p = Fill(Skin(1.14, 0.4)))
        {
            p.MaskFilter = SKMaskFilter.CreateBlur(SKBlurStyle.Normal, 0.015f);
            c.DrawOval(tip, new SKSize(tr * h.Foreshortening(0, ty), tr * 0.8f), p);
        }
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
        var m = MouthGeometry();
        double mw = m.Mw, cy = m.CornerY;
        var upperInner = Curve(-mw, cy, 0, m.InnerTop, mw, cy, 0.02);
        var lowerInner = Curve(mw, cy, 0, m.InnerBottom, -mw, cy, 0.02);
        var upperOuter = Curve(-mw, cy, 0, m.OuterTop, mw, cy, 0.02);
        var lowerOuter = Curve(mw, cy, 0, m.OuterBottom, -mw, cy, 0.02);

        // Lips are skin with more blood under thinner skin: a little redder and darker than the face, not paint.
        double red = 0.5 * id.LipRed + (id.Sex == "F" ? 0.25 : 0);
        var lip = Rgb(id.SkinR * (0.88 + 0.06 * red) + 0.02, id.SkinG * (0.68 - 0.1 * red), id.SkinB * (0.74 - 0.1 * red));
        using (var p = Fill(lip))
        {
            using var up = Poly(upperOuter.Concat(upperInner.Reverse()));
            using var lo = Poly(lowerInner.Concat(lowerOuter.Reverse()));
            // the vermilion border is a soft edge
            p.MaskFilter = SKMaskFilter.CreateBlur(SKBlurStyle.Normal, 0.01f);
            using (var dark = Fill(Rgb(lip.Red / 255.0 * 0.8, lip.Green / 255.0 * 0.74, lip.Blue / 255.0 * 0.76)))
            {
                dark.MaskFilter = SKMaskFilter.CreateBlur(SKBlurStyle.Normal, 0.01f);
                c.DrawPath(up, dark); // the upper lip faces down, away from the light
            }
            c.DrawPath(lo, p);
            // the lower lip catches the light
            var hl = h.P(0, (m.InnerBottom + m.OuterBottom) / 2 - 0.005, 0.03);
            using var shine = Fill(SKColors.White.WithAlpha(40));
            shine.MaskFilter = SKMaskFilter.CreateBlur(SKBlurStyle.Normal, 0.02f);
            c.DrawOval(hl, new SKSize((float)(mw * 0.35), (float)Math.Max(0.01, (m.OuterBottom - m.InnerBottom) * 0.25)), shine);
        }
        if (m.Open)
        {
            using var inside = Poly(upperInner.Concat(lowerInner));
            using (var p = Fill(Rgb(0.16, 0.05, 0.05))) c.DrawPath(inside, p);
            c.Save();
            c.ClipPath(inside, antialias: true);
            double opening = m.InnerBottom - m.InnerTop;
            using (var p = Fill(Rgb(0.84, 0.8, 0.72)))
            {
                p.MaskFilter = SKMaskFilter.CreateBlur(SKBlurStyle.Normal, 0.008f);
                // the teeth sit in the mouth's shade: lit in the middle, dark toward the corners
                p.Shader = SKShader.CreateRadialGradient(h.P(0, m.InnerTop, 0.02), (float)mw,
                    [Rgb(0.84, 0.8, 0.72), Rgb(0.66, 0.6, 0.54), Rgb(0.35, 0.28, 0.25)], [0f, 0.55f, 1f], SKShaderTileMode.Clamp);
                // upper teeth hang from the upper lip; lower teeth show when the lower lip is pulled down and stretched
                double tu = Math.Min(0.075, 0.3 * opening + 0.02);
                using var teeth = Poly(Curve(-mw, cy - 0.03, 0, m.InnerTop - 0.02, mw, cy - 0.03, 0.02)
                    .Concat(Curve(mw, cy - 0.01, 0, m.InnerTop + tu, -mw, cy - 0.01, 0.02)));
                c.DrawPath(teeth, p);
                double tl = Math.Min(0.05, opening * (0.15 + 0.5 * Math.Max(0, ex.MouthStretch) + 0.3 * ex.JawDrop * (1 - Math.Max(0, ex.MouthCurve))));
                if (tl > 0.008)
                {
                    using var low = Poly(Curve(-mw, cy + 0.03, 0, m.InnerBottom + 0.02, mw, cy + 0.03, 0.02)
                        .Concat(Curve(mw, cy + 0.01, 0, m.InnerBottom - tl, -mw, cy + 0.01, 0.02)));
                    using var q = Fill(Rgb(0.7, 0.66, 0.6));
                    c.DrawPath(low, q);
                }
                // the gaps between the upper incisors
                using var gapPaint = Stroke(Rgb(0.6, 0.55, 0.5, 0.6), 0.006);
                foreach (var x in new[] { -0.09, -0.035, 0.0, 0.035, 0.09 })
                {
                    var t0 = h.P(x * mw / 0.3, m.InnerTop, 0.02);
                    var t1 = h.P(x * mw / 0.3, m.InnerTop + tu * 0.9, 0.02);
                    c.DrawLine(t0, t1, gapPaint);
                }
            }
            c.Restore();
        }
        else
            using (var p = Stroke(Rgb(id.SkinR * 0.3, id.SkinG * 0.16, id.SkinB * 0.15, 0.9), 0.02, soft: 0.5)) c.DrawPoints(SKPointMode.Polygon, upperInner, p);
        // philtrum
        double ty = NoseTipY;
        foreach (var x in new[] { -0.035, 0.035 })
        {
            var line = Curve(x * 0.7, ty + 0.07, x, (ty + m.OuterTop) / 2 + 0.02, x * 1.2, m.OuterTop + 0.005, 0.02);
            using var p = Stroke(Skin(0.8, 0.35), 0.014);
            c.DrawPoints(SKPointMode.Polygon, line, p);
        }
        // shadow under the lower lip; the chin raiser (AU17) deepens it and wrinkles the chin
        var chin = Curve(-mw * 0.45, m.OuterBottom + 0.045, 0, m.OuterBottom + 0.07 - 0.02 * ex.ChinRaise, mw * 0.45, m.OuterBottom + 0.045, 0.01);
        using (var p = Stroke(Skin(0.72, 0.2 + 0.45 * ex.ChinRaise), 0.03)) c.DrawPoints(SKPointMode.Polygon, chin, p);
        if (ex.ChinRaise > 0.25)
        {
            var r = new Rng(id.TextureSeed ^ 0xC417);
            using var p = Fill(Skin(0.82, Math.Min(0.45, ex.ChinRaise * 0.45)));
            for (int k = 0; k < 9; k++)
                c.DrawCircle(h.P(r.Uniform(-0.12, 0.12), m.OuterBottom + r.Uniform(0.1, 0.2), 0.02), 0.012f, p);
        }
        // mouth corners: dimples when smiling, down-turned creases when sad or disgusted
        foreach (var side in new[] { -1.0, 1.0 })
        {
            double curve = ex.MouthCurve;
            double cxp = side * (mw + 0.02);
            var crease = Curve(cxp, cy - 0.04 * Math.Sign(curve), cxp + side * 0.025, cy, cxp - side * 0.01 * Math.Sign(curve), cy + 0.07 * Math.Sign(curve), 0.01);
            using var p = Stroke(Skin(0.64, Math.Min(0.85, Math.Abs(curve) * 0.9)), 0.018);
            c.DrawPoints(SKPointMode.Polygon, crease, p);
        }
    }

    void Cheeks()
    {
        double ty = NoseTipY;
        var m = MouthGeometry();
        foreach (var side in new[] { -1.0, 1.0 })
        {
            // nasolabial fold: faint always, deeper with age, a smile, disgust or a raised upper lip
            double depth = 0.04 + 0.25 * id.Age + 0.55 * Math.Max(0, ex.CheekRaise) + 0.4 * ex.NoseWrinkle + 0.3 * ex.UpperLipRaise;
            // (a real fold is deepest beside the nose wing and fades out beside the mouth corner, not round it)
            double end = m.CornerY - 0.01 + 0.04 * Math.Max(0, -ex.MouthCurve);
            var fold = Curve(side * id.NoseWidth * 1.25, ty - 0.03 - 0.02 * ex.UpperLipRaise, side * (m.Mw + 0.12 + 0.04 * ex.CheekRaise), (ty + end) / 2,
                side * (m.Mw + 0.07), end, 0.01);
            using (var p = Stroke(Skin(0.62, Math.Min(0.9, depth)), 0.024)) c.DrawPoints(SKPointMode.Polygon, fold[..7], p);
            using (var p = Stroke(Skin(0.62, Math.Min(0.9, depth) * 0.45), 0.024)) c.DrawPoints(SKPointMode.Polygon, fold[6..], p);
            // the cheek bulges above the fold and catches light
            using (var p = Stroke(Skin(1.12, Math.Min(0.5, depth * 0.5)), 0.05, soft: 1.0))
                c.DrawPoints(SKPointMode.Polygon, fold[..8].Select(q => new SKPoint(q.X + (float)(side * 0.035), q.Y - 0.01f)).ToArray(), p);
            // cheekbone highlight, lifted and rounded by AU6
            var ctr = h.P(side * (id.EyeSpacing + 0.06), id.EyeHeight + 0.28 - 0.06 * ex.CheekRaise, 0.02);
            using (var p = Fill(SKColors.Black))
            {
                var hi = Skin(1.1, 0.25 + 0.25 * ex.CheekRaise + 0.15 * id.CheekBones);
                p.Shader = SKShader.CreateRadialGradient(ctr, 0.18f, [hi, hi.WithAlpha(0)], SKShaderTileMode.Clamp);
                c.DrawOval(ctr, new SKSize(0.2f * h.Foreshortening(side * 0.45, 0.2), 0.15f), p);
            }
            if (ex.CheekRaise > 0.3)
            {
                // crow's feet at the outer eye corner
                var e = Eye(side);
                using var q = Stroke(Skin(0.66, Math.Min(0.6, (ex.CheekRaise - 0.3) * 0.9)), 0.012);
                for (int k = -1; k <= 1; k++)
                {
                    var line = Curve(e.Xo + side * 0.03, e.Yo + 0.02 * k, e.Xo + side * 0.07, e.Yo + 0.035 * k, e.Xo + side * 0.1, e.Yo + 0.055 * k, 0.01);
                    c.DrawPoints(SKPointMode.Polygon, line, q);
                }
            }
        }
    }

    void Wrinkles()
    {
        double foreheadLines = Math.Max(0, ex.BrowRaise - 0.25) * 1.2 + 0.25 * id.Age;
        if (foreheadLines > 0.1)
        {
            double a = Math.Min(0.7, foreheadLines);
            for (int k = 0; k < 3; k++)
            {
                double y = id.EyeHeight - id.BrowHeight - 0.2 - 0.075 * k - 0.05 * Math.Max(0, ex.BrowRaise);
                var line = Curve(-0.35, y + 0.02, 0, y - 0.02, 0.35, y + 0.02, 0.01);
                using var p = Stroke(Skin(0.7, a), 0.014);
                c.DrawPoints(SKPointMode.Polygon, line, p);
            }
        }
        if (ex.BrowTogether > 0.25)
        {
            // the glabella: vertical lines between drawn-together brows
            double a = Math.Min(0.85, ex.BrowTogether * 0.9);
            var bl = Brow(-1);
            double y = bl.Yi;
            foreach (var x in new[] { -0.035, 0.035 })
            {
                var line = Curve(x * 0.8, y - 0.09, x, y - 0.02, x * 1.2, y + 0.05, 0.01);
                using var p = Stroke(Skin(0.58, a), 0.018);
                c.DrawPoints(SKPointMode.Polygon, line, p);
            }
            // and the bunched skin above the nose root
            var knot = h.P(0, y + 0.06, 0.02);
            using var q = Fill(Skin(0.7, 0.3 * a));
            q.MaskFilter = SKMaskFilter.CreateBlur(SKBlurStyle.Normal, 0.02f);
            c.DrawOval(knot, new SKSize(0.05f, 0.03f), q);
        }
        if (ex.BrowInner > 0.3)
        {
            // worry: a short raised crease above the inner brows
            double y = id.EyeHeight - id.BrowHeight - 0.13 - 0.05 * ex.BrowInner;
            var line = Curve(-0.14, y + 0.015, 0, y - 0.035, 0.14, y + 0.015, 0.01);
            using var p = Stroke(Skin(0.66, Math.Min(0.7, ex.BrowInner - 0.15)), 0.016);
            c.DrawPoints(SKPointMode.Polygon, line, p);
        }
        if (ex.NoseWrinkle > 0.2)
        {
            double a = Math.Min(0.85, ex.NoseWrinkle * 0.9);
            for (int k = 0; k < 3; k++)
            {
                double y = id.EyeHeight + 0.06 + 0.045 * k;
                var line = Curve(-0.075, y + 0.014, 0, y - 0.012, 0.075, y + 0.014, 0.03);
                using var p = Stroke(Skin(0.55, a), 0.016);
                c.DrawPoints(SKPointMode.Polygon, line, p);
            }
            // bunny lines on the sides of the nose
            foreach (var side in new[] { -1.0, 1.0 })
            {
                var line = Curve(side * 0.07, id.EyeHeight + 0.05, side * 0.11, id.EyeHeight + 0.11, side * 0.12, id.EyeHeight + 0.18, 0.02);
                using var p = Stroke(Skin(0.62, a * 0.8), 0.013);
                c.DrawPoints(SKPointMode.Polygon, line, p);
            }
        }
    }

    /// <summary>Freckles and moles: this person's own marks, in the same places in every photo.</summary>
    void Marks()
    {
        var r = new Rng(id.TextureSeed);
        if (id.Freckles > 0)
        {
            using var p = Fill(Rgb(id.SkinR * 0.7, id.SkinG * 0.55, id.SkinB * 0.45, 0.35 * id.Freckles));
            int count = (int)(40 * id.Freckles);
            for (int k = 0; k < count; k++)
            {
                double x = r.Uniform(-0.55, 0.55), y = id.EyeHeight + r.Uniform(0.08, 0.42);
                if (Math.Abs(x) < 0.06 && y > NoseTipY) continue;
                c.DrawCircle(h.P(x, y, 0.01), (float)r.Uniform(0.006, 0.013), p);
            }
        }
        using (var q = Fill(Rgb(id.SkinR * 0.4, id.SkinG * 0.3, id.SkinB * 0.25, 0.85)))
            for (int k = 0; k < id.Moles; k++)
            {
                double x = r.Uniform(-0.75, 0.75), y = r.Uniform(id.EyeHeight - 0.3, h.Chin * 0.85);
                c.DrawCircle(h.P(x, y, 0.01), (float)r.Uniform(0.01, 0.02), q);
            }
    }

    /// <summary>Moustache, goatee or full beard in the hair colour.</summary>
    void Beard()
    {
        if (id.Beard == 0) return;
        var m = MouthGeometry();
        double ty = NoseTipY;
        var col = Hair(0.9, 0.85);
        using var p = Fill(col);
        p.MaskFilter = SKMaskFilter.CreateBlur(SKBlurStyle.Normal, 0.02f);
        // the moustache, in every style
        using (var mo = new SKPath())
        {
            var top = Curve(-m.Mw - 0.02, m.CornerY + 0.01, 0, ty + 0.06, m.Mw + 0.02, m.CornerY + 0.01, 0.03);
            var bottom = Curve(m.Mw + 0.04, m.CornerY + 0.03, 0, m.OuterTop + 0.015, -m.Mw - 0.04, m.CornerY + 0.03, 0.03);
            mo.AddPoly(top.Concat(bottom).ToArray(), true);
            c.DrawPath(mo, p);
        }
        if (id.Beard == 1) return;
        using var beard = new SKPath();
        double a = id.Beard == 3 ? id.FaceWidth * 1.02 : m.Mw + 0.08;
        // a full beard starts on the cheeks below the cheekbones, level with the mouth toward the ears
        double from = id.Beard == 3 ? (ty + m.CornerY) / 2 + 0.03 : m.OuterBottom + 0.01;
        var outline = new List<SKPoint>();
        for (int k = 0; k <= 16; k++)
        {
            double t = k / 16.0, x = -a + 2 * a * t;
            double y = id.Beard == 3 ? h.Chin + 0.06 : h.Chin + 0.04;
            outline.Add(h.P(x, id.Beard == 3 ? Math.Min(y, from + (y - from) * Math.Sqrt(1 - Math.Pow(2 * t - 1, 8)) + 0.0) : y, 0.02));
        }
        var mouthHole = Curve(m.Mw + 0.02, m.CornerY, 0, m.OuterBottom + 0.02, -m.Mw - 0.02, m.CornerY, 0.03);
        var pts = new List<SKPoint> { h.P(-a, from, 0.02) };
        pts.AddRange(outline);
        pts.Add(h.P(a, from, 0.02));
        pts.Add(h.P(m.Mw + 0.04, m.CornerY, 0.03));
        pts.AddRange(mouthHole);
        pts.Add(h.P(-m.Mw - 0.04, m.CornerY, 0.03));
        beard.AddPoly(pts.ToArray(), true);
        p.MaskFilter = SKMaskFilter.CreateBlur(SKBlurStyle.Normal, 0.035f); // skin shows through the beard's edge
        c.DrawPath(beard, p);
        // short hairs, lighter and darker than the mass, so it reads as hair and not a fill
        c.Save();
        c.ClipPath(beard, antialias: true);
        var r = new Rng(id.TextureSeed ^ 0xBEA2D);
        var box = beard.Bounds;
        using var light = new SKPath();
        using var dark = new SKPath();
        for (int k = 0; k < 220; k++)
        {
            float x = (float)r.Uniform(box.Left, box.Right), y = (float)r.Uniform(box.Top, box.Bottom);
            float dx = (float)r.Uniform(-0.015, 0.015), len = (float)r.Uniform(0.025, 0.045);
            var path = r.NextDouble() < 0.5 ? light : dark;
            path.MoveTo(x, y);
            path.LineTo(x + dx, y + len);
        }
        using (var q = Stroke(Hair(1.5, 0.35), 0.008, soft: 0.4)) c.DrawPath(light, q);
        using (var q = Stroke(Hair(0.5, 0.4), 0.008, soft: 0.4)) c.DrawPath(dark, q);
        c.Restore();
    }

    void Stubble()
    {
        double top = NoseTipY + 0.07;
        using var p = Fill(SKColors.Black);
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
