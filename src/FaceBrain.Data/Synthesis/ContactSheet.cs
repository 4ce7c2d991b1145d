using FaceBrain.Core.Domain;
using SkiaSharp;

namespace FaceBrain.Data.Synthesis;

/// <summary>A grid of synthetic faces (identities × expressions, then one row of the five angles) as PNG.</summary>
public static class ContactSheet
{
    public static byte[] Render(int seed, int identities, int cell, double strength = 1.0)
    {
        var cast = new Cast(seed, identities);
        var expressions = KdefCodes.AllExpressions;
        int cols = Math.Max(expressions.Count, KdefCodes.AllAngles.Count), label = cell / 6;
        int width = cols * cell, height = label + (identities + 1) * cell;
        using var sheet = new SKBitmap(new SKImageInfo(width, height, SKColorType.Rgba8888, SKAlphaType.Premul));
        using var canvas = new SKCanvas(sheet);
        canvas.Clear(SKColors.White);
        using var font = new SKFont(SKTypeface.Default, label * 0.7f);
        using var ink = new SKPaint { Color = SKColors.Black, IsAntialias = true };
        for (int e = 0; e < expressions.Count; e++)
            canvas.DrawText(expressions[e].ToString(), e * cell + cell / 2f, label * 0.8f, SKTextAlign.Center, font, ink);
        for (int i = 0; i < identities; i++)
            for (int e = 0; e < expressions.Count; e++)
            {
                var n = new Nuisance { Noise = 1.5, LightStrength = 0.15, LightAngle = 200 };
                var id = cast.Identity(i);
                using var face = FaceRenderer.Render(id, cast.ActionUnits(i, id, expressions[e], strength).Deformation(), n, cell, (ulong)(i * 31 + e));
                canvas.DrawBitmap(face.Bitmap, e * cell, label + i * cell);
            }
        var angles = KdefCodes.AllAngles;
        for (int a = 0; a < angles.Count; a++)
        {
            var n = new Nuisance { YawDegrees = angles[a].YawDegrees(), Noise = 1.5 };
            var id = cast.Identity(a % identities);
            using var face = FaceRenderer.Render(id, cast.ActionUnits(a % identities, id, Expression.Happy, strength).Deformation(), n, cell, (ulong)a);
            canvas.DrawBitmap(face.Bitmap, a * cell, label + identities * cell);
        }
        using var data = sheet.Encode(SKEncodedImageFormat.Png, 100);
        return data.ToArray();
    }

    /// <summary>Tiles images from disk (through the image pipeline, centre-cropped to cell × cell) as PNG.</summary>
    public static byte[] FromFiles(IReadOnlyList<Images.ImageSource> images, int columns, int cell)
    {
        var pipe = new Images.ImagePipeline(new Images.PipelineOptions { Size = cell });
        int rows = (images.Count + columns - 1) / columns;
        using var sheet = new SKBitmap(new SKImageInfo(columns * cell, Math.Max(1, rows) * cell, SKColorType.Rgba8888, SKAlphaType.Premul));
        var px = sheet.GetPixelSpan();
        px.Fill(255);
        for (int k = 0; k < images.Count; k++)
        {
            var rgb = pipe.LoadPixels(images[k].Path, images[k].Box);
            int x0 = k % columns * cell, y0 = k / columns * cell;
            for (int y = 0; y < cell; y++)
                for (int x = 0; x < cell; x++)
                {
                    int d = ((y0 + y) * columns * cell + x0 + x) * 4, s = (y * cell + x) * 3;
                    px[d] = rgb[s]; px[d + 1] = rgb[s + 1]; px[d + 2] = rgb[s + 2]; px[d + 3] = 255;
                }
        }
        using var data = sheet.Encode(SKEncodedImageFormat.Png, 100);
        return data.ToArray();
    }
}
