using System.Runtime.InteropServices;

namespace FaceBrain.Core.Torch;

/// <summary>
/// glibc's malloc serves blocks over its mmap threshold with fresh mappings and hands freed memory at the heap's top
/// back to the kernel once it passes the trim threshold. libtorch allocates every CPU activation with malloc, so a
/// forward pass over a batch maps, faults in and unmaps the same tens of megabytes at every layer: system time that
/// was over a quarter of the CPU time of the face-api expression net's inference benchmark (measured, docs/benchmarks.md). Raising both thresholds keeps those pages in the
/// process for the next layer, as PyTorch users get from jemalloc or tcmalloc. Set
/// <c>FACEBRAIN_MALLOC=default</c> to leave glibc's defaults.
/// </summary>
public static class HostAllocator
{
    public const string Variable = "FACEBRAIN_MALLOC";

    const int MTrimThreshold = -1, MMmapThreshold = -3;

    // glibc's largest mmap threshold on 64-bit (DEFAULT_MMAP_THRESHOLD_MAX); larger blocks are mapped anyway.
    const int MmapThreshold = 32 << 20;
    // Freed memory kept before trimming: a few layers' activations of a large batch.
    const int TrimThreshold = 512 << 20;

    static int _applied;

    /// <summary>Whether the thresholds were raised in this process (false off glibc or with the variable set).</summary>
    public static bool Tuned { get; private set; }

    public static void Configure()
    {
        if (Interlocked.Exchange(ref _applied, 1) == 1) return;
        if (!OperatingSystem.IsLinux() || Environment.GetEnvironmentVariable(Variable) == "default") return;
        try
        {
            Tuned = mallopt(MMmapThreshold, MmapThreshold) == 1 && mallopt(MTrimThreshold, TrimThreshold) == 1;
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            // Not glibc (musl has no mallopt): its allocator's own defaults stay.
        }
    }

    [DllImport("libc", EntryPoint = "mallopt")]
    static extern int mallopt(int param, int value);
}
