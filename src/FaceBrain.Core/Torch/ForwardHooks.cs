using TorchSharp;
using static TorchSharp.torch;

namespace FaceBrain.Core.Torch;

/// <summary>
/// Forward hooks on named sub-modules (names as in <c>named_modules()</c>, e.g. <c>layer1.0.conv1</c>), removed on
/// dispose so a model is never left instrumented. The one hook mechanism behind the probes' layer tap (Models) and
/// extraction's capture (Extraction): each decides what to keep of an output, this class only delivers it.
/// </summary>
public sealed class ForwardHooks : IDisposable
{
    readonly List<Action> _removers = [];

    /// <param name="onOutput">Called with the layer name and its output after each forward pass through it.</param>
    /// <param name="unknownLayer">The error for a name that is not a hookable module (given the valid names).</param>
    public ForwardHooks(nn.Module model, IEnumerable<string> layers, Action<string, Tensor> onOutput,
                        Func<string, IReadOnlyCollection<string>, Exception> unknownLayer)
    {
        var modules = Hookable(model);
        foreach (var layer in layers)
        {
            if (!modules.TryGetValue(layer, out var module))
            {
                Dispose();
                throw unknownLayer(layer, modules.Keys.ToList());
            }
            var name = layer;
            var remover = module.register_forward_hook((_, _, output) =>
            {
                onOutput(name, output);
                return output;
            });
            _removers.Add(remover.remove);
        }
    }

    /// <summary>Every hookable (tensor-to-tensor) sub-module of a model by its dotted name, in registration order.</summary>
    public static IReadOnlyDictionary<string, nn.Module<Tensor, Tensor>> Hookable(nn.Module model)
    {
        var result = new Dictionary<string, nn.Module<Tensor, Tensor>>(StringComparer.Ordinal);
        foreach (var (name, module) in model.named_modules())
            if (name.Length > 0 && module is nn.Module<Tensor, Tensor> m)
                result[name] = m;
        return result;
    }

    public void Dispose()
    {
        foreach (var remove in _removers) remove();
        _removers.Clear();
    }
}
