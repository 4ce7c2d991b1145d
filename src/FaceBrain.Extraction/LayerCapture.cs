using FaceBrain.Core;
using TorchSharp;
using static TorchSharp.torch;

namespace FaceBrain.Extraction;

/// <summary>
/// Forward hooks on named sub-modules (names as in <c>named_modules()</c>, e.g. <c>layer1.0.conv1</c>). During a
/// forward pass each hooked layer's output is reduced on its device, moved to the CPU as float32 and kept until
/// <see cref="TakeBatch"/>. Hooks are removed on dispose, so a model is never left instrumented.
/// </summary>
public sealed class LayerCapture : IDisposable
{
    readonly List<nn.HookableModule<Func<nn.Module<Tensor, Tensor>, Tensor, Tensor>, Func<nn.Module<Tensor, Tensor>, Tensor, Tensor, Tensor>>.HookRemover> _removers = new();
    readonly Dictionary<string, float[]> _batch = new(StringComparer.Ordinal);
    readonly Dictionary<string, long[]> _shapes = new(StringComparer.Ordinal);

    public LayerCapture(nn.Module model, IReadOnlyList<string> layers, IReadOnlyDictionary<string, Reduction> reductions)
    {
        var modules = HookableLayers(model);
        Layers = layers;
        foreach (var name in layers)
        {
            if (!modules.TryGetValue(name, out var module))
                throw new InputException($"--layers: unknown layer '{name}'. Valid layers: {string.Join(", ", modules.Keys)}");
            var reduction = reductions[name];
            _removers.Add(module.register_forward_hook((m, input, output) =>
            {
                Capture(name, reduction, output);
                return output;
            }));
        }
    }

    public IReadOnlyList<string> Layers { get; }

    /// <summary>Every hookable sub-module of a model by its dotted name, in registration order.</summary>
    public static IReadOnlyDictionary<string, nn.Module<Tensor, Tensor>> HookableLayers(nn.Module model)
    {
        var result = new Dictionary<string, nn.Module<Tensor, Tensor>>(StringComparer.Ordinal);
        foreach (var (name, module) in model.named_modules())
            if (name.Length > 0 && module is nn.Module<Tensor, Tensor> m)
                result[name] = m;
        return result;
    }

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

    public void Dispose()
    {
        foreach (var r in _removers) r.remove();
        _removers.Clear();
    }
}
