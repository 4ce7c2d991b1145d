using FaceBrain.Core.Domain;

namespace FaceBrain.Data.Synthesis;

/// <summary>
/// FACS-style action units, intensity 0 (absent) .. 1 (maximal). An expression is a combination of
/// them (after Ekman and Friesen's EMFACS prototypes); the painter sees only the facial deformation
/// that <see cref="Deformation"/> derives from them.
/// </summary>
public sealed record ActionUnits
{
    public double Au1InnerBrowRaiser { get; init; }
    public double Au2OuterBrowRaiser { get; init; }
    public double Au4BrowLowerer { get; init; }
    public double Au5UpperLidRaiser { get; init; }
    public double Au6CheekRaiser { get; init; }
    public double Au7LidTightener { get; init; }
    public double Au9NoseWrinkler { get; init; }
    public double Au10UpperLipRaiser { get; init; }
    public double Au12LipCornerPuller { get; init; }
    public double Au15LipCornerDepressor { get; init; }
    public double Au16LowerLipDepressor { get; init; }
    public double Au17ChinRaiser { get; init; }
    public double Au20LipStretcher { get; init; }
    public double Au23LipTightener { get; init; }
    public double Au24LipPressor { get; init; }
    public double Au25LipsPart { get; init; }
    public double Au26JawDrop { get; init; }
    public double Au43LidDroop { get; init; }

    public static ActionUnits None { get; } = new();

    /// <summary>The prototype of a KDEF category at full strength (the most common variant).</summary>
    public static ActionUnits Prototype(Expression e) => e switch
    {
        Expression.Neutral => None,
        Expression.Happy => new() { Au6CheekRaiser = 0.85, Au12LipCornerPuller = 1.0, Au25LipsPart = 0.7, Au26JawDrop = 0.15 },
        Expression.Sad => new() { Au1InnerBrowRaiser = 1.0, Au4BrowLowerer = 0.45, Au15LipCornerDepressor = 0.9, Au17ChinRaiser = 0.6, Au43LidDroop = 0.5 },
        Expression.Angry => new() { Au4BrowLowerer = 1.0, Au5UpperLidRaiser = 0.35, Au7LidTightener = 0.8, Au23LipTightener = 0.8, Au24LipPressor = 0.8, Au17ChinRaiser = 0.3 },
        Expression.Surprised => new() { Au1InnerBrowRaiser = 1.0, Au2OuterBrowRaiser = 1.0, Au5UpperLidRaiser = 1.0, Au25LipsPart = 1.0, Au26JawDrop = 0.9 },
        Expression.Afraid => new() { Au1InnerBrowRaiser = 1.0, Au2OuterBrowRaiser = 0.8, Au4BrowLowerer = 0.5, Au5UpperLidRaiser = 1.0, Au7LidTightener = 0.4, Au16LowerLipDepressor = 0.4, Au20LipStretcher = 1.1, Au25LipsPart = 0.8, Au26JawDrop = 0.25 },
        Expression.Disgusted => new() { Au9NoseWrinkler = 1.0, Au10UpperLipRaiser = 1.0, Au4BrowLowerer = 0.2, Au6CheekRaiser = 0.5, Au7LidTightener = 0.5, Au15LipCornerDepressor = 0.3, Au17ChinRaiser = 0.4, Au25LipsPart = 0.5 },
        _ => throw new ArgumentOutOfRangeException(nameof(e)),
    };

    /// <summary>
    /// How one person makes expression <paramref name="e"/>: the prototype with each unit's intensity
    /// scaled by the person's expressivity and a person-specific factor, and, for some categories, one of
    /// the variants people really use (closed-mouth smile, open-mouthed anger, disgust with closed lips).
    /// Drawn from <paramref name="r"/>, which the caller keys by person and expression.
    /// </summary>
    public static ActionUnits Idiosyncratic(Expression e, double expressivity, ref Rng r)
    {
        var p = Prototype(e);
        double variant = r.NextDouble();
        p = e switch
        {
            Expression.Happy when variant < 0.3 => p with { Au25LipsPart = 0, Au26JawDrop = 0 },
            // open-mouthed anger, squarish as if shouting: the lips drawn off the teeth (AU10, AU16), the jaw a little open
            Expression.Angry when variant < 0.35 => p with { Au24LipPressor = 0, Au23LipTightener = 0.4, Au10UpperLipRaiser = 0.6, Au16LowerLipDepressor = 0.4, Au25LipsPart = 0.9, Au26JawDrop = 0.3, Au17ChinRaiser = 0 },
            Expression.Disgusted when variant < 0.35 => p with { Au25LipsPart = 0.2, Au10UpperLipRaiser = 0.8, Au15LipCornerDepressor = 0.4, Au17ChinRaiser = 0.6 },
            Expression.Surprised when variant < 0.3 => p with { Au26JawDrop = 0.5, Au25LipsPart = 0.8 },
            Expression.Sad when variant < 0.3 => p with { Au17ChinRaiser = 0.1, Au4BrowLowerer = 0.2 },
            _ => p,
        };
        var v = p.Values();
        for (int k = 0; k < v.Length; k++)
            if (v[k] > 0) v[k] = Math.Clamp(v[k] * expressivity * Math.Clamp(1 + 0.22 * r.Normal(), 0.55, 1.45), 0, 1.3);
        return FromValues(v);
    }

    public ActionUnits Scale(double s) => FromValues(Values().Select(x => x * s).ToArray());

    static readonly string[] Names =
    [
        "au01_inner_brow_raiser", "au02_outer_brow_raiser", "au04_brow_lowerer", "au05_upper_lid_raiser", "au06_cheek_raiser",
        "au07_lid_tightener", "au09_nose_wrinkler", "au10_upper_lip_raiser", "au12_lip_corner_puller", "au15_lip_corner_depressor",
        "au16_lower_lip_depressor", "au17_chin_raiser", "au20_lip_stretcher", "au23_lip_tightener", "au24_lip_pressor", "au25_lips_part", "au26_jaw_drop",
        "au43_lid_droop",
    ];

    double[] Values() =>
    [
        Au1InnerBrowRaiser, Au2OuterBrowRaiser, Au4BrowLowerer, Au5UpperLidRaiser, Au6CheekRaiser, Au7LidTightener,
        Au9NoseWrinkler, Au10UpperLipRaiser, Au12LipCornerPuller, Au15LipCornerDepressor, Au16LowerLipDepressor, Au17ChinRaiser, Au20LipStretcher,
        Au23LipTightener, Au24LipPressor, Au25LipsPart, Au26JawDrop, Au43LidDroop,
    ];

    static ActionUnits FromValues(double[] v) => new()
    {
        Au1InnerBrowRaiser = v[0], Au2OuterBrowRaiser = v[1], Au4BrowLowerer = v[2], Au5UpperLidRaiser = v[3], Au6CheekRaiser = v[4],
        Au7LidTightener = v[5], Au9NoseWrinkler = v[6], Au10UpperLipRaiser = v[7], Au12LipCornerPuller = v[8], Au15LipCornerDepressor = v[9],
        Au16LowerLipDepressor = v[10], Au17ChinRaiser = v[11], Au20LipStretcher = v[12], Au23LipTightener = v[13], Au24LipPressor = v[14],
        Au25LipsPart = v[15], Au26JawDrop = v[16], Au43LidDroop = v[17],
    };

    /// <summary>The facial deformation these units produce (what the painter draws).</summary>
    public ExpressionParams Deformation() => new()
    {
        // the frontalis (AU1, AU2) and the corrugator (AU4) pull against each other: with AU1 the brow lowerer
        // draws the brows together more than it lowers them (the raised, drawn-together brows of fear and grief);
        // AU1 + AU2 raise the whole brow evenly (surprise), AU1 alone its inner end (sadness)
        BrowRaise = 0.3 * Au1InnerBrowRaiser + 0.75 * Au2OuterBrowRaiser - 0.85 * Au4BrowLowerer * (1 - 0.5 * Au1InnerBrowRaiser) - 0.35 * Au9NoseWrinkler,
        BrowInner = 1.0 * Au1InnerBrowRaiser - 0.9 * Au2OuterBrowRaiser - 0.75 * Au4BrowLowerer * (1 - 0.8 * Au1InnerBrowRaiser),
        BrowTogether = Au4BrowLowerer + 0.15 * Au9NoseWrinkler,
        EyeOpen = 0.9 * Au5UpperLidRaiser - 0.3 * Au7LidTightener - 0.35 * Au6CheekRaiser - 0.5 * Au43LidDroop - 0.15 * Au9NoseWrinkler,
        LidTighten = Au7LidTightener + 0.6 * Au6CheekRaiser + 0.3 * Au9NoseWrinkler,
        CheekRaise = Au6CheekRaiser + 0.3 * Au9NoseWrinkler,
        NoseWrinkle = Au9NoseWrinkler,
        // a broad open smile draws the upper lip up off the teeth; the lip stretcher pulls the lower lip down
        UpperLipRaise = Au10UpperLipRaiser + 0.3 * Au9NoseWrinkler + 0.3 * Au12LipCornerPuller * Au25LipsPart,
        LowerLipDrop = Au16LowerLipDepressor + 0.3 * Au20LipStretcher * Au25LipsPart,
        MouthSquare = Math.Min(1, 0.8 * Au20LipStretcher + 0.5 * Au10UpperLipRaiser + 0.5 * Au16LowerLipDepressor),
        MouthCurve = 1.0 * Au12LipCornerPuller - 0.9 * Au15LipCornerDepressor - 0.25 * Au20LipStretcher,
        MouthStretch = 0.45 * Au12LipCornerPuller + 0.55 * Au20LipStretcher - 0.25 * Au23LipTightener - 0.1 * Au24LipPressor - 0.35 * Au26JawDrop,
        LipPress = Math.Min(1.2, Au24LipPressor + 0.5 * Au23LipTightener),
        ChinRaise = Au17ChinRaiser,
        MouthOpen = Au25LipsPart * (0.35 + 0.75 * Au26JawDrop) + 0.25 * Au10UpperLipRaiser * Au25LipsPart,
        JawDrop = Au26JawDrop,
    };

    /// <summary>Ground-truth columns (name, value), in a fixed order.</summary>
    public IEnumerable<(string, string)> Columns()
    {
        var v = Values();
        for (int k = 0; k < Names.Length; k++) yield return (Names[k], IdentityParams.F(v[k]));
    }
}
