using FaceBrain.Models.ResNet;
using FaceBrain.Models.Siamese;

namespace FaceBrain.Models;

/// <summary>The architectures FaceBrain builds, by the name users type after <c>--model</c>.</summary>
public enum ModelKind
{
    ResNet50,          // "resnet50"
    ResNet50VggFace2,  // "resnet50-vggface2"
    Siamese,           // "siamese"
    FaceApiRecognition, // "faceapi-recognition": face-api's pretrained identity net (150 px, 128-d descriptor)
    FaceApiExpression,  // "faceapi-expression": face-api's pretrained expression net (112 px, 7 classes)
}

/// <summary>
/// What to build. <see cref="Width"/> 0 means the architecture's real width (64 for ResNet-50, 32 for the
/// Siamese tower); <see cref="NumClasses"/> 0 means its default head (1000 torchvision, 8631 VGGFace2).
/// </summary>
public sealed record ModelSpec(ModelKind Kind, int Width = 0, int InputSize = 0, int NumClasses = 0,
                               int EmbeddingDim = 128, int SiameseBlocks = 4, PairLoss PairLoss = PairLoss.CrossEntropy)
{
    public static readonly IReadOnlyList<string> Names = ["resnet50", "resnet50-vggface2", "siamese", "faceapi-recognition", "faceapi-expression"];

    public string Name => Kind switch
    {
        ModelKind.ResNet50 => "resnet50",
        ModelKind.ResNet50VggFace2 => "resnet50-vggface2",
        ModelKind.FaceApiRecognition => "faceapi-recognition",
        ModelKind.FaceApiExpression => "faceapi-expression",
        _ => "siamese",
    };

    public static ModelKind ParseKind(string name) => name.Trim().ToLowerInvariant() switch
    {
        "resnet50" => ModelKind.ResNet50,
        "resnet50-vggface2" => ModelKind.ResNet50VggFace2,
        "siamese" => ModelKind.Siamese,
        "faceapi-recognition" => ModelKind.FaceApiRecognition,
        "faceapi-expression" => ModelKind.FaceApiExpression,
        _ => throw new InputException($"`model` {name}: unknown model (known: {string.Join(", ", Names)})"),
    };

    public int EffectiveWidth => Width > 0 ? Width : Kind == ModelKind.Siamese ? 32 : 64;
    /// <summary>face-api's pretrained networks: fixed architecture and input size, TF.js weights.</summary>
    public bool IsFaceApi => Kind is ModelKind.FaceApiRecognition or ModelKind.FaceApiExpression;

    public int EffectiveInputSize => Kind switch
    {
        ModelKind.FaceApiRecognition => FaceApi.FaceRecognitionNet.InputSize,
        ModelKind.FaceApiExpression => FaceApi.FaceExpressionNet.InputSize,
        _ => InputSize > 0 ? InputSize : Kind == ModelKind.Siamese ? 64 : 224,
    };
    public int EffectiveClasses => NumClasses > 0 ? NumClasses : Kind == ModelKind.ResNet50VggFace2 ? 8631 : 1000;

    /// <summary>The image-pipeline preset these weights expect (FaceBrain.Data's preset names).</summary>
    public string DefaultPreset => Kind switch
    {
        ModelKind.ResNet50VggFace2 => "vggface2-caffe",
        ModelKind.ResNet50 => "imagenet",
        ModelKind.FaceApiRecognition or ModelKind.FaceApiExpression => "faceapi",
        _ => "unit",
    };

    public ResNetConfig ResNetConfig() => new(
        Kind == ModelKind.ResNet50VggFace2 ? ResNetLayout.Caffe : ResNetLayout.Torchvision,
        EffectiveClasses, EffectiveWidth, EffectiveInputSize);

    public SiameseConfig SiameseConfig() => new(EffectiveWidth, SiameseBlocks, EmbeddingDim, EffectiveInputSize, PairLoss);
}
