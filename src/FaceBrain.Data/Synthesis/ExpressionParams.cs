using FaceBrain.Core.Domain;

namespace FaceBrain.Data.Synthesis;

/// <summary>
/// A facial deformation, the same for every identity. Zero everywhere is neutral; each KDEF category
/// is a fixed prototype (loosely after FACS action units) scaled by a strength in [0, 1+].
/// </summary>
public sealed record ExpressionParams
{
    /// <summary>Mouth corners up (+, smile) or down (−).</summary>
    public double MouthCurve { get; init; }
    /// <summary>Lips apart: 0 closed .. 1 wide open.</summary>
    public double MouthOpen { get; init; }
    /// <summary>Relative change of the mouth width (+ stretched, − rounded/pressed).</summary>
    public double MouthStretch { get; init; }
    /// <summary>Whole brow up (+) or down (−).</summary>
    public double BrowRaise { get; init; }
    /// <summary>Inner brow ends up (+, worry) or down (−, frown).</summary>
    public double BrowInner { get; init; }
    /// <summary>Eye opening: + wide, − narrowed.</summary>
    public double EyeOpen { get; init; }
    /// <summary>Nose wrinkle and upper-lip raise (disgust).</summary>
    public double NoseWrinkle { get; init; }
    /// <summary>Cheek raise (smile lines).</summary>
    public double CheekRaise { get; init; }
    /// <summary>Lips pressed thin (anger).</summary>
    public double LipPress { get; init; }

    public static ExpressionParams Neutral { get; } = new();

    /// <summary>The prototype of a KDEF category at full strength.</summary>
    public static ExpressionParams Prototype(Expression e) => e switch
    {
        Expression.Neutral => Neutral,
        Expression.Happy => new() { MouthCurve = 1.0, MouthOpen = 0.35, MouthStretch = 0.3, CheekRaise = 1.0, EyeOpen = -0.35, BrowRaise = 0.05 },
        Expression.Sad => new() { MouthCurve = -0.9, MouthStretch = -0.05, BrowInner = 1.0, BrowRaise = -0.05, EyeOpen = -0.3 },
        Expression.Angry => new() { BrowInner = -1.0, BrowRaise = -0.7, EyeOpen = -0.1, LipPress = 1.0, MouthCurve = -0.35, MouthStretch = -0.12 },
        Expression.Surprised => new() { BrowRaise = 1.0, EyeOpen = 0.8, MouthOpen = 1.0, MouthStretch = -0.4 },
        Expression.Afraid => new() { BrowRaise = 0.7, BrowInner = 0.9, EyeOpen = 0.85, MouthOpen = 0.45, MouthStretch = 0.3, MouthCurve = -0.45 },
        Expression.Disgusted => new() { NoseWrinkle = 1.0, BrowRaise = -0.45, BrowInner = -0.35, EyeOpen = -0.45, MouthCurve = -0.55, MouthOpen = 0.22, MouthStretch = 0.1 },
        _ => throw new ArgumentOutOfRangeException(nameof(e)),
    };

    public static ExpressionParams Of(Expression e, double strength) => Prototype(e).Scale(strength);

    public ExpressionParams Scale(double s) => new()
    {
        MouthCurve = MouthCurve * s, MouthOpen = MouthOpen * s, MouthStretch = MouthStretch * s,
        BrowRaise = BrowRaise * s, BrowInner = BrowInner * s, EyeOpen = EyeOpen * s,
        NoseWrinkle = NoseWrinkle * s, CheekRaise = CheekRaise * s, LipPress = LipPress * s,
    };

    /// <summary>Ground-truth columns (name, value), in a fixed order.</summary>
    public IEnumerable<(string, string)> Columns()
    {
        foreach (var (n, v) in new (string, double)[]
        {
            ("mouth_curve", MouthCurve), ("mouth_open", MouthOpen), ("mouth_stretch", MouthStretch),
            ("brow_raise", BrowRaise), ("brow_inner", BrowInner), ("eye_open", EyeOpen),
            ("nose_wrinkle", NoseWrinkle), ("cheek_raise", CheekRaise), ("lip_press", LipPress),
        })
            yield return ("expr_" + n, IdentityParams.F(v));
    }
}

/// <summary>What changes from photo to photo but is neither identity nor expression.</summary>
public sealed record Nuisance
{
    /// <summary>Head yaw in degrees as drawn (negative: turned to the viewer's left).</summary>
    public double YawDegrees { get; init; }
    /// <summary>Light direction in degrees (0 from the right, 180 from the left) and strength 0..1.</summary>
    public double LightAngle { get; init; }
    public double LightStrength { get; init; }
    /// <summary>Overall brightness factor (1 = as drawn).</summary>
    public double Brightness { get; init; } = 1;
    /// <summary>Position jitter as a fraction of the image size, scale factor and in-plane roll (degrees).</summary>
    public double ShiftX { get; init; }
    public double ShiftY { get; init; }
    public double Scale { get; init; } = 1;
    public double Roll { get; init; }
    /// <summary>Pixel noise standard deviation in 0..255 units.</summary>
    public double Noise { get; init; }
    /// <summary>Background grey level 0..1, and whether to scatter "in the wild" blobs behind the head.</summary>
    public double Background { get; init; } = 0.55;
    public bool Clutter { get; init; }

    public static Nuisance Sample(ref Rng r, double yaw, double amount, bool clutter) => new()
    {
        YawDegrees = yaw,
        LightAngle = r.Uniform(0, 360),
        LightStrength = r.Uniform(0, 0.35) * amount,
        Brightness = 1 + r.Uniform(-0.12, 0.12) * amount,
        ShiftX = r.Uniform(-0.03, 0.03) * amount,
        ShiftY = r.Uniform(-0.03, 0.03) * amount,
        Scale = 1 + r.Uniform(-0.05, 0.05) * amount,
        Roll = r.Uniform(-4, 4) * amount,
        Noise = r.Uniform(1, 4) * amount,
        Background = clutter ? r.Uniform(0.2, 0.85) : 0.55 + r.Uniform(-0.04, 0.04) * amount,
        Clutter = clutter,
    };

    public IEnumerable<(string, string)> Columns()
    {
        foreach (var (n, v) in new (string, double)[]
        {
            ("yaw_deg", YawDegrees), ("light_angle", LightAngle), ("light_strength", LightStrength),
            ("brightness", Brightness), ("shift_x", ShiftX), ("shift_y", ShiftY), ("scale", Scale),
            ("roll_deg", Roll), ("noise_sd", Noise), ("background", Background),
        })
            yield return ("nuis_" + n, IdentityParams.F(v));
    }
}
