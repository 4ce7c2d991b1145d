using SkiaSharp;

namespace FaceBrain.Data.Synthesis;

/// <summary>A rendered face: RGBA pixels and where the face is, in pixels.</summary>
public sealed class RenderedFace : IDisposable
{
    internal RenderedFace(SKBitmap bitmap, SKRect faceBox, FaceLandmarks landmarks)
    {
        Bitmap = bitmap;
        FaceBox = faceBox;
        Landmarks = landmarks;
    }

    public SKBitmap Bitmap { get; }
    /// <summary>The face (forehead to chin, silhouette width) in pixel coordinates.</summary>
    public SKRect FaceBox { get; }
    /// <summary>The 68 landmarks and the eye and mouth centres, in pixel coordinates.</summary>
    public FaceLandmarks Landmarks { get; }

    /// <summary>Encodes as JPEG (quality 0..100) or PNG. Same pixels give the same bytes.</summary>
    public byte[] Encode(SKEncodedImageFormat format, int quality = 92)
    {
        using var pixmap = Bitmap.PeekPixels();
        // JPEG with 4:2:0 chroma, like camera files (and the real sets): smaller and faster than 4:4:4.
        using var data = (format == SKEncodedImageFormat.Jpeg
                ? pixmap.Encode(new SKJpegEncoderOptions(quality, SKJpegEncoderDownsample.Downsample420, SKJpegEncoderAlphaOption.Ignore))
                : Bitmap.Encode(format, quality))
            ?? throw new InvalidOperationException($"SkiaSharp could not encode {format}");
        return data.ToArray();
    }

    public void Dispose() => Bitmap.Dispose();
}

/// <summary>
/// Renders one parametric face as a photograph: identity (lasting shape and colour), expression (the
/// deformation of a person's action units) and nuisance (yaw, light, jitter, blur, noise, white balance).
/// The head is rasterised per pixel as 3-D surfaces (<see cref="HeadRaster"/>), coloured by
/// <see cref="FaceSurface"/> and lit by <see cref="HeadShading"/>; SkiaSharp composites it over the
/// background with the photo's roll and focus blur. Deterministic: the same parameters and noise seed give
/// the same pixels. Thread-safe (no shared state).
/// </summary>
public static class FaceRenderer
{
    const double MaxUnit = 44;
    /// <param name="faceScale">Face half-width as a fraction of the image side (KDEF framing ≈ 0.27).</param>
    public static RenderedFace Render(IdentityParams id, ExpressionParams ex, Nuisance n, int size, ulong noiseSeed, double faceScale = 0.27)
    {
        var head = new HeadModel(id, n.YawDegrees, ex.JawDrop);
        var geometry = new FaceGeometry(id, ex, head);
        var surface = new FaceSurface(id, ex, head, geometry);
        double unit = size * faceScale * n.Scale;
        // The head is rendered at most MaxUnit pixels per head unit and scaled up in compositing: above that
        // (the 224-256 px sets) the camera's softness hides the difference, and the cost grows with the square.
        double q = Math.Min(1, MaxUnit / unit);
        // the head's layer is larger than the photo, so a rolled head leaves no corner unfilled
        int layerSide = (int)Math.Ceiling(size * 1.25 * q);
        var raster = new HeadRaster(id, head, surface, layerSide, unit * q);
        raster.Render();
        using var layer = HeadShading.Shade(raster, surface, id, n);
        var landmarkUnits = geometry.Landmarks(surface.Feature);

        var bmp = new SKBitmap(new SKImageInfo(size, size, SKColorType.Rgba8888, SKAlphaType.Premul));
        SKRect box;
        FaceLandmarks landmarks;
        using (var canvas = new SKCanvas(bmp))
        {
            // focus blur over the whole photograph, drawn through a blurring layer,
            // at least the softness of a good camera at this size
            float sigma = (float)Math.Max(n.Blur * size, 0.002 * size);
            using var blur = sigma > 0.25f ? new SKPaint { ImageFilter = SKImageFilter.CreateBlur(sigma, sigma) } : null;
            if (blur != null) canvas.SaveLayer(blur);
            DrawBackground(canvas, n, size, noiseSeed);
            canvas.Save();
            canvas.Translate((float)(size * (0.5 + n.ShiftX)), (float)(size * (0.5 + n.ShiftY)));
            canvas.RotateDegrees((float)n.Roll);
            var toPixels = canvas.TotalMatrix.PreConcat(SKMatrix.CreateScale((float)unit, (float)unit));
            canvas.Scale((float)(1 / q));
            canvas.Translate((float)-raster.Cx, (float)-raster.Cy);
            using (var image = SKImage.FromBitmap(layer))
            using (var paint = new SKPaint { IsAntialias = true })
                canvas.DrawImage(image, 0, 0, new SKSamplingOptions(SKFilterMode.Linear), paint);
            float e = (float)head.Silhouette(0);
            box = toPixels.MapRect(new SKRect(-e, (float)head.Top, e, (float)head.Chin));
            landmarks = new FaceLandmarks(toPixels.MapPoints(landmarkUnits));
            canvas.Restore();
            if (blur != null) canvas.Restore();
        }
        PostProcess(bmp, n, noiseSeed);
        return new RenderedFace(bmp, box, landmarks);
    }

    static void DrawBackground(SKCanvas c, Nuisance n, int size, ulong seed)
    {
        byte g = (byte)Math.Clamp(n.Background * 255, 0, 255);
        using var bg = new SKPaint { IsAntialias = true };
        bg.Shader = SKShader.CreateLinearGradient(new SKPoint(0, 0), new SKPoint(0, size),
            [new SKColor(g, g, (byte)Math.Min(255, g + 6)), new SKColor((byte)(g * 0.85), (byte)(g * 0.85), (byte)(g * 0.88))],
            SKShaderTileMode.Clamp);
        c.DrawRect(0, 0, size, size, bg);
        if (!n.Clutter) return;
        // "In the wild": soft shapes of random colour behind the person.
        var r = new Rng(seed ^ 0x5DEECE66DUL);
        using var p = new SKPaint { IsAntialias = true, MaskFilter = SKMaskFilter.CreateBlur(SKBlurStyle.Normal, size * 0.02f) };
        for (int k = 0; k < 7; k++)
        {
            p.Color = new SKColor((byte)r.Next(256), (byte)r.Next(256), (byte)r.Next(256), 200);
            float x = (float)r.Uniform(0, size), y = (float)r.Uniform(0, size), w = (float)r.Uniform(0.1, 0.5) * size, h = (float)r.Uniform(0.1, 0.5) * size;
            if (r.Next(2) == 0) c.DrawRect(x - w / 2, y - h / 2, w, h, p);
            else c.DrawOval(x, y, w / 2, h / 2, p);
        }
    }

    /// <summary>Brightness and Gaussian pixel noise, applied to the finished RGBA pixels.</summary>
    static void PostProcess(SKBitmap bmp, Nuisance n, ulong seed)
    {
        var px = bmp.GetPixelSpan();
        var r = new Rng(seed);
        float b = (float)n.Brightness, sd = (float)n.Noise;
        float br = b * (float)(1 + n.Warmth), bb = b * (float)(1 - n.Warmth);
        var normals = NormalTable.Values;
        ulong bits = 0;
        for (int i = 0, k = 0; i < px.Length; i += 4, k++)
        {
            if ((k & 3) == 0) bits = r.NextUInt64();
            float noise = normals[(int)(bits & 0xFFFF)] * sd; // one draw per pixel: luminance noise
            bits >>= 16;
            px[i] = Clamp(px[i] * br + noise);
            px[i + 1] = Clamp(px[i + 1] * b + noise);
            px[i + 2] = Clamp(px[i + 2] * bb + noise);
        }
    }

    static byte Clamp(float v) => v <= 0 ? (byte)0 : v >= 255 ? (byte)255 : (byte)(v + 0.5f);

    /// <summary>65,536 standard-normal quantiles (clipped to ±3): a noise draw is one table lookup.</summary>
    static class NormalTable
    {
        public static readonly float[] Values = Make();

        static float[] Make()
        {
            var v = new float[65536];
            for (int k = 0; k < v.Length; k++) v[k] = (float)Math.Clamp(InverseNormal((k + 0.5) / v.Length), -3, 3);
            return v;
        }

        // Acklam's rational approximation of the normal quantile (relative error < 1.2e-9).
        static double InverseNormal(double p)
        {
            double[] a = [-3.969683028665376e+01, 2.209460984245205e+02, -2.759285104469687e+02, 1.383577518672690e+02, -3.066479806614716e+01, 2.506628277459239e+00];
            double[] b = [-5.447609879822406e+01, 1.615858368580409e+02, -1.556989798598866e+02, 6.680131188771972e+01, -1.328068155288572e+01];
            double[] c = [-7.784894002430293e-03, -3.223964580411365e-01, -2.400758277161838e+00, -2.549732539343734e+00, 4.374664141464968e+00, 2.938163982698783e+00];
            double[] d = [7.784695709041462e-03, 3.224671290700398e-01, 2.445134137142996e+00, 3.754408661907416e+00];
            if (p < 0.02425)
            {
                double q = Math.Sqrt(-2 * Math.Log(p));
                return (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) / ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
            }
            if (p > 1 - 0.02425) return -InverseNormal(1 - p);
            double u = p - 0.5, t = u * u;
            return (((((a[0] * t + a[1]) * t + a[2]) * t + a[3]) * t + a[4]) * t + a[5]) * u / (((((b[0] * t + b[1]) * t + b[2]) * t + b[3]) * t + b[4]) * t + 1);
        }
    }
}
