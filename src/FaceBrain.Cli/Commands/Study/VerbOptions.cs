using System.Reflection;
using FaceBrain.Cli.Commands.Analysis;
using FaceBrain.Cli.Commands.Data;
using FaceBrain.Cli.Commands.Extraction;
using FaceBrain.Cli.Commands.Fmri;
using FaceBrain.Cli.Commands.Models;
using FaceBrain.Data.Images;
using FaceBrain.Models;
using FaceBrain.Study.Experiment;
using FaceBrain.Study.Run;
using Spectre.Console.Cli;

namespace FaceBrain.Cli.Commands.Study;

/// <summary>
/// The verbs an experiment's tasks call, described from their own option attributes, so an experiment file is
/// checked against the real options (a misspelt option is found before any work starts); and how to start them.
/// </summary>
public static class VerbOptions
{
    static readonly (string Verb, Type Settings)[] Verbs =
    [
        ("faces synth", typeof(FacesSynthCommand.Settings)),
        ("train identity", typeof(TrainIdentityCommand.Settings)),
        ("train siamese", typeof(TrainSiameseCommand.Settings)),
        ("probe", typeof(ProbeCommand.Settings)),
        ("extract", typeof(ExtractCommand.Settings)),
        ("analyse", typeof(AnalyseCommand.Settings)),
        ("rsa", typeof(RsaCommand.Settings)),
        ("fmri simulate", typeof(FmriSimulateCommand.Settings)),
        ("fmri profile", typeof(FmriProfileCommand.Settings)),
    ];

    public static VerbCatalogue Catalogue { get; } = new(
        Verbs.ToDictionary(v => v.Verb, v => (IReadOnlySet<string>)LongNames(v.Settings)),
        ModelSpec.Names,
        ["faceapi"], // face-api's pretrained weights from the npm package cache (models fetch faceapi)
        // The Caffe-layout preset (BGR, mean-subtracted 0..255) is what the VGGFace2 Caffe weights expect, and only
        // they; the faceapi preset is face-api's own input normalisation, for its two networks.
        Enum.GetValues<Preset>().ToDictionary(p => p.Name(), p => p switch
        {
            Preset.VggFace2Caffe => (IReadOnlyList<string>)["resnet50-vggface2"],
            Preset.FaceApi => ["faceapi-recognition", "faceapi-expression"],
            _ => [],
        }));

    static HashSet<string> LongNames(Type settings) =>
        settings.GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Select(p => p.GetCustomAttribute<CommandOptionAttribute>())
            .Where(a => a != null)
            .SelectMany(a => a!.LongNames)
            .ToHashSet();

    /// <summary>This very executable, so tasks run the same build as the runner.</summary>
    public static Launcher Self()
    {
        var dll = typeof(VerbOptions).Assembly.Location;
        var host = Environment.ProcessPath ?? "dotnet";
        return Path.GetFileNameWithoutExtension(host) == "dotnet" ? new Launcher(host, [dll]) : new Launcher(host, []);
    }

    public static string Version =>
        typeof(VerbOptions).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "unknown";
}
