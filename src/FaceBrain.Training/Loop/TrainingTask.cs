using FaceBrain.Models;
using static TorchSharp.torch;

namespace FaceBrain.Training.Loop;

/// <summary>One training step's outcome: the loss to back-propagate, and how many of how many were right.</summary>
public sealed record StepResult(Tensor Loss, int Examples, int Correct);

/// <summary>Held-out performance after an epoch (AUC only for verification).</summary>
public sealed record EvalResult(double Accuracy, double? Auc = null, double? AccuracyStd = null);

/// <summary>
/// What the shared <see cref="Trainer"/> needs from a task (identity classification, Siamese verification):
/// the network, a seeded epoch set-up, a step that returns the loss, and a held-out evaluation.
/// </summary>
public interface ITrainingTask
{
    string Name { get; }
    Network Network { get; }
    IReadOnlyList<string> Classes { get; }
    /// <summary>The dtype and layout the network trains in (recorded in the checkpoint: a resume must use the same).</summary>
    NumericFormat Format => NumericFormat.Default;
    int StepsPerEpoch(int batch);
    /// <summary>Orders data and seeds augmentation for <paramref name="epoch"/> from (seed, epoch) alone, so a resumed run repeats it.</summary>
    void BeginEpoch(int epoch, long seed, int batch);
    StepResult Step(int step);
    EvalResult Evaluate();
}
