using TorchSharp;
using static TorchSharp.torch;

namespace FaceBrain.Training;

/// <summary>Numeric type of weights and activations for a run.</summary>
public enum Precision
{
    Fp32,
    /// <summary>Pure bfloat16 weights and activations (TorchSharp has no autocast).</summary>
    Bf16,
}

/// <summary>Dtype and memory-layout conversions for speed settings.</summary>
public static class MemoryLayout
{
    public static Precision ParsePrecision(string s) => s.Trim().ToLowerInvariant() switch
    {
        "fp32" or "float32" => Precision.Fp32,
        "bf16" or "bfloat16" => Precision.Bf16,
        _ => throw new InputException($"`dtype` {s}: expected fp32 or bf16"),
    };

    public static ScalarType ScalarType(this Precision p) => p == Precision.Bf16 ? torch.bfloat16 : torch.float32;

    /// <summary>
    /// An NCHW tensor with NHWC strides: libtorch's channels-last format. TorchSharp 0.107 has no
    /// <c>memory_format</c> argument, but libtorch infers the format from strides, and convolutions
    /// propagate it, so a permuted-contiguous copy is exactly <c>x.to(memory_format=channels_last)</c>.
    /// </summary>
    public static Tensor ToChannelsLast(Tensor x) =>
        x.dim() == 4 ? x.permute(0, 2, 3, 1).contiguous().permute(0, 3, 1, 2) : x;

    /// <summary>Re-lays every 4-d parameter (conv weights) of a module out channels-last, in place.</summary>
    public static void ChannelsLast(nn.Module module)
    {
        using var _ = no_grad();
        foreach (var p in module.parameters())
            if (p.dim() == 4)
            {
                using var cl = ToChannelsLast(p);
                p.set_(cl);
            }
    }

    /// <summary>True when the tensor's strides are those of channels-last.</summary>
    public static bool IsChannelsLast(Tensor x)
    {
        if (x.dim() != 4) return false;
        var s = x.stride();
        var n = x.shape;
        return s[1] == 1 && s[3] == n[1] && s[2] == n[1] * n[3];
    }
}
