using System.Runtime.InteropServices;

namespace FaceBrain.Core.Torch;

/// <summary>
/// libtorch's OpenMP threads spin at every barrier, by default for a long while, waiting for their partners. Where
/// other jobs share the cores (a cluster node, a CI runner, a laptop running a build) a partner that has been
/// descheduled keeps the others spinning for its whole time slice: measured on the project's 2-core VM at load 5–6,
/// <c>analyse</c> at 2 threads took 67–79 s wall, and 31 s with passive waiting. libgomp reads
/// <c>OMP_WAIT_POLICY</c> once, when it loads with libtorch, so this sets it in the native environment just before
/// (the managed <see cref="Environment.SetEnvironmentVariable(string, string)"/> does not reach native code on
/// Unix). A policy, or a <c>GOMP_SPINCOUNT</c>, that the user set is left as it is.
/// </summary>
public static class OpenMpWaiting
{
    public const string PolicyVariable = "OMP_WAIT_POLICY";
    public const string SpinVariable = "GOMP_SPINCOUNT";
    public const string Default = "PASSIVE";

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
            Description = setenv(PolicyVariable, Default, 1) == 0
                ? $"{PolicyVariable}={Default} (FaceBrain; set {PolicyVariable}=ACTIVE to spin)"
                : $"{PolicyVariable} unset: setenv failed, libgomp's default spinning";
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            Description = $"{PolicyVariable} unset: no libc setenv, libgomp's default spinning";
        }
    }

    [DllImport("libc", EntryPoint = "setenv")]
    static extern int setenv([MarshalAs(UnmanagedType.LPUTF8Str)] string name, [MarshalAs(UnmanagedType.LPUTF8Str)] string value, int overwrite);
}
