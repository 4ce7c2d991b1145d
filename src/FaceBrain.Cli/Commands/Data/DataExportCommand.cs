using System.ComponentModel;
using FaceBrain.Core;
using FaceBrain.Core.Domain;
using FaceBrain.Core.IO;
using FaceBrain.Data.Loading;
using Spectre.Console.Cli;

namespace FaceBrain.Cli.Commands.Data;

/// <summary>
/// `facebrain data export`: the stimulus TSV of a set (stimulus_id, labels, path relative to the TSV),
/// which is itself a manifest. Refuses a set with bad files unless --skip-bad.
/// </summary>
public sealed class DataExportCommand : Command<DataExportCommand.Settings>
{
    public sealed class Settings : DataSourceSettings
    {
        [CommandOption("--out <TSV>")]
        [Description("The stimulus TSV to write (atomically).")]
        public string Out { get; init; } = "";

        [CommandOption("--skip-bad")]
        [Description("Leave bad files out (listed on stderr) instead of refusing.")]
        public bool SkipBad { get; init; }
    }

    public override int Execute(CommandContext context, Settings s, CancellationToken cancellation)
    {
        if (s.Out.Length == 0) throw new InputException("--out is required");
        var result = s.Load(ImageCheck.Header);
        if (!s.SkipBad) result.RequireNoBad();
        if (result.Stimuli.Count == 0) throw new InputException(result.Root, "no usable images to export");
        var outDir = Path.GetDirectoryName(Path.GetFullPath(s.Out))!;
        var rows = result.Stimuli.Select(x => x with { Path = x.Path == null ? null : Path.GetRelativePath(outDir, x.Path).Replace('\\', '/') }).ToList();
        StimulusTable.FromStimuli(rows, s.Out).Write(s.Out);
        foreach (var b in result.Bad) Console.Error.WriteLine($"facebrain: skipped bad file {b.Path}: {b.Reason}");
        Console.WriteLine($"wrote {rows.Count} stimuli to {s.Out}" + (result.Bad.Count > 0 ? $" ({result.Bad.Count} bad files left out)" : ""));
        return 0;
    }
}
