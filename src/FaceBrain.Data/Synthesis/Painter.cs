using SkiaSharp;
using static FaceBrain.Data.Synthesis.FaceRenderer;

namespace FaceBrain.Data.Synthesis;

/// <summary>Draws the parts of one face, back to front, in head-model units.</summary>
internal sealed partial class Painter(SKCanvas c, IdentityParams id, ExpressionParams ex, Nuisance n, HeadModel h)
{
    SKColor Skin(double f = 1, double a = 1) => Rgb(id.SkinR * f, id.SkinG * f, id.SkinB * f, a);
    SKColor Hair(double f = 1, double a = 1) => Rgb(id.HairR * f, id.HairG * f, id.HairB * f, a);

    /// <summary>A fill. Under a shader pass an opaque colour (black): Skia scales the shader by the paint's alpha,
    /// so a transparent colour draws nothing.</summary>
    static SKPaint Fill(SKColor col) => new() { IsAntialias = true, Color = col, Style = SKPaintStyle.Fill };
    /// <summary>A line; <paramref name="soft"/> blurs it by that share of its width (a camera sees folds and
    /// lid margins as soft gradients, not inked lines); 0 keeps it sharp.</summary>
    static SKPaint Stroke(SKColor col, double w, double soft = 0.6) => new()
    {
        IsAntialias = true, Color = col, Style = SKPaintStyle.Stroke, StrokeWidth = (float)w,
        StrokeCap = SKStrokeCap.Round, StrokeJoin = SKStrokeJoin.Round,
        MaskFilter = soft > 0 ? SKMaskFilter.CreateBlur(SKBlurStyle.Normal, (float)(w * soft)) : null,
    };

    double CraniumCy => h.Top * 0.3;
    double CraniumB => Math.Abs(h.Top) * 0.72 + 0.14;
    double CraniumA => id.FaceWidth * 1.05;
    const double CraniumZ = -0.55, CraniumC = 1.25;

    SKPath Cranium()
    {
        var p = new SKPath();
        float cx = (float)(CraniumZ * h.Sin);
        float hw = (float)Math.Sqrt(CraniumA * CraniumA * h.Cos * h.Cos + CraniumC * CraniumC * h.Sin * h.Sin);
        p.AddOval(new SKRect(cx - hw, (float)(CraniumCy - CraniumB), cx + hw, (float)(CraniumCy + CraniumB)), SKPathDirection.Clockwise);
        return p;
    }

    public void Draw()
    {
        using var face = h.Outline();
        using var cranium = Cranium();
        // Union by winding (both outlines run clockwise): a boolean path op per face costs more than the rest.
        using var head = new SKPath(face) { FillType = SKPathFillType.Winding };
        head.AddPath(cranium);

        if (id.HairStyle is 1 or 5) LongHairBack();
        Body();
        Ears(front: false);
        using (var p = Fill(id.HairStyle is 3 or 7 ? Skin(0.95) : Hair()))
        {
            if (id.HairStyle is not (3 or 7))
            {
                p.Shader = HairShade();
                p.MaskFilter = SKMaskFilter.CreateBlur(SKBlurStyle.Normal, 0.03f); // loose hairs blur the outline against the wall
            }
            c.DrawPath(cranium, p);
        }
        FaceSkin(face);
        c.Save();
        c.ClipPath(face, antialias: true);
        SkinTexture();
        Complexion();
        Marks();
        if (id.Stubble > 0) Stubble();
        Sockets();
        Cheeks();
        Nose();
        Beard();
        Mouth();
        Eyes();
        Brows();
        Wrinkles();
        Shading();
        c.Restore();
        HairCap(head);
        NoseProfile();
        Ears(front: true);
        Light(head);
    }

    // ---------------------------------------------------------------- body, hair, ears

    void Body()
    {
        using (var neck = Fill(Skin(0.82)))
        {
            float nx = (float)(-0.3 * h.Sin), w = (float)((id.Sex == "F" ? 0.4 : 0.47) * id.FaceWidth);
            float neckTop = (float)(h.Chin * 0.4), chin = (float)h.Chin;
            // the chin's shadow falls on the neck
            neck.Shader = SKShader.CreateLinearGradient(new SKPoint(0, chin - 0.05f), new SKPoint(0, chin + 0.35f),
                [Skin(0.55), Skin(0.8)], SKShaderTileMode.Clamp);
            c.DrawRect(nx - w, neckTop, 2 * w, 2.2f, neck);
        }
        using var shirt = Fill(Rgb(id.ShirtR, id.ShirtG, id.ShirtB));
        using var path = new SKPath();
        float top = (float)(h.Chin + 0.55);
        path.MoveTo(-2.6f, 3.2f);
        path.LineTo(-2.4f, top + 0.5f);
        path.QuadTo(-2.0f, top, -0.5f, top - 0.05f);
        path.QuadTo(0, top + 0.35f, 0.5f, top - 0.05f);
        path.QuadTo(2.0f, top, 2.4f, top + 0.5f);
        path.LineTo(2.6f, 3.2f);
        path.Close();
        c.DrawPath(path, shirt);
    }

    void LongHairBack()
    {
        float cx = (float)(CraniumZ * 0.6 * h.Sin);
        float hw = (float)(Math.Sqrt(CraniumA * CraniumA * h.Cos * h.Cos + CraniumC * CraniumC * h.Sin * h.Sin) * 1.08 * id.HairVolume);
        using var p = Fill(Hair(0.85));
        if (id.HairStyle == 5)
        {
            // curly volume: a cloud of overlapping curls round the head, to the jaw
            var r = new Rng(id.TextureSeed ^ 0xC0C0);
            float b = (float)(CraniumB * 1.25 * id.HairVolume);
            for (int k = 0; k < 26; k++)
            {
                double a = 2 * Math.PI * k / 26 + r.Uniform(-0.1, 0.1);
                float x = cx + (float)(Math.Cos(a) * hw * 1.05), y = (float)(CraniumCy + 0.15 + Math.Sin(a) * b);
                c.DrawCircle(x, Math.Min(y, (float)(h.Chin * 0.7)), (float)(0.28 * id.HairVolume), p);
            }
            c.DrawOval(new SKPoint(cx, (float)(CraniumCy + 0.1)), new SKSize(hw * 1.05f, b), p);
            return;
        }
        c.DrawRoundRect(new SKRect(cx - hw, (float)(CraniumCy - CraniumB * 0.9), cx + hw, (float)(h.Chin + 0.75)), hw * 0.6f, hw * 0.5f, p);
    }

    void Ears(bool front)
    {
        foreach (var side in new[] { -1.0, 1.0 })
        {
            double x = side * id.FaceWidth * 0.97, y = id.EyeHeight + 0.17;
            double facing = -x * h.Sin - 0.1 * h.Cos;
            bool inFront = facing > 0.35;
            if (inFront != front) continue;
            var centre = h.Rigid(x, y, -0.12);
            float w = (float)(0.08 + 0.1 * Math.Abs(h.Sin)), hh = 0.2f;
            if (!front) centre.X += (float)(side * 0.05 * h.Cos);
            using (var p = Fill(Skin(0.9))) c.DrawOval(centre, new SKSize(w, hh), p);
            using (var p = Stroke(Skin(0.62), 0.02)) c.DrawArc(new SKRect(centre.X - w * 0.6f, centre.Y - hh * 0.7f, centre.X + w * 0.6f, centre.Y + hh * 0.7f), -90, 250, false, p);
        }
    }

    void FaceSkin(SKPath face)
    {
        using var p = Fill(Skin());
        var centre = h.P(0, id.EyeHeight + 0.15);
        p.Shader = SKShader.CreateRadialGradient(centre, (float)(id.FaceWidth * 1.5),
            [Skin(1.04), Skin(0.97), Skin(0.8)], [0f, 0.55f, 1f], SKShaderTileMode.Clamp);
        p.MaskFilter = SKMaskFilter.CreateBlur(SKBlurStyle.Normal, 0.01f); // a cheek's edge is not cut out
        c.DrawPath(face, p);
    }

    void HairCap(SKPath head)
    {
        if (id.HairStyle == 3) return; // bald crown: the cranium is skin, hair only at the back
        // a fringe comes down to just above the brows; a crew cut shows the scalp through
        double line0 = id.HairStyle == 4 ? Math.Max(id.Hairline, id.EyeHeight - id.BrowHeight - 0.13) : id.Hairline;
        double part = id.HairStyle == 2 ? 0.12 : id.HairStyle == 4 ? -0.06 : 0;
        // The hairline's visible part, then out sideways and up: clipped to the head, this fills
        // everything above the hairline at any yaw.
        var line = new List<SKPoint>();
        const int steps = 24;
        double a = id.FaceWidth;
        for (int i = 0; i <= steps; i++)
        {
            double x = -a + 2 * a * i / steps, u = x / id.FaceWidth;
            double y = id.HairStyle == 4
                ? line0 + 0.05 * u * u + part * u + 0.015 * Math.Sin(u * 19)  // a fringe: straight, a little ragged
                : line0 + 0.28 * u * u + part * u;                             // lower at the temples; a side part tilts it
            var pt = h.P(x, y, 0.01, out var facing);
            if (facing > -0.02) line.Add(pt);
        }
        using var cap = new SKPath();
        if (line.Count == 0) { cap.AddRect(new SKRect(-4, -4, 4, (float)line0)); }
        else
        {
            cap.MoveTo(-4, line[0].Y);
            foreach (var pt in line) cap.LineTo(pt);
            cap.LineTo(4, line[^1].Y);
            cap.LineTo(4, -4);
            cap.LineTo(-4, -4);
            cap.Close();
        }
        c.Save();
        c.ClipPath(head, antialias: true);
        using (var p = Fill(Hair(1, id.HairStyle == 7 ? 0.7 : 1)))
        {
            p.MaskFilter = SKMaskFilter.CreateBlur(SKBlurStyle.Normal, 0.015f); // a hairline is a soft edge
            if (id.HairStyle != 7) p.Shader = HairShade();
            c.DrawPath(cap, p);
        }
        if (id.HairStyle != 7)
        {
            c.ClipPath(cap, antialias: true);
            Strands(line0);
        }
        if (line.Count > 1)
            using (var p = Stroke(Hair(0.7, 0.5), 0.03, soft: 0.8)) c.DrawPoints(SKPointMode.Polygon, line.ToArray(), p);
        c.Restore();
    }

    /// <summary>Hair is a mass with a sheen on top and shadow toward its edges, not a flat cap.</summary>
    SKShader HairShade() => SKShader.CreateRadialGradient(new SKPoint((float)(CraniumZ * 0.3 * h.Sin), (float)(CraniumCy - CraniumB * 0.45)),
        (float)(CraniumA * 1.35), [Hair(1.25), Hair(0.95), Hair(0.6)], [0f, 0.45f, 1f], SKShaderTileMode.Clamp);

    /// <summary>Strands combed from the crown down to the hairline, lighter and darker than the mass,
    /// placed by this person's texture seed.</summary>
    void Strands(double hairline)
    {
        var r = new Rng(id.TextureSeed ^ 0x4A1F);
        using var light = new SKPath();
        using var dark = new SKPath();
        double crownY = h.Top - 0.25, a = id.FaceWidth * 1.05;
        for (int k = 0; k < 160; k++)
        {
            double x0 = r.Uniform(-0.35, 0.35) * a, x1 = r.Uniform(-1.05, 1.05) * a;
            double y1 = hairline + r.Uniform(-0.05, 0.15) + 0.25 * (x1 / a) * (x1 / a);
            double bend = r.Uniform(-0.15, 0.15);
            var path = r.NextDouble() < 0.5 ? light : dark;
            var p0 = h.Rigid(x0, crownY, 0.4);
            var pm = h.P((x0 + x1) / 2 + bend, (crownY + y1) / 2, 0.02);
            var p1 = h.P(x1, y1, 0.02);
            path.MoveTo(p0);
            path.QuadTo(pm, p1);
        }
        using (var p = Stroke(Hair(1.35, 0.2), 0.01, soft: 0.8)) c.DrawPath(light, p);
        using (var p = Stroke(Hair(0.6, 0.22), 0.01, soft: 0.8)) c.DrawPath(dark, p);
    }

    void Light(SKPath head)
    {
        if (n.LightStrength <= 0) return;
        double ang = n.LightAngle * Math.PI / 180;
        var dir = new SKPoint((float)Math.Cos(ang), (float)Math.Sin(ang));
        float r = (float)(id.FaceWidth * 1.3);
        using var p = new SKPaint { IsAntialias = true };
        p.Shader = SKShader.CreateLinearGradient(new SKPoint(dir.X * r, dir.Y * r), new SKPoint(-dir.X * r, -dir.Y * r),
            [SKColors.White.WithAlpha((byte)(n.LightStrength * 120 * (0.5 + n.Diffuse))), SKColors.Transparent,
             SKColors.Black.WithAlpha((byte)(n.LightStrength * 200 * (0.5 + n.Diffuse)))],
            [0f, 0.45f, 1f], SKShaderTileMode.Clamp);
        c.DrawPath(head, p); // the path itself carries the gradient: cheaper than an anti-aliased clip
    }

    // ---------------------------------------------------------------- geometry helpers

    /// <summary>A quadratic curve through frontal points, lifted onto the face and projected.</summary>
    SKPoint[] Curve(double x0, double y0, double xm, double ym, double x1, double y1, double dz = 0.01)
    {
        const int steps = 12;
        var pts = new SKPoint[steps + 1];
        // control point so that the curve passes through (xm, ym) at t = 1/2
        double cx = 2 * xm - (x0 + x1) / 2, cy = 2 * ym - (y0 + y1) / 2;
        for (int i = 0; i <= steps; i++)
        {
            double t = (double)i / steps, u = 1 - t;
            pts[i] = h.P(u * u * x0 + 2 * u * t * cx + t * t * x1, u * u * y0 + 2 * u * t * cy + t * t * y1, dz);
        }
        return pts;
    }

    static SKPath Poly(IEnumerable<SKPoint> pts, bool close = true)
    {
        var path = new SKPath();
        bool first = true;
        foreach (var p in pts)
        {
            if (first) { path.MoveTo(p); first = false; }
            else path.LineTo(p);
        }
        if (close) path.Close();
        return path;
    }
}
