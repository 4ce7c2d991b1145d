using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using FaceBrain.Core;
using FaceBrain.Core.Domain;
using FaceBrain.Core.IO;
using FaceBrain.Core.Store;
using FaceBrain.Data.Images;
using FaceBrain.Data.Loading;
using FaceBrain.Models.Layers;
using FaceBrain.Training.Backbones;
using TorchSharp;

namespace FaceBrain.Extraction;

/// <summary>
/// One extraction from a typed request: everything is validated (outputs included) before any work, the images
/// come from the one batch source (<see cref="FaceImages"/>), and the store is written by Core's writer. A resume
/// is refused when anything that determines the bytes differs (<see cref="ExtractionFingerprint"/>). A run that
/// fails before its first batch is written leaves nothing; one that fails later leaves a resumable store.
/// </summary>
public static class Extraction
{
    public static ExtractionResult Run(ExtractionRequest r, IProgress<ExtractionProgress>? progress = null, CancellationToken cancel = default)
    {
        if (r.Batch < 1) throw new InputException($"`batch` must be positive, got {r.Batch}");
        if (!StoreManifest.Dtypes.Contains(r.Dtype)) throw new InputException($"`dtype` {r.Dtype}: expected one of {string.Join(", ", StoreManifest.Dtypes)}");
        if (r.Out.Length == 0) throw new InputException("`out` is required");
        OutputTarget.RequireFolder(r.Out);
        if (r.Hdf5 is { } h5) OutputTarget.RequireFile(h5);
        if (r.Mode == OutputMode.Resume && !Directory.Exists(r.Out)) throw new InputException(r.Out, "store folder not found; nothing to resume");
        if (r.Mode == OutputMode.New && Directory.Exists(r.Out) && Directory.EnumerateFileSystemEntries(r.Out).Any(p => !FolderLock.IsLockFile(Path.GetFileName(p))))
            throw new InputException(r.Out, "output folder exists; pass `overwrite` to replace it or `resume` to continue it");

        var spec = Backbone.SpecOf(r.Weights, r.Model);
        int crop = r.Crop ?? spec.EffectiveInputSize;
        var preset = Presets.Parse(r.Preset ?? spec.DefaultPreset);
        var pipeline = new ImagePipeline(new PipelineOptions
        {
            Size = crop,
            ResizeTo = r.Resize,
            Preset = preset,
            DefaultCrop = FaceCrops.For(preset, DataSpec.Parse(r.Data).Kind), // face-tight crops for the faceapi preset
        });
        var loaded = LoadStimuli(r.Data, r.SkipBad, StimulusFilter.Parse(r.Where));
        using var opened = Backbone.Open(r.Weights, spec, r.Device, r.Seed);
        var network = opened.Network;
        network.Module.eval();

        var catalogue = LayerCatalogue.Describe(network, r.Device).ToDictionary(l => l.Name, l => l.OutputShape);
        var layers = r.Layers?.ToList() ?? catalogue.Keys.ToList();
        foreach (var l in layers)
            if (!catalogue.ContainsKey(l))
                throw new InputException($"`layers`: unknown layer '{l}'. Valid layers: {string.Join(", ", catalogue.Keys)}");
        var reductions = r.Reductions.For(layers, r.Seed);
        foreach (var l in layers) reductions[l].OutputFeatures(l, catalogue[l]); // grid larger than a map, etc.

        LoadResult? fitLoaded = r.FitData is { } fitSpec ? LoadStimuli(fitSpec, r.SkipBad, null) : null;
        using var images = FaceImages.Open(loaded.Stimuli, pipeline, r.Cache, r.SkipBad);
        if (images.Count == 0) throw new InputException(loaded.Root, "no image could be decoded");
        using var fitImages = fitLoaded is null ? null : FaceImages.Open(fitLoaded.Stimuli, pipeline, r.Cache, r.SkipBad);
        int fitCount = fitImages?.Count ?? images.Count;
        foreach (var (l, red) in reductions)
            if (red is Reduction.Pca p && p.Components > fitCount)
                throw new InputException($"`reduce` pca:{p.Components}: layer '{l}' would be fitted on {fitCount} images; need at least {p.Components}");

        var skipped = loaded.Bad.Select(b => new SkippedFile(b.Path, b.Reason))
            .Concat(images.Bad.Select(b => new SkippedFile(b.Path, b.Reason))).ToList();
        var table = StimulusTable.FromStimuli(images.Stimuli, r.Data);
        var fingerprint = ExtractionFingerprint.Of(r, spec, opened.Weights, pipeline, layers, reductions, images.Stimuli, fitImages?.Stimuli);
        var manifest = new StoreManifest
        {
            Model = spec.Name,
            Weights = opened.Weights,
            Preprocessing = JsonSerializer.SerializeToElement(new
            {
                preset = pipeline.Options.Preset.Name(),
                resize = pipeline.Options.ResizeTo ?? crop,
                crop,
                width = spec.EffectiveWidth,
                input_size = spec.EffectiveInputSize,
                default_crop = pipeline.Options.DefaultCrop,
            }),
            Seed = r.Seed,
            Device = r.Device.ToString(),
            BatchSize = r.Batch,
            Versions = new Dictionary<string, string>
            {
                ["facebrain"] = typeof(Extraction).Assembly.GetName().Version?.ToString() ?? "",
                ["torchsharp"] = typeof(torch).Assembly.GetName().Version?.ToString() ?? "",
                ["dotnet"] = Environment.Version.ToString(),
            },
            Skipped = skipped,
            Fingerprint = fingerprint,
        };

        bool resumed = r.Mode == OutputMode.Resume;
        using var writer = resumed ? ResumeChecked(r.Out, table, fingerprint) : ActivationStoreWriter.Create(r.Out, table, manifest, r.Mode == OutputMode.Overwrite);
        var options = new ExtractionOptions(layers, reductions, r.Batch, r.Device, r.Dtype,
            fitImages is null ? null : (fitImages.Batch, fitImages.Count));
        try
        {
            Extractor.Run(network.Module, network.Forward, images.Batch, writer, options, manifest, progress, cancel);
        }
        catch when (!resumed && writer.RowsDone == 0)
        {
            writer.Discard(); // nothing was computed: leave nothing behind, so a rerun is not blocked
            throw;
        }
        if (r.Hdf5 is { } hdf5) StoreHdf5.Export(r.Out, hdf5);
        return new ExtractionResult(r.Out, images.Count, layers, skipped, resumed);
    }

    static LoadResult LoadStimuli(string spec, bool skipBad, StimulusFilter? filter)
    {
        var loaded = DataSpec.Load(spec);
        if (filter != null && loaded.Stimuli.Count > 0) loaded = filter.Apply(loaded, spec);
        if (loaded.Stimuli.Count == 0)
            throw new InputException(loaded.Root, "no usable images" + (loaded.Bad.Count > 0 ? $" ({loaded.Bad.Count} bad files; run 'facebrain data inspect')" : ""));
        return skipBad ? loaded : loaded.RequireNoBad();
    }

    /// <summary>Reopens an interrupted store, refusing another stimulus set or any setting that changes the bytes.</summary>
    static ActivationStoreWriter ResumeChecked(string dir, StimulusTable table, IReadOnlyDictionary<string, string> fingerprint)
    {
        var writer = ActivationStoreWriter.Resume(dir);
        try
        {
            var manifestPath = ActivationStoreWriter.ManifestPath(dir);
            if (writer.Manifest.Fingerprint is not { } stored)
                throw new InputException(manifestPath, "the store records no settings fingerprint (written by an older FaceBrain), so a resume cannot be checked; extract again with `overwrite`");
            var stimuliPath = ActivationStoreWriter.StimuliPath(dir);
            var storedTable = StimulusTable.Read(stimuliPath);
            if (!storedTable.Ids.SequenceEqual(table.Ids))
                throw new InputException(stimuliPath, "the stimulus set differs from the one this store was started with; cannot resume");
            var differences = StoreManifest.Differences(stored, fingerprint);
            if (differences.Count > 0)
                throw new InputException(manifestPath, $"cannot resume: settings differ from the interrupted run: {string.Join("; ", differences)}");
            return writer;
        }
        catch
        {
            writer.Dispose();
            throw;
        }
    }
}

/// <summary>
/// Everything that determines a store's bytes, as setting name → value: network (architecture, width, input size,
/// classes, weights hash), layers and their reductions (with the seed their projections are drawn from and the
/// PCA fit set), preprocessing, dtype, batch, device and the stimulus set (ids and paths).
/// </summary>
public static class ExtractionFingerprint
{
    public static IReadOnlyDictionary<string, string> Of(ExtractionRequest r, FaceBrain.Models.ModelSpec spec, StoreWeights weights,
        ImagePipeline pipeline, IReadOnlyList<string> layers, IReadOnlyDictionary<string, Reduction> reductions,
        IReadOnlyList<Stimulus> stimuli, IReadOnlyList<Stimulus>? fit) => new SortedDictionary<string, string>(StringComparer.Ordinal)
    {
        ["model"] = spec.Name,
        ["width"] = spec.EffectiveWidth.ToString(),
        ["input_size"] = spec.EffectiveInputSize.ToString(),
        ["classes"] = spec.Kind == FaceBrain.Models.ModelKind.Siamese ? $"embedding {spec.EmbeddingDim}, blocks {spec.SiameseBlocks}" : spec.EffectiveClasses.ToString(),
        ["weights"] = weights.Sha256 is { } sha ? $"{weights.Source} sha256 {sha}" : weights.Source,
        ["seed"] = r.Seed.ToString(),
        ["layers"] = string.Join(",", layers),
        ["reduce"] = string.Join(",", layers.Select(l => $"{l}={reductions[l].Spec}")),
        ["fit_data"] = fit is null ? "stimulus set" : Hash(fit),
        ["preset"] = pipeline.Options.Preset.Name(),
        ["resize"] = pipeline.Options.Shorter.ToString(),
        ["crop"] = pipeline.Size.ToString(),
        ["dtype"] = r.Dtype,
        ["batch"] = r.Batch.ToString(),
        ["device"] = r.Device.type.ToString(),
        ["stimuli"] = Hash(stimuli),
    };

    static string Hash(IReadOnlyList<Stimulus> stimuli)
    {
        var text = new StringBuilder();
        foreach (var s in stimuli) text.Append(s.Id).Append('\t').Append(s.Path).Append('\n');
        return $"{stimuli.Count} images, sha256 {Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text.ToString())))[..16]}";
    }
}
