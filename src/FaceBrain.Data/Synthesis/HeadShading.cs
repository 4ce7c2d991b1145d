using SkiaSharp;

namespace FaceBrain.Data.Synthesis;

/// <summary>
/// Lights the rasterised head per pixel: normals from the depth buffer, Lambert diffuse under the photo's
/// light with its ambient share, light wrapping further round in red than in blue where skin scatters
/// (the soft terminator of real skin), ambient occlusion from the depth buffer (creases, sockets, under
/// the hair), and a soft Blinn specular (skin sheen strongest on the forehead and nose, sharp catchlights
/// in the eyes).
/// </summary>
internal static class HeadShading
{
    public static SKBitmap Shade(HeadRaster r, FaceSurface face, IdentityParams id, Nuisance n)
    {
        int side = r.Side;
        var ao = Occlusion(r);
        double a = n.LightAngle * Math.PI / 180, k = 0.45 + 1.6 * n.LightStrength;
        double lx = k * Math.Cos(a), ly = k * Math.Sin(a), lz = 1, ln = Math.Sqrt(lx * lx + ly * ly + lz * lz);
        lx /= ln; ly /= ln; lz /= ln;
        var lit = CastShadows(r, lx, ly, lz);
        double hx = lx, hy = ly, hz = lz + 1, hn = Math.Sqrt(hx * hx + hy * hy + hz * hz);
        hx /= hn; hy /= hn; hz /= hn;
        double amb = 0.5 - 0.3 * (n.Diffuse - 0.5);
        double gain = 1.0 / (amb + (1 - amb) * lz); // a frontal surface shows its albedo
        uint hairSeed = (uint)(id.TextureSeed >> 17);
        var bmp = new SKBitmap(new SKImageInfo(side, side, SKColorType.Rgba8888, SKAlphaType.Premul));
        var px = bmp.GetPixelSpan();
        double lastY = double.NaN;
        for (int j = 0; j < side; j++)
        {
            double y = r.RowY(j);
            int row = j * side;
            for (int i = 0; i < side; i++)
            {
                int p = row + i;
                var mat = r.Mat[p];
                if (mat == Material.None) continue;
                double d = r.Depth[p];
                double du = r.Slope[p];
                double dv = 0;
                bool up = j > 0 && r.Mat[p - side] != Material.None && Math.Abs(r.Depth[p - side] - d) < 0.12;
                bool dn = j < side - 1 && r.Mat[p + side] != Material.None && Math.Abs(r.Depth[p + side] - d) < 0.12;
                if (up && dn) dv = (r.Depth[p + side] - r.Depth[p - side]) * r.Unit / 2;
                else if (dn) dv = (r.Depth[p + side] - d) * r.Unit;
                else if (up) dv = (d - r.Depth[p - side]) * r.Unit;
                dv = Math.Clamp(dv, -12, 12);
                double nn = Math.Sqrt(du * du + dv * dv + 1), nx = -du / nn, ny = -dv / nn, nz = 1 / nn;
                double x = r.FrontX[p];
                Surfel s;
                switch (mat)
                {
                    case Material.Face:
                        if (y != lastY) { face.Row(y); lastY = y; }
                        s = face.Albedo(x);
                        break;
                    case Material.Hair:
                        s = HairAlbedo(id, x, y, i / r.Unit, hairSeed);
                        break;
                    case Material.Shirt:
                        {
                            double f = 1 + 0.05 * ValueNoise.At(x * 4, y * 4, 91) + 0.03 * ValueNoise.At(x * 60, y * 60, 92);
                            s = new Surfel { R = (float)(id.ShirtR * f), G = (float)(id.ShirtG * f), B = (float)(id.ShirtB * f), Spec = 0.02f, Shine = 8 };
                            break;
                        }
                    default:
                        {
                            double f = 1 + 0.04 * ValueNoise.Fbm(x * 3 + (double)mat, y * 3, hairSeed) + 0.03 * ValueNoise.At(x * 60, y * 60, hairSeed + 5);
                            double red = mat == Material.Ear ? 0.06 : 0;
                            double shadow = mat == Material.Neck ? 0.6 + 0.4 * Math.Clamp((y - r.ChinY) / 0.4, 0, 1) : 1; // the chin shades the neck
                            f *= shadow;
                            if (mat == Material.Skin && id.HairStyle == 7) f *= 0.75; // a crew cut's scalp shows dark
                            s = new Surfel
                            {
                                R = (float)(id.SkinR * f * (1 + red)), G = (float)(id.SkinG * f * (1 - red)), B = (float)(id.SkinB * f * (1 - red)),
                                Spec = 0.04f, Shine = 14, Scatter = 1,
                            };
                            break;
                        }
                }
                double ndl = nx * lx + ny * ly + nz * lz;
                double occ = ao[p];
                double wr = 0.3 * s.Scatter, wg = 0.15 * s.Scatter, wb = 0.1 * s.Scatter;
                double dr = Math.Max(0, (ndl + wr) / (1 + wr)), dg = Math.Max(0, (ndl + wg) / (1 + wg)), db = Math.Max(0, (ndl + wb) / (1 + wb));
                double ambient = amb * occ, dif = (1 - amb) * Math.Sqrt(occ) * lit[p];
                double ndh = Math.Max(0, nx * hx + ny * hy + nz * hz);
                double spec = ndl > 0 && ndh > 0.6 ? s.Spec * Math.Pow(ndh, s.Shine) * (0.4 + 0.6 * (1 - amb)) * occ * lit[p] : 0;
                double cr = (s.R * (ambient + dif * dr) + spec) * gain;
                double cg = (s.G * (ambient + dif * dg) + spec) * gain;
                double cb = (s.B * (ambient + dif * db) + spec) * gain;
                int q = 4 * p;
                px[q] = B(cr);
                px[q + 1] = B(cg);
                px[q + 2] = B(cb);
                px[q + 3] = 255;
            }
        }
        Scatter(r, px);
        SoftenEdges(r, px, hairSeed);
        return bmp;
    }

    /// <summary>Cast shadows from the depth buffer: a pixel is in shadow where the head rises above the ray from
    /// it toward the light (marched in the image plane up to 0.4 head units), so the nose shades the upper lip
    /// and cheek, the brow ridge the eyes, the lower lip the chin, the chin the neck, as a key light does in a
    /// photograph. Soft: the shadow deepens over 0.02 head units of occluder height, and is never complete
    /// (light bounces back from the room). 1 lit .. 0.2 in full shadow.</summary>
    static float[] CastShadows(HeadRaster r, double lx, double ly, double lz)
    {
        int side = r.Side;
        var lit = new float[side * side];
        Array.Fill(lit, 1f);
        double lxy = Math.Sqrt(lx * lx + ly * ly);
        if (lxy < 1e-6) return lit;
        double sx = lx / lxy, sy = ly / lxy; // toward the light in pixels (the light vector is in image axes, y down)
        double rise = lz / lxy / r.Unit;     // the ray's gain in depth per pixel travelled
        int steps = (int)Math.Ceiling(0.4 * r.Unit);
        double soft = 0.02;
        for (int j = 0; j < side; j++)
            for (int i = 0; i < side; i++)
            {
                int p = j * side + i;
                if (r.Mat[p] == Material.None) continue;
                double d = r.Depth[p], worst = 0;
                for (int t = 2; t <= steps; t++)
                {
                    int qi = (int)Math.Round(i + sx * t), qj = (int)Math.Round(j + sy * t);
                    if (qi < 0 || qj < 0 || qi >= side || qj >= side) break;
                    int q = qj * side + qi;
                    if (r.Mat[q] == Material.None) continue;
                    double above = r.Depth[q] - (d + rise * t) - 0.004;
                    if (above > worst) { worst = above; if (worst >= soft) break; }
                }
                lit[p] = (float)(1 - 0.8 * Math.Min(1, worst / soft));
            }
        return lit;
    }

    static bool IsSkin(Material m) => m is Material.Face or Material.Skin or Material.Neck or Material.Ear;

    /// <summary>Light scattered under the skin: red light travels furthest, so the red channel of skin is
    /// partly replaced by its blur (about 0.015 head units) and green a little: shading edges on skin soften
    /// and warm, as in photographs, while eyes, hair and teeth stay sharp.</summary>
    static void Scatter(HeadRaster r, Span<byte> px)
    {
        int side = r.Side, rad = Math.Max(1, (int)Math.Round(0.015 * r.Unit));
        var red = new float[side * side];
        var green = new float[side * side];
        for (int k = 0; k < red.Length; k++) { red[k] = px[4 * k]; green[k] = px[4 * k + 1]; }
        var tmp = new float[red.Length];
        var blurR = new float[red.Length];
        var blurG = new float[red.Length];
        BoxRows(red, tmp, side, rad);
        BoxCols(tmp, blurR, side, rad);
        BoxRows(green, tmp, side, rad);
        BoxCols(tmp, blurG, side, rad);
        for (int k = 0; k < red.Length; k++)
        {
            if (!IsSkin(r.Mat[k])) continue;
            // only where the neighbourhood is skin too: no hair or background bleeds in
            if (Math.Abs(blurR[k] - red[k]) > 40) continue;
            px[4 * k] = (byte)(0.45f * red[k] + 0.55f * blurR[k] + 0.5f);
            px[4 * k + 1] = (byte)(0.75f * green[k] + 0.25f * blurG[k] + 0.5f);
        }
    }

    /// <summary>Edges as a camera sees them: the silhouette half-covers its border pixels (no stair-steps), and
    /// hair ends in loose strands: a hair pixel beside skin or background mixes with it, by the strands' noise.</summary>
    static void SoftenEdges(HeadRaster r, Span<byte> px, uint seed)
    {
        int side = r.Side;
        var mat = r.Mat;
        for (int j = 1; j < side - 1; j++)
        {
            int row = j * side;
            for (int i = 1; i < side - 1; i++)
            {
                int p = row + i;
                var m = mat[p];
                if (m == Material.None) continue;
                int none = 0, other = 0, q0 = -1;
                foreach (int q in (ReadOnlySpan<int>)[p - 1, p + 1, p - side, p + side])
                {
                    if (mat[q] == Material.None) none++;
                    else if (m == Material.Hair && mat[q] != Material.Hair) { other++; q0 = q; }
                }
                if (none == 0 && other == 0) continue;
                float keep = m == Material.Hair ? 0.35f + 0.5f * (0.5f + 0.5f * ValueNoise.At(i * 0.9, j * 0.25, seed + 9)) : 0.6f;
                if (none > 0)
                {
                    float a = keep + (1 - keep) * (4 - none) / 4f;
                    for (int c = 0; c < 4; c++) px[4 * p + c] = (byte)(px[4 * p + c] * a + 0.5f);
                }
                else
                {
                    for (int c = 0; c < 3; c++) px[4 * p + c] = (byte)(px[4 * p + c] * keep + px[4 * q0 + c] * (1 - keep) + 0.5f);
                }
            }
        }
    }

    static byte B(double v) => v <= 0 ? (byte)0 : v >= 1 ? (byte)255 : (byte)(v * 255 + 0.5);

    /// <summary>Hair: the person's colour in strands falling from the crown, clumps, a sheen.</summary>
    static Surfel HairAlbedo(IdentityParams id, double x, double y, double u, uint seed)
    {
        double strand = 0.78 + 0.3 * ValueNoise.At(x * 70 + 3 * y, y * 5, seed) + 0.12 * ValueNoise.At(x * 200, y * 14, seed + 1);
        double clump = 1 + 0.12 * ValueNoise.At(x * 8, y * 3, seed + 2);
        double f = strand * clump;
        if (id.HairStyle == 5) f *= 0.85 + 0.25 * ValueNoise.At(x * 25, y * 25, seed + 3);
        return new Surfel { R = (float)(id.HairR * f), G = (float)(id.HairG * f), B = (float)(id.HairB * f), Spec = 0.12f, Shine = 10, Scatter = 0 };
    }

    /// <summary>Ambient occlusion: how far a pixel lies below the mean depth round it (two box blurs of
    /// about 0.06 head units), so creases, sockets and skin under the hair darken.</summary>
    static float[] Occlusion(HeadRaster r)
    {
        int side = r.Side, rad = Math.Max(1, (int)Math.Round(0.06 * r.Unit));
        var src = new float[r.Depth.Length];
        for (int k = 0; k < src.Length; k++) src[k] = r.Mat[k] == Material.None ? -3f : r.Depth[k];
        var tmp = new float[src.Length];
        var blur = new float[src.Length];
        BoxRows(src, tmp, side, rad);
        BoxCols(tmp, blur, side, rad);
        BoxRows(blur, tmp, side, rad);
        BoxCols(tmp, blur, side, rad);
        var ao = new float[src.Length];
        for (int k = 0; k < ao.Length; k++)
            ao[k] = r.Mat[k] == Material.None ? 1 : Math.Clamp(1 - 4.5f * (blur[k] - src[k]), 0.35f, 1f);
        return ao;
    }

    static void BoxRows(float[] a, float[] o, int side, int rad)
    {
        float inv = 1f / (2 * rad + 1);
        for (int j = 0; j < side; j++)
        {
            int row = j * side;
            float sum = 0;
            for (int i = -rad; i <= rad; i++) sum += a[row + Math.Clamp(i, 0, side - 1)];
            for (int i = 0; i < side; i++)
            {
                o[row + i] = sum * inv;
                sum += a[row + Math.Min(side - 1, i + rad + 1)] - a[row + Math.Max(0, i - rad)];
            }
        }
    }

    static void BoxCols(float[] a, float[] o, int side, int rad)
    {
        float inv = 1f / (2 * rad + 1);
        var sum = new float[side];
        for (int j = -rad; j <= rad; j++)
        {
            int row = Math.Clamp(j, 0, side - 1) * side;
            for (int i = 0; i < side; i++) sum[i] += a[row + i];
        }
        for (int j = 0; j < side; j++)
        {
            int row = j * side, add = Math.Min(side - 1, j + rad + 1) * side, sub = Math.Max(0, j - rad) * side;
            for (int i = 0; i < side; i++)
            {
                o[row + i] = sum[i] * inv;
                sum[i] += a[add + i] - a[sub + i];
            }
        }
    }
}
