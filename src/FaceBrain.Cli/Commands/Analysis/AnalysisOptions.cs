using System.ComponentModel;
using FaceBrain.Analysis;
using FaceBrain.Core;
using FaceBrain.Core.IO;
using FaceBrain.Core.Torch;
using Spectre.Console.Cli;

namespace FaceBrain.Cli.Commands.Analysis;

/// <summary>
/// scikit-learn users write <c>--C 1</c>; Spectre.Console.Cli refuses one-letter long options, so the
/// option is declared as <c>-C|--inverse-l2</c> and <c>--C</c> is rewritten to <c>-C</c> before parsing.
/// </summary>
public static class AnalysisArgs
{
    public static string[] Rewrite(string[] args) =>
        args.SelectMany(a => a == "--C" ? ["-C"] : a.StartsWith("--C=", StringComparison.Ordinal) ? new[] { "-C", a[4..] } : [a]).ToArray();
}

/// <summary>Options every analysis verb shares: where the data is, the device, JSON output.</summary>
public class DataSettings : CommandSettings
{
    [CommandOption("--features <NPY>")]
    [Description("Feature matrix [[n_stimuli, n_features]] (.npy).")]
    public string Features { get; init; } = "";

    [CommandOption("--stimuli <TSV>")]
    [Description("Stimulus table giving the row order of --features.")]
    public string Stimuli { get; init; } = "";

    [CommandOption("--store <DIR>")]
    [Description("Activation store (instead of --features/--stimuli); needs --layer.")]
    public string Store { get; init; } = "";

    [CommandOption("--layer <NAME>")]
    [Description("Layer of --store to analyse.")]
    public string Layer { get; init; } = "";

    [CommandOption("--device <DEVICE>")]
    [Description("auto, cpu, cuda or cuda:N (default auto).")]
    public string Device { get; init; } = "auto";

    [CommandOption("--seed <N>")]
    [Description("Seed for folds, permutations and bootstrap (default 0).")]
    public int Seed { get; init; }

    [CommandOption("--json")]
    [Description("Print one JSON object.")]
    public bool Json { get; init; }

    [CommandOption("--out <FILE>")]
    [Description("Also write the JSON result to this file (atomically).")]
    public string Out { get; init; } = "";

    internal Dataset.Dataset LoadData()
    {
        if (Out.Length > 0) OutputTarget.RequireFile(Out); // before any work: a result that cannot be written fails now
        return Inputs.load(Inputs.source(Features, Stimuli, Store, Layer));
    }

    internal TorchSharp.torch.Device ResolveDevice() => DeviceSpec.Parse(Device).Resolve();

    internal static void RequirePositive(string option, double value)
    {
        if (!(value > 0) || double.IsInfinity(value)) throw new InputException($"{option}: must be a positive number, got {value}");
    }

    internal static void RequireNonNegative(string option, int value)
    {
        if (value < 0) throw new InputException($"{option}: must be 0 or more, got {value}");
    }

    /// <summary>Prints the JSON (when asked) and writes it to --out (when given).</summary>
    internal void Emit(System.Text.Json.Nodes.JsonObject result, Action printText)
    {
        var text = result.ToJsonString(JsonOutput.Options);
        if (Out.Length > 0) AtomicFile.WriteAllText(Out, text + "\n");
        if (Json) Console.WriteLine(text);
        else printText();
    }
}
