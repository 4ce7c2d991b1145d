using FaceBrain.Models.ResNet;
using FaceBrain.Models.Siamese;
using TorchSharp;
using static TorchSharp.torch;

namespace FaceBrain.Models;

/// <summary>
/// A built network with what callers need beside the module: the spec it came from and its single-image
/// forward pass (logits for a ResNet and face-api's expression net, the embedding for the Siamese tower, the
/// descriptor for face-api's recognition net), which is what layer taps run.
/// </summary>
public sealed class Network : IDisposable
{
    Network(ModelSpec spec, nn.Module module, Func<Tensor, Tensor> forward)
    {
        Spec = spec;
        Module = module;
        _forward = forward;
    }

    readonly Func<Tensor, Tensor> _forward;

    public ModelSpec Spec { get; }
    public nn.Module Module { get; }

    /// <summary>Builds <paramref name="spec"/> on <paramref name="device"/>, seeded when a seed is given.</summary>
    public static Network Create(ModelSpec spec, Device device, long? seed = null)
    {
        // Initialisation draws from libtorch's global generator: seeding and drawing happen under one lock
        // so two networks built at once on different threads still get their seeds' weights.
        lock (InitGate)
        {
            if (seed is long s) random.manual_seed(s);
            return Build(spec, device);
        }
    }

    static readonly object InitGate = new();

    static Network Build(ModelSpec spec, Device device)
    {
        switch (spec.Kind)
        {
            case ModelKind.Siamese:
            {
                var net = new SiameseNetwork(spec.SiameseConfig());
                net.to(device);
                return new Network(spec, net, net.Embed);
            }
            case ModelKind.FaceApiRecognition or ModelKind.FaceApiExpression:
            {
                if (spec.InputSize > 0 && spec.InputSize != spec.EffectiveInputSize)
                    throw new InputException($"`input-size` {spec.InputSize}: {spec.Name} takes {spec.EffectiveInputSize}×{spec.EffectiveInputSize} px only");
                nn.Module<Tensor, Tensor> net = spec.Kind == ModelKind.FaceApiRecognition ? new FaceApi.FaceRecognitionNet() : new FaceApi.FaceExpressionNet();
                net.to(device);
                return new Network(spec, net, x => net.call(x));
            }
            default:
            {
                var net = new ResNet50(spec.ResNetConfig());
                net.to(device);
                return new Network(spec, net, x => net.call(x));
            }
        }
    }

    /// <summary>Logits (ResNet, face-api expression) or embedding (Siamese, face-api descriptor) of a batch of images.</summary>
    public Tensor Forward(Tensor images) => _forward(images);

    public SiameseNetwork? AsSiamese => Module as SiameseNetwork;
    public ResNet50? AsResNet => Module as ResNet50;

    public void Dispose() => Module.Dispose();
}
