using FaceBrain.Models.FaceApi;
using FaceBrain.Models.Weights.Tfjs;

namespace FaceBrain.Models.Weights;

/// <summary>Where a network's weights came from, as store manifests and results record it.</summary>
/// <param name="Source">random, file (a state dict), tfjs (a TF.js manifest) or faceapi (the cached package).</param>
/// <param name="Sha256">Of the state-dict file, or of the TF.js .bin data (its files concatenated in manifest order).</param>
/// <param name="Package">The npm package the weights came from (faceapi), else null.</param>
public sealed record LoadedWeights(string Source, string? Path, string? Sha256, string? Package = null)
{
    public string Describe() => Source switch
    {
        "random" => "randomly initialised",
        _ => $"weights {Path}" + (Package != null ? $" ({Package})" : ""),
    };
}

/// <summary>
/// The one place a <c>--weights</c> value is resolved and loaded: <c>random</c>; <c>faceapi</c> (the face-api package
/// cache, fetched once when missing); a TF.js manifest (<c>*.json</c>) or a folder holding the model's manifest; or a
/// state dict (.pt/.pth/.bin/.safetensors). Every load is all-or-nothing.
/// </summary>
public static class WeightSource
{
    public static LoadedWeights Load(Network network, string weights, Action<string>? log = null)
    {
        var spec = network.Spec;
        if (string.Equals(weights, "random", StringComparison.OrdinalIgnoreCase)) return new LoadedWeights("random", null, null);
        if (string.Equals(weights, "faceapi", StringComparison.OrdinalIgnoreCase))
        {
            if (!spec.IsFaceApi) throw new InputException($"--weights faceapi: only for --model faceapi-recognition or faceapi-expression, not {spec.Name}");
            var manifest = Path.Combine(FaceApiPackage.Ensure(log), FaceApiPackage.ManifestName(spec.Kind));
            return LoadTfjs(network, manifest, "faceapi", FaceApiPackage.Id);
        }
        if (Directory.Exists(weights))
        {
            if (!spec.IsFaceApi) throw new InputException(weights, $"is a folder; {spec.Name} takes a state-dict file");
            var manifest = Path.Combine(weights, FaceApiPackage.ManifestName(spec.Kind));
            if (!File.Exists(manifest)) throw new InputException(weights, $"no {FaceApiPackage.ManifestName(spec.Kind)} in this folder");
            return LoadTfjs(network, manifest, "tfjs", null);
        }
        if (weights.EndsWith(".json", StringComparison.OrdinalIgnoreCase)) return LoadTfjs(network, weights, "tfjs", null);
        if (!File.Exists(weights)) throw new InputException(weights, "weights file not found");
        WeightImport.LoadFile(network.Module, weights, spec.Name);
        return new LoadedWeights("file", System.IO.Path.GetFullPath(weights), FaceApiPackage.Sha256(weights));
    }

    static LoadedWeights LoadTfjs(Network network, string manifest, string source, string? package)
    {
        TfjsImport.LoadFile(network.Module, manifest, network.Spec.Name);
        return new LoadedWeights(source, System.IO.Path.GetFullPath(manifest), TfjsWeights.DataSha256(manifest), package);
    }
}
