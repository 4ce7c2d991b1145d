namespace FaceBrain.Models.Siamese;

/// <summary>How the pair head decides same/different and what loss trains it.</summary>
public enum PairLoss
{
    /// <summary>A linear layer on |e1 − e2| gives two logits (different, same); cross-entropy, as in the study.</summary>
    CrossEntropy,
    /// <summary>Hadsell et al.: same pairs pulled together, different pairs pushed beyond a margin; score = −distance.</summary>
    Contrastive,
}

/// <summary>The verification tower: <see cref="Blocks"/> conv(3×3)+ReLU+max-pool blocks doubling from
/// <see cref="Width"/> channels, global average pooling, and a linear embedding with no ReLU.</summary>
public sealed record SiameseConfig(int Width = 32, int Blocks = 4, int EmbeddingDim = 128, int InputSize = 64,
                                   PairLoss Loss = PairLoss.CrossEntropy, double Margin = 1.0)
{
    public int TowerChannels => Width << (Blocks - 1);

    public void Validate()
    {
        if (Width < 1) throw new InputException($"`width` {Width}: must be at least 1");
        if (Blocks is < 1 or > 6) throw new InputException($"`blocks` {Blocks}: must be 1 to 6");
        if (EmbeddingDim < 1) throw new InputException($"`embedding` {EmbeddingDim}: must be at least 1");
        if (InputSize >> Blocks < 1) throw new InputException($"`input-size` {InputSize}: too small for {Blocks} pooling blocks");
        if (Margin <= 0) throw new InputException($"`margin` {Margin}: must be positive");
    }
}
