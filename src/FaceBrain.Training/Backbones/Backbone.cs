using System.Security.Cryptography;
using FaceBrain.Core;
using FaceBrain.Core.Store;
using FaceBrain.Models;
using FaceBrain.Models.Layers;
using FaceBrain.Models.FaceApi;
using FaceBrain.Models.Weights;
using FaceBrain.Models.Weights.Tfjs;
using FaceBrain.Training.Checkpoints;
using TorchSharp;

namespace FaceBrain.Training.Backbones;

/// <summary>
/// Where a network's weights come from: a training checkpoint (architecture, width, input size and classes from
/// the checkpoint), a state-dict file (a ResNet head's classes read from the file unless given), a TF.js manifest
/// (or a folder holding the model's manifest), face-api's cached package, or random initialisation from a seed.
/// </summary>
public abstract record WeightsSource
{
    public sealed record Checkpoint(string Path) : WeightsSource;
    public sealed record File(string Path) : WeightsSource;
    /// <summary>A TF.js weights manifest (<c>*.json</c>), or a folder holding the model's manifest (face-api's file names).</summary>
    public sealed record Tfjs(string Path) : WeightsSource;
    /// <summary>face-api's networks from the verified package cache, fetched with npm once when missing.</summary>
    public sealed record FaceApi : WeightsSource;
    public sealed record Random : WeightsSource;

    /// <summary>"random", "faceapi", a <c>.ckpt</c> training checkpoint, a TF.js manifest or model folder, or a state dict (.pt/.pth/.bin/.safetensors).</summary>
    public static WeightsSource Parse(string text)
    {
        if (text.Length == 0) throw new InputException("weights: expected a state dict file, a .ckpt checkpoint or 'random'");
        if (string.Equals(text, "random", StringComparison.OrdinalIgnoreCase)) return new Random();
        if (string.Equals(text, "faceapi", StringComparison.OrdinalIgnoreCase)) return new FaceApi();
        if (text.EndsWith(".json", StringComparison.OrdinalIgnoreCase) || Directory.Exists(text)) return new Tfjs(text);
        if (text.EndsWith(".ckpt", StringComparison.OrdinalIgnoreCase)) return new Checkpoint(text);
        StateDictFile.FormatOf(text); // an unknown extension is refused before any work
        return new File(text);
    }
}

/// <summary>A built, weighted network, what it is, and the provenance a store or result records.</summary>
public sealed record OpenedBackbone(Network Network, string Description, StoreWeights Weights) : IDisposable
{
    public void Dispose() => Network.Dispose();
}

public static class Backbone
{
    /// <summary>
    /// Builds <paramref name="spec"/> (or the checkpoint's own spec) on <paramref name="device"/> and loads
    /// <paramref name="source"/> all-or-nothing; random weights are drawn from <paramref name="seed"/>.
    /// </summary>
    public static OpenedBackbone Open(WeightsSource source, ModelSpec spec, torch.Device device, long seed)
    {
        switch (source)
        {
            case WeightsSource.Checkpoint c:
            {
                var info = Checkpoints.Checkpoint.ReadInfo(c.Path);
                var net = Network.Create(info.Model, device, seed);
                try
                {
                    Checkpoints.Checkpoint.LoadModel(c.Path, net.Module);
                    return new OpenedBackbone(net, $"checkpoint {c.Path} ({info.Task}, epoch {info.Epoch})", Provenance("checkpoint", c.Path));
                }
                catch { net.Dispose(); throw; }
            }
            case WeightsSource.File f:
            {
                var sd = StateDictFile.Read(f.Path);
                try
                {
                    var fitted = WeightImport.FitSpec(spec, sd);
                    var net = Network.Create(fitted, device, seed);
                    try
                    {
                        WeightImport.Load(net.Module, sd, f.Path, fitted.Name);
                        return new OpenedBackbone(net, $"{fitted.Name} weights {f.Path}", Provenance("file", f.Path));
                    }
                    catch { net.Dispose(); throw; }
                }
                finally { foreach (var t in sd.Values) t.Dispose(); }
            }
            case WeightsSource.FaceApi:
            {
                if (!spec.IsFaceApi) throw new InputException($"`weights` faceapi: only for `model` faceapi-recognition or faceapi-expression, not {spec.Name}");
                var manifest = System.IO.Path.Combine(FaceApiPackage.Ensure(), FaceApiPackage.ManifestName(spec.Kind));
                return OpenTfjs(spec, manifest, device, seed, "faceapi", FaceApiPackage.Id);
            }
            case WeightsSource.Tfjs t:
            {
                var manifest = t.Path;
                if (Directory.Exists(t.Path))
                {
                    if (!spec.IsFaceApi) throw new InputException(t.Path, $"is a folder; {spec.Name} takes a state-dict file");
                    manifest = System.IO.Path.Combine(t.Path, FaceApiPackage.ManifestName(spec.Kind));
                    if (!System.IO.File.Exists(manifest)) throw new InputException(t.Path, $"no {FaceApiPackage.ManifestName(spec.Kind)} in this folder");
                }
                return OpenTfjs(spec, manifest, device, seed, "tfjs", null);
            }
            default:
                return new OpenedBackbone(Network.Create(spec, device, seed),
                    $"{spec.Name} randomly initialised (seed {seed})", new StoreWeights("random", null, null));
        }
    }

    /// <summary>The spec a source will build, without loading weights (a checkpoint's own; otherwise <paramref name="spec"/>).</summary>
    public static ModelSpec SpecOf(WeightsSource source, ModelSpec spec) =>
        source is WeightsSource.Checkpoint c ? Checkpoints.Checkpoint.ReadInfo(c.Path).Model : spec;

    static OpenedBackbone OpenTfjs(ModelSpec spec, string manifest, torch.Device device, long seed, string kind, string? package)
    {
        var net = Network.Create(spec, device, seed);
        try
        {
            TfjsImport.LoadFile(net.Module, manifest, spec.Name);
            var weights = new StoreWeights(kind, System.IO.Path.GetFullPath(manifest), TfjsWeights.DataSha256(manifest)) { Package = package };
            return new OpenedBackbone(net, $"{spec.Name} weights {manifest}" + (package != null ? $" ({package})" : ""), weights);
        }
        catch { net.Dispose(); throw; }
    }

    static StoreWeights Provenance(string kind, string path)
    {
        using var stream = System.IO.File.OpenRead(path);
        return new StoreWeights(kind, Path.GetFullPath(path), Convert.ToHexStringLower(SHA256.HashData(stream)));
    }
}
