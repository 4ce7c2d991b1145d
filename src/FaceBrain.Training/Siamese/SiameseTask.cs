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
                       Augmentation aug, Device device, double hardNegatives = 0)
    {
        if (hardNegatives < 0 || hardNegatives > 1) throw new InputException($"`hard-negatives` {hardNegatives}: must be between 0 and 1");
        HardNegatives = hardNegatives;
        _net = network.AsSiamese ?? throw new InputException("train siamese: `model` must be siamese");
        if (pairsPerEpoch < 2) throw new InputException($"`pairs` {pairsPerEpoch}: must be at least 2");
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
    /// <summary>Share of the different pairs replaced by mined hard negatives from the second epoch on.</summary>
    public double HardNegatives { get; }
    /// <summary>Images of other identities among which each hard negative is the most alike.</summary>
    public const int HardNegativePool = 16;
    public VerificationResult? LastVerification { get; private set; }

    public int StepsPerEpoch(int batch) => PairsPerEpoch / batch + (PairsPerEpoch % batch >= 2 ? 1 : 0);

    public void BeginEpoch(int epoch, long seed, int batch)
    {
        _pairs = PairSampler.Balanced(_train.LabelArray, PairsPerEpoch, EpochSeeds.SeedFor(seed, epoch, 3));
        // From the second epoch the network has learned something worth mining against.
        if (HardNegatives > 0 && epoch > 1)
            _pairs = PairSampler.WithHardNegatives(_pairs, _train.LabelArray, HardNegatives, HardNegativePool,
                                                   EpochSeeds.SeedFor(seed, epoch, 4), Similarity(Math.Max(2, batch)));
        _batch = batch;
        _gen?.Dispose();
        _gen = new Generator((ulong)EpochSeeds.SeedFor(seed, epoch, 2));
    }

    /// <summary>The current network's pair scores over training rows: every image embedded once in eval mode.</summary>
    Func<int[], int[], double[]> Similarity(int batch) => (a, b) =>
    {
        bool training = _net.training;
        _net.eval();
        try
        {
            using var emb = EmbedAll(_net, _train, _device, batch);
            using var _ = no_grad();
            using var ia = tensor(a.Select(i => (long)i).ToArray());
            using var ib = tensor(b.Select(i => (long)i).ToArray());
            using var ea = emb.index_select(0, ia).to(_device);
            using var eb = emb.index_select(0, ib).to(_device);
            using var s = _net.ScoreEmbeddings(ea, eb).cpu().to_type(ScalarType.Float64);
            return s.data<double>().ToArray();
        }
        finally
        {
            _net.train(training);
        }
    };

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

    /// <summary>[N, E] CPU embeddings of every image, in row order (the caller sets eval mode).</summary>
    static Tensor EmbedAll(SiameseNetwork net, FaceTensors images, Device device, int batch)
    {
        using var _ = no_grad();
        var chunks = new List<Tensor>();
        for (int from = 0; from < images.Count; from += batch)
        {
            int n = Math.Min(batch, images.Count - from);
            using var x = images.Images.narrow(0, from, n).to(device);
            chunks.Add(net.Embed(x).cpu());
        }
        var emb = cat(chunks);
        foreach (var c in chunks) c.Dispose();
        return emb;
    }

    /// <summary>Embeds each image once (eval mode), scores every pair, and runs the fold protocol.</summary>
    public static VerificationResult Evaluate(SiameseNetwork net, FaceTensors images, IReadOnlyList<EvalPair> pairs, Device device, int batch)
    {
        using var _ = no_grad();
        using var emb = EmbedAll(net, images, device, batch);
        using var ia = tensor(pairs.Select(p => (long)p.A).ToArray());
        using var ib = tensor(pairs.Select(p => (long)p.B).ToArray());
        using var ea = emb.index_select(0, ia).to(device);
        using var eb = emb.index_select(0, ib).to(device);
        using var scores = net.ScoreEmbeddings(ea, eb).cpu().to_type(ScalarType.Float64);
        var s = scores.data<double>().ToArray();
        return Verification.TenFold(s, pairs.Select(p => p.Same).ToArray(), pairs.Select(p => p.Fold).ToArray());
    }
}
