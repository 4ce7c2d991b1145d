using System.Text.Json;
using FaceBrain.Core;

namespace FaceBrain.Study.Table;

/// <summary>One probe result as `probe --out` writes it (probe.json): the network's, and its control's if probed.</summary>
public sealed record ProbeOutcome(string Layer, string Target, int Images, int Classes, double Accuracy, double Chance,
                                  double PValue, int Permutations, double PermutationMean, IReadOnlyList<IReadOnlyList<int>> Confusion,
                                  IReadOnlyList<string> ClassNames);

public static class ProbeFile
{
    /// <summary>Reads probe.json (snake_case keys, or the PascalCase of older files); returns (result, control).</summary>
    public static (ProbeOutcome Result, ProbeOutcome? Control) Read(string path)
    {
        if (!File.Exists(path)) throw new InputException(path, "probe result not found");
        try
        {
            using var doc = JsonDocument.Parse(File.ReadAllText(path));
            var root = doc.RootElement;
            var result = Outcome(Get(root, "result") ?? throw new InputException(path, "no 'result' object"), path);
            var control = Get(root, "control") is { ValueKind: JsonValueKind.Object } c ? Outcome(c, path) : null;
            return (result, control);
        }
        catch (JsonException e) { throw new InputException(path, $"not valid JSON: {e.Message.Split('\n')[0]}"); }
    }

    static ProbeOutcome Outcome(JsonElement r, string path)
    {
        JsonElement Need(string key) => Get(r, key) ?? throw new InputException(path, $"probe result has no '{key}'");
        var classes = Need("classes").EnumerateArray().Select(c => c.GetString()!).ToList();
        var confusion = Need("confusion").EnumerateArray().Select(row => (IReadOnlyList<int>)row.EnumerateArray().Select(x => x.GetInt32()).ToList()).ToList();
        return new ProbeOutcome(Need("layer").GetString()!, Need("target").GetString()!, Need("images").GetInt32(), classes.Count,
            Need("accuracy").GetDouble(), Need("chance").GetDouble(), Need("permutation_p").GetDouble(), Need("permutations").GetInt32(),
            Need("permutation_mean").GetDouble(), confusion, classes);
    }

    /// <summary>A key in snake_case or PascalCase ("permutation_p" or "PermutationP").</summary>
    static JsonElement? Get(JsonElement o, string snake)
    {
        var bare = snake.Replace("_", "");
        foreach (var p in o.EnumerateObject())
            if (p.Name.Replace("_", "").Equals(bare, StringComparison.OrdinalIgnoreCase) && p.Value.ValueKind != JsonValueKind.Null)
                return p.Value;
        return null;
    }
}
