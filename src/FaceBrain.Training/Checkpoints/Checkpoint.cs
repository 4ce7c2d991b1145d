using System.IO.Compression;
using System.Text.Json;
using System.Text.Json.Serialization;
using FaceBrain.Core.IO;
using FaceBrain.Models;
using FaceBrain.Models.Weights;
using TorchSharp;
using TorchSharp.PyBridge;
using static TorchSharp.torch;

namespace FaceBrain.Training.Checkpoints;

/// <summary>What a checkpoint says about its run (state.json inside the checkpoint).</summary>
public sealed record CheckpointInfo(
    string Task, int Epoch, long GlobalStep, long Seed, ModelSpec Model, IReadOnlyList<string> Classes, string OptionsJson);

/// <summary>
/// One file (a zip written atomically): <c>model.pt</c> (a PyTorch state dict, loadable with torch.load),
/// <c>optimizer.bin</c> (TorchSharp's optimizer state: momentum or Adam moments), <c>rng.bin</c> (the global
/// torch RNG state) and <c>state.json</c> (epoch, global step, which drives the schedule, seed, model spec).
/// </summary>
public static class Checkpoint
{
    // state.json follows the project's JSON style (snake_case keys, docs/activation-store.md); checkpoints written
    // before that used .NET's default PascalCase and are still read.
    static readonly JsonSerializerOptions Json = new(JsonOutput.Options) { Converters = { new JsonStringEnumConverter() } };
    static readonly JsonSerializerOptions LegacyJson = new() { Converters = { new JsonStringEnumConverter() } };

    public static void Write(string path, CheckpointInfo info, nn.Module model, optim.Optimizer optimizer)
    {
        AtomicFile.Write(path, stream =>
        {
            using var zip = new ZipArchive(stream, ZipArchiveMode.Create, leaveOpen: true);
            Entry(zip, "state.json", s => JsonSerializer.Serialize(s, info, Json));
            Entry(zip, "model.pt", s => Contiguous(model.parameters().Cast<Tensor>().Concat(model.buffers()),
                () => model.save_py(s, skip: null, leaveOpen: true)));
            Entry(zip, "optimizer.bin", s =>
            {
                using var w = new BinaryWriter(s, System.Text.Encoding.UTF8, leaveOpen: true);
                var helper = Helper(optimizer, path);
                Contiguous(StateTensors(helper), () => helper.save_state_dict(w));
            });
            Entry(zip, "rng.bin", s =>
            {
                using var st = random.get_rng_state();
                s.Write(st.bytes);
            });
        });
    }

    /// <summary>
    /// Runs <paramref name="save"/> with the tensors contiguous (TorchSharp serialises only contiguous tensors; a
    /// channels-last run's conv weights and their momentum or Adam moments have NHWC strides), then puts each back on
    /// its own storage with its own strides, whatever they were. The values are the same either way.
    /// </summary>
    static void Contiguous(IEnumerable<Tensor> tensors, Action save)
    {
        using var _ = no_grad();
        var strided = tensors.Where(t => t is not null && !t.IsInvalid && !t.is_contiguous())
            // A view (its own sizes and strides on the same storage), not alias(): alias() is a second handle to the
            // same tensor, which set_ would change too.
            .Select(t => (Tensor: t, Original: t.as_strided(t.shape, t.stride(), t.storage_offset()))).ToList();
        try
        {
            foreach (var (t, _) in strided) { using var c = t.contiguous(); t.set_(c); }
            save();
        }
        finally
        {
            foreach (var (t, original) in strided) { t.set_(original); original.Dispose(); }
        }
    }

    /// <summary>
    /// The optimizer's state tensors (SGD's momentum_buffer, AdamW's exp_avg, ...): public fields of TorchSharp 0.107's
    /// per-parameter state classes, which expose no list of them.
    /// </summary>
    static IEnumerable<Tensor> StateTensors(TorchSharp.Modules.OptimizerHelper optimizer) =>
        optimizer.state_dict().State.SelectMany(state => state.GetType().GetFields()
            .Where(f => f.FieldType == typeof(Tensor)).Select(f => (Tensor)f.GetValue(state)!));

    public static CheckpointInfo ReadInfo(string path)
    {
        using var zip = Open(path);
        return ReadInfo(zip, path);
    }

    /// <summary>Loads the model weights (all-or-nothing) from a checkpoint.</summary>
    public static CheckpointInfo LoadModel(string path, nn.Module model)
    {
        using var zip = Open(path);
        var info = ReadInfo(zip, path);
        var tensors = new Dictionary<string, Tensor>();
        try
        {
            var sd = PyTorchUnpickler.UnpickleStateDict(Bytes(zip, "model.pt", path), leaveOpen: false, skipTensorRead: false);
            foreach (var k in sd.Keys)
                tensors[k as string ?? throw new InvalidDataException($"key {k} is not a name")] =
                    sd[k] as Tensor ?? throw new InvalidDataException($"entry '{k}' is not a tensor");
        }
        catch (Exception e) when (e is not InputException and not OutOfMemoryException)
        {
            foreach (var t in tensors.Values) t.Dispose();
            throw new InputException(path, $"corrupt checkpoint: model.pt cannot be read ({e.GetType().Name}: {e.Message.Split('\n')[0]})");
        }
        try { WeightImport.Load(model, tensors, path, info.Model.Name); }
        finally { foreach (var t in tensors.Values) t.Dispose(); }
        return info;
    }

    /// <summary>Restores model, optimizer and RNG state for <c>--resume</c>.</summary>
    public static CheckpointInfo Restore(string path, nn.Module model, optim.Optimizer optimizer)
    {
        var info = LoadModel(path, model);
        using var zip = Open(path);
        try
        {
            using var r = new BinaryReader(Bytes(zip, "optimizer.bin", path));
            Helper(optimizer, path).load_state_dict(r);
        }
        catch (Exception e) when (e is not InputException and not OutOfMemoryException)
        {
            throw new InputException(path, $"corrupt checkpoint: optimizer.bin cannot be read ({e.GetType().Name}: {e.Message.Split('\n')[0]})");
        }
        var rng = Bytes(zip, "rng.bin", path).ToArray();
        using var state = random.get_rng_state();
        if (state.bytes.Length != rng.Length) throw new InputException(path, "rng.bin does not match this libtorch's RNG state size");
        state.bytes = rng;
        random.set_rng_state(state);
        return info;
    }

    static TorchSharp.Modules.OptimizerHelper Helper(optim.Optimizer o, string path) =>
        o as TorchSharp.Modules.OptimizerHelper ?? throw new InvalidOperationException($"{path}: optimizer {o.GetType().Name} cannot be saved");

    static ZipArchive Open(string path)
    {
        if (!File.Exists(path)) throw new InputException(path, "checkpoint not found");
        try { return ZipFile.OpenRead(path); }
        catch (Exception e) when (e is InvalidDataException or EndOfStreamException or IOException) { throw new InputException(path, $"not a FaceBrain checkpoint (not a readable zip file: {e.Message.Split('\n')[0]})"); }
    }

    static CheckpointInfo ReadInfo(ZipArchive zip, string path)
    {
        try
        {
            var bytes = Bytes(zip, "state.json", path).ToArray();
            var info = JsonSerializer.Deserialize<CheckpointInfo>(bytes, Json) ?? throw new InputException(path, "state.json is empty");
            if (info.Task == null) info = JsonSerializer.Deserialize<CheckpointInfo>(bytes, LegacyJson)!;
            if (info.Task == null || info.Model == null) throw new InputException(path, "state.json lacks the task or the model");
            return info;
        }
        catch (JsonException e) { throw new InputException(path, $"state.json is not valid: {e.Message.Split('\n')[0]}"); }
    }

    static MemoryStream Bytes(ZipArchive zip, string name, string path)
    {
        var e = zip.GetEntry(name) ?? throw new InputException(path, $"not a FaceBrain checkpoint (no {name})");
        // The zip's own sizes bound what is read: a crafted entry cannot claim more than the file holds.
        if (e.Length < 0 || e.CompressedLength > new FileInfo(path).Length || e.Length > Array.MaxLength)
            throw new InputException(path, $"corrupt checkpoint: entry {name} declares {e.Length} bytes");
        var ms = new MemoryStream();
        try
        {
            using (var s = e.Open()) s.CopyTo(ms);
        }
        catch (Exception x) when (x is InvalidDataException or EndOfStreamException or IOException)
        {
            throw new InputException(path, $"corrupt checkpoint: entry {name} cannot be read ({x.Message.Split('\n')[0]})");
        }
        if (ms.Length != e.Length) throw new InputException(path, $"corrupt checkpoint: entry {name} holds {ms.Length} of its {e.Length} bytes");
        ms.Position = 0;
        return ms;
    }

    static void Entry(ZipArchive zip, string name, Action<Stream> write)
    {
        var e = zip.CreateEntry(name, CompressionLevel.NoCompression);
        using var s = e.Open();
        // PyBridge's zip writer needs a seekable stream; buffer, then copy.
        var ms = new MemoryStream();
        write(ms);
        ms.Position = 0;
        ms.CopyTo(s);
    }
}
