using TorchSharp;

namespace FaceBrain.Core.Torch;

/// <summary>
/// The <c>--device</c> option: <c>auto</c> (CUDA when available), <c>cpu</c>, <c>cuda</c> or
/// <c>cuda:N</c>. Parsed once at the edge and passed explicitly; there is no global default device.
/// </summary>
public sealed record DeviceSpec
{
    DeviceSpec(string text, DeviceType? type, int index) { Text = text; Type = type; Index = index; }

    public string Text { get; }
    /// <summary>Null for auto.</summary>
    public DeviceType? Type { get; }
    public int Index { get; }

    public static DeviceSpec Auto { get; } = new("auto", null, -1);
    public static DeviceSpec Cpu { get; } = new("cpu", DeviceType.CPU, -1);

    public static DeviceSpec Parse(string text)
    {
        var t = text.Trim().ToLowerInvariant();
        if (t == "auto") return Auto;
        if (t == "cpu") return Cpu;
        if (t == "cuda") return new("cuda", DeviceType.CUDA, 0);
        if (t.StartsWith("cuda:", StringComparison.Ordinal) && int.TryParse(t[5..], out var n) && n >= 0)
            return new(t, DeviceType.CUDA, n);
        throw new InputException($"`device`: '{text}' is not one of auto, cpu, cuda, cuda:N");
    }

    /// <summary>Loads libtorch if needed and returns the device; fails clearly when CUDA is asked for but absent.</summary>
    public torch.Device Resolve()
    {
        TorchRuntime.EnsureLoaded();
        bool cuda = torch.cuda.is_available();
        if (Type is null) return cuda ? torch.CUDA : torch.CPU;
        if (Type == DeviceType.CPU) return torch.CPU;
        if (!cuda)
            throw new InputException($"`device` {Text}: CUDA is not available with the libtorch loaded here " +
                                     $"(CPU build, or no GPU). See the README's 'Getting CUDA'; '`device` auto' falls back to the CPU.");
        int count = torch.cuda.device_count();
        if (Index >= count)
            throw new InputException($"`device` {Text}: only {count} CUDA device(s) (cuda:0..cuda:{count - 1})");
        return new torch.Device(DeviceType.CUDA, Index);
    }
}
