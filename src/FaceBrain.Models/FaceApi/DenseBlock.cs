using FaceBrain.Models.Weights.Tfjs;
using TorchSharp;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace FaceBrain.Models.FaceApi;

/// <summary>
/// face-api's <c>denseBlock4</c>: out1 = ReLU(conv0(x), stride 2); each later separable conv reads the ReLU of the
/// running sum, and the block returns ReLU(out1 + out2 + out3 + out4) (out2..4 summed before any ReLU).
/// </summary>
public sealed class DenseBlock : Module<Tensor, Tensor>
{
    private readonly Module<Tensor, Tensor> conv0;
    private readonly SeparableConv conv1, conv2, conv3;
    readonly bool _first;

    public DenseBlock(long inChannels, long outChannels, bool first) : base(nameof(DenseBlock))
    {
        conv0 = first ? new SameConv(inChannels, outChannels, 2) : new SeparableConv(inChannels, outChannels, 2);
        conv1 = new SeparableConv(outChannels, outChannels, 1);
        conv2 = new SeparableConv(outChannels, outChannels, 1);
        conv3 = new SeparableConv(outChannels, outChannels, 1);
        _first = first;
        RegisterComponents();
    }

    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        // In place on this block's fresh temporaries (forward hooks copy or reduce what they see synchronously).
        var out1 = conv0.call(x).relu_();
        var sum = conv1.call(out1).add_(out1);
        sum = conv2.call(functional.relu(sum)).add_(sum);
        sum = conv3.call(functional.relu(sum)).add_(sum);
        return scope.MoveToOuter(sum.relu_());
    }

    internal IEnumerable<TfjsBinding> Bindings(string key, string tf) =>
        (_first ? SameConv.Bindings($"{key}.conv0", $"{tf}/conv0") : SeparableConv.Bindings($"{key}.conv0", $"{tf}/conv0"))
            .Concat(new[] { 1, 2, 3 }.SelectMany(i => SeparableConv.Bindings($"{key}.conv{i}", $"{tf}/conv{i}")));
}
