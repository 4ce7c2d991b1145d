using FaceBrain.Core;
using FaceBrain.Models;
using FaceBrain.Models.Layers;
using FaceBrain.Models.Weights;
using FaceBrain.Training.Checkpoints;
using TorchSharp;

namespace FaceBrain.Cli.Commands.Models;

/// <summary>
/// The network a probe or a forward pass reads: a training checkpoint (<c>--backbone</c>), or <c>--model</c> with
/// <c>--weights</c>, or <c>--model</c> with random weights from the seed; and the layer to read (default: the
/// pooled features, or the Siamese embedding).
/// </summary>
internal static class Backbone
{
    public static (Network Net, string Description, string Layer) Open(
        string? checkpoint, string? weights, ModelSettings model, string? layer, torch.Device device, long seed)
    {
        if (checkpoint != null && weights != null) throw new InputException("give --backbone CHECKPOINT or --model NAME --weights FILE, not both");
        var spec = checkpoint != null ? Checkpoint.ReadInfo(checkpoint).Model : model.ToSpec();
        var chosen = layer ?? (spec.Kind == ModelKind.Siamese ? "tower.embedding" : "avgpool");
        LayerCatalogue.Require(spec, chosen);
        var net = Network.Create(spec, device, seed);
        try
        {
            string description;
            if (checkpoint != null) { Checkpoint.LoadModel(checkpoint, net.Module); description = $"checkpoint {checkpoint}"; }
            else if (weights != null) { WeightImport.LoadFile(net.Module, weights, spec.Name); description = $"{spec.Name} weights {weights}"; }
            else description = $"{spec.Name} randomly initialised (seed {seed}; no --weights)";
            return (net, description, chosen);
        }
        catch
        {
            net.Dispose();
            throw;
        }
    }
}
