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
                using var face = FaceRenderer.Render(cast.Identity(i), ExpressionParams.Of(expressions[e], strength), n, cell, (ulong)(i * 31 + e));
                canvas.DrawBitmap(face.Bitmap, e * cell, label + i * cell);
            }
        var angles = KdefCodes.AllAngles;
        for (int a = 0; a < angles.Count; a++)
        {
            var n = new Nuisance { YawDegrees = angles[a].YawDegrees(), Noise = 1.5 };
            using var face = FaceRenderer.Render(cast.Identity(a % identities), ExpressionParams.Of(Expression.Happy, strength), n, cell, (ulong)a);
            canvas.DrawBitmap(face.Bitmap, a * cell, label + identities * cell);
        }
        using var data = sheet.Encode(SKEncodedImageFormat.Png, 100);
        return data.ToArray();
    }
}
