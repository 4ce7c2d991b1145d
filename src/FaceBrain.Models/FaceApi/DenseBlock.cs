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
        // The running sum is updated in place (SeparableConv.AddInto), and the three biases are added once they meet a
        // ReLU, which reads sum + biases so far into a fresh map: the same values as face-api's order to float rounding.
        // In place on this block's own temporaries (forward hooks copy or reduce what they see synchronously).
        var sum = conv0.call(x).relu_();
        var shape = new long[] { 1, sum.shape[1], 1, 1 };
        conv1.AddInto(sum, sum);
        var biases = conv1.Bias.view(shape).clone();
        conv2.AddInto(add(sum, biases).relu_(), sum);
        biases.add_(conv2.Bias.view(shape));
        conv3.AddInto(add(sum, biases).relu_(), sum);
        biases.add_(conv3.Bias.view(shape));
        return scope.MoveToOuter(sum.add_(biases).relu_());
    }

    internal IEnumerable<TfjsBinding> Bindings(string key, string tf) =>
        (_first ? SameConv.Bindings($"{key}.conv0", $"{tf}/conv0") : SeparableConv.Bindings($"{key}.conv0", $"{tf}/conv0"))
            .Concat(new[] { 1, 2, 3 }.SelectMany(i => SeparableConv.Bindings($"{key}.conv{i}", $"{tf}/conv{i}")));
}
