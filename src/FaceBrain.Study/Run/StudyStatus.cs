using FaceBrain.Study.Plan;

namespace FaceBrain.Study.Run;

/// <summary>One step's count of tasks by state, for `facebrain status OUT`.</summary>
public sealed record StepStatus(string Step, int Done, int Running, int Failed, int NotRun, IReadOnlyList<string> FailedLogs);

/// <summary>
/// What is done (a valid record), running (its SLURM job still queued or running), failed (a log but no record and
/// no live job) or not run, per step, from the files under OUT and, where jobs were submitted, squeue.
/// </summary>
public static class StudyStatus
{
    public static IReadOnlyList<StepStatus> Of(TaskList list, TaskCache cache, Func<IEnumerable<string>, HashSet<string>> active)
    {
        var jobs = SlurmExecutor.ReadJobs(list.Out);
        var live = jobs.Count > 0 ? active(jobs.Values.Select(v => v.Split('_')[0])) : [];
        return list.Tasks.GroupBy(t => t.Step).Select(g =>
        {
            int done = 0, running = 0, failed = 0, notRun = 0;
            var logs = new List<string>();
            foreach (var t in g)
            {
                if (cache.IsDone(t)) done++;
                else if (jobs.TryGetValue(t.Id, out var id) && live.Contains(id)) running++;
                else if (File.Exists(cache.Log(t, "err"))) { failed++; logs.Add(cache.Log(t, "err")); }
                else notRun++;
            }
            return new StepStatus(g.Key, done, running, failed, notRun, logs);
        }).ToList();
    }
}
