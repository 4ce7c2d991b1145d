using TorchSharp;
using static TorchSharp.torch;

namespace FaceBrain.Training.Data;

/// <summary>
/// Decoded, preprocessed images held in memory as one float32 [N,3,S,S] CPU tensor, with integer class
/// labels [N] (int64) and the class names (label k ↔ <see cref="Classes"/>[k]) and stimulus ids per row.
/// Decoding once and slicing batches from here keeps the pipeline off the training step's critical path.
/// </summary>
public sealed class FaceTensors : IDisposable
{
    public FaceTensors(Tensor images, Tensor labels, IReadOnlyList<string> classes, IReadOnlyList<string> ids)
    {
        if (images.dim() != 4 || images.shape[1] != 3) throw new ArgumentException($"images must be [N,3,S,S], got [{string.Join(",", images.shape)}]");
        if (labels.shape[0] != images.shape[0] || ids.Count != images.shape[0]) throw new ArgumentException("one label and one id per image");
        Images = images;
        Labels = labels;
        Classes = classes;
        Ids = ids;
        LabelArray = labels.data<long>().ToArray();
    }

    public Tensor Images { get; }
    public Tensor Labels { get; }
    public IReadOnlyList<string> Classes { get; }
    public IReadOnlyList<string> Ids { get; }
    public long[] LabelArray { get; }
    public int Count => Ids.Count;
    public int Size => (int)Images.shape[2];

    /// <summary>Rows <paramref name="rows"/> as a new set (copies), keeping the class list.</summary>
    public FaceTensors Subset(IReadOnlyList<int> rows)
    {
        using var idx = tensor(rows.Select(r => (long)r).ToArray());
        return new FaceTensors(Images.index_select(0, idx), Labels.index_select(0, idx), Classes, rows.Select(r => Ids[r]).ToArray());
    }

    /// <summary>Builds a set from per-image class names: classes are the sorted distinct names.</summary>
    public static FaceTensors FromArrays(float[] pixels, int size, IReadOnlyList<string> classOfImage, IReadOnlyList<string> ids)
    {
        var classes = classOfImage.Distinct().Order(StringComparer.Ordinal).ToArray();
        var index = classes.Select((c, i) => (c, i)).ToDictionary(p => p.c, p => (long)p.i);
        var images = tensor(pixels, new long[] { ids.Count, 3, size, size });
        var labels = tensor(classOfImage.Select(c => index[c]).ToArray());
        return new FaceTensors(images, labels, classes, ids);
    }

    public void Dispose()
    {
        Images.Dispose();
        Labels.Dispose();
    }
}
