using System.Reflection;
using System.Runtime.InteropServices;
using FaceBrain.Core.Native;
using TorchSharp;

namespace FaceBrain.Core.Torch;

/// <summary>
/// Loads libtorch once per process: the copy shipped in the application's output by default, or an
/// existing PyTorch installation's <c>torch/lib</c> named by <c>FACEBRAIN_LIBTORCH</c> (how GPU
/// clusters without internet get CUDA). Call <see cref="EnsureLoaded"/> before any tensor work.
/// </summary>
public static class TorchRuntime
{
    public const string LibTorchVariable = "FACEBRAIN_LIBTORCH";

    // Dependency order: each library's needs are already mapped when it is opened, so the loader
    // resolves them by soname instead of searching for copies the bundle does not ship.
    static readonly string[] PreloadOrder = ["libc10.so", "libtorch_cpu.so", "libc10_cuda.so", "libtorch_cuda.so", "libtorch.so"];

    static readonly object Gate = new();
    static bool _loaded;
    static string? _externalDir;

    /// <summary>The folder named by FACEBRAIN_LIBTORCH when it was used, else null.</summary>
    public static string? ExternalLibTorch => _externalDir;

    public static void EnsureLoaded()
    {
        lock (Gate)
        {
            if (_loaded) return;
            HostAllocator.Configure();
            OpenMpWaiting.Configure();
            var dir = Environment.GetEnvironmentVariable(LibTorchVariable);
            if (!string.IsNullOrWhiteSpace(dir)) PreloadExternal(dir);
            try
            {
                // Initialises the CUDA backend too when the loaded libtorch has one; harmless without.
                if (!torch.TryInitializeDeviceType(DeviceType.CUDA))
                    torch.InitializeDeviceType(DeviceType.CPU);
                else
                    CudaFp32.Apply(Fp32Math.PyTorchDefault);
            }
            catch (Exception e) when (e is DllNotFoundException or NotSupportedException or InvalidOperationException)
            {
                throw new InvalidOperationException(
                    $"libtorch could not be loaded ({FirstLine(e.Message)}). Run './facebrain doctor' for details; " +
                    $"if it names GLIBCXX_3.4.32, rebuild so the libstdc++ compatibility step runs.", e);
            }
            _loaded = true;
        }
    }

    static void PreloadExternal(string dir)
    {
        if (!Directory.Exists(dir))
            throw new InputException(dir, $"{LibTorchVariable} names a folder that does not exist");
        if (!File.Exists(Path.Combine(dir, "libtorch_cpu.so")))
            throw new InputException(dir, $"{LibTorchVariable}: no libtorch_cpu.so here (point it at a PyTorch installation's torch/lib)");
        foreach (var name in PreloadOrder)
        {
            var path = Path.Combine(dir, name);
            if (!File.Exists(path)) continue; // CPU-only PyTorch has no CUDA libraries
            try { NativeLibrary.Load(path); }
            catch (DllNotFoundException e)
            {
                throw new InputException(path, $"could not be loaded: {FirstLine(e.Message)}");
            }
        }
        _externalDir = Path.GetFullPath(dir);
    }

    static string FirstLine(string s) => s.Split('\n')[0].Trim();

    /// <summary>What was loaded, from where, and what the machine offers.</summary>
    public static RuntimeReport Report()
    {
        EnsureLoaded();
        var maps = MappedLibraries();
        string? Mapped(string file) => maps.FirstOrDefault(p => Path.GetFileName(p) == file);
        var sharp = Mapped(LibStdCxxCompat.LibraryFile);
        var libstdcxx = LibStdCxxCompat.FindSystemLibStdCxx();
        bool systemHas = libstdcxx != null && LibStdCxxCompat.Provides(libstdcxx, LibStdCxxCompat.RequiredVersion);
        bool relaxed = sharp != null && LibStdCxxCompat.IsRequirementRelaxed(sharp);
        int cudaCount = torch.cuda.is_available() ? torch.cuda.device_count() : 0;
        return new RuntimeReport(
            DotNet: RuntimeInformation.FrameworkDescription,
            TorchSharp: typeof(torch).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion
                        ?? typeof(torch).Assembly.GetName().Version?.ToString() ?? "unknown",
            LibTorch: Mapped("libtorch_cpu.so") ?? "not mapped",
            LibTorchSharp: sharp ?? "not mapped",
            ExternalLibTorch: _externalDir,
            CudaAvailable: cudaCount > 0,
            CudaDevices: GpuNames.Query(cudaCount),
            Threads: torch.get_num_threads(),
            LibStdCxx: libstdcxx ?? "not found",
            LibStdCxxProvidesRequired: systemHas,
            CompatFixApplied: !systemHas && relaxed);
    }

    static List<string> MappedLibraries()
    {
        var result = new List<string>();
        if (!File.Exists("/proc/self/maps")) return result;
        foreach (var line in File.ReadLines("/proc/self/maps"))
        {
            int slash = line.IndexOf('/');
            if (slash < 0) continue;
            var p = line[slash..].Trim();
            if (p.EndsWith(".so", StringComparison.Ordinal) || p.Contains(".so.", StringComparison.Ordinal))
                if (!result.Contains(p)) result.Add(p);
        }
        return result;
    }
}

public sealed record RuntimeReport(
    string DotNet,
    string TorchSharp,
    string LibTorch,
    string LibTorchSharp,
    string? ExternalLibTorch,
    bool CudaAvailable,
    IReadOnlyList<string> CudaDevices,
    int Threads,
    string LibStdCxx,
    bool LibStdCxxProvidesRequired,
    bool CompatFixApplied);
