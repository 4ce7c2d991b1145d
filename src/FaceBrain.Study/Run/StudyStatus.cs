using FaceBrain.Study.Plan;

namespace FaceBrain.Study.Run;

/// <summary>One step's count of tasks by state, for `facebrain status OUT`, with the running tasks' jobs and the failed tasks' logs.</summary>
public sealed record StepStatus(string Step, int Done, int Running, int Failed, int Cancelled, int NotRun,
                                IReadOnlyList<ActiveTask> RunningTasks, IReadOnlyList<string> FailedLogs);

/// <summary>
/// What is done (a valid record), running (its SLURM job still queued or running), cancelled (its job was
/// cancelled, while SLURM still remembers it), failed (a log but no record and no live job) or not run, per step,
/// from the files under OUT and, where jobs were submitted, squeue.
/// </summary>
public static class StudyStatus
{
    public static IReadOnlyList<StepStatus> Of(TaskList list, TaskCache cache, Func<IEnumerable<string>, Dictionary<string, string>> states)
    {
        var jobs = SlurmExecutor.ReadJobs(list.Out);
        var known = jobs.Count > 0 ? states(jobs.Values) : [];
        return list.Tasks.GroupBy(t => t.Step).Select(g =>
        {
            int done = 0, failed = 0, cancelled = 0, notRun = 0;
            var running = new List<ActiveTask>();
            var logs = new List<string>();
            foreach (var t in g)
            {
                var state = jobs.TryGetValue(t.Id, out var id) ? known.GetValueOrDefault(id, "") : "";
                if (cache.IsDone(t)) done++;
                else if (SlurmExecutor.IsActive(state)) running.Add(new ActiveTask(t.Id, id!, state));
                else if (state == "CANCELLED") cancelled++;
                else if (File.Exists(cache.Log(t, "err"))) { failed++; logs.Add(cache.Log(t, "err")); }
                else notRun++;
            }
            return new StepStatus(g.Key, done, running.Count, failed, cancelled, notRun, running, logs);
        }).ToList();
    }
}
