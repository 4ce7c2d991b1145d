using FaceBrain.Core;
using FaceBrain.Core.Torch;
using TorchSharp;
using static TorchSharp.torch;

namespace FaceBrain.Extraction;

/// <summary>
/// Extraction's layer capture over <see cref="ForwardHooks"/>: during a forward pass each hooked layer's output is
/// reduced on its device (so early layers never pile up in memory), moved to the CPU as float32 and kept until
/// <see cref="TakeBatch"/>.
/// </summary>
public sealed class LayerCapture : IDisposable
{
    readonly ForwardHooks _hooks;
    readonly Dictionary<string, float[]> _batch = new(StringComparer.Ordinal);
    readonly Dictionary<string, long[]> _shapes = new(StringComparer.Ordinal);

    public LayerCapture(nn.Module model, IReadOnlyList<string> layers, IReadOnlyDictionary<string, Reduction> reductions)
    {
        Layers = layers;
        _hooks = new ForwardHooks(model, layers, (name, output) => Capture(name, reductions[name], output),
            (name, valid) => new InputException($"`layers`: unknown layer '{name}'. Valid layers: {string.Join(", ", valid)}"));
    }

    public IReadOnlyList<string> Layers { get; }

    /// <summary>Every hookable sub-module of a model by its dotted name (see <see cref="ForwardHooks.Hookable"/>).</summary>
    public static IReadOnlyDictionary<string, nn.Module<Tensor, Tensor>> HookableLayers(nn.Module model) => ForwardHooks.Hookable(model);

    bool _fitting;

    /// <summary>
    /// While true, PCA layers feed their flattened activations to their incremental fit and capture nothing else
    /// (the first of the two passes that pca:D needs).
    /// </summary>
    public bool FittingPca { get => _fitting; set => _fitting = value; }

    static Tensor Fit(Reduction.Pca pca, string name, Tensor activation)
    {
        using var flat = activation.reshape(activation.shape[0], -1);
        pca.For(name).PartialFit(flat);
        return zeros(new long[] { activation.shape[0], 0 });
    }

    /// <summary>Per-image shape of each layer's raw output in the last batch (before reduction).</summary>
    public IReadOnlyDictionary<string, long[]> RawShapes => _shapes;

    void Capture(string name, Reduction reduction, Tensor output)
    {
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        var detached = output.detach();
        _shapes[name] = detached.shape.Skip(1).ToArray();
        var reduced = reduction switch
        {
            Reduction.RandomProjection rp => rp.ApplyFor(name, detached),
            Reduction.Pca pca when _fitting => Fit(pca, name, detached),
            Reduction.Pca pca => pca.ApplyFor(name, detached),
            _ => reduction.Apply(detached),
        };
        var cpu = reduced.to(ScalarType.Float32).cpu().contiguous();
        _batch[name] = cpu.numel() == 0 ? [] : cpu.data<float>().ToArray();
    }

    /// <summary>The reduced rows captured since the last call, per layer, in row-major [batch, features] order.</summary>
    public IReadOnlyDictionary<string, float[]> TakeBatch()
    {
        foreach (var name in Layers)
            if (!_batch.ContainsKey(name))
                throw new InvalidOperationException($"layer '{name}' did not run in the forward pass (is it called through .call()?)");
        var copy = new Dictionary<string, float[]>(_batch, StringComparer.Ordinal);
        _batch.Clear();
        return copy;
    }

    public void Dispose() => _hooks.Dispose();
}
