using TorchSharp;
using static TorchSharp.torch;

namespace FaceBrain.Extraction;

/// <summary>
/// Incremental PCA (Ross et al. 2008, as scikit-learn's IncrementalPCA.partial_fit) in float64 on a torch device:
/// each batch is merged with the current components, scaled by their singular values, and a mean-correction row,
/// then re-decomposed by a thin SVD. Memory is (components + batch + 1) × features, whatever the number of images.
/// Signs are fixed so that each component's largest-magnitude loading is positive (reproducible across LAPACKs).
/// </summary>
public sealed class IncrementalPca : IDisposable
{
    readonly List<Tensor> _pending = new();
    long _pendingRows;
    Tensor? _mean, _components, _singular;

    public IncrementalPca(int components) => Components = components;

    public int Components { get; }
    public long SamplesSeen { get; private set; }
    public bool IsFitted => _components is not null && _pendingRows == 0;

    /// <summary>Adds rows [n, F]; rows are buffered until at least <see cref="Components"/> are available.</summary>
    public void PartialFit(Tensor rows)
    {
        var x = rows.to(ScalarType.Float64).DetachFromDisposeScope();
        _pending.Add(x);
        _pendingRows += x.shape[0];
        if (_pendingRows >= Components) FlushPending();
    }

    /// <summary>Folds in any buffered rows; fails if the whole fit set had fewer rows than components.</summary>
    public void Finish()
    {
        if (_pendingRows > 0)
        {
            if (SamplesSeen + _pendingRows < Components)
                throw new FaceBrain.Core.InputException($"`reduce` pca:{Components}: the fit set has only {SamplesSeen + _pendingRows} images; need at least {Components}");
            FlushPending();
        }
    }

    void FlushPending()
    {
        using var scope = NewDisposeScope();
        var x = cat(_pending, 0);
        foreach (var t in _pending) t.Dispose();
        _pending.Clear();
        _pendingRows = 0;
        long n = x.shape[0];
        long total = SamplesSeen + n;
        var batchMean = x.mean([0L]);
        Tensor stacked, newMean;
        if (SamplesSeen == 0)
        {
            stacked = x - batchMean;
            newMean = batchMean;
        }
        else
        {
            newMean = (_mean! * (double)SamplesSeen + batchMean * (double)n) / (double)total;
            var correction = (_mean! - batchMean) * Math.Sqrt((double)SamplesSeen * n / total);
            stacked = cat([_singular!.unsqueeze(1) * _components!, x - batchMean, correction.unsqueeze(0)], 0);
        }
        var (_, s, vh) = linalg.svd(stacked, fullMatrices: false);
        long k = Math.Min(Components, s.shape[0]);
        var comps = vh.narrow(0, 0, k);
        var maxIdx = comps.abs().argmax(1, keepdim: true);
        var signs = comps.gather(1, maxIdx).sign();
        comps = comps * signs;
        Replace(ref _components, comps.contiguous());
        Replace(ref _singular, s.narrow(0, 0, k).contiguous());
        Replace(ref _mean, newMean.contiguous());
        SamplesSeen = total;
    }

    static void Replace(ref Tensor? field, Tensor value)
    {
        field?.Dispose();
        field = value.DetachFromDisposeScope();
    }

    /// <summary>Projects rows [n, F] onto the components: (x − mean) Vᵀ, as float32 [n, components].</summary>
    public Tensor Transform(Tensor rows)
    {
        if (!IsFitted) throw new InvalidOperationException("PCA is not fitted");
        using var x = rows.to(ScalarType.Float64);
        using var centred = x - _mean!.to(x.device);
        using var comps = _components!.to(x.device);
        using var projected = centred.matmul(comps.t());
        return projected.to(ScalarType.Float32);
    }

    /// <summary>Component loadings [components, F] (float64, CPU copy).</summary>
    public Tensor ComponentsMatrix() => _components!.cpu().clone();

    /// <summary>Singular values of the centred data seen so far.</summary>
    public Tensor SingularValues() => _singular!.cpu().clone();

    public void Dispose()
    {
        foreach (var t in _pending) t.Dispose();
        _mean?.Dispose(); _components?.Dispose(); _singular?.Dispose();
    }
}
