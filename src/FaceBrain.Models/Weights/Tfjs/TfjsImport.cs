using TorchSharp;
using static TorchSharp.torch;

namespace FaceBrain.Models.Weights.Tfjs;

/// <summary>How a TF-layout tensor becomes a TorchSharp parameter.</summary>
public enum TfLayout
{
    /// <summary>1-D (bias, scale): unchanged.</summary>
    Vector,
    /// <summary>Conv filter [kh,kw,in,out] → [out,in,kh,kw] (also 1×1 pointwise filters).</summary>
    Conv,
    /// <summary>Depthwise filter [kh,kw,in,1] → [in,1,kh,kw] (groups = in).</summary>
    Depthwise,
    /// <summary>Dense kernel [in,out] → Linear weight [out,in].</summary>
    Dense,
}

/// <summary>One parameter of a module and the manifest tensor it comes from.</summary>
public sealed record TfjsBinding(string Key, string TfName, TfLayout Layout);

/// <summary>A module that can be filled from a TF.js manifest: it names, for each parameter, its source tensor.</summary>
public interface ITfjsModule
{
    IReadOnlyList<TfjsBinding> TfjsBindings();
}

/// <summary>
/// The general TF.js → TorchSharp import: every binding's tensor must exist with the shape its layout implies,
/// every manifest tensor must be used and every module parameter bound; only then is anything copied.
/// A new TF.js model needs only its module definition and its bindings.
/// </summary>
public static class TfjsImport
{
    public static long[] TorchShape(long[] tf, TfLayout layout) => layout switch
    {
        TfLayout.Vector => tf,
        TfLayout.Conv when tf.Length == 4 => [tf[3], tf[2], tf[0], tf[1]],
        TfLayout.Depthwise when tf.Length == 4 && tf[3] == 1 => [tf[2], 1, tf[0], tf[1]],
        TfLayout.Dense when tf.Length == 2 => [tf[1], tf[0]],
        _ => [],
    };

    static long[] Permutation(TfLayout layout) => layout switch
    {
        TfLayout.Conv => [3, 2, 0, 1],
        TfLayout.Depthwise => [2, 3, 0, 1],
        TfLayout.Dense => [1, 0],
        _ => [],
    };

    /// <summary>Reads <paramref name="manifestPath"/> and loads it into <paramref name="module"/> all-or-nothing.</summary>
    public static void LoadFile(nn.Module module, string manifestPath, string modelName)
    {
        if (module is not ITfjsModule tfjs) throw new InputException(manifestPath, $"{modelName} cannot be loaded from TF.js weights");
        Load(module, tfjs.TfjsBindings(), TfjsWeights.Read(manifestPath), manifestPath, modelName);
    }

    public static void Load(nn.Module module, IReadOnlyList<TfjsBinding> bindings, IReadOnlyDictionary<string, TfjsTensor> tensors, string source, string modelName)
    {
        var state = module.state_dict();
        var unbound = state.Keys.Except(bindings.Select(b => b.Key)).ToList();
        if (unbound.Count > 0) throw new InvalidOperationException($"{modelName}: parameters without a TF.js source: {string.Join(", ", unbound)}");
        foreach (var b in bindings)
        {
            if (!tensors.TryGetValue(b.TfName, out var t))
                throw new InputException(source, $"tensor '{b.TfName}' missing (needed by {modelName} for {b.Key})");
            var want = state[b.Key].shape;
            if (!TorchShape(t.Shape, b.Layout).SequenceEqual(want))
                throw new InputException(source, $"tensor '{b.TfName}' has shape [{string.Join(",", t.Shape)}]; {modelName} needs {Expected(want, b.Layout)}");
        }
        var unused = tensors.Keys.Except(bindings.Select(b => b.TfName)).Order(StringComparer.Ordinal).ToList();
        if (unused.Count > 0)
            throw new InputException(source, $"{unused.Count} tensors {modelName} does not use ({string.Join(", ", unused.Take(5))}{(unused.Count > 5 ? ", ..." : "")}): not this model's weights");
        using var _ = no_grad();
        foreach (var b in bindings)
        {
            var t = tensors[b.TfName];
            using var raw = torch.tensor(t.Values, t.Shape);
            using var moved = b.Layout == TfLayout.Vector ? raw.alias() : raw.permute(Permutation(b.Layout));
            state[b.Key].copy_(moved.reshape(state[b.Key].shape));
        }
    }

    static string Expected(long[] torchShape, TfLayout layout)
    {
        long[] tf = layout switch
        {
            TfLayout.Conv => [torchShape[2], torchShape[3], torchShape[1], torchShape[0]],
            TfLayout.Depthwise => [torchShape[2], torchShape[3], torchShape[0], 1],
            TfLayout.Dense => [torchShape[1], torchShape[0]],
            _ => torchShape,
        };
        return $"[{string.Join(",", tf)}]";
    }
}
