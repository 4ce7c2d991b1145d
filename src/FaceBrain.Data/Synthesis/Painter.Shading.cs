using SkiaSharp;
using static FaceBrain.Data.Synthesis.FaceRenderer;

namespace FaceBrain.Data.Synthesis;

/// <summary>
/// Lambertian shading of the face's relief (nose, brow ridge, eye sockets, cheekbones, lips, chin)
/// under the photo's light, drawn as a Gouraud-shaded mesh over the face: the depth cues of a
/// photograph at the cost of a few hundred normals, not a per-pixel pass.
/// </summary>
internal sealed partial class Painter
{
    const int MeshU = 22, MeshV = 28;

    static double G(double dx, double sx, double dy, double sy) => Math.Exp(-(dx * dx) / (2 * sx * sx) - (dy * dy) / (2 * sy * sy));

    /// <summary>A bump at ±cx (both sides): smooth across the midline, where |x| would crease the relief.</summary>
    static double G2(double x, double cx, double sx, double dy, double sy) => G(x - cx, sx, dy, sy) + G(x + cx, sx, dy, sy);

    /// <summary>Height of the features above the smooth face surface at frontal (x, y).</summary>
    double Relief(double x, double y)
    {
        double ty = NoseTipY, eye = id.EyeHeight;
        double z = 0;
        // nose: a ridge from the root to the tip, wider toward the alae, and the tip's bulb
        double t = Math.Clamp((y - eye + 0.05) / (ty - eye + 0.05), 0, 1);
        if (y < ty + 0.08)
            z += (0.05 + 0.16 * t) * Math.Exp(-(x * x) / (2 * Math.Pow(0.045 * id.NoseBridge + 0.06 * t * id.NoseWidth / 0.15, 2)))
                 * (y > ty ? Math.Exp(-Math.Pow((y - ty) / 0.04, 2)) : 1)
                 * (y < eye - 0.03 ? Math.Exp(-Math.Pow((y - eye + 0.03) / 0.06, 2)) : 1); // the ridge starts at the nose root, not on the forehead
        z += 0.05 * id.NoseTip * G(x, 0.06 * id.NoseTip, y - ty + 0.03, 0.05);
        // brow ridge and eye sockets (the eyeball fills part of the socket)
        double browY = eye - id.BrowHeight + 0.03;
        z += 0.045 * G2(x, id.EyeSpacing, 0.22, y - browY, 0.05);
        z -= (0.025 + 0.04 * id.EyeDepth) * G2(x, id.EyeSpacing, 0.13, y - eye + 0.01, 0.075);
        z += 0.02 * G2(x, id.EyeSpacing, 0.08, y - eye, 0.04);
        // cheekbones, lifted and rounded by a smile
        z += (0.02 + 0.05 * id.CheekBones + 0.04 * ex.CheekRaise) * G2(x, id.EyeSpacing + 0.08, 0.16, y - eye - 0.26 + 0.05 * ex.CheekRaise, 0.1);
        // lips, the hollow under the nose, the groove under the lower lip, the chin boss
        z += 0.035 * G(x, id.MouthWidth * 0.8, y - id.MouthHeight, 0.06);
        z -= 0.02 * G(x, 0.12, y - ty - 0.1, 0.04);
        z -= 0.025 * G(x, 0.15, y - id.MouthHeight - 0.13 - 0.1 * ex.JawDrop, 0.035);
        z += (0.05 + 0.02 * ex.ChinRaise) * G(x, 0.18, y - h.Chin + 0.14, 0.08);
        // nasolabial bulge beside the mouth
        z += (0.015 + 0.03 * ex.CheekRaise + 0.02 * id.Age) * G2(x, id.MouthWidth + 0.12, 0.07, y - (ty + id.MouthHeight) / 2, 0.12);
        return z;
    }

    void Shading()
    {
        double a = n.LightAngle * Math.PI / 180, k = 0.45 + 1.6 * n.LightStrength;
        double lx = k * Math.Cos(a), ly = k * Math.Sin(a), lz = 1, ln = Math.Sqrt(lx * lx + ly * ly + lz * lz);
        lx /= ln; ly /= ln; lz /= ln;
        double ambient = 0.5 - 0.3 * (n.Diffuse - 0.5);
        double flat = ambient + (1 - ambient) * lz;
        var pos = new SKPoint[(MeshU + 1) * (MeshV + 1)];
        var col = new SKColor[pos.Length];
        var front = new bool[pos.Length];
        double top = h.Top * 0.97, bottom = h.Chin * 0.995;
        const double e = 0.01;
        for (int j = 0; j <= MeshV; j++)
        {
            double y = top + (bottom - top) * j / MeshV;
            double w = h.HalfWidth(y) * 0.995;
            for (int i = 0; i <= MeshU; i++)
            {
                double x = w * (2.0 * i / MeshU - 1);
                double z0 = Z(x, y);
                double dzx = (Z(x + e, y) - Z(x - e, y)) / (2 * e), dzy = (Z(x, y + e) - Z(x, y - e)) / (2 * e);
                double nx = -dzx, ny = -dzy, nz = 1, nn = Math.Sqrt(nx * nx + ny * ny + 1);
                nx /= nn; ny /= nn; nz /= nn;
                // the head turns by the yaw: rotate the normal as the projection rotates points
                double rx = nx * h.Cos + nz * h.Sin, rz = -nx * h.Sin + nz * h.Cos;
                double lambert = Math.Max(0, rx * lx + ny * ly + rz * lz);
                double r = (ambient + (1 - ambient) * lambert) / flat;
                int idx = j * (MeshU + 1) + i;
                pos[idx] = h.P(x, y); // on the drawn surface, so the shading stays on the features it belongs to
                front[idx] = -x * h.Sin + z0 * h.Cos > -0.02;
                col[idx] = r < 1
                    ? new SKColor(20, 10, 8, (byte)Math.Clamp((1 - r) * 230, 0, 200))
                    : new SKColor(255, 250, 240, (byte)Math.Clamp((r - 1) * 160, 0, 90));
            }
        }
        var tris = new List<ushort>(MeshU * MeshV * 6);
        for (int j = 0; j < MeshV; j++)
            for (int i = 0; i < MeshU; i++)
            {
                int p0 = j * (MeshU + 1) + i, p1 = p0 + 1, p2 = p0 + MeshU + 1, p3 = p2 + 1;
                if (!(front[p0] && front[p1] && front[p2] && front[p3])) continue;
                tris.AddRange([(ushort)p0, (ushort)p1, (ushort)p2, (ushort)p1, (ushort)p3, (ushort)p2]);
            }
        if (tris.Count == 0) return;
        using var mesh = SKVertices.CreateCopy(SKVertexMode.Triangles, pos, null, col, tris.ToArray());
        using var paint = new SKPaint { IsAntialias = false };
        c.DrawVertices(mesh, SKBlendMode.Dst, paint);
    }

    double Z(double x, double y) => h.SurfaceZ(x, y) + Relief(x, y);

    /// <summary>
    /// This person's skin: low-frequency mottling and fine pores from their texture seed (the same in
    /// every photo), laid over the face in head units so it moves with it.
    /// </summary>
    void SkinTexture()
    {
        var r = new Rng(id.TextureSeed ^ 0x5C1A);
        foreach (var (cells, alpha) in new[] { (12, 16.0), (56, 11.0) })
        {
            using var bmp = new SKBitmap(new SKImageInfo(cells, cells, SKColorType.Rgba8888, SKAlphaType.Unpremul));
            var px = bmp.GetPixelSpan();
            for (int k = 0; k < cells * cells; k++)
            {
                double v = r.Normal();
                // darker, redder where v > 0; lighter where v < 0
                byte a = (byte)Math.Clamp(Math.Abs(v) * alpha * (0.6 + 0.8 * id.Age), 0, 255);
                bool dark = v > 0;
                px[4 * k] = dark ? (byte)(id.SkinR * 150) : (byte)255;
                px[4 * k + 1] = dark ? (byte)(id.SkinG * 110) : (byte)245;
                px[4 * k + 2] = dark ? (byte)(id.SkinB * 110) : (byte)235;
                px[4 * k + 3] = a;
            }
            var rect = new SKRect((float)(-id.FaceWidth * 1.05), (float)h.Top, (float)(id.FaceWidth * 1.05), (float)h.Chin);
            using var image = SKImage.FromBitmap(bmp);
            using var paint = new SKPaint();
            c.DrawImage(image, rect, new SKSamplingOptions(SKFilterMode.Linear), paint);
        }
    }

    /// <summary>
    /// Regional skin colour, as in a photograph: this person's redness on the cheeks, nose and chin and
    /// darker, browner skin round the eyes.
    /// </summary>
    void Complexion()
    {
        var red = Rgb(Math.Min(1, id.SkinR * 1.02), id.SkinG * 0.66, id.SkinB * 0.66);
        void Blob(double x, double y, double rx, double ry, SKColor col, double a)
        {
            var ctr = h.P(x, y, 0.01, out var facing);
            if (facing < 0 || a <= 0.01) return;
            using var p = Fill(SKColors.Black);
            p.Shader = SKShader.CreateRadialGradient(ctr, (float)rx, [col.WithAlpha((byte)(255 * a)), col.WithAlpha(0)], SKShaderTileMode.Clamp);
            c.Save();
            c.Translate(ctr.X, ctr.Y);
            c.Scale(h.Foreshortening(x, y), (float)(ry / rx));
            c.Translate(-ctr.X, -ctr.Y);
            c.DrawCircle(ctr, (float)rx, p);
            c.Restore();
        }
        double ruddy = 0.3 * id.Ruddiness, dusky = 0.2 * id.EyeShadow;
        foreach (var side in new[] { -1.0, 1.0 })
        {
            Blob(side * (id.EyeSpacing + 0.05), id.EyeHeight + 0.33, 0.26, 0.2, red, ruddy);
            Blob(side * id.EyeSpacing, id.EyeHeight + 0.06, 0.22, 0.1, Skin(0.6), dusky);
        }
        Blob(0, NoseTipY - 0.04, 0.1, 0.1, red, ruddy * 0.9);
        Blob(0, h.Chin - 0.12, 0.22, 0.14, red, ruddy * 0.5);
    }
}
