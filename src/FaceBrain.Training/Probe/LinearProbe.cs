using TorchSharp;
using static TorchSharp.torch;

namespace FaceBrain.Training.Probe;

/// <summary>How the linear read-out is fitted: full-batch Adam on softmax cross-entropy with an L2 penalty.</summary>
public sealed record ProbeFit(int Iterations = 300, double Lr = 0.05, double L2 = 1e-3);

/// <summary>
/// The only trainable part of the transfer experiment: one linear layer (the new FC layer of the study) from
/// frozen features to classes. Features are z-scored with the training rows' mean and spread, so the
/// test rows never inform the fit.
/// </summary>
public static class LinearProbe
{
    /// <summary>Fits on (xTrain, yTrain) and returns predicted classes for xTest.</summary>
    public static long[] FitPredict(Tensor xTrain, long[] yTrain, Tensor xTest, int classes, ProbeFit fit, long seed)
    {
        using var scope = NewDisposeScope();
        var mean = xTrain.mean(new long[] { 0 }, keepdim: true);
        var std = xTrain.std(new long[] { 0 }, keepdim: true) + 1e-6;
        var a = (xTrain - mean) / std;
        var b = (xTest - mean) / std;
        var y = tensor(yTrain);
        random.manual_seed(seed);
        using var linear = nn.Linear(a.shape[1], classes);
        using var opt = optim.Adam(linear.parameters(), fit.Lr);
        for (int it = 0; it < fit.Iterations; it++)
        {
            using var step = NewDisposeScope();
            opt.zero_grad();
            var loss = nn.functional.cross_entropy(linear.call(a), y) + fit.L2 * linear.weight!.square().sum();
            loss.backward();
            opt.step();
        }
        using var _ = no_grad();
        return linear.call(b).argmax(1).data<long>().ToArray();
    }
}
