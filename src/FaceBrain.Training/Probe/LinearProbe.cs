using TorchSharp;
using static TorchSharp.torch;

namespace FaceBrain.Training.Probe;

/// <summary>How the linear read-out is fitted: full-batch Adam on softmax cross-entropy with an L2 penalty, from zero weights.</summary>
public sealed record ProbeFit(int Iterations = 300, double Lr = 0.05, double L2 = 1e-3);

/// <summary>
/// The only trainable part of the transfer experiment: a linear layer (the study's new FC layer) from frozen
/// features to classes. Features are z-scored with the training rows' mean and spread, so the test rows
/// never inform the fit. Several label sets (the true labels and their permutations) are fitted at once as a
/// batch of independent linear layers: the losses are summed, so each layer gets its own gradient.
/// The fit runs on <c>device</c> (the backbone's): on a GPU host the 70-class identity probe with 20
/// permutations took 168 s on the CPU path.
/// </summary>
public static class LinearProbe
{
    /// <summary>Fits one linear layer per row of <paramref name="yTrains"/> and returns each one's predictions for xTest.</summary>
    public static long[][] FitPredict(Tensor xTrain, IReadOnlyList<long[]> yTrains, Tensor xTest, int classes, ProbeFit fit, Device? device = null)
    {
        device ??= CPU;
        using var scope = NewDisposeScope();
        xTrain = xTrain.to(device);
        xTest = xTest.to(device);
        var mean = xTrain.mean(new long[] { 0 }, keepdim: true);
        var std = xTrain.std(new long[] { 0 }, keepdim: true) + 1e-6;
        var a = (xTrain - mean) / std;
        var b = (xTest - mean) / std;
        long f = a.shape[1];
        var result = new long[yTrains.Count][];
        // Bound the [models, F, C] weights and [models, N, C] logits to roughly 64 MB per group.
        int group = (int)Math.Clamp(16_000_000 / Math.Max(1, (a.shape[0] + f) * classes), 1, yTrains.Count);
        for (int g0 = 0; g0 < yTrains.Count; g0 += group)
        {
            using var gs = NewDisposeScope();
            int m = Math.Min(group, yTrains.Count - g0);
            var y = stack(Enumerable.Range(g0, m).Select(i => tensor(yTrains[i])).ToArray()).to(device); // [m, N]
            // All m layers side by side in one [F, m·C] matrix: one GEMM per step instead of m small ones.
            var w = zeros(new long[] { f, m * classes }, device: device, requires_grad: true);
            var bias = zeros(new long[] { m * classes }, device: device, requires_grad: true);
            // Small CPU GEMMs lose more to OpenMP hand-offs than they gain from a second thread (5-8x slower on a
            // busy 2-core machine): there, below ~1 G multiply-adds per step (pooled features, tens of classes),
            // the fit runs single-threaded. Machines with more cores keep all of them.
            int threads = get_num_threads();
            bool single = device.type == DeviceType.CPU && threads <= 2 && a.shape[0] * f * m * classes < 1_000_000_000L;
            if (single) set_num_threads(1);
            using var restore = new ThreadRestore(threads, single);
            using var opt = optim.Adam(new[] { new TorchSharp.Modules.Parameter(w), new TorchSharp.Modules.Parameter(bias) }, fit.Lr);
            var wp = opt.parameters().ToArray();
            long n = a.shape[0];
            var target = y.t().reshape(-1); // row-major [N, m] to match the logits below
            for (int it = 0; it < fit.Iterations; it++)
            {
                using var step = NewDisposeScope();
                opt.zero_grad();
                var logits = (a.mm(wp[0]) + wp[1]).reshape(n * m, classes); // [N·m, C]
                var ce = nn.functional.cross_entropy(logits, target, reduction: nn.Reduction.Sum) / n;
                var loss = ce + fit.L2 * wp[0].square().sum();
                loss.backward();
                opt.step();
            }
            using var _ = no_grad();
            var pred = (b.mm(wp[0]) + wp[1]).reshape(b.shape[0], m, classes).argmax(2).t().contiguous(); // [m, Ntest]
            var predCpu = pred.cpu();
            for (int k = 0; k < m; k++) result[g0 + k] = predCpu[k].data<long>().ToArray();
        }
        return result;
    }

    sealed class ThreadRestore(int threads, bool active) : IDisposable
    {
        public void Dispose() { if (active) set_num_threads(threads); }
    }
}
