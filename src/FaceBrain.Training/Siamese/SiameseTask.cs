using FaceBrain.Models;
using FaceBrain.Models.Siamese;
using FaceBrain.Training.Data;
using FaceBrain.Training.Loop;
using TorchSharp;
using static TorchSharp.torch;

namespace FaceBrain.Training.Siamese;

/// <summary>Evaluation pairs over the rows of an image set, with their protocol fold.</summary>
public sealed record EvalPair(int A, int B, bool Same, int Fold);

/// <summary>
/// Siamese verification: each epoch draws <see cref="PairsPerEpoch"/> balanced pairs from the training
/// images; evaluation scores the held-out pairs with the 10-fold protocol (accuracy and AUC).
/// </summary>
public sealed class SiameseTask : ITrainingTask
{
    readonly FaceTensors _train;
    readonly FaceTensors _evalImages;
    readonly IReadOnlyList<EvalPair> _evalPairs;
    readonly Augmentation _aug;
    readonly Device _device;
    readonly SiameseNetwork _net;
    Pair[] _pairs = [];
    int _batch;
    Generator? _gen;

    public SiameseTask(Network network, FaceTensors train, int pairsPerEpoch, FaceTensors evalImages, IReadOnlyList<EvalPair> evalPairs,
                       Augmentation aug, Device device)
    {
        _net = network.AsSiamese ?? throw new InputException("train siamese: --model must be siamese");
        if (pairsPerEpoch < 2) throw new InputException($"--pairs {pairsPerEpoch}: must be at least 2");
        if (evalPairs.Count == 0) throw new InputException("train siamese: no evaluation pairs (empty split)");
        Network = network;
        _train = train;
        PairsPerEpoch = pairsPerEpoch;
        _evalImages = evalImages;
        _evalPairs = evalPairs;
        _aug = aug;
        _device = device;
        LastVerification = null;
    }

    public string Name => "siamese";
    public Network Network { get; }
    public IReadOnlyList<string> Classes => ["different", "same"];
    public int PairsPerEpoch { get; }
    public VerificationResult? LastVerification { get; private set; }

    public int StepsPerEpoch(int batch) => PairsPerEpoch / batch + (PairsPerEpoch % batch >= 2 ? 1 : 0);

    public void BeginEpoch(int epoch, long seed, int batch)
    {
        _pairs = PairSampler.Balanced(_train.LabelArray, PairsPerEpoch, Splits.SeedFor(seed, epoch, 3));
        _batch = batch;
        _gen?.Dispose();
        _gen = new Generator((ulong)Splits.SeedFor(seed, epoch, 2));
    }

    public StepResult Step(int step)
    {
        int from = step * _batch, n = Math.Min(_batch, _pairs.Length - from);
        var batch = _pairs.Skip(from).Take(n).ToArray();
        using var ia = tensor(batch.Select(p => (long)p.A).ToArray());
        using var ib = tensor(batch.Select(p => (long)p.B).ToArray());
        using var ra = _train.Images.index_select(0, ia);
        using var rb = _train.Images.index_select(0, ib);
        using var aa = _aug.Apply(ra, _gen!);
        using var ab = _aug.Apply(rb, _gen!);
        var a = aa.to(_device);
        var b = ab.to(_device);
        var same = tensor(batch.Select(p => p.Same ? 1L : 0L).ToArray()).to(_device);
        var ea = _net.Embed(a);
        var eb = _net.Embed(b);
        var loss = _net.LossEmbeddings(ea, eb, same);
        int correct;
        using (no_grad())
        {
            var score = _net.ScoreEmbeddings(ea.detach(), eb.detach());
            var threshold = _net.Config.Loss == PairLoss.CrossEntropy ? 0.5 : -_net.Config.Margin / 2;
            correct = (int)score.ge(threshold).eq(same.to_type(ScalarType.Bool)).sum().item<long>();
        }
        return new StepResult(loss, n, correct);
    }

    public EvalResult Evaluate()
    {
        LastVerification = Evaluate(_net, _evalImages, _evalPairs, _device, Math.Max(2, _batch));
        return new EvalResult(LastVerification.Accuracy, LastVerification.Auc, LastVerification.AccuracyStd);
    }

    /// <summary>Embeds each image once (eval mode), scores every pair, and runs the fold protocol.</summary>
    public static VerificationResult Evaluate(SiameseNetwork net, FaceTensors images, IReadOnlyList<EvalPair> pairs, Device device, int batch)
    {
        using var _ = no_grad();
        var chunks = new List<Tensor>();
        for (int from = 0; from < images.Count; from += batch)
        {
            int n = Math.Min(batch, images.Count - from);
            using var x = images.Images.narrow(0, from, n).to(device);
            var e = net.Embed(x).cpu();
            chunks.Add(e);
        }
        using var emb = cat(chunks);
        foreach (var c in chunks) c.Dispose();
        using var ia = tensor(pairs.Select(p => (long)p.A).ToArray());
        using var ib = tensor(pairs.Select(p => (long)p.B).ToArray());
        using var ea = emb.index_select(0, ia).to(device);
        using var eb = emb.index_select(0, ib).to(device);
        using var scores = net.ScoreEmbeddings(ea, eb).cpu().to_type(ScalarType.Float64);
        var s = scores.data<double>().ToArray();
        return Verification.TenFold(s, pairs.Select(p => p.Same).ToArray(), pairs.Select(p => p.Fold).ToArray());
    }
}
