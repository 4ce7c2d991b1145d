using System.ComponentModel;
using FaceBrain.Core.IO;
using FaceBrain.Core.Torch;
using FaceBrain.Training;
using FaceBrain.Training.Bench;
using Spectre.Console.Cli;

namespace FaceBrain.Cli.Commands.Models;

public class BenchSettings : ModelSettings
{
    [CommandOption("--batch <N>")]
    [Description("Images per step (default 8).")]
    public int Batch { get; init; } = 8;

    [CommandOption("--steps <K>")]
    [Description("Timed steps (default 5).")]
    public int Steps { get; init; } = 5;

    [CommandOption("--warmup <K>")]
    [Description("Untimed steps before timing (default 2).")]
    public int Warmup { get; init; } = 2;

    [CommandOption("--dtype <TYPE>")]
    [Description("fp32 (default) or bf16 (pure bfloat16 weights and activations).")]
    public string Dtype { get; init; } = "fp32";

    [CommandOption("--channels-last")]
    [Description("Lay out inputs and conv weights channels-last (NHWC strides).")]
    public bool ChannelsLast { get; init; }

    [CommandOption("--fp32-math <MODE>")]
    [Description("CUDA fp32: default (PyTorch's: TF32 convolutions, fp32 matmuls), tf32 (TF32 matmuls too) or strict (no TF32).")]
    public string Fp32Math { get; init; } = "default";

    [CommandOption("--tf32")]
    [Description("Short for --fp32-math tf32.")]
    public bool Tf32 { get; init; }

    [CommandOption("--device <DEVICE>")]
    [Description("auto (default), cpu, cuda or cuda:N.")]
    public string Device { get; init; } = "auto";

    [CommandOption("--json")]
    [Description("Print one JSON object.")]
    public bool Json { get; init; }

    public int Run(BenchWorkload workload)
    {
        var device = DeviceSpec.Parse(Device).Resolve();
        var r = TrainBench.Run(new BenchOptions(ToSpec(), workload, Batch, Steps, Warmup,
            MemoryLayout.ParsePrecision(Dtype), ChannelsLast, Tf32 ? Core.Torch.Fp32Math.Tf32 : CudaFp32.Parse(Fp32Math)), device);
        if (Json) Console.WriteLine(JsonOutput.Serialize(r));
        else
            Console.WriteLine($"bench {r.Workload} {r.Model} {r.InputSize}px batch {r.Batch} {r.Dtype}{(r.ChannelsLast ? " channels-last" : "")} fp32-math {r.Fp32Math} " +
                              $"on {r.Device}: {r.ImagesPerSecond:F1} images/s ({r.SecondsPerStep * 1000:F0} ms/step over {r.Steps} steps after {r.Warmup} warm-up)");
        return 0;
    }
}

/// <summary><c>facebrain bench train</c>: images/s of the training step on synthetic tensors.</summary>
public sealed class BenchTrainCommand : Command<BenchSettings>
{
    public override int Execute(CommandContext context, BenchSettings settings, CancellationToken cancellation) =>
        settings.Run(BenchWorkload.Train);
}

/// <summary><c>facebrain bench infer</c>: images/s of the eval-mode forward pass on synthetic tensors.</summary>
public sealed class BenchInferCommand : Command<BenchSettings>
{
    public override int Execute(CommandContext context, BenchSettings settings, CancellationToken cancellation) =>
        settings.Run(BenchWorkload.Infer);
}
