using FaceBrain.Core;
using FaceBrain.Study.Plan;

namespace FaceBrain.Study.Run;

/// <summary>
/// Runs ONE task of a task list and writes its done record itself, so a task started by a scheduler (a SLURM job)
/// completes without the runner being alive. Same cache, same logs (OUT/logs/&lt;step&gt;/&lt;task&gt;.{out,err}) and the
/// same child process as the local executor.
/// </summary>
public static class TaskRunner
{
    /// <summary>The task among <paramref name="ids"/> this process runs: the only one, or the one at the job array's index.</summary>
    public static string Pick(IReadOnlyList<string> ids, string? arrayIndex)
    {
        if (ids.Count == 1) return ids[0];
        if (!int.TryParse(arrayIndex, out var i) || i < 0 || i >= ids.Count)
            throw new InputException($"`task` lists {ids.Count} tasks: SLURM_ARRAY_TASK_ID must pick one of 0-{ids.Count - 1} (got '{arrayIndex ?? "unset"}')");
        return ids[i];
    }

    /// <summary>Runs the task (its dependencies must be done) and returns its exit code; 0 means its record is written.</summary>
    public static int RunOne(TaskList list, TaskCache cache, string id, Launcher launcher, CancellationToken cancel = default)
    {
        var task = list.Tasks.FirstOrDefault(t => t.Id == id)
            ?? throw new InputException($"`task` {id}: no such task (tasks: {string.Join(", ", list.Tasks.Select(t => t.Id))})");
        var notDone = task.DependsOn.Where(d => !cache.IsDone(list[d])).ToList();
        if (notDone.Count > 0) throw new InputException($"`task` {id}: the tasks it depends on are not done: {string.Join(", ", notDone)}");
        cache.Prepare(task);
        var (code, seconds) = LocalExecutor.Start(task, cache, launcher, list.ResourcesOf(task).Cpus, cancel).GetAwaiter().GetResult();
        if (code == 0) cache.Complete(task, seconds);
        return code;
    }
}
