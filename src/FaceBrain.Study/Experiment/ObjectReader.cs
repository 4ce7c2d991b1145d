using System.Text.Json;

namespace FaceBrain.Study.Experiment;

/// <summary>
/// Reads one JSON object of an experiment file, collecting every problem (unknown keys with the nearest valid
/// name, wrong types, missing keys) instead of stopping at the first, so the user sees them all at once.
/// </summary>
internal sealed class ObjectReader
{
    readonly JsonElement _e;
    readonly List<string> _problems;
    readonly HashSet<string> _known = [];

    public string Where { get; }

    ObjectReader(JsonElement e, string where, List<string> problems) { _e = e; Where = where; _problems = problems; }

    /// <summary>Null (with a problem recorded) when <paramref name="e"/> is not an object.</summary>
    public static ObjectReader? Of(JsonElement e, string where, List<string> problems)
    {
        if (e.ValueKind == JsonValueKind.Object) return new ObjectReader(e, where, problems);
        problems.Add($"{(where.Length == 0 ? "the file" : where)}: expected an object, got {Kind(e)}");
        return null;
    }

    public void Problem(string key, string text) => _problems.Add($"{Path(key)}: {text}");

    public string Path(string key) => Where.Length == 0 ? key : $"{Where}.{key}";

    public JsonElement? Get(string key)
    {
        _known.Add(key);
        return _e.TryGetProperty(key, out var v) && v.ValueKind != JsonValueKind.Null ? v : null;
    }

    public bool Has(string key) => Get(key) != null;

    public string? String(string key, bool required = false)
    {
        var v = Get(key);
        if (v == null) { if (required) Problem(key, "missing"); return null; }
        if (v.Value.ValueKind == JsonValueKind.String && v.Value.GetString()!.Length > 0) return v.Value.GetString();
        Problem(key, $"expected a non-empty string, got {Kind(v.Value)}");
        return null;
    }

    public string? OneOf(string key, IReadOnlyList<string> valid, bool required = false)
    {
        var s = String(key, required);
        if (s == null || valid.Contains(s)) return s;
        Problem(key, $"'{s}' is not one of {string.Join(", ", valid)}{NearestName.Hint(s, valid)}");
        return null;
    }

    public long? Integer(string key)
    {
        var v = Get(key);
        if (v == null) return null;
        if (v.Value.ValueKind == JsonValueKind.Number && v.Value.TryGetInt64(out var n)) return n;
        Problem(key, $"expected an integer, got {Kind(v.Value)}");
        return null;
    }

    public double? Number(string key, bool required = false)
    {
        var v = Get(key);
        if (v == null) { if (required) Problem(key, "missing"); return null; }
        if (v.Value.ValueKind == JsonValueKind.Number) return v.Value.GetDouble();
        Problem(key, $"expected a number, got {Kind(v.Value)}");
        return null;
    }

    public bool Bool(string key)
    {
        var v = Get(key);
        if (v == null) return false;
        if (v.Value.ValueKind is JsonValueKind.True or JsonValueKind.False) return v.Value.GetBoolean();
        Problem(key, $"expected true or false, got {Kind(v.Value)}");
        return false;
    }

    /// <summary>A list of strings; a single string is a one-element list.</summary>
    public IReadOnlyList<string> Strings(string key)
    {
        var v = Get(key);
        if (v == null) return [];
        if (v.Value.ValueKind == JsonValueKind.String) return [v.Value.GetString()!];
        if (v.Value.ValueKind == JsonValueKind.Array && v.Value.EnumerateArray().All(x => x.ValueKind == JsonValueKind.String))
            return v.Value.EnumerateArray().Select(x => x.GetString()!).ToList();
        Problem(key, $"expected a string or a list of strings, got {Kind(v.Value)}");
        return [];
    }

    public ObjectReader? Object(string key)
    {
        var v = Get(key);
        return v == null ? null : Of(v.Value, Path(key), _problems);
    }

    public IEnumerable<JsonProperty> Properties() => _e.EnumerateObject();

    /// <summary>
    /// Options passed through to <paramref name="verb"/>: each key must be one of its options, and none of those
    /// the runner sets itself (<paramref name="reserved"/>: the experiment says them elsewhere).
    /// </summary>
    public VerbArgs Args(string key, string verb, VerbCatalogue catalogue, IReadOnlyCollection<string> reserved)
    {
        var o = Object(key);
        if (o == null) return VerbArgs.None;
        var valid = catalogue.OptionsOf(verb);
        var items = new List<KeyValuePair<string, JsonElement>>();
        foreach (var p in o._e.EnumerateObject())
        {
            var option = p.Name.Replace('_', '-');
            if (reserved.Contains(option))
                o.Problem(p.Name, $"set by the runner for '{verb}'; the experiment file says it elsewhere");
            else if (!valid.Contains(option))
            {
                var allowed = valid.Where(v => !reserved.Contains(v)).Select(v => v.Replace('-', '_'));
                o.Problem(p.Name, $"'{verb}' has no option --{option}{NearestName.Hint(p.Name, allowed)}");
            }
            else if (p.Value.ValueKind is JsonValueKind.Object or JsonValueKind.Null)
                o.Problem(p.Name, $"expected a string, number, boolean or list, got {Kind(p.Value)}");
            else items.Add(new(p.Name, p.Value.Clone()));
        }
        return new VerbArgs(items);
    }

    /// <summary>Records every key that no reader asked for; call after reading the object.</summary>
    public void RejectUnknown()
    {
        foreach (var p in _e.EnumerateObject())
            if (!_known.Contains(p.Name))
                Problem(p.Name, "unknown key" + NearestName.Hint(p.Name, _known));
    }

    static string Kind(JsonElement e) => e.ValueKind switch
    {
        JsonValueKind.Object => "an object",
        JsonValueKind.Array => "a list",
        JsonValueKind.String => $"the string \"{e.GetString()}\"",
        JsonValueKind.Number => $"the number {e.GetRawText()}",
        JsonValueKind.True or JsonValueKind.False => e.GetRawText(),
        _ => "null",
    };
}
