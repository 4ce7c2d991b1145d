using System.Runtime.InteropServices;
using FaceBrain.Core.IO;

namespace FaceBrain.Cli;

/// <summary>
/// SIGINT (Ctrl-C) and SIGTERM: the first signal cancels <see cref="Token"/>, which long steps check between units
/// of work (an extraction between batches, training between steps), so they stop at a resumable point. A verb that
/// has not stopped within a second is ended: its registered temporaries (<see cref="PendingOutputs"/>) are removed
/// first, so no partial output is left. A second signal ends the process at once, after the same cleanup.
/// </summary>
public static class Interrupt
{
    static readonly CancellationTokenSource Source = new();
    static readonly List<PosixSignalRegistration> Registrations = [];
    static int _signals;
    static volatile string _name = "";

    public static CancellationToken Token => Source.Token;
    public static bool Requested => Source.IsCancellationRequested;
    /// <summary>130 after SIGINT, 143 after SIGTERM (128 + the signal number, as shells report).</summary>
    public static int ExitCode { get; private set; } = 130;
    public static string SignalName => _name;
    public static TimeSpan Grace { get; } = TimeSpan.FromSeconds(1);

    public static void Install()
    {
        lock (Registrations)
        {
            if (Registrations.Count > 0) return;
            Registrations.Add(PosixSignalRegistration.Create(PosixSignal.SIGINT, c => Handle(c, "SIGINT", 130)));
            Registrations.Add(PosixSignalRegistration.Create(PosixSignal.SIGTERM, c => Handle(c, "SIGTERM", 143)));
        }
    }

    /// <summary>The variable a parent `facebrain run` sets in its task processes: its own process id.</summary>
    public const string ParentVariable = "FACEBRAIN_PARENT_PID";

    /// <summary>
    /// In a task process started by `facebrain run`: stop as on SIGTERM when that parent is gone. A parent killed
    /// with -9 cannot stop its children, and an orphaned task would go on writing into the output folder (and hold
    /// its lock) while the user reruns the experiment.
    /// </summary>
    public static void WatchParent()
    {
        if (!int.TryParse(Environment.GetEnvironmentVariable(ParentVariable), out int parent) || !OperatingSystem.IsLinux()) return;
        // Another parent while that one still lives: the variable was inherited further down, not ours to act on.
        // (A parent already gone was killed before this process got here.)
        if (ParentId() != parent && Directory.Exists($"/proc/{parent}")) return;
        var watch = new Thread(() =>
        {
            while (ParentId() == parent) Thread.Sleep(200);
            Trigger("the end of its parent run", 143);
        }) { IsBackground = true };
        watch.Start();
    }

    static void Handle(PosixSignalContext context, string name, int code)
    {
        context.Cancel = true; // we exit ourselves, after cleaning up
        Trigger(name, code);
    }

    static void Trigger(string name, int code)
    {
        if (Interlocked.Increment(ref _signals) > 1) Stop();
        _name = name;
        ExitCode = code;
        Source.Cancel();
        var watchdog = new Thread(() => { Thread.Sleep(Grace); Stop(); }) { IsBackground = true };
        watchdog.Start();
    }

    static void Stop()
    {
        int removed = PendingOutputs.DeleteAll();
        Console.Error.WriteLine($"facebrain: interrupted by {_name}; stopped" + (removed > 0 ? $", {removed} temporary output(s) removed" : ", no partial output left"));
        Console.Error.Flush();
        // _exit, not Environment.Exit: the main thread may be inside libtorch, whose exit handlers would then crash.
        Exit(ExitCode);
    }

    [DllImport("libc", EntryPoint = "getppid")]
    static extern int ParentId();

    [DllImport("libc", EntryPoint = "_exit")]
    static extern void Exit(int status);
}
