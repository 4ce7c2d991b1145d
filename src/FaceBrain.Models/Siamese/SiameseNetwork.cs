using TorchSharp;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace FaceBrain.Models.Siamese;

/// <summary>
/// The verification network: a shared <see cref="SiameseTower"/> applied to both images, and a head that
/// reads same/different from the pair of embeddings. State-dict keys: tower.*, head.*.
/// </summary>
public sealed class SiameseNetwork : Module<Tensor, Tensor, Tensor>
{
    private readonly SiameseTower tower;
    private readonly Module<Tensor, Tensor> head;

    public SiameseConfig Config { get; }

    public SiameseNetwork(SiameseConfig config) : base("siamese")
    {
        config.Validate();
        Config = config;
        tower = new SiameseTower(config);
        // Two logits (index 1 = same). Unused by the contrastive loss but kept so one checkpoint layout serves both.
        head = Linear(config.EmbeddingDim, 2);
        RegisterComponents();
    }

    public SiameseTower Tower => tower;

    /// <summary>The embedding of a batch of images (what the probe reads as the tower's output).</summary>
    public Tensor Embed(Tensor images) => tower.call(images);

    /// <summary>Head logits (different, same) for a batch of pairs.</summary>
    public override Tensor forward(Tensor a, Tensor b)
    {
        using var scope = NewDisposeScope();
        var d = (tower.call(a) - tower.call(b)).abs();
        return scope.MoveToOuter(head.call(d));
    }

    /// <summary>The training loss for pairs with <paramref name="same"/> (int64, 1 = same identity).</summary>
    public Tensor Loss(Tensor a, Tensor b, Tensor same)
    {
        using var scope = NewDisposeScope();
        return scope.MoveToOuter(LossEmbeddings(tower.call(a), tower.call(b), same));
    }

    /// <summary><see cref="Loss"/> from embeddings already computed (training embeds each image once per step).</summary>
    public Tensor LossEmbeddings(Tensor ea, Tensor eb, Tensor same)
    {
        using var scope = NewDisposeScope();
        if (Config.Loss == PairLoss.CrossEntropy)
            return scope.MoveToOuter(functional.cross_entropy(head.call((ea - eb).abs()), same));
        var dist = Distance(ea, eb);
        var y = same.to_type(dist.dtype);
        var pull = y * dist.pow(2);
        var push = (1 - y) * functional.relu(Config.Margin - dist).pow(2);
        return scope.MoveToOuter((pull + push).mean() / 2);
    }

    /// <summary>A score that grows with the belief that a pair is the same person: P(same) from the head,
    /// or the negative embedding distance under the contrastive loss.</summary>
    public Tensor Score(Tensor a, Tensor b)
    {
        using var scope = NewDisposeScope();
        var s = Config.Loss == PairLoss.CrossEntropy
            ? functional.softmax(forward(a, b), 1).select(1, 1)
            : -PairDistance(a, b);
        return scope.MoveToOuter(s);
    }

    /// <summary><see cref="Score"/> from embeddings already computed (evaluation embeds each image once).</summary>
    public Tensor ScoreEmbeddings(Tensor ea, Tensor eb)
    {
        using var scope = NewDisposeScope();
        var s = Config.Loss == PairLoss.CrossEntropy
            ? functional.softmax(head.call((ea - eb).abs()), 1).select(1, 1)
            : -Distance(ea, eb);
        return scope.MoveToOuter(s);
    }

    Tensor PairDistance(Tensor a, Tensor b) => Distance(tower.call(a), tower.call(b));

    static Tensor Distance(Tensor ea, Tensor eb) => ((ea - eb).pow(2).sum(1) + 1e-9).sqrt();
}
