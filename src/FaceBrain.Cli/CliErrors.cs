using FaceBrain.Core;
using Spectre.Console.Cli;

namespace FaceBrain.Cli;

/// <summary>
/// The one place errors become exit codes: bad input (a file or an option) prints one line and exits 2;
/// anything unexpected prints one line plus a hint, and exits 1.
/// </summary>
public static class CliErrors
{
    public static int Run(Func<int> body)
    {
        try
        {
            return body();
        }
        catch (Exception e) when (Unwrap(e) is InputException input)
        {
            Console.Error.WriteLine($"facebrain: error: {input.Message}");
            return InputException.ExitCode;
        }
        catch (Exception e) when (Unwrap(e) is CommandParseException or CommandRuntimeException)
        {
            Console.Error.WriteLine($"facebrain: error: {Unwrap(e).Message}");
            return InputException.ExitCode;
        }
        catch (Exception e)
        {
            var inner = Unwrap(e);
            Console.Error.WriteLine($"facebrain: error: {inner.GetType().Name}: {inner.Message.Split('\n')[0]}");
            if (Environment.GetEnvironmentVariable("FACEBRAIN_DEBUG") == "1") Console.Error.WriteLine(inner);
            else Console.Error.WriteLine("facebrain: set FACEBRAIN_DEBUG=1 for the stack trace");
            return 1;
        }
    }

    static Exception Unwrap(Exception e) =>
        e is AggregateException { InnerExceptions.Count: 1 } a ? Unwrap(a.InnerExceptions[0])
        : e is System.Reflection.TargetInvocationException { InnerException: { } t } ? Unwrap(t)
        : e;
}
