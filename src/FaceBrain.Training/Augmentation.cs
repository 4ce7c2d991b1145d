using TorchSharp;
using static TorchSharp.torch;

namespace FaceBrain.Training;

/// <summary>
/// Training-time augmentation on the network input (after the preprocessing preset): a random crop of the
/// image padded by <see cref="CropPad"/> pixels (edge-replicated), a horizontal flip with probability ½, and
/// colour jitter: per image, contrast scaled by a factor in [1 − j, 1 + j] about its mean and brightness
/// shifted by up to j of its standard deviation. All draws come from the generator passed in.
/// </summary>
public sealed record Augmentation(int CropPad = 0, bool Flip = false, double Jitter = 0)
{
    public static Augmentation None { get; } = new();

    public bool Any => CropPad > 0 || Flip || Jitter > 0;

    public Tensor Apply(Tensor x, Generator g)
    {
        if (!Any) return x.alias();
        using var scope = NewDisposeScope();
        long n = x.shape[0], h = x.shape[2], w = x.shape[3];
        var y = x;
        if (CropPad > 0)
        {
            var padded = nn.functional.pad(y, new long[] { CropPad, CropPad, CropPad, CropPad }, PaddingModes.Replicate);
            var offsets = randint(2 * CropPad + 1, new long[] { n, 2 }, dtype: int64, generator: g).data<long>().ToArray();
            var crops = new Tensor[n];
            for (int i = 0; i < n; i++)
                crops[i] = padded[i].narrow(1, offsets[2 * i], h).narrow(2, offsets[2 * i + 1], w);
            y = stack(crops);
        }
        if (Flip)
        {
            // Drawn on the CPU generator (TorchSharp's only kind), then moved beside the images.
            var mask = (rand(new long[] { n, 1, 1, 1 }, generator: g) < 0.5).to(x.device);
            y = where(mask, y.flip(3), y);
        }
        if (Jitter > 0)
        {
            var contrast = (1 + (rand(new long[] { n, 1, 1, 1 }, generator: g) * 2 - 1) * Jitter).to(x.device);
            var shift = ((rand(new long[] { n, 1, 1, 1 }, generator: g) * 2 - 1) * Jitter).to(x.device);
            var mean = y.mean(new long[] { 1, 2, 3 }, keepdim: true);
            var std = y.std(new long[] { 1, 2, 3 }, keepdim: true);
            y = (y - mean) * contrast + mean + shift * std;
        }
        return scope.MoveToOuter(y.contiguous());
    }
}
