using System.Text.Json;
using System.Text.Json.Serialization;
using FaceBrain.Core;

namespace FaceBrain.Extraction;

/// <summary>One layer's matrix in a store.</summary>
public sealed record StoreLayer(string Name, string File, string Reduction, long[] Shape, string Dtype, long[] RawShape);

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
/// manifest.json of an activation store (docs/activation-store.md). <see cref="Complete"/> turns true only once every
/// layer file holds every row; readers refuse incomplete stores. <see cref="RowsDone"/> is what --resume continues from.
/// </summary>
public sealed record StoreManifest
{
    public const string FormatName = "facebrain-activations";
    public const int CurrentVersion = 1;

    public string Format { get; init; } = FormatName;
    public int FormatVersion { get; init; } = CurrentVersion;
    public bool Complete { get; init; }
    public int NStimuli { get; init; }
    public int RowsDone { get; init; }
    public int BatchSize { get; init; }
    public IReadOnlyList<StoreLayer> Layers { get; init; } = [];
    public string Model { get; init; } = "";
    public StoreWeights? Weights { get; init; }
    public JsonElement? Preprocessing { get; init; }
    public long Seed { get; init; }
    public string Device { get; init; } = "cpu";
    public IReadOnlyDictionary<string, string> Versions { get; init; } = new Dictionary<string, string>();
    public IReadOnlyDictionary<string, double> Timings { get; init; } = new Dictionary<string, double>();
    public IReadOnlyList<SkippedFile> Skipped { get; init; } = [];

    static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DefaultIgnoreCondition = JsonIgnoreCondition.Never,
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    public string ToJson() => JsonSerializer.Serialize(this, Json);

    public static StoreManifest Read(string path)
    {
        if (!System.IO.File.Exists(path)) throw new InputException(path, "file not found (not an activation store?)");
        StoreManifest? m;
        try
        {
            m = JsonSerializer.Deserialize<StoreManifest>(System.IO.File.ReadAllText(path), Json);
        }
        catch (JsonException e)
        {
            throw new InputException(path, $"malformed manifest: {e.Message.Split('\n')[0]}");
        }
        if (m is null || m.Format != FormatName)
            throw new InputException(path, $"not a FaceBrain activation store manifest (format is not '{FormatName}')");
        if (m.FormatVersion > CurrentVersion)
            throw new InputException(path, $"store format version {m.FormatVersion} is newer than this FaceBrain reads ({CurrentVersion})");
        return m;
    }
}
