using System.ComponentModel;
using System.Globalization;
using FaceBrain.Core;
using FaceBrain.Core.IO;
using FaceBrain.Core.Torch;
using FaceBrain.Data.Loading;
using FaceBrain.Training.Labelling;
using Spectre.Console.Cli;

namespace FaceBrain.Cli.Commands.Data;

/// <summary>
/// <c>facebrain faces realism --data SPEC</c>: do networks trained on real photographs read a face set's expressions
/// and tell its people apart (<see cref="Realism"/>)? face-api's two networks beside the raw-pixel control.
/// </summary>
public sealed class FacesRealismCommand : Command<FacesRealismCommand.Settings>
{
    public sealed class Settings : CommandSettings
    {
        [CommandOption("--data <SPEC>")] [Description("The faces, e.g. kdef:DIR (identity and expression labels per image; session and angle where the layout has them).")] public string? Data { get; init; }
        [CommandOption("--where <COLUMN=VALUES>")] [Description("Keep only matching images, e.g. angle=S (the targets are for frontal faces); repeatable.")] public string[]? Where { get; init; }
        [CommandOption("--out <DIR>")] [Description("Also write realism.json (the report), confusion.tsv (the expression net's) and images.tsv (per image: the expression net's label and probabilities, the recognition net's nearest same-person and other-person images) here.")] public string? Out { get; init; }
        [CommandOption("--json")] [Description("Print one JSON object instead of text.")] public bool Json { get; init; }
        [CommandOption("--device <DEVICE>")] [Description("auto (default), cpu, cuda or cuda:N.")] public string Device { get; init; } = "auto";
    }

    public override int Execute(CommandContext context, Settings s, CancellationToken cancellation)
    {
        var dataSpec = s.Data ?? throw new InputException("--data is required (e.g. --data kdef:DIR)");
        if (s.Out != null && File.Exists(s.Out)) throw new InputException(s.Out, "--out names a file, not a folder");
        var request = new RealismRequest(dataSpec, StimulusFilter.Parse(s.Where), DeviceSpec.Parse(s.Device).Resolve());
        var report = Realism.Run(request, s.Json ? Progress.Silent : new Progress(Console.Error));
        var summary = new { where = s.Where ?? [], report };
        if (s.Out != null)
        {
            Directory.CreateDirectory(s.Out);
            AtomicFile.WriteAllText(Path.Combine(s.Out, "images.tsv"), report.PerImage.Tsv());
            AtomicFile.WriteAllText(Path.Combine(s.Out, "confusion.tsv"), report.ExpressionNet.ConfusionTsv());
            JsonOutput.Write(Path.Combine(s.Out, "realism.json"), summary);
        }
        if (s.Json) { Console.WriteLine(JsonOutput.Serialize(summary)); return 0; }
        Print(report);
        return 0;
    }

    static string F(double? v) => v is double x && double.IsFinite(x) ? x.ToString("0.000", CultureInfo.InvariantCulture) : "-";

    static void Print(RealismReport r)
    {
        Console.WriteLine($"{r.Images} images, {r.Identities} identities of {r.Data}; crops: {r.Crops}");
        Console.WriteLine($"  face-api {r.ExpressionWeights.Package ?? r.ExpressionWeights.Source}");
        Console.WriteLine();
        Console.WriteLine("Expression                       network  pixels");
        var (net, pix) = (r.ExpressionNet, r.ExpressionPixels.Score);
        Console.WriteLine($"  accuracy (chance {F(net.Scores.ChanceUniform)})        {F(net.Scores.Accuracy),7}  {F(pix.Scores.Accuracy),6}");
        for (int i = 0; i < net.Classes.Length; i++)
            Console.WriteLine($"  recall {net.Classes[i]}                       {F(net.Scores.Recall[i]),7}  {F(pix.Scores.Recall[i]),6}");
        Console.WriteLine($"  (pixels: {r.ExpressionPixels.Scheme}, {(r.ExpressionPixels.Converged ? "converged" : "NOT converged")})");
        Console.WriteLine("  network confusion (rows true, columns predicted):");
        Console.WriteLine("    " + net.ConfusionTsv().TrimEnd('\n').Replace("\n", "\n    "));
        Console.WriteLine();
        Console.WriteLine("Identity                         network  pixels");
        var (a, b) = (r.IdentityNet, r.IdentityPixels);
        Console.WriteLine($"  AUC, all pairs                 {F(a.AucAllPairs),7}  {F(b.AucAllPairs),6}");
        Console.WriteLine($"  AUC, pairs across expressions  {F(a.AucAcrossExpressions),7}  {F(b.AucAcrossExpressions),6}");
        Console.WriteLine($"  different pairs under {F(a.Threshold)}    {F(a.DifferentUnderThreshold),7}       -");
        Console.WriteLine($"  same pairs under {F(a.Threshold)}         {F(a.SameUnderThreshold),7}       -");
        foreach (var n in a.NearestNeighbour)
        {
            var p = b.NearestNeighbour.FirstOrDefault(x => x.Protocol == n.Protocol);
            Console.WriteLine($"  1-NN {n.Protocol,-26}{F(n.Accuracy),7}  {F(p?.Accuracy),6}   ({n.Probes} probes, {n.GalleryImages} gallery images, chance {F(n.Chance)})");
        }
        foreach (var m in a.NotMeasured) Console.WriteLine($"  not measured: {m}");
    }
}
