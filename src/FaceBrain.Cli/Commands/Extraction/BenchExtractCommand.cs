using System.ComponentModel;
using FaceBrain.Cli.Commands.Models;
using FaceBrain.Core.IO;
using FaceBrain.Core.Torch;
using FaceBrain.Extraction;
using FaceBrain.Core.Store;
using FaceBrain.Models;
using FaceBrain.Models.Layers;
using Spectre.Console.Cli;
using TorchSharp;

namespace FaceBrain.Cli.Commands.Extraction;

/// <summary>
/// <c>facebrain bench extract</c>: images/s of a whole extraction (forward, hooks, reductions, streaming writes) on
/// synthetic image tensors, split into forward+reduce and write time, so I/O and reductions can be seen not to dominate.
/// </summary>
public sealed class BenchExtractCommand : Command<BenchExtractCommand.Settings>
{
    public sealed class Settings : ModelSettings
    {
        [CommandOption("--images <N>")]
        [Description("Images to extract (default 64).")]
        public int Images { get; init; } = 64;

        [CommandOption("--batch <N>")]
        [Description("Images per forward pass (default 16).")]
        public int Batch { get; init; } = 16;

        [CommandOption("--layers <LIST>")]
        [Description("Layers, or 'stages' (conv1, layer1..layer4, avgpool; the default) or 'all'.")]
        public string Layers { get; init; } = "stages";

        [CommandOption("--reduce <SPEC>")]
        [Description("Reduction for every layer (default gap).")]
        public string Reduce { get; init; } = "gap";

        [CommandOption("--device <DEVICE>")]
        [Description("auto (default), cpu, cuda or cuda:N.")]
        public string Device { get; init; } = "auto";

        [CommandOption("--json")]
        [Description("Print one JSON object.")]
        public bool Json { get; init; }
    }

    public override int Execute(CommandContext context, Settings s, CancellationToken cancellation)
    {
        var spec = s.ToSpec();
        var device = DeviceSpec.Parse(s.Device).Resolve();
        using var network = Network.Create(spec, device, seed: 0);
        network.Module.eval();
        var names = LayerCatalogue.Names(spec).Select(n => n.Name).ToList();
        var layers = s.Layers switch
        {
            "all" => names,
            "stages" => names.Where(n => n is "conv1" or "layer1" or "layer2" or "layer3" or "layer4" or "avgpool").ToList(),
            _ => s.Layers.Split(',', StringSplitOptions.TrimEntries).ToList(),
        };
        var reductions = layers.ToDictionary(l => l, _ => Reduction.Parse(s.Reduce, 0));
        int px = spec.EffectiveInputSize;
        var dir = Path.Combine(Path.GetTempPath(), $"facebrain-bench-extract-{Guid.NewGuid():N}");
        try
        {
            var ids = Enumerable.Range(0, s.Images).Select(i => (IReadOnlyList<string>)new[] { $"img{i:D5}" });
            var table = new StimulusTable([StimulusTable.IdColumn], ids);
            using (var writer = ActivationStoreWriter.Create(dir, table, new StoreManifest { Model = spec.Name }, false))
            {
                Func<int, int, torch.Tensor> load = (start, count) =>
                {
                    torch.random.manual_seed(start);
                    return torch.randn(count, 3, px, px);
                };
                Extractor.Run(network.Module, network.Forward, load, writer,
                    new ExtractionOptions(layers, reductions, s.Batch, device), new StoreManifest { Model = spec.Name });
            }
            var t = StoreManifest.Read(ActivationStoreWriter.ManifestPath(dir)).Timings;
            var result = new
            {
                workload = "extract",
                model = spec.Name,
                input_size = px,
                images = s.Images,
                batch = s.Batch,
                layers,
                reduce = s.Reduce,
                device = device.ToString(),
                images_per_second = t["images_per_second"],
                forward_and_reduce_seconds = t["forward_and_reduce_seconds"],
                write_seconds = t["write_seconds"],
                total_seconds = t["total_seconds"],
            };
            if (s.Json) Console.WriteLine(JsonOutput.Serialize(result));
            else
                Console.WriteLine($"bench extract {spec.Name} {px}px {s.Images} images batch {s.Batch}, {layers.Count} layers ({s.Reduce}) on {device}: " +
                                  $"{result.images_per_second:F1} images/s (forward+reduce {result.forward_and_reduce_seconds:F2} s, writes {result.write_seconds:F2} s)");
            return 0;
        }
        finally
        {
            if (Directory.Exists(dir)) Directory.Delete(dir, recursive: true);
        }
    }
}
