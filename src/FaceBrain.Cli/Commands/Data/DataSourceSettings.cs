using System.ComponentModel;
using FaceBrain.Core;
using FaceBrain.Data.Loading;
using Spectre.Console.Cli;

namespace FaceBrain.Cli.Commands.Data;

/// <summary>The options that name one face set, shared by the data verbs: the same --data and --where as every other verb.</summary>
public class DataSourceSettings : CommandSettings
{
    [CommandOption("--data <SPEC>")]
    [Description("The face set: kdef:DIR, lfw:DIR, vggface2:DIR, manifest:FILE or images:DIR.")]
    public string? Data { get; init; }

    [CommandOption("--where <COLUMN=VALUES>")]
    [Description("Keep only matching images, e.g. angle=S (KDEF frontal) or session=A; repeatable, all must match.")]
    public string[]? Where { get; init; }

    /// <summary>Loads the set (bad files listed, not refused) and keeps what --where matches.</summary>
    public LoadResult Load(ImageCheck check)
    {
        var spec = Data ?? throw new InputException("--data is required (kdef:DIR, lfw:DIR, vggface2:DIR, manifest:FILE or images:DIR)");
        var filter = StimulusFilter.Parse(Where);
        var result = DataSpec.Load(spec, new LoadOptions { Check = check });
        return filter is null ? result : filter.Apply(result, spec);
    }
}
