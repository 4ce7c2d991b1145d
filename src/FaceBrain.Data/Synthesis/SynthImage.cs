using FaceBrain.Core.Domain;

namespace FaceBrain.Data.Synthesis;

/// <summary>
/// One planned image: where it goes (relative to the output folder, '/'-separated), its stimulus id as
/// the matching loader will report it, what to draw, and the extra label columns of its layout.
/// </summary>
public sealed record SynthImage(
    string RelativePath,
    string StimulusId,
    string Identity,
    FaceSpec Face,
    double FaceScale,
    IReadOnlyList<(string, string)> Labels)
{
    /// <summary>KDEF angle code when the image shows one of the five KDEF angles, else empty.</summary>
    public string AngleCode { get; init; } = "";
}
