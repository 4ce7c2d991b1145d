using System.Text.RegularExpressions;

namespace FaceBrain.Study.Experiment;

/// <summary>
/// What one entry of the file's "resources" says for a step's tasks (or for every step, under "default");
/// null leaves the built-in value (Plan/TaskResources resolves them).
/// </summary>
public sealed partial record ResourceRequest(int? Cpus, string? Memory, int? Gpus, string? Time)
{
    /// <summary>SLURM's memory spelling: a whole number of megabytes, or with a K/M/G/T suffix.</summary>
    public static bool IsMemory(string s) => MemoryRegex().IsMatch(s);

    /// <summary>A time limit as HH:MM:SS or D-HH:MM:SS (minutes and seconds below 60).</summary>
    public static bool IsTime(string s) => TimeRegex().IsMatch(s);

    [GeneratedRegex("^[1-9][0-9]*[KMGT]?$")]
    private static partial Regex MemoryRegex();

    [GeneratedRegex("^([0-9]+-)?[0-9]{1,3}:[0-5][0-9]:[0-5][0-9]$")]
    private static partial Regex TimeRegex();
}
