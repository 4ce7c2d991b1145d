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
/// <remarks>
/// The scale is folded into the convolution at each forward pass, conv(x, W·s) + (b·s + t), which equals
/// s·(conv(x, W) + b) + t to float rounding: one pass over the weights instead of two over the activations. So
/// <c>conv</c> and <c>scale</c> hold the parameters (face-api's tensors, and the random control's initialisation)
/// but are not run as modules: their own forward hooks never fire (the layer catalogue lists only whole blocks).
/// </remarks>
public sealed class ConvScaleLayer : Module<Tensor, Tensor>
{
    private readonly Conv2d conv;
    private readonly ChannelScale scale;
    readonly bool _relu;
    readonly long _stride, _padding;

    public ConvScaleLayer(long inChannels, long outChannels, long kernel, long stride, bool relu) : base(nameof(ConvScaleLayer))
    {
        _padding = stride == 1 ? kernel / 2 : 0;
        conv = Conv2d(inChannels, outChannels, kernel, stride: stride, padding: _padding, bias: true);
        scale = new ChannelScale(outChannels);
        (_relu, _stride) = (relu, stride);
        RegisterComponents();
    }

    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        var (s, t) = scale.Affine;
        var weight = conv.weight!.mul(s.view(-1, 1, 1, 1));
        var bias = conv.bias!.mul(s).add_(t);
        var y = functional.conv2d(x, weight, bias, strides: [_stride, _stride], padding: [_padding, _padding]);
        return scope.MoveToOuter(_relu ? y.relu_() : y);
    }

    internal static IEnumerable<TfjsBinding> Bindings(string key, string tf) =>
        new TfjsBinding[] { new($"{key}.conv.weight", $"{tf}/conv/filters", TfLayout.Conv), new($"{key}.conv.bias", $"{tf}/conv/bias", TfLayout.Vector) }
            .Concat(ChannelScale.Bindings($"{key}.scale", $"{tf}/scale"));
}
