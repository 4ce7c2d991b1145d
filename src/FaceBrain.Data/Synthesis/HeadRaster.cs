namespace FaceBrain.Data.Synthesis;

/// <summary>What a rendered pixel shows.</summary>
internal enum Material : byte { None, Face, Skin, Hair, Neck, Shirt, Ear }

/// <summary>
/// The head as closed 3-D surfaces, rasterised per pixel into a depth buffer: the face (the head model's
/// surface plus <see cref="FaceSurface.Relief"/>, closed behind), the cranium, the ears, the hair shells, the
/// neck and the shirt. Each surface is a stack of horizontal cross-sections (one per pixel row, in the head's
/// unrolled frame), sampled round their circumference, turned by the yaw and projected orthographically; a
/// segment between two samples fills the pixel columns it spans with interpolated depth, so a turned head is
/// a solid whose far side is hidden, not a shell. Per pixel it keeps depth (toward the viewer), the depth's
/// slope along the row (for the normal), the frontal x of the surface point and the material.
/// </summary>
internal sealed class HeadRaster
{
    public readonly int Side;
    public readonly double Unit, Cx, Cy;
    public readonly float[] Depth, Slope, FrontX;
    public readonly Material[] Mat;
    readonly IdentityParams id;
    readonly HeadModel h;
    readonly FaceSurface face;
    readonly double cos, sin, yawRad;
    readonly double crCy, crA, crB;
    const double CrZ = -0.55, CrC = 1.25;
    readonly double hairTh, hairLine0, hairPart;

    // per-row sample buffers
    readonly double[] su, sd, sx;
    readonly Material[] sm;
    readonly bool[] sv;

    public HeadRaster(IdentityParams id, HeadModel h, FaceSurface face, int side, double unit)
    {
        this.id = id;
        this.h = h;
        this.face = face;
        Side = side;
        Unit = unit;
        Cx = Cy = side / 2.0;
        Depth = new float[side * side];
        Slope = new float[side * side];
        FrontX = new float[side * side];
        Mat = new Material[side * side];
        Array.Fill(Depth, float.NegativeInfinity);
        cos = h.Cos;
        sin = h.Sin;
        yawRad = Math.Atan2(sin, cos);
        crCy = h.Top * 0.3;
        crB = Math.Abs(h.Top) * 0.72 + 0.14;
        crA = id.FaceWidth * 1.05;
        hairTh = id.HairStyle switch { 7 => 0.02, 5 => 0.16 * id.HairVolume, 3 => 0.04, _ => 0.07 * id.HairVolume };
        hairLine0 = id.HairStyle == 4 ? Math.Max(id.Hairline, id.EyeHeight - id.BrowHeight - 0.13) : id.Hairline;
        hairPart = id.HairStyle == 2 ? 0.12 : id.HairStyle == 4 ? -0.06 : 0;
        int n = (int)Math.Ceiling(2 * Math.PI * 2.8 * unit * 1.2) + 8;
        su = new double[n]; sd = new double[n]; sx = new double[n]; sm = new Material[n]; sv = new bool[n];
    }

    public double ChinY => h.Chin;

    /// <summary>Head-unit y of pixel row j.</summary>
    public double RowY(int j) => (j + 0.5 - Cy) / Unit;

    public void Render()
    {
        for (int j = 0; j < Side; j++)
        {
            double y = RowY(j);
            if (y < h.Top - 0.6 || y > 4) continue;
            FaceRow(j, y);
            Cranium(j, y);
            Ears(j, y);
            Hair(j, y);
            Neck(j, y);
            Shirt(j, y);
        }
    }

    /// <summary>Samples for one cross-section: s from s0 to s1 in n steps; point(s, sin s, cos s) gives (x, z, frontal x, material) or null.</summary>
    void Section(int j, double s0, double s1, double radius, Func<double, double, double, (double X, double Z, double Fx, Material M)?> point)
    {
        int n = Math.Min(su.Length, (int)Math.Ceiling((s1 - s0) * radius * Unit * 0.9) + 2);
        // sin and cos of the sample angles by rotation, not by a call per sample
        double step = (s1 - s0) / (n - 1), cd = Math.Cos(step), sdl = Math.Sin(step), sn = Math.Sin(s0), cs = Math.Cos(s0);
        for (int k = 0; k < n; k++)
        {
            double s = s0 + step * k;
            var p = point(s, sn, cs);
            double sn1 = sn * cd + cs * sdl;
            cs = cs * cd - sn * sdl;
            sn = sn1;
            if (p is not { } q) { sv[k] = false; continue; }
            sv[k] = true;
            su[k] = Cx + (q.X * cos + q.Z * sin) * Unit;
            sd[k] = -q.X * sin + q.Z * cos;
            sx[k] = q.Fx;
            sm[k] = q.M;
        }
        int row = j * Side;
        for (int k = 1; k < n; k++)
        {
            if (!sv[k] || !sv[k - 1]) continue;
            double p0 = su[k - 1], p1 = su[k];
            if (Math.Abs(p1 - p0) < 1e-9) continue;
            double slope = Math.Clamp((sd[k] - sd[k - 1]) / ((p1 - p0) / Unit), -12, 12);
            int i0 = (int)Math.Ceiling(Math.Min(p0, p1) - 0.5), i1 = (int)Math.Floor(Math.Max(p0, p1) - 0.5);
            if (i0 < 0) i0 = 0;
            if (i1 >= Side) i1 = Side - 1;
            for (int i = i0; i <= i1; i++)
            {
                double t = (i + 0.5 - p0) / (p1 - p0);
                float d = (float)(sd[k - 1] + t * (sd[k] - sd[k - 1]));
                if (d <= Depth[row + i]) continue;
                Depth[row + i] = d;
                Slope[row + i] = (float)slope;
                FrontX[row + i] = (float)(sx[k - 1] + t * (sx[k] - sx[k - 1]));
                Mat[row + i] = t < 0.5 ? sm[k - 1] : sm[k];
            }
        }
    }

    // The visible half of a section faces the viewer round s = −yaw.
    double S0 => -yawRad - 1.85;
    double S1 => -yawRad + 1.85;

    void FaceRow(int j, double y)
    {
        if (y <= h.Top || y >= h.Chin) return;
        double w = h.HalfWidth(y);
        if (w < 1e-3) return;
        face.Row(y);
        // wz, d0: the head model's surface at this row, z = d0 · sqrt(1 − (x / wz)²); above the brows the
        // face blends into the cranium (tb: 0 at the brows, 1 at the top), so the head is round, not a mask
        double wz = Math.Max(h.HalfWidth(Math.Clamp(y, h.Top * 0.98, h.Chin * 0.98)), 1e-3), d0 = h.SurfaceZ(0, y);
        double cf = 1 - (y - crCy) * (y - crCy) / (crB * crB);
        double crW = cf > 0 ? crA * Math.Sqrt(cf) : 0, crD = cf > 0 ? CrC * Math.Sqrt(cf) : 0;
        double tb = crW > 0 ? Smooth(id.EyeHeight - id.BrowHeight - 0.05, h.Top, y) : 0;
        w += (Math.Max(w, crW) - w) * Smooth(0, 0.5, tb);
        double back = (y < 0.3 ? 0.85 : 0.85 - 0.4 * Math.Min(1, (y - 0.3) / 0.4)) * w;
        Section(j, S0, S1, Math.Max(w, 1.0), (s, sn, cs) =>
        {
            double c = cs, x = w * sn;
            if (c <= 0) return (x, back * c, x, Material.Skin);
            double r = Math.Min(1, Math.Abs(x) / wz), z = d0 * Math.Sqrt(1 - r * r);
            if (crW > Math.Abs(x))
            {
                double zc = CrZ + crD * Math.Sqrt(1 - x * x / (crW * crW));
                z = SmoothMax(z, zc, 0.12);
                z += (zc - z) * tb;
            }
            return (x, z + face.Relief(x) * Math.Sqrt(c), x, Material.Face);
        });
    }

    /// <summary>A smooth maximum: the face's front blends into the cranium without a crease.</summary>
    static double SmoothMax(double a, double b, double k)
    {
        double hh = Math.Clamp(0.5 + 0.5 * (a - b) / k, 0, 1);
        return b + (a - b) * hh + k * hh * (1 - hh);
    }

    void Cranium(int j, double y)
    {
        double f = 1 - (y - crCy) * (y - crCy) / (crB * crB);
        if (f <= 0) return;
        double a = crA * Math.Sqrt(f), c = CrC * Math.Sqrt(f);
        Section(j, S0, S1, Math.Max(a, c), (s, sn, cs) => (a * sn, CrZ + c * cs, a * sn, Material.Skin));
    }

    /// <summary>The ears: flat shells from the brow line to the nose's base (about 0.7 head units, 55 mm) at the
    /// side of the head, angled out and back from the head (about 25°), so a frontal face shows them beyond its
    /// cheeks as real ones do (about a centimetre each side); the helix wide at the top, the lobe narrow.</summary>
    // the ear's angle out from the head: 0.44 rad, 25°
    static readonly double EarTiltSin = Math.Sin(0.44), EarTiltCos = Math.Cos(0.44);

    void Ears(int j, double y)
    {
        double top = id.EyeHeight - 0.14, bottom = FaceGeometry.NoseTip(id) + 0.06; // the lobe ends level with the nose's base
        double yc = (top + bottom) / 2, hh = (bottom - top) / 2, v = (y - yc) / hh;
        if (Math.Abs(v) >= 1) return;
        double f = Math.Sqrt(1 - v * v) * (1 - 0.25 * v);      // wider helix above, narrower lobe below
        double len = 0.46 * f, th = 0.035 + 0.02 * f;           // front-to-back length and thickness of the shell
        double st = EarTiltSin, ct = EarTiltCos;
        // the root just behind the cheek's edge; the shell runs back and out from it
        double root = 0.93 * h.HalfWidth(Math.Clamp(y, 0, h.Chin * 0.5)), rz = -0.08;
        foreach (var side in new[] { -1.0, 1.0 })
        {
            double rx = side * root;
            double mx = rx + side * st * len / 2, mz = rz - ct * len / 2;
            Section(j, -Math.PI, Math.PI, Math.Max(len, 0.1), (s, sn, cs) =>
            {
                double along = len / 2 * cs, across = th * sn;  // along the shell (back +), across it (out +)
                return (mx + side * (st * along + ct * across), mz - ct * along + st * across, rx, Material.Ear);
            });
        }
    }

    /// <summary>The hairline's height at frontal x: lower at the temples; a side part tilts it, a fringe is straight.</summary>
    public double HairlineY(double x)
    {
        double u = Math.Clamp(x / id.FaceWidth, -1.1, 1.1);
        return id.HairStyle == 4
            ? hairLine0 + 0.05 * u * u + hairPart * u + 0.015 * Math.Sin(u * 19)
            : hairLine0 + 0.28 * u * u + hairPart * u;
    }

    /// <summary>Lowest y the hair reaches at angle s round the head (c = cos s, front positive).</summary>
    double HairBottom(double c, double sn, double frontX)
    {
        double edge = HairlineY(Math.Sign(sn) * id.FaceWidth);
        double back = id.HairStyle switch { 1 => h.Chin + 0.9, 5 => h.Chin * 0.75, 6 => 0.15, 7 => 0.2, _ => 0.3 };
        double sideburn = id.EyeHeight + 0.06, earTop = id.EyeHeight - 0.06;
        if (id.HairStyle is 1 or 5) return c > 0.45 ? HairlineY(frontX) : Math.Max(HairlineY(frontX), back - (back - edge) * Smooth(0.25, 0.45, c));
        // in front: the hairline, coming down the temples into sideburns; behind: over the ears and down to the nape
        if (c > 0) return HairlineY(frontX) + (sideburn - HairlineY(frontX)) * Smooth(0.55, 0.25, c) * (id.HairStyle == 3 ? 0 : 1);
        return earTop + (back - earTop) * Smooth(-0.05, -0.7, c);
    }

    static double Smooth(double e0, double e1, double v)
    {
        double t = Math.Clamp((v - e0) / (e1 - e0), 0, 1);
        return t * t * (3 - 2 * t);
    }

    void Hair(int j, double y)
    {
        int style = id.HairStyle;
        // the forehead's hair: the face's surface lifted by the hair's thickness, above the hairline
        if (style != 3 && y > h.Top && y < h.Chin && y < HairlineY(id.FaceWidth) + 0.05)
        {
            double w = h.HalfWidth(y);
            double wz = Math.Max(h.HalfWidth(Math.Clamp(y, h.Top * 0.98, h.Chin * 0.98)), 1e-3), d0 = h.SurfaceZ(0, y);
            if (w > 1e-3)
                Section(j, S0, S1, Math.Max(w, 1), (s, sn, cs) =>
                {
                    double c = cs;
                    if (c <= 0) return null;
                    double x = w * sn;
                    if (y > HairlineY(x) + 0.012 * ValueNoise.At(x * 40, 0, 77)) return null;
                    double r = Math.Min(1, Math.Abs(x) / wz);
                    return ((w + hairTh) * sn, d0 * Math.Sqrt(1 - r * r) + hairTh * c, s * w, Material.Hair);
                });
        }
        // the cranium's hair, and long hair falling behind the shoulders
        double b = crB + 1.6 * hairTh, f = 1 - (y - crCy) * (y - crCy) / (b * b);
        bool curtain = style is 1 or 5 && y > crCy;
        if (curtain) f = Math.Max(f, 1 - Math.Pow(Math.Max(0, y - crCy) / (style == 1 ? 2.2 : 1.4), 2) * 0.3);
        double flare = curtain ? 1 + 0.12 * Smooth(crCy, 0.2, y) : 1;
        if (f > 0)
        {
            double a = (crA + hairTh) * Math.Sqrt(f) * flare, c = (CrC + hairTh) * Math.Sqrt(f);
            Section(j, S0, S1, Math.Max(a, c), (s, sn, cs) =>
            {
                double x = a * sn;
                if (style == 3 && (cs > -0.25 || y < crCy - 0.1)) return null; // bald crown: a fringe round the back
                double bottom = HairBottom(cs, sn, x);
                if (y > bottom + 0.02 * ValueNoise.At(s * 12, 0, 78)) return null;
                if (curtain && y > h.Top * 0.2 && cs > Math.Cos(1.05) && y > HairlineY(x)) return null; // the face shows through
                double curl = style == 5 ? 0.05 * ValueNoise.At(s * 7, y * 7, 79) : 0;
                return ((a + curl) * sn, CrZ + (c + curl) * cs, s * crA, Material.Hair);
            });
        }
        if (style == 6)
        {
            // tied back: a bun behind the crown
            double by = crCy - 0.1, r = 0.32 * id.HairVolume, g = 1 - (y - by) * (y - by) / (r * r);
            if (g > 0)
            {
                double rr = r * Math.Sqrt(g);
                Section(j, -Math.PI, Math.PI, rr, (s, sn, cs) => (rr * sn, CrZ - CrC - 0.1 + rr * cs, 0, Material.Hair));
            }
        }
    }

    void Neck(int j, double y)
    {
        if (y < h.Chin * 0.3) return;
        double rn = (id.Sex == "F" ? 0.6 : 0.7) * id.FaceWidth;
        Section(j, S0, S1, rn, (s, sn, cs) => (rn * sn, -0.3 + 0.9 * rn * cs, rn * sn, Material.Neck));
    }

    void Shirt(int j, double y)
    {
        double top = h.Chin + 0.55;
        if (y < top - 0.1) return;
        double t = Math.Clamp((y - top + 0.1) / 0.7, 0, 1);
        double ws = 0.55 + 1.95 * Math.Sqrt(t), ds = 0.35 + 0.3 * t;
        Section(j, S0, S1, ws, (s, sn, cs) =>
        {
            double x = ws * sn;
            if (Math.Abs(x) < 0.55 && y < top + 0.3 * (1 - x * x / 0.3025) && cs > 0) return null; // the neckline
            return (x, -0.35 + ds * cs, x, Material.Shirt);
        });
    }
}
