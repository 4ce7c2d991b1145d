using System.ComponentModel;
using FaceBrain.Training;
using FaceBrain.Training.Loop;
using FaceBrain.Training.Optim;
using Spectre.Console.Cli;

namespace FaceBrain.Cli.Commands.Models;

/// <summary>Options shared by <c>train identity</c> and <c>train siamese</c>.</summary>
public class TrainSettings : ModelSettings
{
    [CommandOption("--data <SPEC>")]
    [Description("Training images: vggface2:DIR, manifest:FILE, lfw:DIR, kdef:DIR or images:DIR.")]
    public string? Data { get; init; }

    [CommandOption("--out <DIR>")]
    [Description("Run folder: checkpoint.ckpt, metrics.tsv, metrics.json (created if missing).")]
    public string? Out { get; init; }

    [CommandOption("--epochs <N>")] [Description("Epochs (default 10).")] public int Epochs { get; init; } = 10;
    [CommandOption("--batch <N>")] [Description("Batch size (default 32).")] public int Batch { get; init; } = 32;
    [CommandOption("--optimizer <NAME>")] [Description("sgd (default, with momentum) or adamw.")] public string Optimizer { get; init; } = "sgd";
    [CommandOption("--lr <LR>")] [Description("Base learning rate (default 0.01).")] public double Lr { get; init; } = 0.01;
    [CommandOption("--momentum <M>")] [Description("SGD momentum (default 0.9).")] public double Momentum { get; init; } = 0.9;
    [CommandOption("--weight-decay <WD>")] [Description("Weight decay (default 1e-4).")] public double WeightDecay { get; init; } = 1e-4;
    [CommandOption("--schedule <NAME>")] [Description("constant, step or cosine (default).")] public string Schedule { get; init; } = "cosine";
    [CommandOption("--warmup-epochs <N>")] [Description("Linear warm-up epochs (default 0).")] public int WarmupEpochs { get; init; }
    [CommandOption("--step-every <N>")] [Description("Step schedule: decay every N epochs (default 10).")] public int StepEvery { get; init; } = 10;
    [CommandOption("--gamma <G>")] [Description("Step schedule: decay factor (default 0.1).")] public double Gamma { get; init; } = 0.1;
    [CommandOption("--crop-pad <PX>")] [Description("Augmentation: random crop after padding by PX (default 0: off).")] public int CropPad { get; init; }
    [CommandOption("--flip")] [Description("Augmentation: random horizontal flips.")] public bool Flip { get; init; }
    [CommandOption("--jitter <J>")] [Description("Augmentation: colour jitter strength in [[0, 1) (default 0).")] public double Jitter { get; init; }
    [CommandOption("--seed <N>")] [Description("Fixes initialisation, data order and augmentation (default 1).")] public long Seed { get; init; } = 1;
    [CommandOption("--resume")] [Description("Continue the run in --out from its checkpoint.")] public bool Resume { get; init; }
    [CommandOption("--preset <NAME>")] [Description("Preprocessing preset (default: the model's: vggface2-caffe, imagenet or unit).")] public string? Preset { get; init; }
    [CommandOption("--device <DEVICE>")] [Description("auto (default), cpu, cuda or cuda:N.")] public string Device { get; init; } = "auto";
    [CommandOption("--cache <DIR>")] [Description("Keep decoded images in DIR (built on first use, reused while the files are unchanged).")] public string? Cache { get; init; }

    public string RequireData() => Data ?? throw new FaceBrain.Core.InputException("--data is required (e.g. --data vggface2:DIR)");
    public string RequireOut() => Out ?? throw new FaceBrain.Core.InputException("--out DIR is required (the run folder)");

    public Augmentation Augmentation()
    {
        if (CropPad < 0) throw new FaceBrain.Core.InputException($"--crop-pad {CropPad}: must be 0 or more");
        if (Jitter is < 0 or >= 1) throw new FaceBrain.Core.InputException($"--jitter {Jitter}: must be in [0, 1)");
        return new(CropPad, Flip, Jitter);
    }

    public TrainerOptions TrainerOptions() => new(
        Epochs, Batch, new OptimizerSpec(OptimizerSpec.Parse(Optimizer), Lr, Momentum, WeightDecay),
        FaceBrain.Training.Optim.Schedule.Parse(Schedule), Seed, RequireOut(), Resume, WarmupEpochs, StepEvery, Gamma);
}
