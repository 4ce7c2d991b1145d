using System.Runtime.InteropServices;

namespace FaceBrain.Core.Torch;

/// <summary>
/// libtorch's OpenMP threads spin at every barrier, by default for a long while, waiting for their partners. Where
/// other jobs share the cores (a cluster node, a CI runner, a laptop running a build) a partner that has been
/// descheduled keeps the others spinning for its whole time slice: measured on the project's 2-core VM at load 5–6,
/// <c>analyse</c> at 2 threads took 67–79 s wall, and 31 s with passive waiting. Passive waiting costs a wake-up per
/// parallel region on idle cores instead (ResNet-50 at 2 threads, idle: 11.3 images/s passive, 12.3 with libgomp's
/// 300,000 spins, 12.3 with 30,000), so the default is a short spin, a tenth of libgomp's, then sleep. libgomp reads
/// <c>GOMP_SPINCOUNT</c> once, when it loads with libtorch, so this sets it in the native environment just before
/// (the managed <see cref="Environment.SetEnvironmentVariable(string, string)"/> does not reach native code on
/// Unix). A policy, or a <c>GOMP_SPINCOUNT</c>, that the user set is left as it is.
/// </summary>
public static class OpenMpWaiting
{
    public const string PolicyVariable = "OMP_WAIT_POLICY";
    public const string SpinVariable = "GOMP_SPINCOUNT";
    public const string Default = "30000";

    static int _applied;

    /// <summary>The policy in effect and who chose it ("FaceBrain" or "environment"); null before <see cref="Configure"/>.</summary>
    public static string? Description { get; private set; }

    public static void Configure()
    {
        if (Interlocked.Exchange(ref _applied, 1) == 1) return;
        var policy = Environment.GetEnvironmentVariable(PolicyVariable);
        var spin = Environment.GetEnvironmentVariable(SpinVariable);
        if (!string.IsNullOrEmpty(policy) || !string.IsNullOrEmpty(spin) || !OperatingSystem.IsLinux())
        {
            Description = $"{PolicyVariable}={policy ?? "(unset)"}, {SpinVariable}={spin ?? "(unset)"} (environment)";
            return;
        }
        try
        {
            Description = setenv(SpinVariable, Default, 1) == 0
                ? $"{SpinVariable}={Default} (FaceBrain: a short spin, then sleep; set {PolicyVariable}=PASSIVE or ACTIVE to choose)"
                : $"{SpinVariable} unset: setenv failed, libgomp's default spinning";
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            Description = $"{SpinVariable} unset: no libc setenv, libgomp's default spinning";
        }
    }

    [DllImport("libc", EntryPoint = "setenv")]
    static extern int setenv([MarshalAs(UnmanagedType.LPUTF8Str)] string name, [MarshalAs(UnmanagedType.LPUTF8Str)] string value, int overwrite);
}
