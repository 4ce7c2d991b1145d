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
