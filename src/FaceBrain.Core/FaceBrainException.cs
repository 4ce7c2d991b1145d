namespace FaceBrain.Core;

/// <summary>
/// Bad input: a file that is missing, malformed or inconsistent with another. The message is one line
/// that names the file and the problem; the CLI prints it and exits with <see cref="ExitCode"/>.
/// </summary>
public sealed class InputException : Exception
{
    public const int ExitCode = 2;

    public InputException(string file, string problem)
        : base($"{file}: {problem}")
    {
        File = file;
        Problem = problem;
    }

    /// <summary>An error about the command line itself rather than a file.</summary>
    public InputException(string problem) : base(problem)
    {
        File = "";
        Problem = problem;
    }

    public string File { get; }
    public string Problem { get; }
}

/// <summary>
/// A runtime failure: the input was acceptable but the run could not finish (an output that cannot be written,
/// a diverged loss, a signal). Each kind has its own exit code (docs/reliability.md); the message is one line.
/// </summary>
public abstract class RunFailure : Exception
{
    protected RunFailure(string message, Exception? inner = null) : base(message, inner) { }
    public abstract int ExitCode { get; }
}

/// <summary>
/// An output could not be written (full disk, read-only file system, permission denied): names the final path,
/// never a temporary one. Exit code 3.
/// </summary>
public sealed class OutputException : RunFailure
{
    public const int Code = 3;

    public OutputException(string finalPath, string problem, Exception? inner = null)
        : base($"{finalPath}: {problem}", inner)
    {
        Path = finalPath;
        Problem = problem;
    }

    public string Path { get; }
    public string Problem { get; }
    public override int ExitCode => Code;

    /// <summary>The one-line reason of an I/O error, with the temporary file names it may carry left out.</summary>
    public static string Reason(Exception e)
    {
        var m = e.Message.Split('\n')[0].Trim();
        // .NET's messages quote the path they failed on ("... : '/x/.y.123.tmp'"); the caller names the final path.
        int q = m.IndexOf(" : '", StringComparison.Ordinal);
        if (q > 0) m = m[..q];
        int quote = m.IndexOf('\'');
        if (quote >= 0 && m.IndexOf(".tmp", StringComparison.Ordinal) > quote) m = m[..quote].TrimEnd(' ', ':');
        return m.Length > 0 ? m.TrimEnd('.') : e.GetType().Name;
    }

    /// <summary>Runs <paramref name="write"/>, turning an I/O failure into an <see cref="OutputException"/> naming <paramref name="finalPath"/>.</summary>
    public static T Guard<T>(string finalPath, Func<T> write)
    {
        try { return write(); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new OutputException(finalPath, $"could not be written: {Reason(e)}", e);
        }
    }

    public static void Guard(string finalPath, Action write) => Guard(finalPath, () => { write(); return 0; });
}

/// <summary>Training stopped because the loss became NaN or infinite. Exit code 4.</summary>
public sealed class DivergedException : RunFailure
{
    public const int Code = 4;
    public DivergedException(string message) : base(message) { }
    public override int ExitCode => Code;
}

/// <summary>The run was stopped by SIGINT or SIGTERM after cleaning up. Exit code 130 (SIGINT) or 143 (SIGTERM).</summary>
public sealed class InterruptedException : RunFailure
{
    public InterruptedException(string message, int exitCode) : base(message) { Code = exitCode; }
    public int Code { get; }
    public override int ExitCode => Code;
}
