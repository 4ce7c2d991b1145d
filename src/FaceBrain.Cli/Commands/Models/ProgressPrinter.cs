using FaceBrain.Training.Loop;

namespace FaceBrain.Cli.Commands.Models;

/// <summary>
/// Training progress: a live line rewritten in place (epoch, step, loss, images/s, ETA) on a terminal,
/// plain lines otherwise (each tenth of an epoch), and one line per finished epoch in both cases.
/// </summary>
public sealed class ProgressPrinter
{
    readonly bool _live = !Console.IsOutputRedirected;

    public void Step(StepProgress p)
    {
        var line = $"epoch {p.Epoch}/{p.Epochs} step {p.Step}/{p.Steps} loss {p.Loss:F4} {p.ImagesPerSecond:F1} img/s ETA {p.Eta:hh\\:mm\\:ss}";
        if (_live) Console.Write("\r" + line.PadRight(80));
        else if (p.Step == p.Steps || p.Step % Math.Max(1, p.Steps / 10) == 0) Console.WriteLine(line);
    }

    public void Epoch(EpochMetrics m)
    {
        if (_live) Console.Write("\r".PadRight(81) + "\r");
        Console.WriteLine($"epoch {m.Epoch}: train loss {m.TrainLoss:F4}, train accuracy {m.TrainAccuracy:P1}, held-out accuracy {m.HeldoutAccuracy:P1}" +
                          (m.HeldoutAuc is double auc ? $", AUC {auc:F3}" : "") + $", lr {m.LearningRate:G3}, {m.ImagesPerSecond:F1} img/s");
    }
}
