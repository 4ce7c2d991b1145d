using FaceBrain.Core;
using FaceBrain.Core.Store;
using FaceBrain.Models;
using FaceBrain.Training.Backbones;
using TorchSharp;

namespace FaceBrain.Extraction;

/// <summary>What to do with an output folder that already holds something.</summary>
public enum OutputMode { New, Overwrite, Resume }

/// <summary>
/// Everything one extraction needs, typed: the stimulus set (a data spec and optional filter terms), the network
/// and its weights, the layers and their reductions, preprocessing, batch, device, seed and the output.
/// </summary>
public sealed record ExtractionRequest
{
    /// <summary>kdef:DIR, lfw:DIR, vggface2:DIR, manifest:FILE or images:DIR.</summary>
    public required string Data { get; init; }
    /// <summary>COLUMN=VALUES terms that every kept stimulus matches (none: keep all).</summary>
    public IReadOnlyList<string> Where { get; init; } = [];
    public required ModelSpec Model { get; init; }
    public required WeightsSource Weights { get; init; }
    /// <summary>Layer names as in named_modules(); null for every layer of the network.</summary>
    public IReadOnlyList<string>? Layers { get; init; }
    public ReductionPlan Reductions { get; init; } = ReductionPlan.Gap;
    /// <summary>pca:D only: the set the PCA is fitted on (null: the stimulus set).</summary>
    public string? FitData { get; init; }
    /// <summary>On-disk element type: one of <see cref="StoreManifest.Dtypes"/>.</summary>
    public string Dtype { get; init; } = "float32";
    /// <summary>Preprocessing preset name (null: the model's).</summary>
    public string? Preset { get; init; }
    public int? Resize { get; init; }
    public int? Crop { get; init; }
    public int Batch { get; init; } = 32;
    public torch.Device Device { get; init; } = torch.CPU;
    public long Seed { get; init; }
    public required string Out { get; init; }
    public OutputMode Mode { get; init; } = OutputMode.New;
    /// <summary>Leave unusable images out (listed in the manifest) instead of stopping.</summary>
    public bool SkipBad { get; init; }
    /// <summary>A folder for the decoded-image cache (null: decode per batch).</summary>
    public string? Cache { get; init; }
    /// <summary>Also export the finished store as one HDF5 file.</summary>
    public string? Hdf5 { get; init; }

    /// <summary>"all" or a comma-separated list of layer names (null for all).</summary>
    public static IReadOnlyList<string>? ParseLayers(string text)
    {
        if (text.Trim().Length == 0) throw new InputException("`layers` is required (names from 'facebrain models layers', or 'all')");
        if (text.Trim().Equals("all", StringComparison.OrdinalIgnoreCase)) return null;
        return text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).Distinct().ToList();
    }
}

/// <summary>What a finished extraction wrote.</summary>
public sealed record ExtractionResult(string Out, int Rows, IReadOnlyList<string> Layers, IReadOnlyList<SkippedFile> Skipped, bool Resumed);
