using System.Diagnostics;
using System.Text.Json;
using FaceBrain.Core.IO;
using FaceBrain.Training.Checkpoints;
using FaceBrain.Training.Optim;
using TorchSharp;
using static TorchSharp.torch;

namespace FaceBrain.Training.Loop;

/// <summary>Settings shared by every training task. Warm-up and step decay are given in epochs.</summary>
public sealed record TrainerOptions(
    int Epochs, int Batch, OptimizerSpec Optimizer, ScheduleKind Schedule, long Seed, string OutDir,
    bool Resume = false, int WarmupEpochs = 0, int StepEveryEpochs = 10, double StepGamma = 0.1);

/// <summary>Progress of one step, for a live bar or a log line.</summary>
public sealed record StepProgress(int Epoch, int Epochs, int Step, int Steps, double Loss, double ImagesPerSecond, TimeSpan Eta);

/// <summary>The outcome of a run.</summary>
public sealed record TrainingRun(string Checkpoint, IReadOnlyList<EpochMetrics> Metrics, int FirstEpochRun);

/// <summary>
/// The epoch loop shared by identity and Siamese training: learning-rate schedule by global step, a NaN/inf
/// guard, held-out evaluation, metrics (TSV + JSON) and an atomic checkpoint after every epoch, and resume.
/// </summary>
public static class Trainer
{
    public const string CheckpointName = "checkpoint.ckpt";

    /// <param name="cancel">Checked between steps: a stop keeps the last epoch's checkpoint (resume with --resume) and throws OperationCanceledException.</param>
    public static TrainingRun Run(ITrainingTask task, TrainerOptions o, Action<StepProgress>? progress = null, Action<EpochMetrics>? epochDone = null,
                                  CancellationToken cancel = default)
    {
        Preflight(o);
        var ckpt = Path.Combine(o.OutDir, CheckpointName);
        var model = task.Network.Module;
        using var optimizer = o.Optimizer.Create(model.parameters());
        int steps = task.StepsPerEpoch(o.Batch);
        if (steps < 1) throw new InputException($"`batch` {o.Batch}: larger than the training set");
        var schedule = new Schedule(o.Schedule, o.Optimizer.Lr, steps * o.Epochs, o.WarmupEpochs * steps, o.StepEveryEpochs * steps, o.StepGamma);
        // The run folder appears only now that the settings are known to be usable, and is locked against a
        // second run; a run that fails before its first checkpoint removes a folder it created.
        bool created = !Directory.Exists(o.OutDir);
        OutputException.Guard(o.OutDir, () => { Directory.CreateDirectory(o.OutDir); });
        FolderLock folderLock;
        try { folderLock = FolderLock.Acquire(o.OutDir); }
        catch { if (created) TryRemove(o.OutDir); throw; }
        using (folderLock)
        {
            try
            {
                return Loop(task, o, progress, epochDone, ckpt, model, optimizer, steps, schedule, cancel);
            }
            catch when (created && !File.Exists(ckpt))
            {
                folderLock.Dispose();
                TryRemove(o.OutDir);
                throw;
            }
        }
    }

    /// <summary>
    /// The checks of a run's settings and output folder that need no data: callers run it before they decode
    /// images, so a bad --out or a checkpoint in the way is refused at once, not after minutes of loading.
    /// </summary>
    public static void Preflight(TrainerOptions o)
    {
        if (o.Epochs < 1) throw new InputException($"`epochs` {o.Epochs}: must be at least 1");
        if (o.Batch < 2) throw new InputException($"`batch` {o.Batch}: must be at least 2 (batch norm needs two examples)");
        OutputTarget.RequireFolder(o.OutDir);
        var ckpt = Path.Combine(o.OutDir, CheckpointName);
        if (o.Resume && !File.Exists(ckpt)) throw new InputException(ckpt, "checkpoint not found; nothing to resume");
        if (!o.Resume && File.Exists(ckpt))
            throw new InputException(ckpt, "already exists: pass `resume` to continue that run, or choose another `out`");
    }

    static void TryRemove(string dir)
    {
        try { Directory.Delete(dir, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }

    static TrainingRun Loop(ITrainingTask task, TrainerOptions o, Action<StepProgress>? progress, Action<EpochMetrics>? epochDone,
        string ckpt, nn.Module model, optim.Optimizer optimizer, int steps, Schedule schedule, CancellationToken cancel)
    {

        int start = 1;
        var metrics = new List<EpochMetrics>();
        if (o.Resume)
        {
            var info = Checkpoint.Restore(ckpt, model, optimizer);
            if (info.Task != task.Name) throw new InputException(ckpt, $"is a {info.Task} checkpoint, not {task.Name}");
            if (info.Model != task.Network.Spec) throw new InputException(ckpt, $"was trained with model {Describe(info.Model)}, not {Describe(task.Network.Spec)}");
            if (info.Seed != o.Seed) throw new InputException(ckpt, $"was trained with `seed` {info.Seed}, not {o.Seed}");
            if (info.OptionsJson != OptionsJson(o, task.Format)) throw new InputException(ckpt, "was trained with other options (epochs, batch, optimizer, schedule, dtype or layout); resume with the same ones");
            start = info.Epoch + 1;
            metrics = MetricsLog.Read(o.OutDir).Where(m => m.Epoch <= info.Epoch).ToList();
        }

        long globalStep = (long)(start - 1) * steps;
        int? lastGood = start > 1 ? start - 1 : null;
        for (int epoch = start; epoch <= o.Epochs; epoch++)
        {
            model.train();
            task.BeginEpoch(epoch, o.Seed, o.Batch);
            double lossSum = 0;
            long examples = 0, correct = 0;
            var sw = Stopwatch.StartNew();
            double lr = schedule.At(globalStep);
            for (int s = 0; s < steps; s++)
            {
                cancel.ThrowIfCancellationRequested();
                lr = schedule.At(globalStep);
                OptimizerSpec.SetLr(optimizer, lr);
                using var scope = NewDisposeScope();
                optimizer.zero_grad();
                var r = task.Step(s);
                double loss = r.Loss.item<float>();
                if (!double.IsFinite(loss))
                    throw new DivergedException(
                        $"training stopped: the loss became {loss} at epoch {epoch}, step {s + 1} (learning rate {lr:G3}); " +
                        (lastGood is int g ? $"the last good checkpoint (epoch {g}) is kept at {ckpt}" : "no epoch had finished, so there is no checkpoint") +
                        "; try a lower `lr`");
                r.Loss.backward();
                optimizer.step();
                globalStep++;
                lossSum += loss * r.Examples;
                examples += r.Examples;
                correct += r.Correct;
                if (progress != null)
                {
                    double ips = examples / Math.Max(1e-9, sw.Elapsed.TotalSeconds);
                    double left = (steps - s - 1 + (double)(o.Epochs - epoch) * steps) * sw.Elapsed.TotalSeconds / (s + 1);
                    progress(new StepProgress(epoch, o.Epochs, s + 1, steps, loss, ips, TimeSpan.FromSeconds(left)));
                }
            }
            double seconds = sw.Elapsed.TotalSeconds;
            model.eval();
            var eval = task.Evaluate();
            var m = new EpochMetrics(epoch, lossSum / Math.Max(1, examples), (double)correct / Math.Max(1, examples),
                eval.Accuracy, eval.Auc, lr, seconds, examples / Math.Max(1e-9, seconds));
            metrics.Add(m);
            Checkpoint.Write(ckpt, new CheckpointInfo(task.Name, epoch, globalStep, o.Seed, task.Network.Spec, task.Classes, OptionsJson(o, task.Format)), model, optimizer);
            MetricsLog.Write(o.OutDir, metrics);
            lastGood = epoch;
            epochDone?.Invoke(m);
        }
        return new TrainingRun(ckpt, metrics, start);
    }

    /// <summary>
    /// The options that must match for a resume to continue the same run. fp32 NCHW adds nothing, so checkpoints
    /// written before the format existed still resume.
    /// </summary>
    static string OptionsJson(TrainerOptions o, NumericFormat format)
    {
        var shape = new { o.Epochs, o.Batch, o.Optimizer, Schedule = o.Schedule.ToString(), o.WarmupEpochs, o.StepEveryEpochs, o.StepGamma };
        if (format.IsDefault) return JsonSerializer.Serialize(shape);
        var node = JsonSerializer.SerializeToNode(shape)!.AsObject();
        node["Dtype"] = format.Precision.ToString().ToLowerInvariant();
        node["ChannelsLast"] = format.ChannelsLast;
        return node.ToJsonString();
    }

    static string Describe(FaceBrain.Models.ModelSpec s) => $"{s.Name} width {s.EffectiveWidth} input {s.EffectiveInputSize} classes {s.EffectiveClasses}";
}
