using FaceBrain.Core.Torch;
using FaceBrain.Models.Weights.Tfjs;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace FaceBrain.Models.FaceApi;

/// <summary>
/// <c>tf.separableConv2d(x, depthwise 3×3, pointwise 1×1, stride, 'same')</c> + bias: a depthwise conv (no bias,
/// nothing in between) then a 1×1 conv whose bias is face-api's. TF SAME padding, odd pixel bottom/right
/// (<see cref="TfPadding.Conv"/>: the <c>depthwise</c> module holds the weights, its own forward is not run).
/// </summary>
public sealed class SeparableConv : Module<Tensor, Tensor>
{
    private readonly Conv2d depthwise;
    private readonly Conv2d pointwise;
    readonly long _stride;

    public SeparableConv(long inChannels, long outChannels, long stride) : base(nameof(SeparableConv))
    {
        depthwise = Conv2d(inChannels, inChannels, 3, stride: stride, groups: inChannels, bias: false);
        pointwise = Conv2d(inChannels, outChannels, 1, bias: true);
        _stride = stride;
        RegisterComponents();
    }

    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        var y = TfPadding.Conv(x, depthwise.weight!, null, _stride, groups: x.shape[1]);
        return scope.MoveToOuter(pointwise.call(y));
    }

    /// <summary>The 1×1 conv's bias, which <see cref="AddInto"/> leaves to the caller.</summary>
    internal Tensor Bias => pointwise.bias!;

    /// <summary>
    /// Adds this conv's output less its <see cref="Bias"/> into <paramref name="sum"/>, in place (<paramref name="x"/>
    /// may be <paramref name="sum"/> itself: the depthwise conv reads it first). On channels-last maps the 1×1 conv is
    /// one GEMM accumulating into the sum's [N·H·W, C] rows, so neither its output nor the dense block's add is a pass
    /// of its own over the maps.
    /// </summary>
    internal void AddInto(Tensor x, Tensor sum)
    {
        using var scope = NewDisposeScope();
        var y = TfPadding.Conv(x, depthwise.weight!, null, _stride, groups: x.shape[1]);
        var w = pointwise.weight!;
        if (ChannelsLast.Is(y) && ChannelsLast.Is(sum))
            sum.permute(0, 2, 3, 1).view(-1, sum.shape[1])
                .addmm_(y.permute(0, 2, 3, 1).view(-1, y.shape[1]), w.view(w.shape[0], w.shape[1]).t(), 1, 1);
        else
            sum.add_(functional.conv2d(y, w));
    }

    internal static IEnumerable<TfjsBinding> Bindings(string key, string tf) =>
    [
        new($"{key}.depthwise.weight", $"{tf}/depthwise_filter", TfLayout.Depthwise),
        new($"{key}.pointwise.weight", $"{tf}/pointwise_filter", TfLayout.Conv),
        new($"{key}.pointwise.bias", $"{tf}/bias", TfLayout.Vector),
    ];
}

/// <summary>The first block's plain 3×3 stride-2 conv with TF SAME padding (bias, no activation here; run through
/// <see cref="TfPadding.Conv"/>, the <c>conv</c> module holding the weights).</summary>
public sealed class SameConv : Module<Tensor, Tensor>
{
    private readonly Conv2d conv;
    readonly long _stride;

    public SameConv(long inChannels, long outChannels, long stride) : base(nameof(SameConv))
    {
        conv = Conv2d(inChannels, outChannels, 3, stride: stride, bias: true);
        _stride = stride;
        RegisterComponents();
    }

    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        return scope.MoveToOuter(TfPadding.Conv(x, conv.weight!, conv.bias, _stride));
    }

    internal static IEnumerable<TfjsBinding> Bindings(string key, string tf) =>
        [new($"{key}.conv.weight", $"{tf}/filters", TfLayout.Conv), new($"{key}.conv.bias", $"{tf}/bias", TfLayout.Vector)];
}
