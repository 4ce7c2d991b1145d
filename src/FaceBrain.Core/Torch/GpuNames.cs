using System.Runtime.InteropServices;

namespace FaceBrain.Core.Torch;

/// <summary>
/// GPU names for `doctor`. TorchSharp 0.107 has no device-name call, so they come from NVML (libnvidia-ml.so.1,
/// installed with every NVIDIA driver). Device order is NVML's (PCI bus) order, which matches CUDA's unless
/// CUDA_VISIBLE_DEVICES or CUDA_DEVICE_ORDER reorder devices; without NVML the names are reported as unknown.
/// </summary>
public static class GpuNames
{
    delegate int NvmlInit();
    delegate int NvmlGetHandle(uint index, out IntPtr device);
    delegate int NvmlGetName(IntPtr device, byte[] name, uint length);

    public static IReadOnlyList<string> Query(int count)
    {
        var names = Enumerable.Range(0, count).Select(i => $"cuda:{i} (name unknown: NVML not found)").ToArray();
        if (count == 0 || Environment.GetEnvironmentVariable("CUDA_VISIBLE_DEVICES") is { Length: > 0 }) return names;
        if (!NativeLibrary.TryLoad("libnvidia-ml.so.1", out var lib)) return names;
        try
        {
            if (!NativeLibrary.TryGetExport(lib, "nvmlInit_v2", out var init) ||
                !NativeLibrary.TryGetExport(lib, "nvmlDeviceGetHandleByIndex_v2", out var handle) ||
                !NativeLibrary.TryGetExport(lib, "nvmlDeviceGetName", out var getName)) return names;
            if (Marshal.GetDelegateForFunctionPointer<NvmlInit>(init)() != 0) return names;
            var byIndex = Marshal.GetDelegateForFunctionPointer<NvmlGetHandle>(handle);
            var name = Marshal.GetDelegateForFunctionPointer<NvmlGetName>(getName);
            for (int i = 0; i < count; i++)
            {
                var buffer = new byte[96];
                if (byIndex((uint)i, out var device) == 0 && name(device, buffer, (uint)buffer.Length) == 0)
                    names[i] = $"cuda:{i} {System.Text.Encoding.ASCII.GetString(buffer).TrimEnd('\0')}";
            }
            return names;
        }
        catch (Exception e) when (e is EntryPointNotFoundException or MarshalDirectiveException)
        {
            return names;
        }
    }
}
