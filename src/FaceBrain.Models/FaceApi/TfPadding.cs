using static TorchSharp.torch;

namespace FaceBrain.Models.FaceApi;

/// <summary>
/// TensorFlow's 'SAME' padding for a k×k window at stride s: out = ceil(in/s), and the odd pixel of the total
/// padding goes bottom/right. PyTorch's symmetric <c>padding=</c> matches it only when the total is even (a one-pixel
/// shift moves face-api's expression probabilities), so <see cref="Conv"/> handles the odd case without copying the
/// input into a padded tensor (on channels-last maps that copy cost more than the conv itself).
/// </summary>
public static class TfPadding
{
    public static (long Before, long After) Same(long size, long kernel, long stride)
    {
        long output = (size + stride - 1) / stride;
        long total = Math.Max((output - 1) * stride + kernel - size, 0);
        return (total / 2, total - total / 2);
    }

    /// <summary>
    /// A convolution with TF SAME padding. Where SAME pads one pixel more after than before, the kernel gets one zero
    /// row (column) in front and the conv pads the larger amount on both sides: each output then reads the same inputs
    /// with the same weights, and the extra zero tap meets the extra leading pad.
    /// </summary>
    public static Tensor Conv(Tensor x, Tensor weight, Tensor? bias, long stride, long groups = 1)
    {
        var (top, bottom) = Same(x.shape[2], weight.shape[2], stride);
        var (left, right) = Same(x.shape[3], weight.shape[3], stride);
        using var grown = bottom == top && right == left ? weight.alias() : nn.functional.pad(weight, [right - left, 0, bottom - top, 0]);
        return nn.functional.conv2d(x, grown, bias, strides: [stride, stride], padding: [bottom, right], groups: groups);
    }
}
