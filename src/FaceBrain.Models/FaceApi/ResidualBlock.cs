using FaceBrain.Models.Weights.Tfjs;
using TorchSharp;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace FaceBrain.Models.FaceApi;

/// <summary>
/// face-api's <c>residual</c> (stride 1, same channels) and <c>residualDown</c> (conv1 3×3 stride 2 VALID; the
/// shortcut is a 2×2 average pool, its channels zero-padded after the pooled ones when they double, and the
/// conv branch gets one zero row and column bottom/right when VALID left it one smaller than the pool).
/// </summary>
public sealed class ResidualBlock : Module<Tensor, Tensor>
{
    private readonly ConvScaleLayer conv1;
    private readonly ConvScaleLayer conv2;
    readonly bool _down;
    readonly long _in, _out;

    public ResidualBlock(long inChannels, long outChannels, bool down) : base(nameof(ResidualBlock))
    {
        conv1 = new ConvScaleLayer(inChannels, outChannels, 3, down ? 2 : 1, relu: true);
        conv2 = new ConvScaleLayer(outChannels, outChannels, 3, 1, relu: false);
        (_down, _in, _out) = (down, inChannels, outChannels);
        RegisterComponents();
    }

    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        var y = conv2.call(conv1.call(x));
        var shortcut = x;
        if (_down)
        {
            shortcut = functional.avg_pool2d(x, 2, 2);
            long dh = shortcut.shape[2] - y.shape[2], dw = shortcut.shape[3] - y.shape[3];
            if (dh != 0 || dw != 0) y = functional.pad(y, [0, dw, 0, dh]);
            if (_out != _in) shortcut = cat([shortcut, zeros_like(shortcut)], 1);
        }
        return scope.MoveToOuter(y.add_(shortcut).relu_());
    }

    internal static IEnumerable<TfjsBinding> Bindings(string key, string tf) =>
        ConvScaleLayer.Bindings($"{key}.conv1", $"{tf}/conv1").Concat(ConvScaleLayer.Bindings($"{key}.conv2", $"{tf}/conv2"));
}
