using System.Diagnostics;
using FaceBrain.Core.Torch;
using FaceBrain.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace FaceBrain.Training.Bench;

public enum BenchWorkload { Train, Infer }

/// <summary>A speed measurement on synthetic tensors (no data loading), after <see cref="Warmup"/> untimed steps.</summary>
public sealed record BenchOptions(ModelSpec Model, BenchWorkload Workload, int Batch, int Steps, int Warmup,
                                  Precision Precision, bool ChannelsLast, Fp32Math Fp32Math);

public sealed record BenchResult(
    string Model, string Workload, string Device, int InputSize, int Batch, int Steps, int Warmup,
    string Dtype, bool ChannelsLast, string Fp32Math, double Seconds, double SecondsPerStep, double ImagesPerSecond,
    double CpuSeconds);

/// <summary>
/// <c>bench train</c> times a full SGD step (forward, cross-entropy, backward, momentum update);
/// <c>bench infer</c> times the eval-mode forward pass under no_grad. Images/s = batch × steps / time.
/// <see cref="BenchResult.CpuSeconds"/> is the process's CPU time over the timed steps: on a loaded machine, where
/// the wall time depends on the scheduler's share, it says how much work the steps took.
/// </summary>
public static class TrainBench
{
    public static BenchResult Run(BenchOptions o, Device device)
    {
        if (o.Batch < 1) throw new InputException($"`batch` {o.Batch}: must be at least 1");
        if (o.Steps < 1) throw new InputException($"`steps` {o.Steps}: must be at least 1");
        if (o.Warmup < 0) throw new InputException($"`warmup` {o.Warmup}: must be 0 or more");
        if (o.Model.Kind == ModelKind.Siamese) throw new InputException("`model` siamese: bench times the ResNet-50 variants");
        if (o.Model.IsFaceApi && o.Workload == BenchWorkload.Train)
            throw new InputException($"`model` {o.Model.Name}: a pretrained inference network; 'bench infer' times it, 'bench train' does not");
        var before = CudaFp32.Apply(o.Fp32Math);
        try
        {
            return OutOfMemory.Guard(device, o.Batch, () => Measure(o, device));
        }
        finally
        {
            CudaFp32.Apply(before);
        }
    }

    static BenchResult Measure(BenchOptions o, Device device)
    {
        using var net = Network.Create(o.Model, device, seed: 0);
        var format = new NumericFormat(o.Precision, o.ChannelsLast);
        var dtype = o.Precision.ScalarType();
        format.Apply(net.Module);
        int px = o.Model.EffectiveInputSize;
        int classes = o.Model.EffectiveClasses;
        // Drawn on the CPU: TorchSharp 0.107's Generator is CPU-only, and a CUDA tensor cannot use it.
        using var gen = new Generator(0, CPU);
        using var x0cpu = randn(new long[] { o.Batch, 3, px, px }, dtype: dtype, generator: gen);
        using var x0 = x0cpu.to(device);
        using var x = format.Input(x0);
        using var ycpu = randint(classes, new long[] { o.Batch }, dtype: int64, generator: gen);
        using var y = ycpu.to(device);
        using var opt = optim.SGD(net.Module.parameters(), 0.01, momentum: 0.9, weight_decay: 1e-4);

        void Step()
        {
            using var scope = NewDisposeScope();
            if (o.Workload == BenchWorkload.Train)
            {
                opt.zero_grad();
                var loss = nn.functional.cross_entropy(net.Forward(x), y);
                loss.backward();
                opt.step();
            }
            else
            {
                using var _ = no_grad();
                net.Forward(x);
            }
        }

        if (o.Workload == BenchWorkload.Train) net.Module.train(); else net.Module.eval();
        for (int i = 0; i < o.Warmup; i++) Step();
        Sync(device);
        var process = Process.GetCurrentProcess();
        var cpu0 = process.TotalProcessorTime;
        var sw = Stopwatch.StartNew();
        for (int i = 0; i < o.Steps; i++) Step();
        Sync(device);
        double s = sw.Elapsed.TotalSeconds;
        process.Refresh();
        double cpu = (process.TotalProcessorTime - cpu0).TotalSeconds;
        return new BenchResult(o.Model.Name, o.Workload.ToString().ToLowerInvariant(), device.ToString(), px, o.Batch, o.Steps, o.Warmup,
            o.Precision.ToString().ToLowerInvariant(), o.ChannelsLast, CudaFp32.Name(o.Fp32Math), s, s / o.Steps, (double)o.Batch * o.Steps / s, cpu);
    }

    static void Sync(Device device)
    {
        if (device.type == DeviceType.CUDA) cuda.synchronize(device);
    }
}
