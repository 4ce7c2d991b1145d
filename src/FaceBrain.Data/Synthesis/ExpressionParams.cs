using FaceBrain.Core.Domain;

namespace FaceBrain.Data.Synthesis;

/// <summary>
/// A facial deformation, as the painter draws it. Zero everywhere is neutral. It is derived from
/// <see cref="ActionUnits"/> (the cause, recorded beside it in the ground truth).
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
    /// <summary>Inner brows drawn toward each other (AU4).</summary>
    public double BrowTogether { get; init; }
    /// <summary>Upper-lid opening: + wide (white above the iris), − lowered.</summary>
    public double EyeOpen { get; init; }
    /// <summary>Lower lid raised and tense (AU7, AU6).</summary>
    public double LidTighten { get; init; }
    /// <summary>Nose wrinkle (disgust).</summary>
    public double NoseWrinkle { get; init; }
    /// <summary>Upper lip raised, showing the upper teeth (AU10).</summary>
    public double UpperLipRaise { get; init; }
    /// <summary>Lower lip pulled down off the lower teeth (AU16), the jaw not necessarily open.</summary>
    public double LowerLipDrop { get; init; }
    /// <summary>How square and tense the mouth's opening is (0 a relaxed oval .. 1 a stretched rectangle).</summary>
    public double MouthSquare { get; init; }
    /// <summary>Cheek raise (smile lines).</summary>
    public double CheekRaise { get; init; }
    /// <summary>Lips pressed thin (anger).</summary>
    public double LipPress { get; init; }
    /// <summary>Chin boss pushed up, lower lip raised (AU17).</summary>
    public double ChinRaise { get; init; }
    /// <summary>Jaw lowered: the chin moves down (AU26).</summary>
    public double JawDrop { get; init; }

    public static ExpressionParams Neutral { get; } = new();

    /// <summary>The prototype of a KDEF category at full strength.</summary>
    public static ExpressionParams Prototype(Expression e) => ActionUnits.Prototype(e).Deformation();

    /// <summary>The prototype of a category at a strength (no person-specific variation).</summary>
    public static ExpressionParams Of(Expression e, double strength) => ActionUnits.Prototype(e).Scale(strength).Deformation();

    /// <summary>Ground-truth columns (name, value), in a fixed order.</summary>
    public IEnumerable<(string, string)> Columns()
    {
        foreach (var (n, v) in new (string, double)[]
        {
            ("mouth_curve", MouthCurve), ("mouth_open", MouthOpen), ("mouth_stretch", MouthStretch),
            ("brow_raise", BrowRaise), ("brow_inner", BrowInner), ("brow_together", BrowTogether), ("eye_open", EyeOpen),
            ("lid_tighten", LidTighten), ("nose_wrinkle", NoseWrinkle), ("upper_lip_raise", UpperLipRaise), ("lower_lip_drop", LowerLipDrop), ("mouth_square", MouthSquare),
            ("cheek_raise", CheekRaise), ("lip_press", LipPress), ("chin_raise", ChinRaise), ("jaw_drop", JawDrop),
        })
            yield return ("expr_" + n, IdentityParams.F(v));
    }
}

/// <summary>What changes from photo to photo but is neither identity nor expression.</summary>
public sealed record Nuisance
{
    /// <summary>Head yaw in degrees as drawn (negative: turned to the viewer's left).</summary>
    public double YawDegrees { get; init; }
    /// <summary>Light direction in degrees (0 from the right, 180 from the left, 270 from above) and strength 0..1.</summary>
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
    /// <summary>Lens/focus blur, Gaussian sigma as a fraction of the image side.</summary>
    public double Blur { get; init; }
    /// <summary>White balance: + warmer (more red, less blue), − cooler.</summary>
    public double Warmth { get; init; }
    /// <summary>Share of diffuse (directional) against ambient light on the face, 0..1.</summary>
    public double Diffuse { get; init; } = 0.5;

    public static Nuisance Sample(ref Rng r, double yaw, double amount, bool clutter) => new()
    {
        YawDegrees = yaw,
        LightAngle = r.Uniform(190, 350), // from the side and above, as studio and daylight are
        LightStrength = r.Uniform(0, 0.35) * amount,
        Brightness = 1 + r.Uniform(-0.12, 0.12) * amount,
        ShiftX = r.Uniform(-0.03, 0.03) * amount,
        ShiftY = r.Uniform(-0.03, 0.03) * amount,
        Scale = 1 + r.Uniform(-0.05, 0.05) * amount,
        Roll = r.Uniform(-4, 4) * amount,
        Noise = r.Uniform(1, 4) * amount,
        Background = clutter ? r.Uniform(0.2, 0.85) : 0.55 + r.Uniform(-0.04, 0.04) * amount,
        Clutter = clutter,
        Blur = r.Uniform(0, 0.004) * amount,
        Warmth = r.Uniform(-0.04, 0.04) * amount,
        Diffuse = Math.Clamp(0.5 + r.Uniform(-0.2, 0.2) * amount, 0, 1),
    };

    public IEnumerable<(string, string)> Columns()
    {
        foreach (var (n, v) in new (string, double)[]
        {
            ("yaw_deg", YawDegrees), ("light_angle", LightAngle), ("light_strength", LightStrength),
            ("brightness", Brightness), ("shift_x", ShiftX), ("shift_y", ShiftY), ("scale", Scale),
            ("roll_deg", Roll), ("noise_sd", Noise), ("background", Background), ("blur", Blur), ("warmth", Warmth),
            ("diffuse", Diffuse),
        })
            yield return ("nuis_" + n, IdentityParams.F(v));
    }
}
