using System.ComponentModel;
using System.Diagnostics;
using FaceBrain.Core;
using FaceBrain.Core.IO;
using FaceBrain.Data.Images;
using FaceBrain.Data.Loading;
using FaceBrain.Data.Synthesis;
using SkiaSharp;
using Spectre.Console.Cli;

namespace FaceBrain.Cli.Commands.Data;

/// <summary>
/// `facebrain bench faces`: synthesis faces/s (render + JPEG encode, in memory) at 128 and 224 px,
/// the full `faces synth` KDEF run, decode+resize images/s, and cached-read images/s.
/// </summary>
public sealed class BenchFacesCommand : Command<BenchFacesCommand.Settings>
{
    public sealed class Settings : CommandSettings
    {
        [CommandOption("--images <N>")]
        [Description("Faces per synthesis measurement (default 980).")]
        public int Images { get; init; } = 980;

        [CommandOption("--threads <T>")]
        [Description("Parallel workers (default: all cores).")]
        public int Threads { get; init; } = Environment.ProcessorCount;

        [CommandOption("--json")]
        [Description("Print one JSON object.")]
        public bool Json { get; init; }
    }

    public override int Execute(CommandContext context, Settings s, CancellationToken cancellation)
    {
        if (s.Images < 7) throw new InputException("--images must be at least 7");
        var rows = new List<(string What, double PerSecond, string Detail)>();
        // Wall time on a shared machine depends on the neighbours; CPU time per image much less so.
        static TimeSpan Cpu() => System.Diagnostics.Process.GetCurrentProcess().TotalProcessorTime;
        static string PerImage(TimeSpan cpu, int n) => $"{cpu.TotalMilliseconds / n:0.00} CPU-ms/image";
        foreach (var size in new[] { 128, 224 })
        {
            var o = new SynthOptions { Layout = SynthLayout.Kdef, Identities = 70, Size = size, Parallelism = s.Threads };
            var plan = FaceSynthesizer.Plan(o).Take(s.Images).ToList();
            var cast = new Cast(o.Seed, o.Identities);
            Warm(plan, cast, o);
            var t = Stopwatch.StartNew();
            var c0 = Cpu();
            Parallel.For(0, plan.Count, new ParallelOptions { MaxDegreeOfParallelism = s.Threads }, i =>
            {
                using var f = FaceSynthesizer.Render(plan[i], cast, o);
            });
            double render = plan.Count / t.Elapsed.TotalSeconds;
            var renderCpu = PerImage(Cpu() - c0, plan.Count);
            t.Restart();
            c0 = Cpu();
            Parallel.For(0, plan.Count, new ParallelOptions { MaxDegreeOfParallelism = s.Threads }, i =>
            {
                using var f = FaceSynthesizer.Render(plan[i], cast, o);
                f.Encode(SKEncodedImageFormat.Jpeg, o.JpegQuality);
            });
            rows.Add(($"synthesis {size} px (render + JPEG)", plan.Count / t.Elapsed.TotalSeconds,
                $"{PerImage(Cpu() - c0, plan.Count)}; render only: {render:0} faces/s, {renderCpu}"));
        }

        var tmp = Path.Combine(Path.GetTempPath(), $"facebrain-bench-{Guid.NewGuid():N}");
        try
        {
            var kdef = Path.Combine(tmp, "kdef");
            Directory.CreateDirectory(tmp);
            var t = Stopwatch.StartNew();
            var c0 = Cpu();
            var synth = FaceSynthesizer.Write(new SynthOptions { Layout = SynthLayout.Kdef, Identities = 70, Size = 224, Parallelism = s.Threads }, kdef);
            rows.Add(("faces synth --layout kdef (70 ids, 4,900 images, 224 px, to disk)", synth.Images / t.Elapsed.TotalSeconds,
                $"{t.Elapsed.TotalSeconds:0.0} s in all, {(Cpu() - c0).TotalSeconds:0.0} CPU-s"));

            var stimuli = KdefLoader.Load(kdef, new LoadOptions { Check = ImageCheck.Name }).Stimuli.Take(s.Images).ToList();
            var pipe = new ImagePipeline(new PipelineOptions { Size = 112, ResizeTo = 128, Preset = Preset.VggFace2Caffe, Parallelism = s.Threads });
            var batch = new float[stimuli.Count * pipe.ValuesPerImage];
            Array.Fill(batch, 1f); // commit the buffer's pages now: a training loop reuses its buffer
            pipe.LoadBatch(stimuli, batch); // a full pass first: tiered JIT needs it to reach steady-state code
            t.Restart();
            c0 = Cpu();
            pipe.LoadBatch(stimuli, batch);
            rows.Add(("decode + resize 224->128 + crop 112 + preset (JPEG)", stimuli.Count / t.Elapsed.TotalSeconds, PerImage(Cpu() - c0, stimuli.Count)));

            var cachePath = Path.Combine(tmp, "kdef.cache");
            t.Restart();
            c0 = Cpu();
            ImageCache.Build(cachePath, pipe, stimuli);
            rows.Add(("cache build (decode + resize, write uint8)", stimuli.Count / t.Elapsed.TotalSeconds, PerImage(Cpu() - c0, stimuli.Count)));
            using var cache = ImageCache.Open(cachePath);
            t.Restart();
            c0 = Cpu();
            int reps = 5;
            for (int r = 0; r < reps; r++) cache.ReadBatch(Enumerable.Range(0, cache.Count).ToArray(), pipe.Options.Preset, batch);
            rows.Add(("cached read (mmap uint8 -> preset float)", reps * cache.Count / t.Elapsed.TotalSeconds,
                $"{PerImage(Cpu() - c0, reps * cache.Count)}, {reps} passes"));
        }
        finally
        {
            try { Directory.Delete(tmp, true); } catch (IOException) { }
        }

        // Timings on a shared machine mean little without its load: print it with the numbers.
        var load = File.Exists("/proc/loadavg") ? File.ReadAllText("/proc/loadavg").Split(' ')[0] : "unknown";
        if (s.Json)
            Console.WriteLine(JsonOutput.Serialize(new
            {
                cores = Environment.ProcessorCount, threads = s.Threads, load_average_1min = load,
                results = rows.Select(r => new { what = r.What, per_second = Math.Round(r.PerSecond, 1), detail = r.Detail }),
            }));
        else
        {
            Console.WriteLine($"{Environment.ProcessorCount} cores, {s.Threads} threads, 1-minute load average {load} (after the run)");
            foreach (var r in rows) Console.WriteLine($"{r.What,-70} {r.PerSecond,10:0} /s  {r.Detail}");
        }
        return 0;
    }

    static void Warm(List<SynthImage> plan, Cast cast, SynthOptions o)
    {
        for (int i = 0; i < 7; i++)
        {
            using var f = FaceSynthesizer.Render(plan[i], cast, o);
            f.Encode(SKEncodedImageFormat.Jpeg, o.JpegQuality);
        }
    }
}
