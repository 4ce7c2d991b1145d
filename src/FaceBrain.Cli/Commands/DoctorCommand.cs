using System.ComponentModel;
using FaceBrain.Core.IO;
using FaceBrain.Core.Torch;
using Spectre.Console;
using Spectre.Console.Cli;

namespace FaceBrain.Cli.Commands;

public sealed class DoctorCommand : Command<DoctorCommand.Settings>
{
    public sealed class Settings : CommandSettings
    {
        [CommandOption("--json")]
        [Description("Print one JSON object instead of a table.")]
        public bool Json { get; init; }
    }

    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellation)
    {
        var r = TorchRuntime.Report();
        if (settings.Json)
        {
            Console.WriteLine(JsonOutput.Serialize(new
            {
                dotnet = r.DotNet,
                torchsharp = r.TorchSharp,
                torch_loaded = r.LibTorchSharp != "not mapped",
                libtorch = r.LibTorch,
                libtorchsharp = r.LibTorchSharp,
                facebrain_libtorch = r.ExternalLibTorch,
                cuda_available = r.CudaAvailable,
                cuda_devices = r.CudaDevices,
                threads = r.Threads,
                libstdcxx = r.LibStdCxx,
                libstdcxx_has_glibcxx_3_4_32 = r.LibStdCxxProvidesRequired,
                libstdcxx_fix_applied = r.CompatFixApplied,
                malloc_thresholds_raised = HostAllocator.Tuned,
                openmp_waiting = OpenMpWaiting.Description,
            }));
            return 0;
        }
        var t = new Table().AddColumn("what").AddColumn("value");
        t.AddRow(".NET", r.DotNet.EscapeMarkup());
        t.AddRow("TorchSharp", r.TorchSharp.EscapeMarkup());
        t.AddRow("libtorch loaded from", r.LibTorch.EscapeMarkup());
        t.AddRow("libLibTorchSharp", r.LibTorchSharp.EscapeMarkup());
        t.AddRow("FACEBRAIN_LIBTORCH", (r.ExternalLibTorch ?? "(not set: bundled libtorch)").EscapeMarkup());
        t.AddRow("CUDA", r.CudaAvailable ? string.Join(", ", r.CudaDevices) : "not available");
        t.AddRow("threads", r.Threads.ToString());
        t.AddRow("libstdc++", r.LibStdCxx.EscapeMarkup());
        t.AddRow("GLIBCXX_3.4.32 fix", r.LibStdCxxProvidesRequired ? "not needed (system libstdc++ has it)"
                                       : r.CompatFixApplied ? "applied (requirement made weak)" : "NOT applied");
        t.AddRow("malloc", HostAllocator.Tuned ? "glibc mmap/trim thresholds raised (FACEBRAIN_MALLOC=default to keep glibc's)"
                                               : "allocator defaults");
        t.AddRow("OpenMP waiting", (OpenMpWaiting.Description ?? "not configured").EscapeMarkup());
        AnsiConsole.Write(t);
        AnsiConsole.MarkupLine("[green]torch loaded[/]");
        return 0;
    }
}
