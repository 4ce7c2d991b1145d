using System.Text.Json;

namespace FaceBrain.Models.Weights.Tfjs;

/// <summary>How a tensor's values are stored in the .bin: raw float32, or quantised (value = q · scale + min; float16 is IEEE half).</summary>
public enum TfjsStorage { Float32, Uint8, Uint16, Float16 }

/// <summary>One entry of a weights manifest: a tensor's name, TF-layout shape and storage.</summary>
public sealed record TfjsEntry(string Name, long[] Shape, TfjsStorage Storage, double Scale, double Min)
{
    /// <summary>Values (product of the shape), with overflow checked.</summary>
    public long Count => Shape.Aggregate(1L, (a, d) => checked(a * d));

    /// <summary>Bytes this tensor occupies in the .bin.</summary>
    public long Bytes => checked(Count * (Storage switch { TfjsStorage.Float32 => 4, TfjsStorage.Uint8 => 1, _ => 2 }));
}

/// <summary>One group: its .bin files (concatenated in order) and its tensors in storage order.</summary>
public sealed record TfjsGroup(IReadOnlyList<string> Paths, IReadOnlyList<TfjsEntry> Weights);

/// <summary>
/// A TensorFlow.js weights manifest (<c>*-weights_manifest.json</c>, or the <c>weightsManifest</c> of a
/// <c>model.json</c>): a JSON array of groups <c>{paths, weights: [{name, shape, dtype, quantization?}]}</c>.
/// Parsing refuses anything it does not understand, with one line naming the manifest.
/// </summary>
public static class TfjsManifest
{
    public static IReadOnlyList<TfjsGroup> Read(string path)
    {
        if (!File.Exists(path)) throw new InputException(path, "weights manifest not found");
        JsonDocument doc;
        try { doc = JsonDocument.Parse(File.ReadAllBytes(path)); }
        catch (JsonException e) { throw new InputException(path, $"not valid JSON: {e.Message.Split('\n')[0]}"); }
        using (doc)
        {
            var root = doc.RootElement;
            if (root.ValueKind == JsonValueKind.Object && root.TryGetProperty("weightsManifest", out var wm)) root = wm;
            if (root.ValueKind != JsonValueKind.Array) throw new InputException(path, "expected a JSON array of weight groups");
            var groups = new List<TfjsGroup>();
            var names = new HashSet<string>(StringComparer.Ordinal);
            foreach (var g in root.EnumerateArray())
            {
                if (g.ValueKind != JsonValueKind.Object || !g.TryGetProperty("paths", out var paths) || paths.ValueKind != JsonValueKind.Array
                    || !g.TryGetProperty("weights", out var weights) || weights.ValueKind != JsonValueKind.Array)
                    throw new InputException(path, $"group {groups.Count} lacks 'paths' or 'weights' arrays");
                var files = paths.EnumerateArray().Select(p => p.ValueKind == JsonValueKind.String ? p.GetString()!
                    : throw new InputException(path, $"group {groups.Count}: a path is not a string")).ToList();
                if (files.Count == 0) throw new InputException(path, $"group {groups.Count} names no .bin file");
                foreach (var f in files)
                    if (f.Contains('/') || f.Contains('\\') || f == "..")
                        throw new InputException(path, $"group {groups.Count}: path '{f}' must be a file name beside the manifest");
                var entries = weights.EnumerateArray().Select(w => Entry(path, w)).ToList();
                foreach (var e in entries)
                    if (!names.Add(e.Name)) throw new InputException(path, $"tensor '{e.Name}' appears twice");
                groups.Add(new TfjsGroup(files, entries));
            }
            if (groups.Count == 0) throw new InputException(path, "the manifest has no weight groups");
            return groups;
        }
    }

    static TfjsEntry Entry(string path, JsonElement w)
    {
        string name = w.TryGetProperty("name", out var n) && n.ValueKind == JsonValueKind.String ? n.GetString()!
            : throw new InputException(path, "a weight entry has no name");
        if (!w.TryGetProperty("shape", out var s) || s.ValueKind != JsonValueKind.Array)
            throw new InputException(path, $"tensor '{name}' has no shape");
        var shape = s.EnumerateArray().Select(d => d.ValueKind == JsonValueKind.Number && d.TryGetInt64(out var v) && v >= 0 ? v
            : throw new InputException(path, $"tensor '{name}': shape {s.GetRawText()} is not a list of non-negative integers")).ToArray();
        string dtype = w.TryGetProperty("dtype", out var dt) && dt.ValueKind == JsonValueKind.String ? dt.GetString()! : "";
        if (dtype != "float32") throw new InputException(path, $"tensor '{name}': unknown dtype '{dtype}' (supported: float32, possibly quantised)");
        var entry = new TfjsEntry(name, shape, TfjsStorage.Float32, 1, 0);
        try { _ = entry.Bytes; }
        catch (OverflowException) { throw new InputException(path, $"tensor '{name}': shape {s.GetRawText()} is too large"); }
        if (!w.TryGetProperty("quantization", out var q) || q.ValueKind == JsonValueKind.Null) return entry;
        string qtype = q.TryGetProperty("dtype", out var qd) && qd.ValueKind == JsonValueKind.String ? qd.GetString()! : "";
        var storage = qtype switch
        {
            "uint8" => TfjsStorage.Uint8,
            "uint16" => TfjsStorage.Uint16,
            "float16" => TfjsStorage.Float16,
            _ => throw new InputException(path, $"tensor '{name}': unknown quantisation dtype '{qtype}' (supported: uint8, uint16, float16)"),
        };
        if (storage == TfjsStorage.Float16) return entry with { Storage = storage };
        double Number(string key) => q.TryGetProperty(key, out var v) && v.ValueKind == JsonValueKind.Number ? v.GetDouble()
            : throw new InputException(path, $"tensor '{name}': {qtype} quantisation without a numeric '{key}'");
        return entry with { Storage = storage, Scale = Number("scale"), Min = Number("min") };
    }
}
