using System.ComponentModel;
using FaceBrain.Core;
using FaceBrain.Models.FaceApi;
using Spectre.Console.Cli;

namespace FaceBrain.Cli.Commands.Models;

/// <summary>
/// <c>facebrain models fetch faceapi [--from TGZ | --weights DIR]</c>: face-api's pretrained networks into the user
/// cache (npm pack, or an offline tarball or model folder), checked against the pinned package integrity.
/// </summary>
public sealed class ModelsFetchCommand : Command<ModelsFetchCommand.Settings>
{
    public sealed class Settings : CommandSettings
    {
        [CommandArgument(0, "<NAME>")] [Description("What to fetch: faceapi.")] public string Name { get; init; } = "";
        [CommandOption("--from <TGZ>")] [Description("The package tarball (npm pack " + FaceApiPackage.Id + ") instead of running npm.")] public string? From { get; init; }
        [CommandOption("--weights <DIR>")] [Description("A folder holding face-api's model/ files instead of running npm.")] public string? Weights { get; init; }
        [CommandOption("--force")] [Description("Fetch again even when the cache holds a verified copy.")] public bool Force { get; init; }
    }

    public override int Execute(CommandContext context, Settings s, CancellationToken cancellation)
    {
        if (!string.Equals(s.Name, "faceapi", StringComparison.OrdinalIgnoreCase))
            throw new InputException($"models fetch {s.Name}: unknown (known: faceapi)");
        if (s.From != null && s.Weights != null) throw new InputException("give --from TGZ or --weights DIR, not both");
        string dir;
        if (s.From != null) dir = FaceApiPackage.FromTarball(s.From);
        else if (s.Weights != null) dir = FaceApiPackage.FromFolder(s.Weights);
        else if (!s.Force && FaceApiPackage.IsCached()) dir = FaceApiPackage.Ensure();
        else dir = FaceApiPackage.FetchWithNpm(m => Console.Error.WriteLine($"models fetch: {m}"));
        Console.Error.WriteLine($"models fetch: {FaceApiPackage.Id} verified -> {dir}");
        Console.WriteLine(dir);
        return 0;
    }
}
