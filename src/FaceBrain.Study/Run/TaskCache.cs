using FaceBrain.Study.Plan;

namespace FaceBrain.Study.Run;

/// <summary>
/// The cache every executor shares: a task is done when its record holds its current key and its outputs exist;
/// before a task runs, whatever an unfinished or outdated run of it left (outputs and record) is removed.
/// <paramref name="warn"/> hears of each damaged done record once.
/// </summary>
public sealed class TaskCache(TaskList list, string version, Action<string>? warn = null)
{
    readonly OutLayout _layout = new(list.Out);
    readonly HashSet<string> _warned = [];

    public IReadOnlyDictionary<string, string> Keys { get; } = TaskKey.All(list, version, new InputHasher());

    public bool IsDone(StudyTask t) =>
        Record(t) is { } r && r.Key == Keys[t.Id] && t.Outputs.All(o => File.Exists(o) || Directory.Exists(o));

    /// <summary>The previous run's time for this task (whatever its key), for ETAs.</summary>
    public double? PreviousSeconds(StudyTask t) => Record(t)?.Seconds;

    DoneRecord? Record(StudyTask t) => DoneRecord.Read(_layout.TaskRecord(t.Id), Warn);

    void Warn(string message)
    {
        lock (_warned) if (!_warned.Add(message)) return;
        warn?.Invoke(message);
    }

    public void Prepare(StudyTask t)
    {
        var record = _layout.TaskRecord(t.Id);
        if (File.Exists(record)) File.Delete(record);
        foreach (var o in t.Outputs)
        {
            if (Directory.Exists(o)) Directory.Delete(o, recursive: true);
            else if (File.Exists(o)) File.Delete(o);
            Directory.CreateDirectory(Path.GetDirectoryName(o)!);
        }
    }

    public void Complete(StudyTask t, double seconds) =>
        new DoneRecord(t.Id, t.Step, Keys[t.Id], t.Argv, t.Outputs, DateTime.UtcNow, Math.Round(seconds, 2)).Write(_layout.TaskRecord(t.Id));

    public string Log(StudyTask t, string stream) => _layout.Log(t.Step, t.Id, stream);
}
