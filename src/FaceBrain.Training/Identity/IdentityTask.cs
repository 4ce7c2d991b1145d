using FaceBrain.Models;
using FaceBrain.Training.Data;
using FaceBrain.Training.Loop;
using TorchSharp;
using static TorchSharp.torch;

namespace FaceBrain.Training.Identity;

/// <summary>
/// Identity classification with cross-entropy (optionally label-smoothed) on a ResNet: batches drawn in a
/// seeded order per epoch, augmented on the CPU, moved to the device; held-out accuracy on unseen images
/// of the same identities. With a <see cref="NumericFormat"/> other than fp32 NCHW the network is converted once here
/// and every batch follows it; the loss is computed on fp32 logits.
/// </summary>
public sealed class IdentityTask : ITrainingTask
{
    readonly FaceTensors _train;
    readonly FaceTensors _heldout;
    readonly Augmentation _aug;
    readonly double _smoothing;
    readonly Device _device;
    readonly NumericFormat _format;
    int[] _order = [];
    int _batch;
    Generator? _gen;

    public IdentityTask(Network network, FaceTensors train, FaceTensors heldout, Augmentation aug, double labelSmoothing, Device device,
                        NumericFormat? format = null)
    {
        if (network.Spec.Kind is not (ModelKind.ResNet50 or ModelKind.ResNet50VggFace2)) throw new InputException("train identity: `model` must be a ResNet (resnet50 or resnet50-vggface2)");
        if (network.Spec.EffectiveClasses != train.Classes.Count)
            throw new ArgumentException($"the head has {network.Spec.EffectiveClasses} classes, the data {train.Classes.Count}");
        if (labelSmoothing is < 0 or >= 1) throw new InputException($"`label-smoothing` {labelSmoothing}: must be in [0, 1)");
        Network = network;
        _train = train;
        _heldout = heldout;
        _aug = aug;
        _smoothing = labelSmoothing;
        _device = device;
        _format = format ?? NumericFormat.Default;
        _format.Apply(network.Module);
    }

    public string Name => "identity";
    public Network Network { get; }
    public IReadOnlyList<string> Classes => _train.Classes;
    public NumericFormat Format => _format;

    // A last batch of one would break batch norm in training mode; it is dropped.
    public int StepsPerEpoch(int batch) => _train.Count / batch + (_train.Count % batch >= 2 ? 1 : 0);

    public void BeginEpoch(int epoch, long seed, int batch)
    {
        _order = EpochSeeds.EpochOrder(_train.Count, seed, epoch);
        _batch = batch;
        _gen?.Dispose();
        _gen = new Generator((ulong)EpochSeeds.SeedFor(seed, epoch, 2));
    }

    public StepResult Step(int step)
    {
        int from = step * _batch, n = Math.Min(_batch, _train.Count - from);
        using var idx = tensor(_order.Skip(from).Take(n).Select(i => (long)i).ToArray());
        using var raw = _train.Images.index_select(0, idx);
        using var aug = _aug.Apply(raw, _gen!);
        using var onDevice = aug.to(_device);
        var x = _format.Input(onDevice);
        var y = _train.Labels.index_select(0, idx).to(_device);
        var logits = Network.Forward(x).to(float32);
        var loss = nn.functional.cross_entropy(logits, y, label_smoothing: _smoothing);
        int correct = (int)logits.argmax(1).eq(y).sum().item<long>();
        return new StepResult(loss, n, correct);
    }

    public EvalResult Evaluate() => new(Accuracy(Network, _heldout, _device, _batch, _format));

    /// <summary>Top-1 accuracy in eval mode (NaN for an empty set), the images in the network's <paramref name="format"/>.</summary>
    public static double Accuracy(Network network, FaceTensors set, Device device, int batch, NumericFormat? format = null)
    {
        format ??= NumericFormat.Default;
        if (set.Count == 0) return double.NaN;
        using var _ = no_grad();
        long correct = 0;
        for (int from = 0; from < set.Count; from += batch)
        {
            using var scope = NewDisposeScope();
            int n = Math.Min(batch, set.Count - from);
            var logits = network.Forward(format.Input(set.Images.narrow(0, from, n).to(device)));
            correct += logits.argmax(1).cpu().eq(set.Labels.narrow(0, from, n)).sum().item<long>();
        }
        return (double)correct / set.Count;
    }
}
