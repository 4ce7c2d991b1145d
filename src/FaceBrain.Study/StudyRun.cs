using System.Reflection;
using System.Text.Json.Nodes;
using FaceBrain.Core.IO;
using FaceBrain.Study.Experiment;
using FaceBrain.Study.Plan;
using FaceBrain.Study.Run;
using Exp = FaceBrain.Study.Experiment.Experiment;

namespace FaceBrain.Study;

/// <summary>An experiment validated and planned, and the copy of its file kept in its output folder.</summary>
public sealed record PreparedRun(Exp Experiment, string ExperimentJson, TaskList Tasks);

/// <summary>
/// What `facebrain run` and `facebrain demo` do, as library calls: validate and plan (nothing is written when the
/// file has problems), then write OUT/experiment.json and run the tasks through an executor.
/// </summary>
public static class StudyRun
{
    public static PreparedRun Prepare(string json, string file, VerbCatalogue catalogue, string? outOverride)
    {
        var experiment = ExperimentReader.Parse(json, file, catalogue, outOverride);
        return new PreparedRun(experiment, ExperimentReader.Normalise(json, file), Planner.Plan(experiment));
    }

    public static PreparedRun PrepareFile(string file, VerbCatalogue catalogue, string? outOverride)
    {
        if (!File.Exists(file)) throw new FaceBrain.Core.InputException(file, "experiment file not found");
        return Prepare(File.ReadAllText(file), file, catalogue, outOverride);
    }

    /// <summary>Writes OUT/experiment.json (only when its content changes, so a rerun leaves it as it was) and runs.</summary>
    public static RunSummary Execute(PreparedRun run, Launcher launcher, string version, int jobs, IProgress<RunEvent> progress,
                                     CancellationToken cancel = default)
    {
        KeepExperiment(run);
        var cache = new TaskCache(run.Tasks, version, m => progress.Report(RunEvent.Warn(m)));
        return LocalExecutor.Run(run.Tasks, cache, launcher, jobs, progress, cancel);
    }

    /// <summary>OUT/experiment.json, rewritten only when its content changes; the file every executor's tasks plan from.</summary>
    public static string KeepExperiment(PreparedRun run)
    {
        var layout = new OutLayout(run.Experiment.Out);
        Directory.CreateDirectory(layout.Out);
        if (!File.Exists(layout.ExperimentFile) || File.ReadAllText(layout.ExperimentFile) != run.ExperimentJson)
            AtomicFile.WriteAllText(layout.ExperimentFile, run.ExperimentJson);
        return layout.ExperimentFile;
    }

    /// <summary>
    /// The demo's experiment (configs/demo.json, or configs/demo-quick.json for --quick, embedded in this library)
    /// with the seed and device applied.
    /// </summary>
    public static string DemoJson(bool quick, long? seed, string? device)
    {
        var name = quick ? "FaceBrain.Study.demo-quick.json" : "FaceBrain.Study.demo.json";
        using var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream(name)
            ?? throw new InvalidOperationException($"embedded {name} is missing");
        var root = JsonNode.Parse(stream)!.AsObject();
        if (seed != null) root["seed"] = seed.Value;
        if (device != null) root["device"] = device;
        return root.ToJsonString(new System.Text.Json.JsonSerializerOptions
        {
            WriteIndented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        }) + "\n";
    }

    /// <summary>The task list as JSON (for --plan, and for executors that submit the tasks elsewhere).</summary>
    public static string PlanJson(TaskList list) => JsonOutput.Serialize(new
    {
        @out = list.Out,
        tasks = list.Tasks.Select(t => new { id = t.Id, step = t.Step, description = t.Description, argv = t.Argv, inputs = t.Inputs, outputs = t.Outputs, depends_on = t.DependsOn, resources = list.ResourcesOf(t) }),
    });
}
