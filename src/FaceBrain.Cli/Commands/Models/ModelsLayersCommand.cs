using System.ComponentModel;
using FaceBrain.Core.IO;
using FaceBrain.Core.Torch;
using FaceBrain.Models;
using FaceBrain.Models.Layers;
using Spectre.Console.Cli;
using TorchSharp;

namespace FaceBrain.Cli.Commands.Models;

/// <summary><c>facebrain models layers --model NAME</c>: every layer that can be tapped, with its output shape.</summary>
public sealed class ModelsLayersCommand : Command<ModelsLayersCommand.Settings>
{
    public sealed class Settings : ModelSettings
    {
        [CommandOption("--json")]
        [Description("Print one JSON object instead of a table.")]
        public bool Json { get; init; }
    }

    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellation)
    {
        var spec = settings.ToSpec();
        var device = DeviceSpec.Cpu.Resolve();
        using var net = Network.Create(spec, device, seed: 0);
        var layers = LayerCatalogue.Describe(net, device);
        if (settings.Json)
        {
            Console.WriteLine(JsonOutput.Serialize(new
            {
                model = spec.Name,
                input_size = spec.EffectiveInputSize,
                preset = spec.DefaultPreset,
                layers = layers.Select(l => new { name = l.Name, kind = l.Kind.ToString().ToLowerInvariant(), shape = l.OutputShape, features = l.Features }),
            }));
            return 0;
        }
        Console.WriteLine($"# {spec.Name}, input 3×{spec.EffectiveInputSize}×{spec.EffectiveInputSize}, preprocessing preset {spec.DefaultPreset}");
        Console.WriteLine("layer\tkind\tshape\tfeatures");
        foreach (var l in layers)
            Console.WriteLine($"{l.Name}\t{l.Kind.ToString().ToLowerInvariant()}\t{string.Join("x", l.OutputShape)}\t{l.Features}");
        return 0;
    }
}
