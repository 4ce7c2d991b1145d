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
    public static DoneRecord? Read(string path) => Read(path, null);

    /// <summary>
    /// The record, or null when there is none. A damaged one (not JSON, fields missing, unreadable) also means
    /// "not done", so the task runs again; <paramref name="warn"/> is told which file and why.
    /// </summary>
    public static DoneRecord? Read(string path, Action<string>? warn)
    {
        if (!File.Exists(path)) return null;
        string why;
        try
        {
            var r = JsonSerializer.Deserialize<DoneRecord>(File.ReadAllText(path));
            if (r is { Id: not null, Step: not null, Key: not null, Argv: not null, Outputs: not null }) return r;
            why = "fields missing";
        }
        catch (JsonException e) { why = $"not valid JSON: {e.Message.Split('\n')[0]}"; }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { why = e.Message; }
        warn?.Invoke($"{path}: damaged done record ({why}); its task counts as not done and runs again");
        return null;
    }

    public void Write(string path)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        JsonOutput.Write(path, this);
    }
}
