using FaceBrain.Core;
using Spectre.Console.Cli;

namespace FaceBrain.Cli;

/// <summary>
/// The one place errors become exit codes (docs/reliability.md): bad input (a file or an option) prints one line
/// and exits 2; a runtime failure prints one line and exits with its kind's code (3 an output could not be written,
/// 4 training diverged, 130/143 interrupted by SIGINT/SIGTERM); anything unexpected prints one line plus a hint,
/// and exits 1.
/// </summary>
public static class CliErrors
{
    public static int Run(Func<int> body) => Run(body, Console.Error);

    /// <summary>Runs <paramref name="body"/>, writing the error line (if any) to <paramref name="err"/> (tests pass their own).</summary>
    public static int Run(Func<int> body, TextWriter err)
    {
        try
        {
            return body();
        }
        catch (Exception e) when (Unwrap(e) is InputException input)
        {
            return Report(err, input.Message, InputException.ExitCode);
        }
        catch (Exception e) when (Unwrap(e) is CommandParseException or CommandRuntimeException)
        {
            return Report(err, Unwrap(e).Message, InputException.ExitCode);
        }
        catch (Exception e) when (Unwrap(e) is RunFailure failure)
        {
            return Report(err, failure.Message, failure.ExitCode);
        }
        catch (Exception e) when (Unwrap(e) is OperationCanceledException && Interrupt.Requested)
        {
            return Report(err, $"interrupted by {Interrupt.SignalName}; stopped at a safe point (an interrupted extraction or training run continues with --resume)", Interrupt.ExitCode);
        }
        catch (Exception e)
        {
            var inner = Unwrap(e);
            err.WriteLine($"facebrain: error: {inner.GetType().Name}: {inner.Message.Split('\n')[0]}");
            if (Environment.GetEnvironmentVariable("FACEBRAIN_DEBUG") == "1") err.WriteLine(inner);
            else err.WriteLine("facebrain: set FACEBRAIN_DEBUG=1 for the stack trace");
            return 1;
        }
    }

    static int Report(TextWriter err, string message, int code)
    {
        err.WriteLine($"facebrain: error: {Flags(message.Split('\n')[0])}");
        return code;
    }

    static readonly System.Text.RegularExpressions.Regex Setting = new("`([a-z][a-z0-9-]*)`", System.Text.RegularExpressions.RegexOptions.Compiled);

    /// <summary>
    /// Libraries name a setting in their messages as `name` (docs/reliability.md), not as a flag: they are called
    /// from code as well as from here. On the command line every setting is the option of the same name.
    /// </summary>
    public static string Flags(string libraryText) => Setting.Replace(libraryText, "--$1");

    /// <summary>The one error inside wrappers; an AggregateException of several errors gives its first (the rest repeat its kind).</summary>
    static Exception Unwrap(Exception e) =>
        e is AggregateException { InnerExceptions.Count: >= 1 } a ? Unwrap(a.InnerExceptions[0])
        : e is System.Reflection.TargetInvocationException { InnerException: { } t } ? Unwrap(t)
        : e;
}
