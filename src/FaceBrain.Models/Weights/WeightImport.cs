using TorchSharp;
using static TorchSharp.torch;

namespace FaceBrain.Models.Weights;

/// <summary>A key whose tensor has a different shape in the file than in the model.</summary>
public sealed record ShapeMismatch(string Key, long[] Model, long[] File)
{
    public override string ToString() => $"{Key} (model {Dims(Model)}, file {Dims(File)})";
    static string Dims(long[] s) => s.Length == 0 ? "scalar" : string.Join("×", s);
}

/// <summary>How a state dict matches a model, key by key.</summary>
public sealed record WeightCheck(IReadOnlyList<string> Missing, IReadOnlyList<string> Unexpected, IReadOnlyList<ShapeMismatch> WrongShape)
{
    public bool Fits => Missing.Count == 0 && Unexpected.Count == 0 && WrongShape.Count == 0;

    public string Describe()
    {
        var parts = new List<string>();
        if (Missing.Count > 0) parts.Add($"{Missing.Count} missing ({List(Missing)})");
        if (Unexpected.Count > 0) parts.Add($"{Unexpected.Count} unexpected ({List(Unexpected)})");
        if (WrongShape.Count > 0) parts.Add($"{WrongShape.Count} wrong shape ({List(WrongShape.Select(w => w.ToString()).ToList())})");
        return string.Join("; ", parts);
    }

    static string List(IReadOnlyList<string> keys) =>
        string.Join(", ", keys.Take(5)) + (keys.Count > 5 ? $", and {keys.Count - 5} more" : "");
}

/// <summary>
/// Loads a state dict into a model only when every key matches by name and shape, so a model is never
/// half-loaded. BatchNorm's <c>num_batches_tracked</c> may be absent from the file (the VGGFace2 release and
/// older torchvision files lack it); it only matters for BN with momentum=None, which FaceBrain never uses.
/// </summary>
public static class WeightImport
{
    public static WeightCheck Check(nn.Module model, IReadOnlyDictionary<string, Tensor> file)
    {
        var own = model.state_dict();
        var missing = own.Keys.Where(k => !file.ContainsKey(k) && !k.EndsWith(".num_batches_tracked", StringComparison.Ordinal)).ToList();
        var unexpected = file.Keys.Where(k => !own.ContainsKey(k)).Order(StringComparer.Ordinal).ToList(); // a pickle's key order is not stable
        var wrong = own.Where(kv => file.TryGetValue(kv.Key, out var t) && !t.shape.SequenceEqual(kv.Value.shape))
                       .Select(kv => new ShapeMismatch(kv.Key, kv.Value.shape, file[kv.Key].shape)).ToList();
        return new WeightCheck(missing, unexpected, wrong);
    }

    /// <summary>Copies every tensor into the model (any device, dtype converted), after a full check.</summary>
    public static void Load(nn.Module model, IReadOnlyDictionary<string, Tensor> file, string source, string modelName)
    {
        var check = Check(model, file);
        if (!check.Fits)
            throw new InputException(source, $"does not fit {modelName}: {check.Describe()}");
        using var _ = no_grad();
        foreach (var (key, target) in model.state_dict())
            if (file.TryGetValue(key, out var t)) target.copy_(t);
    }

    /// <summary>
    /// The spec a state dict fits: for a ResNet whose head size was not given (<see cref="ModelSpec.NumClasses"/> 0),
    /// the number of classes is read from the file's <c>fc.weight</c> (a torchvision-layout VGGFace2 file: 8631).
    /// </summary>
    public static ModelSpec FitSpec(ModelSpec spec, IReadOnlyDictionary<string, Tensor> file)
    {
        if (spec.Kind == ModelKind.Siamese || spec.NumClasses > 0) return spec;
        if (file.TryGetValue("fc.weight", out var fc) && fc.dim() == 2 && fc.shape[0] is > 0 and <= int.MaxValue)
            return spec with { NumClasses = (int)fc.shape[0] };
        return spec;
    }

    /// <summary>Reads <paramref name="path"/> (.pt/.pth/.bin or .safetensors) and loads it all-or-nothing.</summary>
    public static void LoadFile(nn.Module model, string path, string modelName)
    {
        var sd = StateDictFile.Read(path);
        try { Load(model, sd, path, modelName); }
        finally { foreach (var t in sd.Values) t.Dispose(); }
    }
}
