using FaceBrain.Models.Weights.Tfjs;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace FaceBrain.Models.FaceApi;

/// <summary>
/// face-api's FaceRecognitionNet (dlib's ResNet-34-like face descriptor): 150×150 RGB after the faceapi preset →
/// 128-d descriptor (not L2-normalised; face-api calls two faces the same person below Euclidean distance 0.6).
/// Module names are face-api's block names (<c>conv32_down</c> … <c>conv256_down_out</c>), plus <c>maxpool</c>,
/// <c>pool</c> (the 256-d spatial mean) and <c>descriptor</c> (the bias-free fc).
/// </summary>
public sealed class FaceRecognitionNet : Module<Tensor, Tensor>, ITfjsModule
{
    public const int InputSize = 150;

    /// <summary>The residual blocks in order, with channels and whether they downsample.</summary>
    public static readonly IReadOnlyList<(string Name, long In, long Out, bool Down)> Blocks =
    [
        ("conv32_1", 32, 32, false), ("conv32_2", 32, 32, false), ("conv32_3", 32, 32, false),
        ("conv64_down", 32, 64, true), ("conv64_1", 64, 64, false), ("conv64_2", 64, 64, false), ("conv64_3", 64, 64, false),
        ("conv128_down", 64, 128, true), ("conv128_1", 128, 128, false), ("conv128_2", 128, 128, false),
        ("conv256_down", 128, 256, true), ("conv256_1", 256, 256, false), ("conv256_2", 256, 256, false),
        ("conv256_down_out", 256, 256, true),
    ];

    private readonly ConvScaleLayer conv32_down;
    private readonly MaxPool2d maxpool;
    private readonly ResidualBlock conv32_1, conv32_2, conv32_3;
    private readonly ResidualBlock conv64_down, conv64_1, conv64_2, conv64_3;
    private readonly ResidualBlock conv128_down, conv128_1, conv128_2;
    private readonly ResidualBlock conv256_down, conv256_1, conv256_2, conv256_down_out;
    private readonly SpatialMean pool;
    private readonly Linear descriptor;
    readonly ResidualBlock[] _blocks;

    public FaceRecognitionNet() : base("faceapi-recognition")
    {
        conv32_down = new ConvScaleLayer(3, 32, 7, 2, relu: true);
        maxpool = MaxPool2d(3, stride: 2);
        _blocks = Blocks.Select(b => new ResidualBlock(b.In, b.Out, b.Down)).ToArray();
        (conv32_1, conv32_2, conv32_3) = (_blocks[0], _blocks[1], _blocks[2]);
        (conv64_down, conv64_1, conv64_2, conv64_3) = (_blocks[3], _blocks[4], _blocks[5], _blocks[6]);
        (conv128_down, conv128_1, conv128_2) = (_blocks[7], _blocks[8], _blocks[9]);
        (conv256_down, conv256_1, conv256_2, conv256_down_out) = (_blocks[10], _blocks[11], _blocks[12], _blocks[13]);
        pool = new SpatialMean();
        descriptor = Linear(256, 128, hasBias: false);
        RegisterComponents();
    }

    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        var y = maxpool.call(conv32_down.call(FaceApiLayout.ForDevice(x)));
        foreach (var b in _blocks) y = b.call(y);
        return scope.MoveToOuter(descriptor.call(pool.call(y)));
    }

    public IReadOnlyList<TfjsBinding> TfjsBindings() =>
        ConvScaleLayer.Bindings("conv32_down", "conv32_down")
            .Concat(Blocks.SelectMany(b => ResidualBlock.Bindings(b.Name, b.Name)))
            .Append(new TfjsBinding("descriptor.weight", "fc", TfLayout.Dense))
            .ToList();
}
