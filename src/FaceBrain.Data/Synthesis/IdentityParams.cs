using System.Globalization;

namespace FaceBrain.Data.Synthesis;

/// <summary>
/// The lasting shape and appearance of one synthetic person. Units are head-model units (face
/// half-width ≈ 1); colours are sRGB 0..1. Every field goes into the ground-truth TSV as id_*.
/// </summary>
public sealed record IdentityParams
{
    public required string Sex { get; init; }                // "F" or "M"
    public double FaceWidth { get; init; } = 1.0;            // half-width of the face
    public double FaceLength { get; init; } = 1.3;           // forehead top to chin
    public double Jaw { get; init; } = 0.8;                  // 0 pointed .. 1 square
    public double EyeSize { get; init; } = 1.0;
    public double EyeSpacing { get; init; } = 0.38;          // centre to eye centre
    public double EyeHeight { get; init; } = -0.12;          // eye line (negative = up)
    public double BrowThickness { get; init; } = 0.06;
    public double BrowHeight { get; init; } = 0.2;           // above the eye line
    public double NoseLength { get; init; } = 0.38;
    public double NoseWidth { get; init; } = 0.15;
    public double MouthWidth { get; init; } = 0.34;          // half-width
    public double LipThickness { get; init; } = 0.05;
    public double MouthHeight { get; init; } = 0.58;         // y of the mouth line
    public double SkinR { get; init; } = 0.9;
    public double SkinG { get; init; } = 0.75;
    public double SkinB { get; init; } = 0.65;
    public double HairR { get; init; } = 0.2;
    public double HairG { get; init; } = 0.15;
    public double HairB { get; init; } = 0.1;
    public double IrisR { get; init; } = 0.3;
    public double IrisG { get; init; } = 0.25;
    public double IrisB { get; init; } = 0.2;
    public double Hairline { get; init; } = -0.75;           // y of the hairline at the centre
    public int HairStyle { get; init; }                      // 0 short, 1 long, 2 side part, 3 bald crown
    public double Stubble { get; init; }                     // 0..0.5 darkening of the beard area
    public double ShirtR { get; init; } = 0.5;
    public double ShirtG { get; init; } = 0.5;
    public double ShirtB { get; init; } = 0.5;
    /// <summary>A planted identity-only factor (+1/-1, balanced over identities) that is NOT drawn:
    /// with identity-disjoint cross-validation it must decode at chance; above chance means leakage.</summary>
    public int IdentityOnlyFactor { get; init; }

    static readonly (double R, double G, double B)[] SkinTones =
        [(0.98, 0.86, 0.78), (0.93, 0.76, 0.64), (0.84, 0.64, 0.50), (0.70, 0.50, 0.36), (0.52, 0.36, 0.25), (0.38, 0.26, 0.18)];
    static readonly (double R, double G, double B)[] HairColours =
        [(0.08, 0.06, 0.05), (0.25, 0.16, 0.09), (0.45, 0.30, 0.16), (0.78, 0.62, 0.36), (0.55, 0.25, 0.12), (0.62, 0.61, 0.60)];
    static readonly (double R, double G, double B)[] IrisColours =
        [(0.30, 0.20, 0.12), (0.18, 0.12, 0.08), (0.30, 0.45, 0.60), (0.35, 0.45, 0.30), (0.45, 0.35, 0.20)];

    /// <summary>Draws a person. <paramref name="factor"/> is the planted identity-only factor to record.</summary>
    public static IdentityParams Sample(ref Rng r, string sex, int factor)
    {
        bool f = sex == "F";
        var skin = Lerp(SkinTones, r.NextDouble());
        // grey hair (the last colour) for about one person in twelve
        var hair = r.NextDouble() < 0.08 ? HairColours[^1] : HairColours[r.Next(HairColours.Length - 1)];
        var iris = IrisColours[r.Next(IrisColours.Length)];
        int style = f ? (r.NextDouble() < 0.7 ? 1 : r.Next(3)) : (r.NextDouble() < 0.15 ? 3 : r.NextDouble() < 0.3 ? 2 : 0);
        return new IdentityParams
        {
            Sex = sex,
            FaceWidth = r.Trait(0.86, 1.06) * (f ? 0.97 : 1.0),
            FaceLength = r.Trait(1.2, 1.45),
            Jaw = Math.Clamp(r.Trait(0.35, 0.95) + (f ? -0.12 : 0.08), 0.2, 1.0),
            EyeSize = r.Trait(0.82, 1.2) * (f ? 1.05 : 1.0),
            EyeSpacing = r.Trait(0.33, 0.43),
            EyeHeight = r.Trait(-0.2, -0.05),
            BrowThickness = r.Trait(0.05, 0.1) * (f ? 0.85 : 1.1),
            BrowHeight = r.Trait(0.16, 0.26),
            NoseLength = r.Trait(0.3, 0.46),
            NoseWidth = r.Trait(0.11, 0.2),
            MouthWidth = r.Trait(0.26, 0.4),
            LipThickness = r.Trait(0.03, 0.075) * (f ? 1.2 : 1.0),
            MouthHeight = r.Trait(0.58, 0.72),
            SkinR = skin.R, SkinG = skin.G, SkinB = skin.B,
            HairR = hair.R, HairG = hair.G, HairB = hair.B,
            IrisR = iris.R, IrisG = iris.G, IrisB = iris.B,
            Hairline = r.Trait(-0.9, -0.6),
            HairStyle = style,
            Stubble = f ? 0 : r.NextDouble() < 0.4 ? r.Uniform(0.1, 0.35) : 0,
            ShirtR = r.Uniform(0.15, 0.8), ShirtG = r.Uniform(0.15, 0.8), ShirtB = r.Uniform(0.15, 0.8),
            IdentityOnlyFactor = factor,
        };
    }

    static (double R, double G, double B) Lerp((double R, double G, double B)[] p, double t)
    {
        double x = t * (p.Length - 1);
        int i = Math.Min((int)x, p.Length - 2);
        double u = x - i;
        return (p[i].R + u * (p[i + 1].R - p[i].R), p[i].G + u * (p[i + 1].G - p[i].G), p[i].B + u * (p[i + 1].B - p[i].B));
    }

    /// <summary>Ground-truth columns (name, value), in a fixed order.</summary>
    public IEnumerable<(string, string)> Columns()
    {
        yield return ("id_sex", Sex);
        foreach (var (n, v) in new (string, double)[]
        {
            ("face_width", FaceWidth), ("face_length", FaceLength), ("jaw", Jaw), ("eye_size", EyeSize),
            ("eye_spacing", EyeSpacing), ("eye_height", EyeHeight), ("brow_thickness", BrowThickness),
            ("brow_height", BrowHeight), ("nose_length", NoseLength), ("nose_width", NoseWidth),
            ("mouth_width", MouthWidth), ("lip_thickness", LipThickness), ("mouth_height", MouthHeight),
            ("skin_r", SkinR), ("skin_g", SkinG), ("skin_b", SkinB), ("hair_r", HairR), ("hair_g", HairG), ("hair_b", HairB),
            ("hairline", Hairline), ("stubble", Stubble),
        })
            yield return ("id_" + n, F(v));
        yield return ("id_hair_style", HairStyle.ToString(CultureInfo.InvariantCulture));
        yield return ("identity_only_factor", IdentityOnlyFactor.ToString(CultureInfo.InvariantCulture));
    }

    /// <summary>The same person with another planted factor (it is never drawn).</summary>
    public IdentityParams With(int identityOnlyFactor) => this with { IdentityOnlyFactor = identityOnlyFactor };

    internal static string F(double v) => v.ToString("0.#####", CultureInfo.InvariantCulture);
}
