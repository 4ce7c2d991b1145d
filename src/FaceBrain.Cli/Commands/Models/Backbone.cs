using FaceBrain.Core;
using FaceBrain.Models;
using FaceBrain.Models.Layers;
using FaceBrain.Models.Weights;
using FaceBrain.Training.Checkpoints;
using TorchSharp;

namespace FaceBrain.Cli.Commands.Models;

/// <summary>An opened backbone: the network, how to describe it, the layer to read and where its weights came from
/// (null for a checkpoint). Deconstructs to (net, description, layer).</summary>
internal sealed record OpenedBackbone(Network Net, string Description, string Layer, LoadedWeights? Weights)
{
    public void Deconstruct(out Network net, out string description, out string layer) => (net, description, layer) = (Net, Description, Layer);
}

/// <summary>
/// The network a probe or a forward pass reads: a training checkpoint (<c>--backbone</c>), or <c>--model</c> with
/// <c>--weights</c> (a file, a TF.js manifest or folder, or <c>faceapi</c>: see <see cref="WeightSource"/>), or
/// <c>--model</c> with random weights from the seed; and the layer to read (default: the pooled features, or the
/// Siamese embedding).
/// </summary>
internal static class Backbone
{
    public static OpenedBackbone Open(
        string? checkpoint, string? weights, ModelSettings model, string? layer, torch.Device device, long seed)
    {
        if (checkpoint != null && weights != null) throw new InputException("give --backbone CHECKPOINT or --model NAME --weights FILE, not both");
        var spec = checkpoint != null ? Checkpoint.ReadInfo(checkpoint).Model : model.ToSpec();
        var chosen = layer ?? LayerCatalogue.DefaultLayer(spec);
        LayerCatalogue.Require(spec, chosen);
        var net = Network.Create(spec, device, seed);
        try
        {
            if (checkpoint != null)
            {
                Checkpoint.LoadModel(checkpoint, net.Module);
                return new(net, $"checkpoint {checkpoint}", chosen, null);
            }
            var loaded = weights != null ? WeightSource.Load(net, weights, m => Console.Error.WriteLine(m)) : new LoadedWeights("random", null, null);
            var description = loaded.Source == "random" ? $"{spec.Name} randomly initialised (seed {seed}; no --weights)" : $"{spec.Name} {loaded.Describe()}";
            return new(net, description, chosen, loaded);
        }
        catch
        {
            net.Dispose();
            throw;
        }
    }
}
