using FaceBrain.Core.Domain;
using FaceBrain.Data.Images;
using FaceBrain.Data.Loading;

namespace FaceBrain.Training.Data;

/// <summary>
/// The thin adapter from FaceBrain.Data (stimulus lists from a data spec, the image pipeline) to the
/// in-memory tensors training and probing use: every image decoded once, preprocessed with the preset the
/// network expects, and labelled by one stimulus column.
/// </summary>
public static class FaceData
{
    /// <summary>Loads a data spec (kdef:DIR, lfw:DIR, vggface2:DIR, manifest:FILE, images:DIR), keeping the rows <paramref name="filter"/> matches; refuses a set with bad files.</summary>
    public static LoadResult Load(string spec, StimulusFilter? filter = null)
    {
        var result = DataSpec.Load(spec).RequireNoBad();
        if (result.Stimuli.Count == 0) throw new InputException(spec, "no images found");
        return filter is null ? result : filter.Apply(result, spec);
    }

    /// <summary>The value of <paramref name="column"/> for every stimulus; a missing value is bad input.</summary>
    public static string[] Column(IReadOnlyList<Stimulus> stimuli, string column, string source)
    {
        var values = new string[stimuli.Count];
        for (int i = 0; i < stimuli.Count; i++)
            values[i] = stimuli[i].Label(column) is { Length: > 0 } v ? v
                : throw new InputException(source, $"stimulus {stimuli[i].Id} has no '{column}' label (the column is missing or empty)");
        return values;
    }

    /// <summary>
    /// Decodes <paramref name="stimuli"/> at <paramref name="size"/> px with <paramref name="preset"/> through the one
    /// batch source (<see cref="FaceImages"/>; from the decoded-image cache in <paramref name="cacheDir"/> when given);
    /// classes from <paramref name="classColumn"/>. Given the set's <paramref name="kind"/>, the preset's default face
    /// crop applies (<see cref="FaceCrops"/>).
    /// </summary>
    public static FaceTensors Tensors(IReadOnlyList<Stimulus> stimuli, string classColumn, int size, string preset, string source,
                                      string? cacheDir = null, DatasetKind? kind = null)
    {
        if (stimuli.Count == 0) throw new InputException(source, "no images in this split");
        var classes = Column(stimuli, classColumn, source);
        var p = Presets.Parse(preset);
        var pipeline = new ImagePipeline(new PipelineOptions { Size = size, Preset = p, DefaultCrop = FaceCrops.For(p, kind) });
        using var images = FaceImages.Open(stimuli, pipeline, cacheDir);
        return FaceTensors.FromArrays(images.All(), size, classes, stimuli.Select(s => s.Id).ToArray());
    }
}
