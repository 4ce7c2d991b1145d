namespace FaceBrain.Study.Plan;

/// <summary>
/// One unit of work: a `facebrain` verb invocation (<see cref="Argv"/>, without the program) that writes
/// <see cref="Outputs"/> (files or folders under the output folder), reads the <see cref="Inputs"/> that come
/// from outside it (hashed by content for the cache key) and runs after <see cref="DependsOn"/>. Any executor
/// (local processes, SLURM jobs) can run it: the task is the command line, not an in-process call.
/// </summary>
public sealed record StudyTask(
    string Id, string Step, string Description, IReadOnlyList<string> Argv,
    IReadOnlyList<string> Inputs, IReadOnlyList<string> Outputs, IReadOnlyList<string> DependsOn);

/// <summary>
/// The tasks of an experiment in an order where every task comes after the tasks it depends on, and what each
/// step's tasks need (<see cref="TaskResources"/>; without a table, the built-in CPU defaults).
/// </summary>
public sealed record TaskList(string Out, IReadOnlyList<StudyTask> Tasks, IReadOnlyDictionary<string, TaskResources>? Resources = null)
{
    public static readonly IReadOnlyList<string> Steps = ["data", "train", "probe", "label", "extract", "analyse", "rsa", "fmri", "encode", "report"];

    public StudyTask this[string id] => Tasks.First(t => t.Id == id);

    public TaskResources ResourcesOf(StudyTask t) =>
        Resources is { } r && r.TryGetValue(t.Step, out var x) ? x : TaskResources.Default(t.Step, "cpu");
}
