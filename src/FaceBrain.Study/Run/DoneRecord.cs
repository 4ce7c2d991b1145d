using System.Text.Json;
using System.Text.Json.Serialization;
using FaceBrain.Core.IO;

namespace FaceBrain.Study.Run;

/// <summary>
/// OUT/.tasks/&lt;task&gt;.json, written atomically once a task has succeeded: a task's outputs count only while
/// a record with the task's current key exists. The seconds feed the next run's ETA.
/// </summary>
public sealed record DoneRecord(
    [property: JsonPropertyName("id")] string Id,
    [property: JsonPropertyName("step")] string Step,
    [property: JsonPropertyName("key")] string Key,
    [property: JsonPropertyName("argv")] IReadOnlyList<string> Argv,
    [property: JsonPropertyName("outputs")] IReadOnlyList<string> Outputs,
    [property: JsonPropertyName("finished")] DateTime Finished,
    [property: JsonPropertyName("seconds")] double Seconds)
{
    public static DoneRecord? Read(string path)
    {
        if (!File.Exists(path)) return null;
        try { return JsonSerializer.Deserialize<DoneRecord>(File.ReadAllText(path)); }
        catch (JsonException) { return null; } // a damaged record means "not done": the task runs again
    }

    public void Write(string path)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        JsonOutput.Write(path, this);
    }
}
