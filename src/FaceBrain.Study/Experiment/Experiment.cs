using System.Text.Json;

namespace FaceBrain.Study.Experiment;

/// <summary>
/// Options passed through to a verb, in file order: <c>"per_identity": 6</c> becomes <c>--per-identity 6</c>,
/// <c>true</c> a bare flag, <c>false</c> nothing, an array one option per element.
/// </summary>
public sealed record VerbArgs(IReadOnlyList<KeyValuePair<string, JsonElement>> Items)
{
    public static readonly VerbArgs None = new([]);

    public IEnumerable<string> ToArgv()
    {
        foreach (var (key, value) in Items)
        {
            var flag = "--" + key.Replace('_', '-');
            switch (value.ValueKind)
            {
                case JsonValueKind.True: yield return flag; break;
                case JsonValueKind.False: break;
                case JsonValueKind.Array:
                    foreach (var e in value.EnumerateArray()) { yield return flag; yield return Scalar(e); }
                    break;
                default: yield return flag; yield return Scalar(value); break;
            }
        }
    }

    /// <summary>Numbers keep the file's own spelling ("0.003" stays "0.003"), so argv is stable.</summary>
    static string Scalar(JsonElement e) => e.ValueKind == JsonValueKind.String ? e.GetString()! : e.GetRawText();
}

/// <summary>A face set: an existing folder (or manifest) on disk, or synthesised by <c>faces synth</c>.</summary>
public sealed record DataSet(string Name, string Layout, string? Path, VerbArgs? Synth);

/// <summary>
/// How a network is trained: <c>train identity</c> or <c>train siamese</c> on one of the data sets (siamese: with
/// an optional separate LFW-layout set whose pairs.txt evaluates it).
/// </summary>
public sealed record TrainPlan(string Task, string Data, string? Eval, VerbArgs Options);

/// <summary>
/// One network of the study. Its weights come from exactly one of: training (<see cref="Train"/>), a weights file
/// or named source (<see cref="Weights"/>, <c>random</c> for an untrained network), or a checkpoint. With
/// <see cref="Control"/> an untrained network of the same architecture is probed and extracted beside it.
/// </summary>
public sealed record Network(
    string Name, string Model, VerbArgs ModelOptions, TrainPlan? Train, string? Weights, string? Checkpoint,
    bool Control, string? Preset, IReadOnlyList<string> Layers, string? ProbeLayer, string? Reduce);

public sealed record ProbeStep(string Data, IReadOnlyList<string> Where, IReadOnlyList<string> Targets, VerbArgs Options);

public sealed record ExtractStep(string Data, IReadOnlyList<string> Where, string Reduce, VerbArgs Options);

public sealed record AnalyseStep(VerbArgs Options);

/// <summary>
/// Simulated responses tuned to one network's store (<see cref="Subjects"/> simulated subjects, each with its own
/// voxels and noise, so RSA on them has a noise ceiling), or a user's own responses.
/// </summary>
public sealed record FmriStep(string? SimulateFrom, string? Rois, VerbArgs SimulateOptions,
                              string? Responses, string? Trials, string? RoiTable, int Subjects = 1);

public sealed record EncodeStep(VerbArgs Options);

/// <summary>
/// RSA: each network's RDM at one layer (<see cref="Layers"/> by network name; default its last listed layer)
/// against the label models, saved for the report's heatmaps; with an fmri step, also every layer's RDM against the
/// ROI RDMs of the subjects, with the noise ceiling.
/// </summary>
public sealed record RsaStep(IReadOnlyDictionary<string, string> Layers, VerbArgs Options)
{
    public string LayerOf(Network n) => Layers.TryGetValue(n.Name, out var l) ? l : n.Layers[^1];
}

/// <summary>face-api's expression network labels a face set: its own expression confusion matrix on that set.</summary>
public sealed record LabelStep(string Data, IReadOnlyList<string> Where);

/// <summary>A published figure the report puts beside the study's table.</summary>
public sealed record PublishedResult(string Network, string Target, double Accuracy, string Source);

public sealed record ReportStep(IReadOnlyList<PublishedResult> Published, string? Title);

/// <summary>A parsed, validated experiment file. Paths are absolute. <see cref="Resources"/>: by step name or "default".</summary>
public sealed record Experiment(
    string File, string Name, string Out, long Seed, string Device,
    IReadOnlyList<DataSet> Data, IReadOnlyList<Network> Networks,
    ProbeStep? Probe, ExtractStep? Extract, AnalyseStep? Analyse, FmriStep? Fmri, EncodeStep? Encode, ReportStep? Report,
    IReadOnlyDictionary<string, ResourceRequest> Resources, RsaStep? Rsa = null, LabelStep? Label = null)
{
    public DataSet DataSet(string name) => Data.First(d => d.Name == name);
    public bool Synthetic => Data.Any(d => d.Synth != null);
}
