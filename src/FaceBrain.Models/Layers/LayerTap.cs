using FaceBrain.Core.Torch;
using TorchSharp;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace FaceBrain.Models.Layers;

/// <summary>
/// Forward hooks on named layers for as long as the tap lives (dispose removes them). After each forward
/// pass <see cref="Outputs"/> holds a detached copy of each layer's latest output (flattened to N×F when
/// asked), owned by the tap: the previous batch's copy is disposed when the next one arrives.
/// </summary>
public sealed class LayerTap : IDisposable
{
    readonly ForwardHooks _hooks;
    readonly Dictionary<string, Tensor> _outputs = [];
    readonly bool _flatten;

    public LayerTap(Network network, IReadOnlyList<string> layers, bool flatten = true)
    {
        _flatten = flatten;
        foreach (var layer in layers) LayerCatalogue.Require(network.Spec, layer);
        _hooks = new ForwardHooks(network.Module, layers, Keep,
            (layer, _) => new InputException($"`layer` {layer}: not a hookable module of {network.Spec.Name}"));
    }

    public IReadOnlyDictionary<string, Tensor> Outputs => _outputs;

    void Keep(string name, Tensor output)
    {
        var copy = (_flatten ? output.detach().flatten(1) : output.detach()).clone();
        copy.DetachFromDisposeScope(); // the network's dispose scope must not free what the caller reads
        if (_outputs.TryGetValue(name, out var old)) old.Dispose();
        _outputs[name] = copy;
    }

    public void Dispose()
    {
        _hooks.Dispose();
        foreach (var t in _outputs.Values) t.Dispose();
        _outputs.Clear();
    }
}
