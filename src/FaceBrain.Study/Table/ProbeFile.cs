using System.Text.Json;
using FaceBrain.Core;

namespace FaceBrain.Study.Table;

/// <summary>One network's probe result as `probe --out` writes it in probe.json ("result", and "control" with --control).</summary>
public sealed record ProbeOutcome(string Layer, string Target, int Images, IReadOnlyList<string> Classes, double Accuracy,
                                  double Chance, double PValue, double CiLow, double CiHigh, int Permutations,
                                  double NullMean, IReadOnlyList<IReadOnlyList<int>> Confusion);

public static class ProbeFile
{
    /// <summary>Reads probe.json; missing numbers (no permutations, no bootstrap) are NaN.</summary>
    public static (ProbeOutcome Result, ProbeOutcome? Control) Read(string path)
    {
        if (!File.Exists(path)) throw new InputException(path, "probe result not found");
        try
        {
            using var doc = JsonDocument.Parse(File.ReadAllText(path));
            var root = doc.RootElement;
            if (!root.TryGetProperty("result", out var result) || result.ValueKind != JsonValueKind.Object)
                throw new InputException(path, "no 'result' object (not a probe.json?)");
            var control = root.TryGetProperty("control", out var c) && c.ValueKind == JsonValueKind.Object ? Outcome(c, path) : null;
            return (Outcome(result, path), control);
        }
        catch (JsonException e) { throw new InputException(path, $"not valid JSON: {e.Message.Split('\n')[0]}"); }
        catch (InvalidOperationException e) { throw new InputException(path, $"unexpected probe.json content: {e.Message}"); }
    }

    static ProbeOutcome Outcome(JsonElement r, string path)
    {
        JsonElement Need(JsonElement o, string key) =>
            o.TryGetProperty(key, out var v) ? v : throw new InputException(path, $"probe result has no '{key}'");
        static double Number(JsonElement o, string key) =>
            o.TryGetProperty(key, out var v) && v.ValueKind == JsonValueKind.Number ? v.GetDouble() : double.NaN;
        var d = Need(r, "decoding");
        var ci = d.TryGetProperty("ci", out var c) && c.ValueKind == JsonValueKind.Object ? c : (JsonElement?)null;
        return new ProbeOutcome(
            Need(r, "layer").GetString()!, Need(d, "target").GetString()!, Need(d, "n_stimuli").GetInt32(),
            Need(d, "classes").EnumerateArray().Select(x => x.GetString()!).ToList(),
            Number(d, "accuracy"), Number(d, "chance"), Number(d, "p_value"),
            ci is { } lo ? Number(lo, "low") : double.NaN, ci is { } hi ? Number(hi, "high") : double.NaN,
            d.TryGetProperty("permutations", out var p) && p.ValueKind == JsonValueKind.Number ? p.GetInt32() : 0,
            Number(d, "null_mean_accuracy"),
            Need(d, "confusion").EnumerateArray().Select(row => (IReadOnlyList<int>)row.EnumerateArray().Select(x => x.GetInt32()).ToList()).ToList());
    }
}
