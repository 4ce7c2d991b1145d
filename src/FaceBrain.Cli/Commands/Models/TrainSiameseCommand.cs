using System.ComponentModel;
using FaceBrain.Core.IO;
using FaceBrain.Core.Torch;
using FaceBrain.Data.Loading;
using FaceBrain.Models;
using FaceBrain.Training;
using FaceBrain.Training.Data;
using FaceBrain.Training.Loop;
using FaceBrain.Training.Siamese;
using Spectre.Console.Cli;

namespace FaceBrain.Cli.Commands.Models;

/// <summary>
/// <c>facebrain train siamese</c>: the verification network on balanced pairs, evaluated each epoch with the
/// LFW 10-fold protocol on pairs.txt (identities in those pairs are left out of training by default).
/// </summary>
public sealed class TrainSiameseCommand : Command<TrainSiameseCommand.Settings>
{
    public sealed class Settings : TrainSettings
    {
        [CommandOption("--pairs <N>")]
        [Description("Training pairs drawn per epoch, half same, half different (default 2000).")]
        public int Pairs { get; init; } = 2000;

        [CommandOption("--hard-negatives <FRACTION>")]
        [Description("From the second epoch, replace this share of the different pairs by hard negatives: the most alike of 16 random other-identity images under the current network (default 0).")]
        public double HardNegatives { get; init; }

        [CommandOption("--exclude <WHAT>")]
        [Description("What of the evaluation pairs training must not see: identities (default) or images.")]
        public string Exclude { get; init; } = "identities";

        [CommandOption("--eval <SPEC>")]
        [Description("Evaluation set with a pairs.txt (lfw:DIR), when it is not the --data set itself.")]
        public string? Eval { get; init; }

        public Settings() { Model = "siamese"; }
    }

    public override int Execute(CommandContext context, Settings s, CancellationToken cancellation)
    {
        var dataSpec = s.RequireData();
        var options = s.TrainerOptions();
        Trainer.Preflight(options);
        var device = DeviceSpec.Parse(s.Device).Resolve();
        var spec = s.ToSpec();
        if (spec.Kind != ModelKind.Siamese) throw new FaceBrain.Core.InputException("train siamese: --model must be siamese");
        bool byIdentity = s.Exclude.ToLowerInvariant() switch
        {
            "identities" => true,
            "images" => false,
            _ => throw new FaceBrain.Core.InputException($"--exclude {s.Exclude}: expected identities or images"),
        };
        var data = FaceData.Load(dataSpec);
        var evalSet = s.Eval != null ? FaceData.Load(s.Eval) : data;
        if (s.Eval != null && evalSet.Pairs == null) throw new FaceBrain.Core.InputException(s.Eval, "has no pairs.txt to evaluate verification on");
        var split = VerificationProtocol.Split(data, evalSet, byIdentity, s.Seed, dataSpec);
        if (split.DroppedIdentities > 0)
        {
            var line = $"train siamese: {split.DroppedIdentities} of {split.TrainingIdentities} training identities ({split.DroppedShare:P1}) left out because they appear in the evaluation pairs";
            // On the set's own pairs.txt that is the protocol; on a second set it means the two share names.
            if (s.Eval != null && split.DroppedShare > VerificationProtocol.SuspiciousDroppedShare)
                line += $"; warning: --eval {s.Eval} shares that many identity names with --data, so training lost them (different people with the same names, or the same people)";
            Console.Error.WriteLine(line);
        }
        string preset = s.Preset ?? spec.DefaultPreset;
        using var train = FaceData.Tensors(split.Train.Select(i => data.Stimuli[i]).ToArray(), Labels.Identity, spec.EffectiveInputSize, preset, dataSpec, s.Cache);
        using var eval = FaceData.Tensors(split.Eval.Select(i => evalSet.Stimuli[i]).ToArray(), Labels.Identity, spec.EffectiveInputSize, preset, s.Eval ?? dataSpec, s.Cache);
        Console.WriteLine($"train siamese: {train.Count} training images of {train.Classes.Count} identities; " +
                          $"{split.Pairs.Count} evaluation pairs in {split.Pairs.Select(p => p.Fold).Distinct().Count()} folds " +
                          $"({split.PairsSource}) on {device}");
        using var net = Network.Create(spec, device, s.Seed);
        var task = new SiameseTask(net, train, s.Pairs, eval, split.Pairs, s.Augmentation(), device, s.HardNegatives);
        var printer = new ProgressPrinter();
        var run = OutOfMemory.Guard(device, s.Batch, () => Trainer.Run(task, options, printer.Step, printer.Epoch, Interrupt.Token));
        var v = task.LastVerification!;
        JsonOutput.Write(Path.Combine(options.OutDir, "verification.json"), v);
        Console.WriteLine($"10-fold verification: accuracy {v.Accuracy:P2} ± {v.AccuracyStd:P2}, ROC AUC {v.Auc:F4} over {v.Pairs} pairs (chance 50%)");
        Console.WriteLine($"checkpoint: {run.Checkpoint}");
        return 0;
    }
}
