using System.Globalization;

namespace FaceBrain.Data.Synthesis;

/// <summary>
/// The lasting shape and appearance of one synthetic person. Units are head-model units (face
/// half-width about 0.85); colours are sRGB 0..1. Every field goes into the ground-truth TSV as id_*.
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
    public double BrowArch { get; init; } = 0.5;             // 0 straight .. 1 high arch
    public double BrowLength { get; init; } = 1.0;
    public double EyeTilt { get; init; }                     // outer corner up (+)
    public double NoseBridge { get; init; } = 1.0;           // bridge width factor
    public double NoseTip { get; init; } = 1.0;              // tip/bulb size factor
    public double ChinHeight { get; init; } = 1.0;           // lower-face length factor
    public double CheekBones { get; init; } = 0.5;           // 0 flat .. 1 prominent
    public double MouthRest { get; init; }                   // resting lip-corner height (+ up)
    public double UpperLipRatio { get; init; } = 0.75;       // upper / lower lip thickness
    public double Age { get; init; } = 0.3;                  // 0 young .. 1 old: lines, lid fold, grey
    public double EyeDepth { get; init; } = 0.5;             // eye-socket shadow
    public double Freckles { get; init; }                    // 0..1 density
    public int Moles { get; init; }                          // number of moles
    public int Beard { get; init; }                          // 0 none, 1 moustache, 2 goatee, 3 full beard
    public double HairVolume { get; init; } = 1.0;
    public double LipRed { get; init; } = 0.5;
    public ulong TextureSeed { get; init; }                  // places freckles, moles, pores, brow hairs and strands
    public double Undertone { get; init; }                   // -1 olive .. +1 pink (already in the skin colour)
    public double Ruddiness { get; init; } = 0.3;            // 0..1 redness of cheeks, nose and chin
    public double EyeShadow { get; init; } = 0.3;            // 0..1 darker, browner skin round the eyes
    public double BrowDensity { get; init; } = 1.0;          // hairs per brow, relative
    public double EyeOpening { get; init; } = 1.0;           // height of the eye fissure, relative (its own trait, as in real faces)
    public double LipBow { get; init; } = 0.5;               // depth of the Cupid's bow and the philtrum, 0..1
    /// <summary>Left-right asymmetry, −1..1: the image-right eye and brow sit this much higher (× 0.015 head units, about a millimetre)
    /// and the face's fine shape leans to one side (real faces are never mirror images).</summary>
    public double Asymmetry { get; init; }
    /// <summary>Where the upper lid is highest, −1..1: further toward the nose (+) or nearer the eye's centre (−); the lower
    /// lid's lowest point moves the other way (the almond's slant that lens-shaped eyes lack).</summary>
    public double LidPeak { get; init; }
    /// <summary>The upper-lid crease's height above the lid margin, 0 low and hooded .. 1 high (about 1.5 to 4.5 mm).</summary>
    public double LidCrease { get; init; } = 0.5;
    /// <summary>How strongly this person expresses (scales their action units).</summary>
    public double Expressivity { get; init; } = 1.0;
    /// <summary>Coordinates in <see cref="FaceSpace"/>.</summary>
    public double[] FaceSpaceCoordinates { get; init; } = new double[FaceSpace.Dimensions];
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
        var z = FaceSpace.Draw(ref r);
        int trait = 0;
        var rr = r;
        // one shape trait: a fixed direction of the face space plus its own part, scaled into [lo, hi]
        double T(double lo, double hi) => (lo + hi) / 2 + FaceSpace.Score(z, trait++, ref rr) / 5.0 * (hi - lo);
        var skin = Lerp(SkinTones, Math.Clamp(0.5 + T(-0.5, 0.5), 0, 1));
        double age = Math.Clamp(T(-0.3, 1.1), 0, 1);
        var p = new IdentityParams
        {
            Sex = sex,
            // a face (bizygomatic breadth) about 2.2 interpupillary distances wide, as in adults
            FaceWidth = T(0.66, 1.01) * (f ? 0.96 : 1.02),
            // the sex factors after adult anthropometry (men's faces 5–10% longer, noses, mouths and lower faces
            // larger; interpupillary distance about 3% wider)
            FaceLength = T(1.08, 1.58) * (f ? 0.97 : 1.03),
            Jaw = Math.Clamp(T(0.2, 1.05) + (f ? -0.15 : 0.1), 0.1, 1.0),
            EyeSize = T(0.75, 1.25) * (f ? 1.05 : 0.98),
            EyeSpacing = T(0.31, 0.46) * (f ? 0.985 : 1.015),
            EyeHeight = T(-0.25, -0.02),
            BrowThickness = T(0.03, 0.13) * (f ? 0.8 : 1.15),
            BrowHeight = T(0.12, 0.32) * (f ? 1.06 : 0.95),
            NoseLength = T(0.3, 0.6) * (f ? 0.97 : 1.03),
            NoseWidth = T(0.1, 0.22) * (f ? 0.92 : 1.06),
            MouthWidth = T(0.24, 0.44) * (f ? 0.96 : 1.04),
            LipThickness = T(0.028, 0.08) * (f ? 1.2 : 0.95),
            MouthHeight = T(0.64, 0.84),
            SkinR = skin.R, SkinG = skin.G, SkinB = skin.B,
            Hairline = T(-0.95, -0.55),
            BrowArch = Math.Clamp(T(-0.2, 1.2) + (f ? 0.15 : -0.1), 0, 1),
            BrowLength = T(0.8, 1.2),
            EyeTilt = T(-0.025, 0.035),
            NoseBridge = T(0.7, 1.35),
            NoseTip = T(0.7, 1.4),
            ChinHeight = T(0.85, 1.15) * (f ? 0.96 : 1.04),
            CheekBones = Math.Clamp(T(0, 1), 0, 1),
            MouthRest = T(-0.06, 0.12),
            UpperLipRatio = T(0.5, 1.0),
            Age = age,
            EyeDepth = Math.Clamp(T(0, 1), 0, 1),
            LipRed = Math.Clamp(T(0, 1), 0, 1),
            HairVolume = T(0.85, 1.25),
            FaceSpaceCoordinates = z,
        };
        r = rr;
        // grey hair becomes likelier with age
        var hair = r.NextDouble() < 0.04 + 0.25 * age * age ? HairColours[^1] : HairColours[r.Next(HairColours.Length - 1)];
        var iris = IrisColours[r.Next(IrisColours.Length)];
        // 0 short, 1 long, 2 side part, 3 bald crown, 4 fringe, 5 curly volume, 6 tied back, 7 crew cut
        int style = f
            ? Pick(ref r, [0.06, 0.38, 0.1, 0, 0.16, 0.12, 0.18, 0])
            : Pick(ref r, [0.36, 0.04, 0.2, 0.08 + 0.1 * age, 0.06, 0.08, 0, 0.12]);
        int beard = f ? 0 : Pick(ref r, [0.5, 0.12, 0.1, 0.28]);
        bool fair = skin.R > 0.9;
        return (p with
        {
            HairR = hair.R, HairG = hair.G, HairB = hair.B,
            IrisR = iris.R, IrisG = iris.G, IrisB = iris.B,
            HairStyle = style,
            Stubble = f ? 0 : r.NextDouble() < 0.45 ? r.Uniform(0.1, 0.4) : 0,
            Beard = beard,
            Freckles = fair && r.NextDouble() < 0.3 ? r.Uniform(0.3, 1) : 0,
            Moles = r.Next(4),
            TextureSeed = r.NextUInt64(),
            Expressivity = r.Uniform(0.75, 1.15),
            ShirtR = r.Uniform(0.1, 0.85), ShirtG = r.Uniform(0.1, 0.85), ShirtB = r.Uniform(0.1, 0.85),
            IdentityOnlyFactor = factor,
            // drawn last, so the draws above are those of earlier versions
            Undertone = r.Uniform(-1, 1),
            Ruddiness = r.Uniform(0, 1),
            EyeShadow = r.Uniform(0, 1),
            BrowDensity = r.Uniform(0.6, 1.3),
            EyeOpening = Math.Clamp(1 + 0.15 * r.Normal(), 0.7, 1.35),
            LipBow = r.Uniform(0, 1),
            Asymmetry = Math.Clamp(0.5 * r.Normal(), -1, 1),
            LidPeak = Math.Clamp(0.5 * r.Normal(), -1, 1),
            LidCrease = r.Uniform(0, 1),
        }).WithUndertone();
    }

    /// <summary>The undertone tints the skin: pink adds red and blue against green, olive the reverse.</summary>
    IdentityParams WithUndertone() => this with
    {
        SkinR = Math.Clamp(SkinR * (1 + 0.03 * Undertone), 0, 1),
        SkinG = Math.Clamp(SkinG * (1 - 0.035 * Undertone), 0, 1),
        SkinB = Math.Clamp(SkinB * (1 + 0.02 * Undertone), 0, 1),
    };

    static int Pick(ref Rng r, double[] weights)
    {
        double u = r.NextDouble() * weights.Sum();
        for (int k = 0; k < weights.Length; k++)
        {
            u -= weights[k];
            if (u < 0) return k;
        }
        return weights.Length - 1;
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
            ("brow_arch", BrowArch), ("brow_length", BrowLength), ("eye_tilt", EyeTilt), ("nose_bridge", NoseBridge),
            ("nose_tip", NoseTip), ("chin_height", ChinHeight), ("cheek_bones", CheekBones), ("mouth_rest", MouthRest),
            ("upper_lip_ratio", UpperLipRatio), ("age", Age), ("eye_depth", EyeDepth), ("freckles", Freckles),
            ("hair_volume", HairVolume), ("lip_red", LipRed), ("expressivity", Expressivity),
            ("iris_r", IrisR), ("iris_g", IrisG), ("iris_b", IrisB),
            ("undertone", Undertone), ("ruddiness", Ruddiness), ("eye_shadow", EyeShadow), ("brow_density", BrowDensity), ("eye_opening", EyeOpening),
            ("lip_bow", LipBow), ("asymmetry", Asymmetry), ("lid_peak", LidPeak), ("lid_crease", LidCrease),
        })
            yield return ("id_" + n, F(v));
        for (int k = 0; k < FaceSpaceCoordinates.Length; k++)
            yield return ($"id_pc{k + 1}", F(FaceSpaceCoordinates[k]));
        yield return ("id_hair_style", HairStyle.ToString(CultureInfo.InvariantCulture));
        yield return ("id_beard", Beard.ToString(CultureInfo.InvariantCulture));
        yield return ("id_moles", Moles.ToString(CultureInfo.InvariantCulture));
        yield return ("identity_only_factor", IdentityOnlyFactor.ToString(CultureInfo.InvariantCulture));
    }

    /// <summary>The same person with another planted factor (it is never drawn).</summary>
    public IdentityParams With(int identityOnlyFactor) => this with { IdentityOnlyFactor = identityOnlyFactor };

    internal static string F(double v) => v.ToString("0.#####", CultureInfo.InvariantCulture);
}
