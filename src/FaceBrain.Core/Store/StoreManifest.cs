using System.Text.Json;
using System.Text.Json.Serialization;
using FaceBrain.Core.IO;

namespace FaceBrain.Core.Store;

/// <summary>One layer's matrix in a store.</summary>
public sealed record StoreLayer(string Name, string File, string Reduction, long[] Shape, string Dtype, long[]? RawShape = null);

/// <summary>The weights a store's activations came from.</summary>
public sealed record StoreWeights(string Source, string? Path, string? Sha256)
{
    /// <summary>The package the weights came from (e.g. @vladmandic/face-api@1.7.15), when they came from one.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Package { get; init; }
}

/// <summary>An input file that was skipped (only with --skip-bad), and why.</summary>
public sealed record SkippedFile(string Path, string Reason);

/// <summary>
/// manifest.json of an activation store (docs/activation-store.md): the one type the C# writer serialises and the
/// F# reader deserialises. <see cref="Complete"/> turns true only once every layer file holds every row; readers
/// refuse incomplete stores. <see cref="RowsDone"/> is what a resume continues from, and <see cref="Fingerprint"/>
/// holds every setting that determines the bytes, so a resume with other settings is refused.
/// </summary>
public sealed record StoreManifest
{
    public const string FormatName = "facebrain-activations";
    public const int CurrentVersion = 1;

    /// <summary>The on-disk element types a store's layers may have; the writer and the reader accept exactly these.</summary>
    public static readonly IReadOnlyList<string> Dtypes = ["float32", "float16", "float64"];

    [JsonRequired] public string Format { get; init; } = FormatName;
    [JsonRequired] public int FormatVersion { get; init; } = CurrentVersion;
    [JsonRequired] public bool Complete { get; init; }
    [JsonRequired] public int NStimuli { get; init; }
    public int RowsDone { get; init; }
    public int BatchSize { get; init; }
    [JsonRequired] public IReadOnlyList<StoreLayer> Layers { get; init; } = [];
    public string Model { get; init; } = "";
    public StoreWeights? Weights { get; init; }
    public JsonElement? Preprocessing { get; init; }
    public long Seed { get; init; }
    public string Device { get; init; } = "cpu";
    public IReadOnlyDictionary<string, string> Versions { get; init; } = new Dictionary<string, string>();
    public IReadOnlyDictionary<string, double> Timings { get; init; } = new Dictionary<string, double>();
    public IReadOnlyList<SkippedFile> Skipped { get; init; } = [];
    /// <summary>Setting name → value for everything that determines the layer bytes (null in stores from before it existed).</summary>
    public IReadOnlyDictionary<string, string>? Fingerprint { get; init; }

    /// <summary>The on-disk element type of a layer.</summary>
    public static NpyDType ElementType(StoreLayer layer, string file) => layer.Dtype switch
    {
        "float32" => NpyDType.Float32,
        "float16" => NpyDType.Float16,
        "float64" => NpyDType.Float64,
        _ => throw new InputException(file, $"layer '{layer.Name}': dtype '{layer.Dtype}' is not one of {string.Join(", ", Dtypes)}"),
    };

    static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DefaultIgnoreCondition = JsonIgnoreCondition.Never,
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    public string ToJson() => JsonSerializer.Serialize(this, Json);

    /// <summary>Reads and checks a manifest: its format and version, and the fields every reader needs.</summary>
    public static StoreManifest Read(string path)
    {
        if (!System.IO.File.Exists(path)) throw new InputException(path, "not found (is this an activation store?)");
        StoreManifest? m;
        try
        {
            m = JsonSerializer.Deserialize<StoreManifest>(System.IO.File.ReadAllText(path), Json);
        }
        catch (JsonException e)
        {
            throw new InputException(path, $"not a valid activation store manifest: {e.Message.Split('\n')[0]}");
        }
        if (m is null) throw new InputException(path, "not a valid activation store manifest: null");
        if (m.Format != FormatName)
            throw new InputException(path, $"format is '{m.Format}', expected '{FormatName}'");
        if (m.FormatVersion != CurrentVersion)
            throw new InputException(path, $"format_version {m.FormatVersion} is not supported (this reader knows {CurrentVersion})");
        if (m.NStimuli < 0 || m.RowsDone < 0 || m.RowsDone > m.NStimuli)
            throw new InputException(path, $"n_stimuli {m.NStimuli} / rows_done {m.RowsDone} are inconsistent");
        foreach (var l in m.Layers)
        {
            if (l is null || l.Name is null || l.File is null || l.Shape is null || l.Dtype is null)
                throw new InputException(path, "a layer entry lacks name, file, shape or dtype");
            if (l.Shape.Length != 2 || l.Shape[0] < 0 || l.Shape[1] < 0)
                throw new InputException(path, $"layer '{l.Name}': shape should be [n_stimuli, n_features]");
            if (Path.IsPathRooted(l.File) || l.File.Split('/', '\\').Contains(".."))
                throw new InputException(path, $"layer '{l.Name}': file '{l.File}' is not inside the store");
            ElementType(l, path);
        }
        return m;
    }

    /// <summary>The settings whose values differ between two fingerprints, as "name (store: a, now: b)".</summary>
    public static IReadOnlyList<string> Differences(IReadOnlyDictionary<string, string> stored, IReadOnlyDictionary<string, string> now) =>
        stored.Keys.Union(now.Keys).Order(StringComparer.Ordinal)
            .Where(k => stored.GetValueOrDefault(k) != now.GetValueOrDefault(k))
            .Select(k => $"{k} (store: {stored.GetValueOrDefault(k) ?? "absent"}, now: {now.GetValueOrDefault(k) ?? "absent"})")
            .ToList();
}
