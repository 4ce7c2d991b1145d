namespace FaceBrain.Data.Synthesis;

/// <summary>Which real set's on-disk layout the synthetic faces are written in.</summary>
public enum SynthLayout { Kdef, Lfw, VggFace2, Manifest }

/// <summary>What <c>faces synth</c> makes.</summary>
public sealed record SynthOptions
{
    public SynthLayout Layout { get; init; } = SynthLayout.Kdef;
    /// <summary>Number of people (KDEF: at most 70, half female, half male).</summary>
    public int Identities { get; init; } = 70;
    /// <summary>Images per person (LFW, VGGFace2, manifest; KDEF always has 2 sessions × 7 × 5).</summary>
    public int PerIdentity { get; init; } = 10;
    /// <summary>Image side in pixels.</summary>
    public int Size { get; init; } = 256;
    public int Seed { get; init; } = 1;
    /// <summary>Expression strength: 0 neutral, 1 the full prototype (per-image variation ±10% on top).</summary>
    public double Strength { get; init; } = 1.0;
    /// <summary>Scales every nuisance factor (light, jitter, noise): 0 for clean studio images.</summary>
    public double NuisanceAmount { get; init; } = 1.0;
    /// <summary>Drawn yaw = KDEF angle × this (1: the real ±45°/±90°).</summary>
    public double PoseScale { get; init; } = 1.0;
    public int JpegQuality { get; init; } = 92;
    public int Parallelism { get; init; } = Environment.ProcessorCount;

    public static SynthLayout ParseLayout(string s) => s.ToLowerInvariant() switch
    {
        "kdef" => SynthLayout.Kdef,
        "lfw" => SynthLayout.Lfw,
        "vggface2" => SynthLayout.VggFace2,
        "manifest" => SynthLayout.Manifest,
        _ => throw new Core.InputException($"unknown `layout` '{s}' (known: kdef, lfw, vggface2, manifest)"),
    };

    public void Validate()
    {
        static void Need(bool ok, string what) { if (!ok) throw new Core.InputException(what); }
        Need(Identities >= 1, $"`identities` must be at least 1, got {Identities}");
        Need(Layout != SynthLayout.Kdef || Identities <= 70, $"KDEF has at most 70 identities (35 per sex), got {Identities}");
        Need(PerIdentity >= 1, $"`per-identity` must be at least 1, got {PerIdentity}");
        Need(PerIdentity <= 9999, $"`per-identity` must be at most 9999, got {PerIdentity}");
        Need(Layout != SynthLayout.Lfw || (PerIdentity >= 2 && Identities >= 2), "an LFW layout needs `identities` >= 2 and `per-identity` >= 2 to write matched and mismatched pairs");
        Need(Size is >= 32 and <= 2048, $"`size` must be 32..2048, got {Size}");
        Need(Strength is >= 0 and <= 2, $"`strength` must be 0..2, got {Strength}");
        Need(NuisanceAmount is >= 0 and <= 3, $"`nuisance` must be 0..3, got {NuisanceAmount}");
        Need(JpegQuality is >= 1 and <= 100, $"JPEG quality must be 1..100, got {JpegQuality}");
    }
}
