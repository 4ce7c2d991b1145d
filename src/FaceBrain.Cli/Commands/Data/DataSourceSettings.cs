using System.ComponentModel;
using FaceBrain.Core;
using FaceBrain.Data.Loading;
using Spectre.Console.Cli;

namespace FaceBrain.Cli.Commands.Data;

/// <summary>The options that name one face set, shared by the data verbs.</summary>
public class DataSourceSettings : CommandSettings
{
    [CommandOption("--kdef <DIR>")]
    [Description("KDEF as distributed (the folder holding KDEF/ or KDEF/ itself).")]
    public string? Kdef { get; init; }

    [CommandOption("--lfw <DIR>")]
    [Description("LFW: lfw/Name/Name_0001.jpg, with pairs.txt and peopleDev*.txt when present.")]
    public string? Lfw { get; init; }

    [CommandOption("--vggface2 <DIR>")]
    [Description("VGGFace2: train/ and/or test/, identity_meta.csv, lists, bb_landmark/.")]
    public string? VggFace2 { get; init; }

    [CommandOption("--manifest <FILE>")]
    [Description("A stimulus TSV with stimulus_id, path (relative to the TSV) and label columns.")]
    public string? Manifest { get; init; }

    [CommandOption("--images <DIR>")]
    [Description("A plain folder of images (identity = first sub-folder).")]
    public string? Images { get; init; }

    [CommandOption("--angle <CODES>")]
    [Description("KDEF: keep these angles, comma-separated (FL,HL,S,HR,FR); S = frontal only.")]
    public string? Angle { get; init; }

    [CommandOption("--session <S>")]
    [Description("KDEF: keep these sessions (A, B or A,B).")]
    public string? Session { get; init; }

    [CommandOption("--expression <CODES>")]
    [Description("KDEF: keep these expressions, comma-separated (AF,AN,DI,HA,NE,SA,SU).")]
    public string? Expression { get; init; }

    public DataSpec Spec()
    {
        var given = new (string? Value, DatasetKind Kind)[]
        {
            (Kdef, DatasetKind.Kdef), (Lfw, DatasetKind.Lfw), (VggFace2, DatasetKind.VggFace2),
            (Manifest, DatasetKind.Manifest), (Images, DatasetKind.Images),
        }.Where(g => g.Value != null).ToArray();
        if (given.Length != 1)
            throw new InputException("give exactly one of --kdef DIR, --lfw DIR, --vggface2 DIR, --manifest FILE, --images DIR");
        if (given[0].Kind != DatasetKind.Kdef && (Angle ?? Session ?? Expression) != null)
            throw new InputException("--angle, --session and --expression filter KDEF only");
        return new DataSpec(given[0].Kind, given[0].Value!);
    }

    public LoadOptions Options(ImageCheck check) => new()
    {
        Check = check,
        Angles = Codes(Angle, "--angle", ["FL", "HL", "S", "HR", "FR"]),
        Sessions = Codes(Session, "--session", ["A", "B"]),
        Expressions = Codes(Expression, "--expression", ["AF", "AN", "DI", "HA", "NE", "SA", "SU"]),
    };

    static IReadOnlySet<string>? Codes(string? list, string option, string[] known)
    {
        if (list == null) return null;
        var codes = list.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(c => c.ToUpperInvariant()).ToHashSet();
        var unknown = codes.Where(c => !known.Contains(c)).ToArray();
        if (unknown.Length > 0 || codes.Count == 0)
            throw new InputException($"{option} '{list}': unknown code(s) {string.Join(", ", unknown)} (known: {string.Join(",", known)})");
        return codes;
    }
}
