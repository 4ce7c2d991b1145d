using System.ComponentModel;
using FaceBrain.Analysis;
using FaceBrain.Core;
using FaceBrain.Core.Torch;
using Spectre.Console.Cli;

namespace FaceBrain.Cli.Commands.Analysis;

/// <summary>`facebrain bench analysis`: times the decoding, RSA and layerwise workloads on synthetic KDEF-sized data.</summary>
public sealed class BenchAnalysisCommand : Command<BenchAnalysisCommand.Settings>
{
    public sealed class Settings : CommandSettings
    {
        [CommandOption("--device <DEVICE>")]
        [Description("auto (default), cpu, cuda or cuda:N.")]
        public string Device { get; init; } = "auto";

        [CommandOption("--only <LIST>")]
        [Description("Comma-separated subset of decoding, rsa, layerwise (default all).")]
        public string Only { get; init; } = "decoding,rsa,layerwise";
    }

    public override int Execute(CommandContext context, Settings s, CancellationToken cancellation)
    {
        var device = DeviceSpec.Parse(s.Device).Resolve();
        var only = s.Only.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        foreach (var o in only)
            if (o is not ("decoding" or "rsa" or "layerwise")) throw new InputException($"--only: '{o}' is not one of decoding, rsa, layerwise");
        Console.WriteLine($"device {device}, torch threads {TorchSharp.torch.get_num_threads()}, {Environment.ProcessorCount} cores");
        var logistic = Classifiers.Classifier.NewLogistic(Classifiers.defaultLogistic);
        foreach (var o in only)
        {
            var t = o switch
            {
                "decoding" => Benchmark.decoding(device),
                "rsa" => Benchmark.rsa(device),
                _ => Benchmark.layerwise(device, logistic),
            };
            Console.WriteLine($"{t.Workload}: {t.Seconds:F2} s ({t.Detail})");
        }
        return 0;
    }
}
