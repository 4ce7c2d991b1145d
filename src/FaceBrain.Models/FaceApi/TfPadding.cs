using static TorchSharp.torch;

namespace FaceBrain.Models.FaceApi;

/// <summary>
/// TensorFlow's 'SAME' padding for a k×k window at stride s: out = ceil(in/s), and the odd pixel of the total
/// padding goes bottom/right. PyTorch's symmetric <c>padding=</c> matches it only when the total is even, so
/// the stride-2 convolutions pad explicitly (a one-pixel shift moves face-api's expression probabilities).
/// </summary>
internal static class TfPadding
{
    public static (long Before, long After) Same(long size, long kernel, long stride)
    {
        long output = (size + stride - 1) / stride;
        long total = Math.Max((output - 1) * stride + kernel - size, 0);
        return (total / 2, total - total / 2);
    }

    /// <summary>Pads an NCHW tensor for a SAME window; returns the input itself when nothing is needed.</summary>
    public static Tensor PadSame(Tensor x, long kernel, long stride)
    {
        var (top, bottom) = Same(x.shape[2], kernel, stride);
        var (left, right) = Same(x.shape[3], kernel, stride);
        if (top == 0 && bottom == 0 && left == 0 && right == 0) return x;
        return nn.functional.pad(x, [left, right, top, bottom]);
    }
}
