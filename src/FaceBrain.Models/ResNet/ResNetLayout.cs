namespace FaceBrain.Models.ResNet;

/// <summary>Where a ResNet-50 downsamples; both layouts share torchvision's state-dict key names.</summary>
public enum ResNetLayout
{
    /// <summary>torchvision: stride on the 3×3 conv of a bottleneck; max-pool k3 s2 p1; adaptive average pool.</summary>
    Torchvision,
    /// <summary>Caffe (VGGFace2 release): stride on the first 1×1 conv and on the downsample conv;
    /// max-pool k3 s2 p0 ceil mode; fixed average pool (7×7 at 224 px).</summary>
    Caffe,
}

/// <summary>
/// A ResNet-50 (blocks 3, 4, 6, 3 of bottlenecks). <see cref="Width"/> scales every channel count
/// (64 is the real network; 4–16 make tiny nets for tests and CPU demos) without changing the layer names.
/// <see cref="InputSize"/> is the square input the fixed Caffe average pool is sized for.
/// </summary>
public sealed record ResNetConfig(ResNetLayout Layout, int NumClasses, int Width = 64, int InputSize = 224)
{
    public const int Expansion = 4;
    public static readonly int[] Blocks = [3, 4, 6, 3];

    /// <summary>Channels of the pooled features: 2048 at width 64.</summary>
    public int FeatureDim => Width * 8 * Expansion;

    /// <summary>Side of the stem output after conv1 (7×7 s2 p3).</summary>
    public int Conv1Side => (InputSize + 2 * 3 - 7) / 2 + 1;

    /// <summary>Side after the stem max-pool: floor((n+2-3)/2)+1 for torchvision, ceil((n-3)/2)+1 for Caffe.</summary>
    public int StemSide => Layout == ResNetLayout.Torchvision
        ? (Conv1Side + 2 - 3) / 2 + 1
        : (Conv1Side - 3 + 1) / 2 + 1;

    /// <summary>Side after layer4 (three stride-2 stages; a 1×1 stride-2 conv and a padded 3×3 agree: ceil(n/2)).</summary>
    public int Layer4Side => Half(Half(Half(StemSide)));

    static int Half(int n) => (n + 1) / 2;

    public void Validate()
    {
        if (Width < 1) throw new InputException($"`width` {Width}: must be at least 1");
        if (NumClasses < 1) throw new InputException($"number of classes {NumClasses}: must be at least 1");
        if (InputSize < 32) throw new InputException($"`input-size` {InputSize}: ResNet-50 needs at least 32 px");
    }
}
