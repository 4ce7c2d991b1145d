using System.ComponentModel;
using FaceBrain.Core.IO;
using FaceBrain.Data.Loading;
using Spectre.Console.Cli;

namespace FaceBrain.Cli.Commands.Data;

/// <summary>
/// `facebrain data inspect`: counts per identity, expression, angle, session and split, LFW pairs,
/// and every file that could not be used, with why. Exit 0 when at least one image is usable, else 2.
/// </summary>
public sealed class DataInspectCommand : Command<DataInspectCommand.Settings>
{
    public sealed class Settings : DataSourceSettings
    {
        [CommandOption("--json")]
        [Description("Print one JSON object: images, identities, by_identity, by_expression, by_angle, by_session, by_split, pairs, bad [[{path, reason}]].")]
        public bool Json { get; init; }

        [CommandOption("--full")]
        [Description("Decode every image fully (slower) instead of checking headers and file ends.")]
        public bool Full { get; init; }
    }

    public override int Execute(CommandContext context, Settings s, CancellationToken cancellation)
    {
        var result = s.Load(s.Full ? ImageCheck.Decode : ImageCheck.Header);
        var sum = DatasetSummary.Of(result);
        if (s.Json)
        {
            Console.WriteLine(JsonOutput.Serialize(new
            {
                kind = sum.Kind,
                root = sum.Root,
                images = sum.Images,
                identities = sum.Identities,
                by_identity = sum.ByIdentity,
                by_expression = sum.ByExpression,
                by_angle = sum.ByAngle,
                by_session = sum.BySession,
                by_split = sum.BySplit,
                pairs = sum.Pairs == null ? null : new { folds = sum.PairFolds, pairs = sum.Pairs },
                bad = sum.Bad.Select(b => new { path = b.Path, reason = b.Reason }),
            }));
        }
        else Print(sum);
        return sum.Images > 0 ? 0 : Core.InputException.ExitCode;
    }

    static void Print(DatasetSummary s)
    {
        // Plain lines (no console-width wrapping): people grep and parse this output.
        Console.WriteLine($"{s.Kind} {s.Root}: {s.Images} usable images, {s.Identities} identities, {s.Bad.Count} bad files");
        void Line(string what, IReadOnlyDictionary<string, int> d)
        {
            if (d.Count > 0) Console.WriteLine($"  {what}: " + string.Join("  ", d.Select(kv => $"{kv.Key}={kv.Value}")));
        }
        Line("by expression", s.ByExpression);
        Line("by angle", s.ByAngle);
        Line("by session", s.BySession);
        Line("by split", s.BySplit);
        if (s.ByIdentity.Count > 0)
        {
            var counts = s.ByIdentity.Values;
            Console.WriteLine($"  images per identity: min {counts.Min()}, max {counts.Max()}, mean {counts.Average():0.0}");
        }
        if (s.Pairs != null) Console.WriteLine($"  pairs: {s.Pairs} in {s.PairFolds} folds");
        foreach (var b in s.Bad) Console.WriteLine($"  bad: {b.Path}: {b.Reason}");
    }
}
