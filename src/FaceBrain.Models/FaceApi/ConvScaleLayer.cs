using FaceBrain.Models.Weights.Tfjs;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace FaceBrain.Models.FaceApi;

/// <summary>
/// The recognition net's "convLayer": conv (+ bias) → scale → optional ReLU. Stride 1 is TF SAME (symmetric
/// pad k/2); stride 2 is VALID (no padding), as in face-api's <c>convDown</c>.
/// </summary>
public sealed class ConvScaleLayer : Module<Tensor, Tensor>
{
    private readonly Conv2d conv;
    private readonly ChannelScale scale;
    readonly bool _relu;

    public ConvScaleLayer(long inChannels, long outChannels, long kernel, long stride, bool relu) : base(nameof(ConvScaleLayer))
    {
        conv = Conv2d(inChannels, outChannels, kernel, stride: stride, padding: stride == 1 ? kernel / 2 : 0, bias: true);
        scale = new ChannelScale(outChannels);
        _relu = relu;
        RegisterComponents();
    }

    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        var y = scale.call(conv.call(x));
        return scope.MoveToOuter(_relu ? functional.relu(y) : y);
    }

    internal static IEnumerable<TfjsBinding> Bindings(string key, string tf) =>
        new TfjsBinding[] { new($"{key}.conv.weight", $"{tf}/conv/filters", TfLayout.Conv), new($"{key}.conv.bias", $"{tf}/conv/bias", TfLayout.Vector) }
            .Concat(ChannelScale.Bindings($"{key}.scale", $"{tf}/scale"));
}
