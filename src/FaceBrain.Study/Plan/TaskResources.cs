using FaceBrain.Study.Experiment;

namespace FaceBrain.Study.Plan;

/// <summary>
/// What each task of a step needs: CPUs (which are also the task's thread count under every executor, so a
/// SLURM run and a local run compute in the same order and write the same bytes), memory, GPUs and a time
/// limit (the last three are asked of SLURM; the local executor does not enforce them).
/// </summary>
public sealed record TaskResources(int Cpus, string Memory, int Gpus, string Time)
{
    /// <summary>Steps whose verbs run on the experiment's device (the planner passes it as --device): they ask for a GPU when that device is CUDA.</summary>
    public static readonly IReadOnlyList<string> GpuSteps = ["train", "probe", "label", "extract", "analyse", "rsa", "encode"];

    static readonly Dictionary<string, (string Memory, string Time)> Builtin = new()
    {
        ["data"] = ("2G", "01:00:00"), ["train"] = ("16G", "24:00:00"), ["probe"] = ("8G", "04:00:00"),
        ["extract"] = ("8G", "04:00:00"), ["analyse"] = ("8G", "04:00:00"), ["fmri"] = ("4G", "01:00:00"),
        ["encode"] = ("8G", "04:00:00"), ["rsa"] = ("8G", "04:00:00"), ["label"] = ("4G", "01:00:00"), ["report"] = ("2G", "00:30:00"),
    };

    /// <summary>The built-in request of a step: 1 CPU; a GPU for the GPU steps on a CUDA device, none otherwise.</summary>
    public static TaskResources Default(string step, string device)
    {
        var (memory, time) = Builtin.GetValueOrDefault(step, ("4G", "01:00:00"));
        return new TaskResources(1, memory, GpuSteps.Contains(step) && device.StartsWith("cuda", StringComparison.Ordinal) ? 1 : 0, time);
    }

    /// <summary>Every step's request: the built-in one, then the file's "default" entry, then the step's own entry.</summary>
    public static IReadOnlyDictionary<string, TaskResources> For(IReadOnlyDictionary<string, ResourceRequest> file, string device) =>
        TaskList.Steps.ToDictionary(s => s, s =>
        {
            var r = Default(s, device);
            foreach (var key in new[] { "default", s })
                if (file.TryGetValue(key, out var q))
                    r = new TaskResources(q.Cpus ?? r.Cpus, q.Memory ?? r.Memory, q.Gpus ?? r.Gpus, q.Time ?? r.Time);
            return r;
        });
}
