using FaceBrain.Core;
using FaceBrain.Models;
using FaceBrain.Models.Layers;
using FaceBrain.Training.Backbones;
using TorchSharp;

namespace FaceBrain.Cli.Commands.Models;

/// <summary>
/// Maps the probe's and forward pass's network options to the library's <see cref="FaceBrain.Training.Backbones.Backbone"/>:
/// <c>--backbone CHECKPOINT</c>, or <c>--model</c> with <c>--weights</c> (a state dict or a .ckpt), or <c>--model</c>
/// with random weights from the seed; and the layer to read.
/// </summary>
internal static class Backbone
{
    public static (Network Net, string Description, string Layer) Open(
        string? checkpoint, string? weights, ModelSettings model, string? layer, torch.Device device, long seed)
    {
        if (checkpoint != null && weights != null) throw new InputException("give --backbone CHECKPOINT or --model NAME --weights FILE, not both");
        var source = checkpoint != null ? new WeightsSource.Checkpoint(checkpoint) : weights != null ? WeightsSource.Parse(weights) : new WeightsSource.Random();
        var spec = FaceBrain.Training.Backbones.Backbone.SpecOf(source, model.ToSpec());
        var chosen = layer ?? LayerCatalogue.DefaultLayer(spec);
        LayerCatalogue.Require(spec, chosen);
        var opened = FaceBrain.Training.Backbones.Backbone.Open(source, spec, device, seed);
        var description = source is WeightsSource.Random ? opened.Description + "; no --weights" : opened.Description;
        return (opened.Network, description, chosen);
    }
}
