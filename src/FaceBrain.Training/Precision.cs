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
