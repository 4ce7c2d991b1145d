using FaceBrain.Core.IO;
using TorchSharp;
using TorchSharp.PyBridge;
using static TorchSharp.torch;

namespace FaceBrain.Models.Weights;

/// <summary>The weight-file formats FaceBrain reads and writes.</summary>
public enum WeightFormat
{
    /// <summary><c>torch.save(model.state_dict(), f)</c> (zip + pickle; .pt, .pth, .bin), read with TorchSharp.PyBridge.</summary>
    PyTorch,
    /// <summary>Hugging Face safetensors (8-byte header length, JSON index, raw little-endian data).</summary>
    Safetensors,
}

/// <summary>Reads a whole state dict into memory (CPU tensors) and writes a module's state dict atomically.</summary>
public static class StateDictFile
{
    public static WeightFormat FormatOf(string path) => Path.GetExtension(path).ToLowerInvariant() switch
    {
        ".pt" or ".pth" or ".bin" => WeightFormat.PyTorch,
        ".safetensors" => WeightFormat.Safetensors,
        var ext => throw new InputException(path, $"unknown weights format '{ext}' (expected .pt, .pth, .bin or .safetensors)"),
    };

    /// <summary>The file's tensors by key. The caller owns (and disposes) them.</summary>
    public static Dictionary<string, Tensor> Read(string path)
    {
        var format = FormatOf(path);
        if (!File.Exists(path)) throw new InputException(path, "weights file not found");
        try
        {
            if (format == WeightFormat.Safetensors)
            {
                SafetensorsCheck.Validate(path);
                using var stream = File.OpenRead(path);
                return Safetensors.LoadStateDict(stream, leaveOpen: false, keysToKeep: null);
            }
            var table = PyTorchUnpickler.UnpickleStateDict(path);
            var result = new Dictionary<string, Tensor>();
            foreach (var key in table.Keys)
            {
                if (key is string k && table[key] is Tensor t) result[k] = t;
                else throw new InputException(path, $"entry '{key}' is not a tensor: a state dict maps names to tensors");
            }
            return result;
        }
        catch (Exception e) when (e is not InputException)
        {
            var what = format == WeightFormat.Safetensors ? "a safetensors file" : "a PyTorch state dict saved with torch.save (zip format)";
            throw new InputException(path, $"not readable as {what}: {e.Message.Split('\n')[0]}");
        }
    }

    /// <summary>Writes the module's parameters and buffers in the format its extension names; all or nothing.</summary>
    public static void Write(string path, nn.Module module)
    {
        var format = FormatOf(path);
        AtomicFile.Write(path, stream =>
        {
            if (format == WeightFormat.Safetensors)
            {
                var sd = module.state_dict().ToDictionary(kv => kv.Key, kv => kv.Value.cpu().contiguous());
                Safetensors.SaveStateDict(stream, sd, leaveOpen: true);
            }
            else
            {
                module.save_py(stream, skip: null, leaveOpen: true);
            }
        });
    }
}
