using System.Diagnostics;
using FaceBrain.Core;
using FaceBrain.Data.Images;
using FaceBrain.Data.Loading;
using FaceBrain.Data.Synthesis;
using SkiaSharp;

namespace FaceBrain.Data.Benchmarks;

/// <summary>What <see cref="FaceBenchmark.Run"/> measures: faces per synthesis measurement and workers.</summary>
public sealed record FaceBenchmarkRequest
{
    public int Images { get; init; } = 980;
    public int Threads { get; init; } = Environment.ProcessorCount;
    /// <summary>Folder for the temporary KDEF set and cache (removed afterwards); default the system temp folder.</summary>
    public string? TempRoot { get; init; }

    public void Validate()
    {
        if (Images < 7) throw new InputException($"the benchmark needs at least 7 images, got {Images}");
        if (Threads < 1) throw new InputException($"the benchmark needs at least 1 thread, got {Threads}");
    }
}

/// <summary>One measured rate, with CPU time per item (less sensitive than wall time to the neighbours).</summary>
public sealed record FaceBenchmarkRow(string What, double PerSecond, string Detail);

/// <summary>
/// The data benchmark behind <c>facebrain bench faces</c>: synthesis faces/s (render + JPEG encode, in
/// memory) at 128 and 224 px, the full <c>faces synth</c> KDEF run, decode + resize images/s, and the
/// decoded-image cache (build and read).
/// </summary>
public static class FaceBenchmark
{
    static TimeSpan Cpu() => Process.GetCurrentProcess().TotalProcessorTime;
    static string PerImage(TimeSpan cpu, int n) => $"{cpu.TotalMilliseconds / n:0.00} CPU-ms/image";

    public static IReadOnlyList<FaceBenchmarkRow> Run(FaceBenchmarkRequest q)
    {
        q.Validate();
        var rows = new List<FaceBenchmarkRow>();
        foreach (var size in new[] { 128, 224 }) rows.Add(Synthesis(q, size));
        var tmp = Path.Combine(q.TempRoot ?? Path.GetTempPath(), $"facebrain-bench-{Guid.NewGuid():N}");
        try
        {
            Directory.CreateDirectory(tmp);
            rows.AddRange(DiskAndDecode(q, tmp));
        }
        finally
        {
            try { Directory.Delete(tmp, true); } catch (IOException) { }
        }
        return rows;
    }

    static FaceBenchmarkRow Synthesis(FaceBenchmarkRequest q, int size)
    {
        var o = new SynthOptions { Layout = SynthLayout.Kdef, Identities = 70, Size = size, Parallelism = q.Threads };
        var plan = FaceSynthesizer.Plan(o).Take(q.Images).ToList();
        var cast = new Cast(o.Seed, o.Identities);
        var parallel = new ParallelOptions { MaxDegreeOfParallelism = q.Threads };
        for (int i = 0; i < 7; i++)
        {
            using var f = FaceSynthesizer.Render(plan[i], cast, o);
            f.Encode(SKEncodedImageFormat.Jpeg, o.JpegQuality);
        }
        var t = Stopwatch.StartNew();
        var c0 = Cpu();
        Parallel.For(0, plan.Count, parallel, i => { using var f = FaceSynthesizer.Render(plan[i], cast, o); });
        double render = plan.Count / t.Elapsed.TotalSeconds;
        var renderCpu = PerImage(Cpu() - c0, plan.Count);
        t.Restart();
        c0 = Cpu();
        Parallel.For(0, plan.Count, parallel, i =>
        {
            using var f = FaceSynthesizer.Render(plan[i], cast, o);
            f.Encode(SKEncodedImageFormat.Jpeg, o.JpegQuality);
        });
        return new($"synthesis {size} px (render + JPEG)", plan.Count / t.Elapsed.TotalSeconds,
            $"{PerImage(Cpu() - c0, plan.Count)}; render only: {render:0} faces/s, {renderCpu}");
    }

    static IEnumerable<FaceBenchmarkRow> DiskAndDecode(FaceBenchmarkRequest q, string tmp)
    {
        var kdef = Path.Combine(tmp, "kdef");
        var t = Stopwatch.StartNew();
        var c0 = Cpu();
        var synth = FaceSynthesizer.Write(new SynthOptions { Layout = SynthLayout.Kdef, Identities = 70, Size = 224, Parallelism = q.Threads }, kdef);
        yield return new("faces synth --layout kdef (70 ids, 4,900 images, 224 px, to disk)", synth.Images / t.Elapsed.TotalSeconds,
            $"{t.Elapsed.TotalSeconds:0.0} s in all, {(Cpu() - c0).TotalSeconds:0.0} CPU-s");

        var stimuli = KdefLoader.Load(kdef, new LoadOptions { Check = ImageCheck.Name }).Stimuli.Take(q.Images).ToList();
        var pipe = new ImagePipeline(new PipelineOptions { Size = 112, ResizeTo = 128, Preset = Preset.VggFace2Caffe, Parallelism = q.Threads });
        var batch = new float[stimuli.Count * pipe.ValuesPerImage];
        Array.Fill(batch, 1f); // commit the buffer's pages now: a training loop reuses its buffer
        pipe.LoadBatch(stimuli, batch); // a full pass first: tiered JIT needs it to reach steady-state code
        t.Restart();
        c0 = Cpu();
        pipe.LoadBatch(stimuli, batch);
        yield return new("decode + resize 224->128 + crop 112 + preset (JPEG)", stimuli.Count / t.Elapsed.TotalSeconds, PerImage(Cpu() - c0, stimuli.Count));

        var cachePath = Path.Combine(tmp, "kdef.cache");
        t.Restart();
        c0 = Cpu();
        ImageCache.Build(cachePath, pipe, stimuli);
        yield return new("cache build (decode + resize, write uint8)", stimuli.Count / t.Elapsed.TotalSeconds, PerImage(Cpu() - c0, stimuli.Count));
        using var cache = ImageCache.Open(cachePath);
        t.Restart();
        c0 = Cpu();
        const int reps = 5;
        for (int r = 0; r < reps; r++) cache.ReadBatch(Enumerable.Range(0, cache.Count).ToArray(), pipe.Options.Preset, batch);
        yield return new("cached read (mmap uint8 -> preset float)", reps * cache.Count / t.Elapsed.TotalSeconds,
            $"{PerImage(Cpu() - c0, reps * cache.Count)}, {reps} passes");
    }
}
