using TorchSharp;

namespace FaceBrain.Core.Torch;

/// <summary>How fp32 work may use the GPU's TF32 tensor cores.</summary>
public enum Fp32Math
{
    /// <summary>PyTorch's defaults: TF32 in cuDNN convolutions, full fp32 in matmuls.</summary>
    PyTorchDefault,
    /// <summary>TF32 in convolutions and matmuls (PyTorch's <c>set_float32_matmul_precision("high")</c>).</summary>
    Tf32,
    /// <summary>Full fp32 everywhere: slower (less than half the speed for ResNet-50 training), bit-for-bit closer to the CPU.</summary>
    Strict,
}

/// <summary>
/// The process-wide TF32 switches of libtorch's CUDA backend. FaceBrain follows PyTorch's defaults so that
/// a script ported from PyTorch runs at the speed and precision its author measured there; without this,
/// fp32 ResNet-50 training ran at 864 images/s instead of 2058 on an H200.
/// </summary>
public static class CudaFp32
{
    public static Fp32Math Parse(string text) => text.Trim().ToLowerInvariant() switch
    {
        "default" or "pytorch" => Fp32Math.PyTorchDefault,
        "tf32" => Fp32Math.Tf32,
        "strict" or "fp32" => Fp32Math.Strict,
        _ => throw new InputException($"`fp32-math` {text}: expected default, tf32 or strict"),
    };

    public static string Name(Fp32Math mode) => mode switch
    {
        Fp32Math.Tf32 => "tf32",
        Fp32Math.Strict => "strict",
        _ => "default",
    };

    /// <summary>Sets the switches (a no-op without CUDA) and returns the mode that was in force before.</summary>
    public static Fp32Math Apply(Fp32Math mode)
    {
        if (!torch.cuda.is_available()) return mode;
        var before = Current();
        torch.backends.cudnn.allow_tf32 = mode != Fp32Math.Strict;
        torch.backends.cuda.matmul.allow_tf32 = mode == Fp32Math.Tf32;
        return before;
    }

    /// <summary>The mode the switches currently describe (a mix of matmul TF32 with strict convolutions reads as Tf32).</summary>
    public static Fp32Math Current() =>
        torch.backends.cuda.matmul.allow_tf32 ? Fp32Math.Tf32
        : torch.backends.cudnn.allow_tf32 ? Fp32Math.PyTorchDefault
        : Fp32Math.Strict;
}
