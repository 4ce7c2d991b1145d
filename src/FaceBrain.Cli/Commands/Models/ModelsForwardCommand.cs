using System.ComponentModel;
using FaceBrain.Core;
using FaceBrain.Core.IO;
using FaceBrain.Core.Torch;
using FaceBrain.Training.Probe;
using Spectre.Console.Cli;
using TorchSharp;

namespace FaceBrain.Cli.Commands.Models;

/// <summary>
/// <c>facebrain models forward</c>: one layer's output for an input tensor given as .npy, with no image
/// decoding or preprocessing in between. This is how FaceBrain's networks are checked against another
/// implementation (PyTorch, a released model's own outputs): same weights, same tensor, compare the arrays.
/// </summary>
public sealed class ModelsForwardCommand : Command<ModelsForwardCommand.Settings>
{
    public sealed class Settings : ModelSettings
    {
        [CommandOption("--weights <FILE>")] [Description("Weights for --model (.pt, .pth, .safetensors; a TF.js manifest or folder; faceapi for face-api's cached weights); without it, random weights from --seed.")] public string? Weights { get; init; }
        [CommandOption("--backbone <CHECKPOINT>")] [Description("A checkpoint from 'train identity' or 'train siamese' instead of --model/--weights.")] public string? Backbone { get; init; }
        [CommandOption("--input <NPY>")] [Description("Input batch [[N, 3, H, W]] (float32 or float64), already preprocessed.")] public string? Input { get; init; }
        [CommandOption("--layer <LAYER>")] [Description("The layer to write (see 'models layers'); default: the pooled features.")] public string? Layer { get; init; }
        [CommandOption("--out <NPY>")] [Description("Output .npy, float32 [[N, features]] (layer output flattened per image).")] public string? Out { get; init; }
        [CommandOption("--batch <N>")] [Description("Images per forward pass (default 16).")] public int Batch { get; init; } = 16;
        [CommandOption("--seed <N>")] [Description("Seed of random weights (default 0).")] public long Seed { get; init; }
        [CommandOption("--device <DEVICE>")] [Description("cpu (default; parity checks are defined in fp32 on the CPU), cuda, cuda:N or auto.")] public string Device { get; init; } = "cpu";
    }

    public override int Execute(CommandContext context, Settings s, CancellationToken cancellation)
    {
        var input = s.Input ?? throw new InputException("--input NPY is required");
        var output = s.Out ?? throw new InputException("--out NPY is required");
        OutputTarget.RequireFile(output); // before any work
        if (s.Batch < 1) throw new InputException($"--batch {s.Batch}: must be at least 1");
        var x = Npy.ReadAsSingle(input);
        if (x.Shape.Length != 4 || x.Shape[1] != 3)
            throw new InputException(input, $"expected an image batch [N, 3, H, W], found shape ({string.Join(", ", x.Shape)})");
        if (x.Shape[0] == 0) throw new InputException(input, "the batch is empty");

        var device = DeviceSpec.Parse(s.Device).Resolve();
        var (net, description, layer) = Backbone.Open(s.Backbone, s.Weights, s, s.Layer, device, s.Seed);
        using var _ = net;
        using var images = torch.tensor(x.Data, x.Shape);
        // The probe's own frozen forward pass (eval mode, no gradients, the layer flattened to [N, F] on the CPU).
        using var y = FrozenFeatures.Extract(net, layer, images, device, s.Batch);
        Npy.Write<float>(output, y.data<float>().ToArray(), y.shape[0], y.shape[1]);
        Console.Error.WriteLine($"models forward: {description}, {layer} of {y.shape[0]} images -> {output} ({y.shape[0]}×{y.shape[1]})");
        return 0;
    }
}
