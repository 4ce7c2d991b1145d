using FaceBrain.Core.Torch;
using FaceBrain.Data.Loading;
using FaceBrain.Models;
using FaceBrain.Training;
using FaceBrain.Training.Data;
using FaceBrain.Training.Identity;
using FaceBrain.Training.Loop;
using Spectre.Console.Cli;
using System.ComponentModel;

namespace FaceBrain.Cli.Commands.Models;

/// <summary><c>facebrain train identity</c>: cross-entropy identity classification of a ResNet-50.</summary>
public sealed class TrainIdentityCommand : Command<TrainIdentityCommand.Settings>
{
    public sealed class Settings : TrainSettings
    {
        [CommandOption("--holdout <FRACTION>")]
        [Description("Share of each identity's images held out for accuracy per epoch (default 0.1).")]
        public double Holdout { get; init; } = 0.1;

        [CommandOption("--label-smoothing <E>")]
        [Description("Label smoothing of the cross-entropy (default 0).")]
        public double LabelSmoothing { get; init; }

        [CommandOption("--dtype <TYPE>")]
        [Description("fp32 (default) or bf16: pure bfloat16 weights, activations and SGD state (no autocast in TorchSharp); the loss on fp32 logits. The checkpoint holds bf16 weights, which load into fp32 networks for extraction and probes.")]
        public string Dtype { get; init; } = "fp32";

        [CommandOption("--channels-last")]
        [Description("Lay out inputs and conv weights channels-last (NHWC strides): faster convolutions on recent GPUs. A resume must use the same --dtype and layout.")]
        public bool ChannelsLast { get; init; }
    }

    public override int Execute(CommandContext context, Settings s, CancellationToken cancellation)
    {
        var dataSpec = s.RequireData();
        if (s.Holdout is < 0 or >= 1 || double.IsNaN(s.Holdout)) throw new FaceBrain.Core.InputException($"--holdout {s.Holdout}: must be in [0, 1)");
        var options = s.TrainerOptions();
        var format = new NumericFormat(MemoryLayout.ParsePrecision(s.Dtype), s.ChannelsLast);
        Trainer.Preflight(options);
        var device = DeviceSpec.Parse(s.Device).Resolve();
        var data = FaceData.Load(dataSpec);
        var identities = FaceData.Column(data.Stimuli, Labels.Identity, dataSpec).Distinct().Count();
        if (identities < 2) throw new FaceBrain.Core.InputException(dataSpec, $"{identities} identity: classification needs at least two");
        var given = s.ToSpec();
        if (given.Kind is not (ModelKind.ResNet50 or ModelKind.ResNet50VggFace2)) throw new FaceBrain.Core.InputException("train identity: --model must be resnet50 or resnet50-vggface2 (use 'train siamese' for the Siamese net)");
        if (s.Classes > 0 && s.Classes != identities)
            throw new FaceBrain.Core.InputException($"--classes {s.Classes}: the data has {identities} identities");
        var spec = given with { NumClasses = identities };
        using var all = FaceData.Tensors(data.Stimuli, Labels.Identity, spec.EffectiveInputSize, s.Preset ?? spec.DefaultPreset, dataSpec, s.Cache);
        var split = FaceBrain.Data.Splits.Stratified(all.LabelArray, s.Holdout, unchecked((int)s.Seed));
        using var train = all.Subset(split.Train);
        using var heldout = all.Subset(split.Test);
        Console.WriteLine($"train identity: {spec.Name} (width {spec.EffectiveWidth}, {spec.EffectiveInputSize} px) on {device}; " +
                          $"{identities} identities, {train.Count} training and {heldout.Count} held-out images" + (format.IsDefault ? "" : $"; {format.Name}"));
        using var net = Network.Create(spec, device, s.Seed);
        var task = new IdentityTask(net, train, heldout, s.Augmentation(), s.LabelSmoothing, device, format);
        var printer = new ProgressPrinter();
        var run = OutOfMemory.Guard(device, s.Batch, () => Trainer.Run(task, options, printer.Step, printer.Epoch, Interrupt.Token));
        Console.WriteLine($"checkpoint: {run.Checkpoint}");
        return 0;
    }
}
