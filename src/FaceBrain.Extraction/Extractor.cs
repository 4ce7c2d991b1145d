using System.Diagnostics;
using FaceBrain.Core.Store;
using TorchSharp;
using static TorchSharp.torch;

namespace FaceBrain.Extraction;

/// <summary>What one extraction run reads and how.</summary>
public sealed record ExtractionOptions(
    IReadOnlyList<string> Layers,
    IReadOnlyDictionary<string, Reduction> Reductions,
    int BatchSize,
    Device Device,
    string StoreDtype = "float32",
    (Func<int, int, Tensor> Load, int Count)? FitBatches = null);

/// <summary>Progress after each batch: rows written so far of the total, and the rate of this run.</summary>
public readonly record struct ExtractionProgress(int RowsDone, int Total, double ImagesPerSecond);

/// <summary>
/// Runs a frozen network over a stimulus set batch by batch and streams the reduced activations of the chosen layers
/// into an <see cref="ActivationStoreWriter"/>. The model is put in eval mode and run without gradients; only one
/// batch's reduced activations are in memory at a time.
/// </summary>
public static class Extractor
{
    /// <param name="model">The network whose sub-modules are hooked (names as in named_modules()).</param>
    /// <param name="forward">Its forward pass for a batch of images (e.g. a Siamese network's tower alone).</param>
    /// <param name="loadBatch">Images for rows [start, start + count) as float32 [count, C, H, W] on any device.</param>
    public static void Run(
        nn.Module model,
        Func<Tensor, Tensor> forward,
        Func<int, int, Tensor> loadBatch,
        ActivationStoreWriter writer,
        ExtractionOptions options,
        StoreManifest finalFields,
        IProgress<ExtractionProgress>? progress = null,
        CancellationToken cancel = default)
    {
        int total = writer.Manifest.NStimuli;
        model.eval();
        var clock = Stopwatch.StartNew();
        double forwardSeconds = 0, writeSeconds = 0;
        int startRows = writer.RowsDone;
        using var capture = new LayerCapture(model, options.Layers, options.Reductions);
        using (no_grad())
        {
            var pcas = options.Reductions.Where(kv => kv.Value is Reduction.Pca).ToList();
            if (pcas.Count > 0)
            {
                // First pass: fit each PCA layer on the fit set (deterministic, so a resumed run refits identically).
                var fitSet = options.FitBatches ?? (loadBatch, total);
                capture.FittingPca = true;
                foreach (var (_, _, images) in BatchPrefetch.Ahead(fitSet.Load, 0, fitSet.Count, options.BatchSize))
                {
                    using (images)
                    {
                        cancel.ThrowIfCancellationRequested();
                        using var scope = NewDisposeScope();
                        forward(images.to(options.Device));
                    }
                    capture.TakeBatch();
                }
                foreach (var kv in pcas) ((Reduction.Pca)kv.Value).For(kv.Key).Finish();
                capture.FittingPca = false;
            }
            // The next batch is decoded on a worker thread while this one runs through the network.
            foreach (var (start, count, images) in BatchPrefetch.Ahead(loadBatch, writer.RowsDone, total, options.BatchSize))
            {
                var t0 = clock.Elapsed.TotalSeconds;
                using (images)
                {
                    // Between batches only: a stop leaves the store at its last complete batch, ready to resume.
                    cancel.ThrowIfCancellationRequested();
                    using var scope = NewDisposeScope();
                    forward(images.to(options.Device));
                }
                var rows = capture.TakeBatch();
                var t1 = clock.Elapsed.TotalSeconds;
                if (!writer.HasLayers)
                    writer.CreateLayers(options.Layers.Select(name => new StoreLayer(
                        name, $"layers/{name}.npy", options.Reductions[name].Spec,
                        [total, rows[name].LongLength / count], options.StoreDtype, capture.RawShapes[name])).ToList());
                writer.AppendBatch(rows, count);
                forwardSeconds += t1 - t0;
                writeSeconds += clock.Elapsed.TotalSeconds - t1;
                progress?.Report(new ExtractionProgress(start + count, total,
                    (start + count - startRows) / Math.Max(clock.Elapsed.TotalSeconds, 1e-9)));
            }
        }
        var timings = new Dictionary<string, double>(finalFields.Timings)
        {
            ["total_seconds"] = clock.Elapsed.TotalSeconds,
            ["forward_and_reduce_seconds"] = forwardSeconds,
            ["write_seconds"] = writeSeconds,
            ["images_per_second"] = (total - startRows) / Math.Max(clock.Elapsed.TotalSeconds, 1e-9),
        };
        writer.Complete(finalFields with { Timings = timings });
    }
}
