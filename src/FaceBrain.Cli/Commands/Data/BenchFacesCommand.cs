using System.ComponentModel;
using FaceBrain.Core;
using FaceBrain.Core.IO;
using FaceBrain.Data.Benchmarks;
using Spectre.Console.Cli;

namespace FaceBrain.Cli.Commands.Data;

/// <summary>`facebrain bench faces`: runs <see cref="FaceBenchmark"/> and prints its rows with the machine's load.</summary>
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
        if (s.Threads < 1) throw new InputException("--threads must be at least 1");
        var rows = FaceBenchmark.Run(new FaceBenchmarkRequest { Images = s.Images, Threads = s.Threads });
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
}
