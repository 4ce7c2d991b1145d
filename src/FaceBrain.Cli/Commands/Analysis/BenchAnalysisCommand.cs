using System.ComponentModel;
using FaceBrain.Analysis;
using FaceBrain.Core;
using FaceBrain.Core.IO;
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

        [CommandOption("--expression-signal <S>")]
        [Description("Size of the planted expression pattern against noise 1 (default 0.5: well separated; 0.03: hard, accuracy near 0.3).")]
        public double ExpressionSignal { get; init; } = Synthetic.kdefLike.ExpressionSignal;

        [CommandOption("--identities <N>")]
        [Description("Identities of the decoding/RSA data (default 70, KDEF's; 14 stimuli each, one fold each): fewer let a slow peer finish.")]
        public int Identities { get; init; } = Synthetic.kdefLike.Identities;

        [CommandOption("--features <P>")]
        [Description("Features of the decoding/RSA data (default 2048).")]
        public int Features { get; init; } = Synthetic.kdefLike.Features;

        [CommandOption("--save <DIR>")]
        [Description("Also write the decoding/RSA data (features.npy, stimuli.tsv) to DIR, for a peer tool (scripts/bench/).")]
        public string? Save { get; init; }

        [CommandOption("--json")]
        [Description("Print one JSON object per workload.")]
        public bool Json { get; init; }
    }

    public override int Execute(CommandContext context, Settings s, CancellationToken cancellation)
    {
        var device = DeviceSpec.Parse(s.Device).Resolve();
        var only = s.Only.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        foreach (var o in only)
            if (o is not ("decoding" or "rsa" or "layerwise")) throw new InputException($"--only: '{o}' is not one of decoding, rsa, layerwise");
        if (!(s.ExpressionSignal >= 0) || double.IsInfinity(s.ExpressionSignal))
            throw new InputException($"--expression-signal: {s.ExpressionSignal} is not a non-negative number");
        if (s.Identities < 2) throw new InputException($"--identities: {s.Identities} is below 2 (leave one identity out needs two)");
        if (s.Features < 1) throw new InputException($"--features: {s.Features} is below 1");
        var design = Benchmark.design(s.Identities, s.Features, s.ExpressionSignal);
        if (s.Save is { } dir) Benchmark.save(dir, design);
        var threads = TorchSharp.torch.get_num_threads();
        if (!s.Json) Console.WriteLine($"device {device}, torch threads {threads}, {Environment.ProcessorCount} cores");
        var logistic = Classifiers.Classifier.NewLogistic(Classifiers.defaultLogistic);
        foreach (var o in only)
        {
            var t = o switch
            {
                "decoding" => Benchmark.decoding(device, design),
                "rsa" => Benchmark.rsa(device, design),
                _ => Benchmark.layerwise(device, logistic),
            };
            if (s.Json)
            {
                var json = new Dictionary<string, object> { ["workload"] = o, ["seconds"] = t.Seconds, ["cpu_seconds"] = t.CpuSeconds, ["threads"] = threads, ["device"] = device.ToString() };
                foreach (var (k, v) in t.Numbers) json[k] = v;
                Console.WriteLine(JsonOutput.Serialize(json));
            }
            else Console.WriteLine($"{t.Workload}: {t.Seconds:F2} s wall, {t.CpuSeconds:F2} s CPU ({t.Detail})");
        }
        return 0;
    }
}
