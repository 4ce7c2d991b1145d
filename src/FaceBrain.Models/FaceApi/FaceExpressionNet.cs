using FaceBrain.Models.Weights.Tfjs;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace FaceBrain.Models.FaceApi;

/// <summary>
/// face-api's FaceExpressionNet: 112×112 RGB after the faceapi preset → four dense blocks (<c>dense0</c>..<c>dense3</c>)
/// → 7×7 average <c>pool</c> (256-d) → <c>logits</c> (7) → <c>probs</c> (softmax), classes in <see cref="Classes"/>.
/// The forward pass returns the logits; <c>probs</c> is computed too so that it can be tapped.
/// </summary>
public sealed class FaceExpressionNet : Module<Tensor, Tensor>, ITfjsModule
{
    public const int InputSize = 112;

    /// <summary>face-api's class order, as KDEF expression codes (neutral, happy, sad, angry, fearful, disgusted, surprised).</summary>
    public static readonly IReadOnlyList<string> Classes = ["NE", "HA", "SA", "AN", "AF", "DI", "SU"];

    private readonly DenseBlock dense0, dense1, dense2, dense3;
    private readonly AvgPool2d pool;
    private readonly Linear logits;
    private readonly Softmax probs;

    public FaceExpressionNet() : base("faceapi-expression")
    {
        dense0 = new DenseBlock(3, 32, first: true);
        dense1 = new DenseBlock(32, 64, first: false);
        dense2 = new DenseBlock(64, 128, first: false);
        dense3 = new DenseBlock(128, 256, first: false);
        pool = AvgPool2d(7, stride: 2);
        logits = Linear(256, Classes.Count);
        probs = Softmax(1);
        RegisterComponents();
    }

    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        var y = pool.call(dense3.call(dense2.call(dense1.call(dense0.call(FaceApiLayout.ForDevice(x))))));
        var z = logits.call(y.flatten(1));
        probs.call(z);
        return scope.MoveToOuter(z);
    }

    public IReadOnlyList<TfjsBinding> TfjsBindings() =>
        new[] { dense0, dense1, dense2, dense3 }.SelectMany((d, i) => d.Bindings($"dense{i}", $"dense{i}"))
            .Append(new TfjsBinding("logits.weight", "fc/weights", TfLayout.Dense))
            .Append(new TfjsBinding("logits.bias", "fc/bias", TfLayout.Vector))
            .ToList();
}
