using static TorchSharp.torch;

namespace FaceBrain.Extraction;

/// <summary>
/// Batches of rows [from, total) in order, each loaded on a worker thread while the caller works on the one before,
/// so that decoding and preprocessing overlap the forward pass instead of adding to it. The caller disposes each
/// batch; a batch loaded ahead but never taken (the caller stopped, or failed) is awaited and disposed here. A load's
/// exception surfaces when its batch is taken, that is, after every earlier batch has been handed out.
/// </summary>
public static class BatchPrefetch
{
    public static IEnumerable<(int Start, int Count, Tensor Images)> Ahead(Func<int, int, Tensor> load, int from, int total, int batchSize)
    {
        if (batchSize < 1) throw new ArgumentOutOfRangeException(nameof(batchSize), batchSize, "must be at least 1");
        Task<Tensor>? Start(int start) =>
            start < total ? Task.Run(() => load(start, Math.Min(batchSize, total - start))) : null;

        var pending = Start(from);
        try
        {
            for (int start = from; pending != null; start += batchSize)
            {
                var images = pending.GetAwaiter().GetResult();
                pending = Start(start + batchSize);
                yield return (start, Math.Min(batchSize, total - start), images);
            }
        }
        finally
        {
            if (pending != null)
                try { pending.GetAwaiter().GetResult().Dispose(); }
                catch (Exception) { /* the caller already stopped for its own reason; this batch was never used */ }
        }
    }
}
