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
}

/// <summary>
/// How a network's weights and inputs are held for a run: dtype (fp32, or pure bf16: TorchSharp has no autocast) and
/// memory layout (NCHW, or channels-last). One implementation for <c>bench train|infer</c> and <c>train identity</c>.
/// </summary>
public sealed record NumericFormat(Precision Precision, bool ChannelsLast)
{
    public static readonly NumericFormat Default = new(Precision.Fp32, false);

    public bool IsDefault => this == Default;

    /// <summary>"fp32", "bf16", "bf16 channels-last".</summary>
    public string Name => Precision.ToString().ToLowerInvariant() + (ChannelsLast ? " channels-last" : "");

    /// <summary>Converts the module's parameters and buffers to the dtype and its 4-d weights to the layout, in place.</summary>
    public void Apply(nn.Module module)
    {
        if (Precision != Precision.Fp32) module.to(Precision.ScalarType());
        if (ChannelsLast) Core.Torch.ChannelsLast.Apply(module);
    }

    /// <summary>A batch of images as the converted module takes them (a new tensor the caller owns).</summary>
    public Tensor Input(Tensor images)
    {
        using var typed = images.to(Precision.ScalarType());
        return ChannelsLast ? Core.Torch.ChannelsLast.To(typed) : typed.alias();
    }
}
