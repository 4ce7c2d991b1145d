using System.ComponentModel;
using FaceBrain.Models;
using FaceBrain.Models.Siamese;
using Spectre.Console.Cli;

namespace FaceBrain.Cli.Commands.Models;

/// <summary>The options that choose and size a network, shared by the model, training, probe and bench verbs.</summary>
public class ModelSettings : CommandSettings
{
    [CommandOption("--model <NAME>")]
    [Description("resnet50 (torchvision layout), resnet50-vggface2 (Caffe layout), siamese, or face-api's pretrained faceapi-recognition / faceapi-expression.")]
    public string Model { get; init; } = "resnet50";

    [CommandOption("--width <N>")]
    [Description("Base channel width (default: 64 for ResNet-50, 32 for the Siamese tower). Small widths give tiny nets for CPU demos; layer names do not change.")]
    public int? Width { get; init; }

    [CommandOption("--input-size <PX>")]
    [Description("Square input size in pixels (default: 224 for ResNet-50, 64 for the Siamese tower).")]
    public int? InputSize { get; init; }

    [CommandOption("--classes <N>")]
    [Description("Classes of the ResNet head (default: 1000 for resnet50, 8631 for resnet50-vggface2).")]
    public int? Classes { get; init; }

    [CommandOption("--embedding <N>")]
    [Description("Siamese embedding size (default 128).")]
    public int Embedding { get; init; } = 128;

    [CommandOption("--blocks <N>")]
    [Description("Siamese conv+ReLU+pool blocks (default 4).")]
    public int Blocks { get; init; } = 4;

    [CommandOption("--pair-loss <LOSS>")]
    [Description("Siamese loss: cross-entropy (default, as in the study) or contrastive.")]
    public string PairLoss { get; init; } = "cross-entropy";

    /// <summary>The network these options describe; a size given explicitly must be positive (0 is not "the default").</summary>
    public ModelSpec ToSpec() => new(ModelSpec.ParseKind(Model), Positive("--width", Width), Positive("--input-size", InputSize),
        Positive("--classes", Classes), Positive("--embedding", Embedding), Positive("--blocks", Blocks), ParsePairLoss(PairLoss));

    /// <summary>0 in ModelSpec means "the model's default", so an explicit value below 1 is refused here.</summary>
    static int Positive(string option, int? value) => value switch
    {
        null => 0,
        < 1 => throw new FaceBrain.Core.InputException($"{option} {value}: must be a positive integer"),
        int v => v,
    };

    static PairLoss ParsePairLoss(string s) => s.Trim().ToLowerInvariant() switch
    {
        "cross-entropy" => FaceBrain.Models.Siamese.PairLoss.CrossEntropy,
        "contrastive" => FaceBrain.Models.Siamese.PairLoss.Contrastive,
        _ => throw new FaceBrain.Core.InputException($"--pair-loss {s}: expected cross-entropy or contrastive"),
    };
}
