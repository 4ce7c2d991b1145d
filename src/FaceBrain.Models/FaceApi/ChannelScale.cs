using FaceBrain.Models.Weights.Tfjs;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace FaceBrain.Models.FaceApi;

/// <summary>face-api's "scale" layer (dlib's affine, a folded batch norm): x · weight[c] + bias[c].</summary>
public sealed class ChannelScale : nn.Module<Tensor, Tensor>
{
    private readonly Parameter weight;
    private readonly Parameter bias;

    public ChannelScale(long channels) : base(nameof(ChannelScale))
    {
        weight = new Parameter(ones(channels));
        bias = new Parameter(zeros(channels));
        RegisterComponents();
    }

    /// <summary>The per-channel factor and offset, for folding into a preceding linear layer.</summary>
    internal (Tensor Weight, Tensor Bias) Affine => (weight, bias);

    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        return scope.MoveToOuter(x.mul(weight.view(1, -1, 1, 1)).add_(bias.view(1, -1, 1, 1)));
    }

    internal static IEnumerable<TfjsBinding> Bindings(string key, string tf) =>
        [new($"{key}.weight", $"{tf}/weights", TfLayout.Vector), new($"{key}.bias", $"{tf}/biases", TfLayout.Vector)];
}
