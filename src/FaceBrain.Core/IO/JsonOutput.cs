using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace FaceBrain.Core.IO;

/// <summary>
/// One JSON style for every result file and every <c>--json</c> output: snake_case keys (property names; the
/// keys of dictionaries are data, such as class or layer names, and stay as they are) and non-finite numbers
/// written as <c>null</c>, which every JSON reader accepts.
/// </summary>
public static class JsonOutput
{
    public static JsonSerializerOptions Options { get; } = new()
    {
        WriteIndented = true,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping, // paths keep their '+' readable
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        Converters = { new FiniteOrNull(), new FiniteOrNullSingle() },
    };

    public static string Serialize<T>(T value) => JsonSerializer.Serialize(value, Options);

    /// <summary>Writes a result file atomically.</summary>
    public static void Write<T>(string path, T value) => AtomicFile.WriteAllText(path, Serialize(value) + "\n");

    /// <summary>A number, or NaN for null (and for the named literals older files hold).</summary>
    static double ReadNumber(ref Utf8JsonReader r) => r.TokenType switch
    {
        JsonTokenType.Null => double.NaN,
        JsonTokenType.String => double.Parse(r.GetString()!, System.Globalization.CultureInfo.InvariantCulture),
        _ => r.GetDouble(),
    };

    /// <summary>NaN and ±infinity as null; null read back as NaN.</summary>
    sealed class FiniteOrNull : JsonConverter<double>
    {
        public override bool HandleNull => true;
        public override double Read(ref Utf8JsonReader r, Type t, JsonSerializerOptions o) => ReadNumber(ref r);
        public override void Write(Utf8JsonWriter w, double v, JsonSerializerOptions o) { if (double.IsFinite(v)) w.WriteNumberValue(v); else w.WriteNullValue(); }
    }

    /// <summary>The same for float32 (written as float32, so 0.1f stays 0.1).</summary>
    sealed class FiniteOrNullSingle : JsonConverter<float>
    {
        public override bool HandleNull => true;
        public override float Read(ref Utf8JsonReader r, Type t, JsonSerializerOptions o) => (float)ReadNumber(ref r);
        public override void Write(Utf8JsonWriter w, float v, JsonSerializerOptions o) { if (float.IsFinite(v)) w.WriteNumberValue(v); else w.WriteNullValue(); }
    }
}
