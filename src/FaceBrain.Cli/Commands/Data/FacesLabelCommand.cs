using System.ComponentModel;
using System.Globalization;
using FaceBrain.Core;
using FaceBrain.Core.IO;
using FaceBrain.Core.Torch;
using FaceBrain.Data.Loading;
using FaceBrain.Models;
using FaceBrain.Training.Backbones;
using FaceBrain.Training.Data;
using FaceBrain.Training.Labelling;
using Spectre.Console.Cli;

namespace FaceBrain.Cli.Commands.Data;

/// <summary>
/// <c>facebrain faces label --data SPEC</c>: face-api's pretrained expression network labels every face
/// (<see cref="ExpressionLabeller"/>), scored against the set's expression labels.
/// </summary>
public sealed class FacesLabelCommand : Command<FacesLabelCommand.Settings>
{
    public sealed class Settings : CommandSettings
    {
        [CommandOption("--data <SPEC>")] [Description("The faces, e.g. kdef:DIR (needs an expression label per image).")] public string? Data { get; init; }
        [CommandOption("--where <COLUMN=VALUES>")] [Description("Keep only matching images, e.g. angle=S; repeatable.")] public string[]? Where { get; init; }
        [CommandOption("--weights <W>")] [Description("faceapi (default: the cached package), a model folder, a TF.js manifest, or random (the untrained control).")] public string Weights { get; init; } = "faceapi";
        [CommandOption("--out <DIR>")] [Description("Write labels.tsv (per image), confusion.tsv and label.json here.")] public string? Out { get; init; }
        [CommandOption("--json")] [Description("Print one JSON object instead of text.")] public bool Json { get; init; }
        [CommandOption("--device <DEVICE>")] [Description("auto (default), cpu, cuda or cuda:N.")] public string Device { get; init; } = "auto";
    }

    public override int Execute(CommandContext context, Settings s, CancellationToken cancellation)
    {
        var dataSpec = s.Data ?? throw new InputException("--data is required (e.g. --data kdef:DIR)");
        if (s.Out != null && File.Exists(s.Out)) throw new InputException(s.Out, "--out names a file, not a folder");
        var device = DeviceSpec.Parse(s.Device).Resolve();
        var spec = new ModelSpec(ModelKind.FaceApiExpression);
        using var opened = Backbone.Open(WeightsSource.Parse(s.Weights), spec, device, seed: 0);
        var (net, weights) = (opened.Network, opened.Weights);
        var data = FaceData.Load(dataSpec, StimulusFilter.Parse(s.Where));
        using var images = FaceData.Tensors(data.Stimuli, Labels.Expression, spec.EffectiveInputSize, spec.DefaultPreset, dataSpec, kind: data.Kind);
        var truth = FaceData.Column(data.Stimuli, Labels.Expression, dataSpec);
        var labels = ExpressionLabeller.Label(net, images.Images, data.Stimuli.Select(x => x.Id).ToArray(), truth, device);
        var scored = labels.Score;
        var sc = scored.Scores;
        var summary = new { data = dataSpec, where = s.Where ?? [], model = spec.Name, weights, score = scored };
        if (s.Out != null)
        {
            Directory.CreateDirectory(s.Out);
            AtomicFile.WriteAllText(Path.Combine(s.Out, "labels.tsv"), labels.Tsv());
            AtomicFile.WriteAllText(Path.Combine(s.Out, "confusion.tsv"), scored.ConfusionTsv());
            JsonOutput.Write(Path.Combine(s.Out, "label.json"), summary);
        }
        if (s.Json) { Console.WriteLine(JsonOutput.Serialize(summary)); return 0; }
        Console.WriteLine($"{opened.Description} on {scored.Count} faces of {dataSpec}");
        Console.WriteLine($"  accuracy {sc.Accuracy:P1} (chance {sc.ChanceUniform:P1})");
        Console.WriteLine("  recall " + string.Join(", ", scored.Classes.Select((c, i) => $"{c} {(double.IsNaN(sc.Recall[i]) ? "-" : sc.Recall[i].ToString("P0", CultureInfo.InvariantCulture))}")));
        Console.WriteLine("  " + scored.ConfusionTsv().TrimEnd('\n').Replace("\n", "\n  "));
        return 0;
    }
}
