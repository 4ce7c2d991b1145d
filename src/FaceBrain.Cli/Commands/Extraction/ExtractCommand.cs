using System.ComponentModel;
using FaceBrain.Cli.Commands.Models;
using FaceBrain.Core;
using FaceBrain.Core.Torch;
using FaceBrain.Extraction;
using FaceBrain.Training.Backbones;
using Spectre.Console.Cli;

namespace FaceBrain.Cli.Commands.Extraction;

/// <summary>
/// <c>facebrain extract</c>: activations of named layers of a network for a stimulus set, reduced per layer and
/// streamed into an activation store (docs/activation-store.md).
/// </summary>
public sealed class ExtractCommand : Command<ExtractCommand.Settings>
{
    public sealed class Settings : ModelSettings
    {
        [CommandOption("--weights <FILE>")]
        [Description("State dict (.pt/.pth/.safetensors) for --model (a ResNet head's classes are read from it unless --classes), a training checkpoint (.ckpt), a TF.js manifest or model folder, 'faceapi' (face-api's cached weights), or 'random' for a seeded, untrained control network.")]
        public string Weights { get; init; } = "";

        [CommandOption("--backbone <CHECKPOINT>")]
        [Description("A training run's checkpoint.ckpt: architecture, width, input size, classes and weights from it (instead of --model/--weights).")]
        public string? Backbone { get; init; }

        [CommandOption("--data <SPEC>")]
        [Description("kdef:DIR, lfw:DIR, vggface2:DIR, manifest:FILE or images:DIR (a plain folder of images).")]
        public string Data { get; init; } = "";

        [CommandOption("--where <COLUMN=VALUES>")]
        [Description("Keep only matching images, e.g. angle=S (KDEF frontal); repeatable, all must match.")]
        public string[]? Where { get; init; }

        [CommandOption("--layers <LIST>")]
        [Description("Comma-separated layer names (see 'models layers'), or 'all'.")]
        public string Layers { get; init; } = "";

        [CommandOption("--reduce <SPEC>")]
        [Description("none | gap | grid:K | rp:D | pca:D for every layer, plus LAYER=SPEC overrides: 'gap,conv1=grid:4'. Default gap.")]
        public string Reduce { get; init; } = "gap";

        [CommandOption("--fit-data <SPEC>")]
        [Description("pca:D only: fit the PCA on this set instead of the stimulus set.")]
        public string? FitData { get; init; }

        [CommandOption("--dtype <TYPE>")]
        [Description("float32 (default), float16 or float64 on disk.")]
        public string Dtype { get; init; } = "float32";

        [CommandOption("--preset <NAME>")]
        [Description("vggface2-caffe, imagenet, unit or faceapi (default: the model's).")]
        public string? Preset { get; init; }

        [CommandOption("--resize <PX>")]
        [Description("Resize the shorter side to PX before the centre crop (default: the crop size).")]
        public int? Resize { get; init; }

        [CommandOption("--crop <PX>")]
        [Description("Centre-crop size (default: the model's input size).")]
        public int? Crop { get; init; }

        [CommandOption("--batch <N>")]
        [Description("Images per forward pass (default 32).")]
        public int Batch { get; init; } = 32;

        [CommandOption("--device <DEVICE>")]
        [Description("auto, cpu, cuda or cuda:N.")]
        public string Device { get; init; } = "auto";

        [CommandOption("--seed <S>")]
        [Description("Seed of random weights and of rp:D projections (default 0).")]
        public long Seed { get; init; }

        [CommandOption("--out <DIR>")]
        [Description("Store folder to create.")]
        public string Out { get; init; } = "";

        [CommandOption("--overwrite")]
        [Description("Replace an existing store.")]
        public bool Overwrite { get; init; }

        [CommandOption("--resume")]
        [Description("Continue an interrupted store from its last complete batch.")]
        public bool Resume { get; init; }

        [CommandOption("--skip-bad")]
        [Description("Leave out files that cannot be used (listed in the manifest) instead of stopping.")]
        public bool SkipBad { get; init; }

        [CommandOption("--cache <DIR>")]
        [Description("Keep decoded images in DIR (built on first use, reused while the files are unchanged).")]
        public string? Cache { get; init; }

        [CommandOption("--hdf5 <FILE>")]
        [Description("Also write the finished store as one HDF5 file.")]
        public string? Hdf5 { get; init; }
    }

    public override int Execute(CommandContext context, Settings s, CancellationToken cancellation)
    {
        if (s.Data.Length == 0) throw new InputException("--data is required (e.g. kdef:DIR or images:DIR)");
        if (s.Out.Length == 0) throw new InputException("--out is required");
        if (s.Backbone != null && s.Weights.Length > 0) throw new InputException("give --backbone CHECKPOINT or --weights, not both");
        if (s.Backbone == null && s.Weights.Length == 0) throw new InputException("--weights is required: a state dict file, a .ckpt checkpoint, or 'random' for an untrained control");
        if (s.Resume && s.Overwrite) throw new InputException("--resume and --overwrite exclude each other");

        var request = new ExtractionRequest
        {
            Data = s.Data,
            Where = s.Where ?? [],
            Model = s.ToSpec(),
            Weights = s.Backbone != null ? new WeightsSource.Checkpoint(s.Backbone) : WeightsSource.Parse(s.Weights),
            Layers = ExtractionRequest.ParseLayers(s.Layers),
            Reductions = ReductionPlan.Parse(s.Reduce),
            FitData = s.FitData,
            Dtype = s.Dtype,
            Preset = s.Preset,
            Resize = s.Resize,
            Crop = s.Crop,
            Batch = s.Batch,
            Device = DeviceSpec.Parse(s.Device).Resolve(),
            Seed = s.Seed,
            Out = s.Out,
            Mode = s.Resume ? OutputMode.Resume : s.Overwrite ? OutputMode.Overwrite : OutputMode.New,
            SkipBad = s.SkipBad,
            Cache = s.Cache,
            Hdf5 = s.Hdf5,
        };
        var progress = new ProgressLine("extract");
        var result = FaceBrain.Extraction.Extraction.Run(request, progress, Interrupt.Token);
        progress.Done();
        Console.Error.WriteLine($"extract: {result.Rows} images × {result.Layers.Count} layers -> {result.Out}");
        return 0;
    }
}
