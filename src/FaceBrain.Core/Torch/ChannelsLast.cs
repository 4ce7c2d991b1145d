using TorchSharp;
using static TorchSharp.torch;

namespace FaceBrain.Core.Torch;

/// <summary>
/// libtorch's channels-last memory format: an NCHW tensor with NHWC strides. TorchSharp 0.107 has no
/// <c>memory_format</c> argument, but libtorch infers the format from strides and convolutions and elementwise ops
/// propagate it, so a permuted-contiguous copy is exactly <c>x.to(memory_format=channels_last)</c>.
/// </summary>
public static class ChannelsLast
{
    /// <summary>A channels-last copy of a 4-d tensor (the tensor itself when it is not 4-d or already channels-last).</summary>
    public static Tensor To(Tensor x) =>
        x.dim() != 4 || Is(x) ? x.alias() : x.permute(0, 2, 3, 1).contiguous().permute(0, 3, 1, 2);

    /// <summary>
    /// True when the tensor's strides are those of channels-last. As in libtorch, a dimension of size 1 has no stride
    /// that matters: a 1×1 conv weight [O, I, 1, 1] is laid out the same in both formats, and libtorch gives it strides
    /// [I, 1, 1, 1] either way.
    /// </summary>
    public static bool Is(Tensor x)
    {
        if (x.dim() != 4) return false;
        var s = x.stride();
        var n = x.shape;
        long[] expected = [n[1] * n[3] * n[2], 1, n[1] * n[3], n[1]];
        for (int i = 0; i < 4; i++)
            if (n[i] != 1 && s[i] != expected[i]) return false;
        return true;
    }

    /// <summary>Re-lays every 4-d parameter (conv weights) of a module out channels-last, in place.</summary>
    public static void Apply(nn.Module module)
    {
        using var _ = no_grad();
        foreach (var p in module.parameters())
            if (p.dim() == 4)
            {
                using var cl = To(p);
                p.set_(cl);
            }
    }
}
