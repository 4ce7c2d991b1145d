using System.ComponentModel;
using System.Text.Json;
using FaceBrain.Cli.Commands.Models;
using FaceBrain.Core;
using FaceBrain.Core.IO;
using FaceBrain.Core.Torch;
using FaceBrain.Data.Images;
using FaceBrain.Data.Loading;
using FaceBrain.Extraction;
using FaceBrain.Models;
using FaceBrain.Models.Layers;
using FaceBrain.Models.Weights;
using Spectre.Console.Cli;
using TorchSharp;

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
        [Description("State dict (.pt/.pth/.safetensors) for --model, a TF.js manifest or folder, 'faceapi' (face-api's cached weights), or 'random' for a seeded, untrained control network.")]
        public string Weights { get; init; } = "";

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
        [Description("float32 (default) or float16 on disk.")]
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

        [CommandOption("--hdf5 <FILE>")]
        [Description("Also write the finished store as one HDF5 file.")]
        public string? Hdf5 { get; init; }
    }

    public override int Execute(CommandContext context, Settings s, CancellationToken cancellation)
    {
        if (s.Data.Length == 0) throw new InputException("--data is required (e.g. kdef:DIR or images:DIR)");
        if (s.Out.Length == 0) throw new InputException("--out is required");
        if (s.Weights.Length == 0) throw new InputException("--weights is required: a state dict file, or 'random' for an untrained control");
        if (s.Batch < 1) throw new InputException($"--batch must be positive, got {s.Batch}");
        if (s.Dtype is not ("float32" or "float16")) throw new InputException($"--dtype {s.Dtype}: expected float32 or float16");
        if (s.Resume && s.Overwrite) throw new InputException("--resume and --overwrite exclude each other");

        var spec = s.ToSpec();
        var device = DeviceSpec.Parse(s.Device).Resolve();
        int crop = s.Crop ?? spec.EffectiveInputSize;
        var preset = Presets.Parse(s.Preset ?? spec.DefaultPreset);
        var pipeline = new ImagePipeline(new PipelineOptions
        {
            Size = crop,
            ResizeTo = s.Resize,
            Preset = preset,
            DefaultCrop = FaceCrops.For(preset, DataSpec.Parse(s.Data).Kind),
        });

        var (stimuli, skipped) = LoadStimuli(s.Data, pipeline, s.SkipBad, StimulusFilter.Parse(s.Where));
        using var network = Network.Create(spec, device, seed: s.Seed);
        var weights = LoadWeights(network, s.Weights, spec);
        network.Module.eval();

        var catalogue = LayerCatalogue.Describe(network, device).ToDictionary(l => l.Name, l => l.OutputShape);
        var layers = ParseLayers(s.Layers, catalogue.Keys.ToList());
        var reductions = ParseReductions(s.Reduce, layers, s.Seed);
        foreach (var l in layers) reductions[l].OutputFeatures(l, catalogue[l]); // grid larger than a map, etc.

        (Func<int, int, torch.Tensor>, int)? fit = null;
        if (s.FitData is { } fitSpec)
        {
            var (fitStimuli, _) = LoadStimuli(fitSpec, pipeline, s.SkipBad, null);
            fit = (Loader(fitStimuli, pipeline), fitStimuli.Count);
        }

        var table = StimulusTable.FromStimuli(stimuli, s.Data);
        var manifest = new StoreManifest
        {
            Model = spec.Name,
            Weights = weights,
            Preprocessing = JsonSerializer.SerializeToElement(new
            {
                preset = pipeline.Options.Preset.Name(),
                resize = pipeline.Options.ResizeTo ?? crop,
                crop,
                width = spec.EffectiveWidth,
                input_size = spec.EffectiveInputSize,
                default_crop = pipeline.Options.DefaultCrop,
            }),
            Seed = s.Seed,
            Device = device.ToString(),
            BatchSize = s.Batch,
            Versions = new Dictionary<string, string>
            {
                ["facebrain"] = typeof(ExtractCommand).Assembly.GetName().Version?.ToString() ?? "",
                ["torchsharp"] = typeof(torch).Assembly.GetName().Version?.ToString() ?? "",
                ["dotnet"] = Environment.Version.ToString(),
            },
            Skipped = skipped,
        };
        using var writer = s.Resume ? ResumeChecked(s.Out, table) : ActivationStoreWriter.Create(s.Out, table, manifest, s.Overwrite);
        var options = new ExtractionOptions(layers, reductions, s.Batch, device, s.Dtype, fit);
        var progress = new ProgressLine("extract");
        Extractor.Run(network.Module, network.Forward, Loader(stimuli, pipeline), writer, options, manifest, progress);
        progress.Done();

        if (s.Hdf5 is { } h5) StoreHdf5.Export(s.Out, h5);
        Console.Error.WriteLine($"extract: {stimuli.Count} images × {layers.Count} layers -> {s.Out}");
        return 0;
    }

    static (IReadOnlyList<FaceBrain.Core.Domain.Stimulus>, IReadOnlyList<SkippedFile>) LoadStimuli(string spec, ImagePipeline pipeline, bool skipBad, StimulusFilter? filter)
    {
        var loaded = DataSpec.Load(spec);
        if (filter != null && loaded.Stimuli.Count > 0) loaded = filter.Apply(loaded, spec);
        if (loaded.Stimuli.Count == 0)
            throw new InputException(loaded.Root, "no usable images" + (loaded.Bad.Count > 0 ? $" ({loaded.Bad.Count} bad files; run 'facebrain data inspect')" : ""));
        if (!skipBad) return (loaded.RequireNoBad().Stimuli, []);
        // With --skip-bad every image is decoded once up front (in parallel batches), so the store's rows are
        // exactly the usable images.
        var skipped = loaded.Bad.Select(b => new SkippedFile(b.Path, b.Reason)).ToList();
        var sources = pipeline.Sources(loaded.Stimuli).ToList();
        const int chunk = 256;
        var buffer = new byte[chunk * pipeline.BytesPerImage];
        var badRows = new HashSet<int>();
        for (int start = 0; start < sources.Count; start += chunk)
            foreach (var b in pipeline.LoadPixelsBatch(sources.GetRange(start, Math.Min(chunk, sources.Count - start)), buffer, skipBad: true))
            {
                badRows.Add(start + b.Index);
                skipped.Add(new SkippedFile(b.Path, b.Reason));
            }
        var good = loaded.Stimuli.Where((_, i) => !badRows.Contains(i)).ToList();
        if (good.Count == 0) throw new InputException(loaded.Root, "no image could be decoded");
        return (good, skipped);
    }

    static Func<int, int, torch.Tensor> Loader(IReadOnlyList<FaceBrain.Core.Domain.Stimulus> stimuli, ImagePipeline pipeline)
    {
        var sources = pipeline.Sources(stimuli).ToList();
        return (start, count) =>
        {
            var buffer = new float[count * pipeline.ValuesPerImage];
            pipeline.LoadBatch(sources.GetRange(start, count), buffer);
            return torch.tensor(buffer).reshape(count, 3, pipeline.Size, pipeline.Size);
        };
    }

    static StoreWeights LoadWeights(Network network, string weights, ModelSpec spec)
    {
        var w = WeightSource.Load(network, weights, m => Console.Error.WriteLine(m));
        return new StoreWeights(w.Source, w.Path, w.Sha256) { Package = w.Package };
    }

    static ActivationStoreWriter ResumeChecked(string dir, StimulusTable table)
    {
        var writer = ActivationStoreWriter.Resume(dir);
        var stored = StimulusTable.Read(ActivationStoreWriter.StimuliPath(dir));
        if (!stored.Ids.SequenceEqual(table.Ids))
        {
            writer.Dispose();
            throw new InputException(ActivationStoreWriter.StimuliPath(dir), "the stimulus set differs from the one this store was started with; cannot resume");
        }
        return writer;
    }

    static List<string> ParseLayers(string text, IReadOnlyList<string> valid)
    {
        if (text.Trim().Length == 0) throw new InputException("--layers is required (names from 'facebrain models layers', or 'all')");
        if (text.Trim().Equals("all", StringComparison.OrdinalIgnoreCase)) return valid.ToList();
        var layers = text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).Distinct().ToList();
        foreach (var l in layers)
            if (!valid.Contains(l))
                throw new InputException($"--layers: unknown layer '{l}'. Valid layers: {string.Join(", ", valid)}");
        return layers;
    }

    static Dictionary<string, Reduction> ParseReductions(string text, IReadOnlyList<string> layers, long seed)
    {
        var overrides = new Dictionary<string, string>(StringComparer.Ordinal);
        string fallback = "gap";
        foreach (var part in text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            int eq = part.IndexOf('=');
            if (eq < 0) fallback = part;
            else
            {
                var layer = part[..eq];
                if (!layers.Contains(layer)) throw new InputException($"--reduce {part}: layer '{layer}' is not among --layers");
                overrides[layer] = part[(eq + 1)..];
            }
        }
        return layers.ToDictionary(l => l, l => Reduction.Parse(overrides.GetValueOrDefault(l, fallback), seed));
    }
}
