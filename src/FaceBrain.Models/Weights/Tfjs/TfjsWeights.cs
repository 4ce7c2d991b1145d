using System.Buffers.Binary;
using System.Security.Cryptography;

namespace FaceBrain.Models.Weights.Tfjs;

/// <summary>A decoded tensor: its TF-layout shape and float32 values in C order.</summary>
public sealed record TfjsTensor(string Name, long[] Shape, float[] Values);

/// <summary>
/// Reads the tensors a TF.js manifest describes from its .bin files (the concatenation of every tensor in
/// manifest order, no header, no padding), dequantising as tfjs-core's <c>decodeWeight</c> does. The files
/// must hold exactly the bytes the manifest describes: a shorter or longer .bin means the pair does not belong together.
/// </summary>
public static class TfjsWeights
{
    public static IReadOnlyDictionary<string, TfjsTensor> Read(string manifestPath)
    {
        var groups = TfjsManifest.Read(manifestPath);
        var dir = Path.GetDirectoryName(Path.GetFullPath(manifestPath))!;
        var result = new Dictionary<string, TfjsTensor>(StringComparer.Ordinal);
        foreach (var g in groups)
        {
            var files = g.Paths.Select(p => Path.Combine(dir, p)).ToList();
            foreach (var f in files) if (!File.Exists(f)) throw new InputException(f, $"weights file named by {Path.GetFileName(manifestPath)} not found");
            long expected = 0;
            foreach (var e in g.Weights) expected = checked(expected + e.Bytes);
            long actual = files.Sum(f => new FileInfo(f).Length);
            string binName = string.Join("+", g.Paths);
            if (actual != expected)
                throw new InputException(files[0], $"{actual} bytes, but {Path.GetFileName(manifestPath)} describes {expected} bytes for {g.Weights.Count} tensors");
            if (expected > int.MaxValue) throw new InputException(files[0], $"weight group of {expected} bytes is larger than 2 GiB");
            var bytes = new byte[expected];
            int at = 0;
            foreach (var f in files)
            {
                var chunk = File.ReadAllBytes(f);
                if (at + chunk.Length > bytes.Length) throw new InputException(f, "changed size while being read");
                chunk.CopyTo(bytes, at);
                at += chunk.Length;
            }
            long offset = 0;
            foreach (var e in g.Weights)
            {
                result[e.Name] = new TfjsTensor(e.Name, e.Shape, Decode(e, bytes.AsSpan((int)offset, (int)e.Bytes)));
                offset += e.Bytes;
            }
        }
        return result;
    }

    /// <summary>SHA-256 of the manifest's weight data: its .bin files concatenated in manifest order (one file: that file's hash).</summary>
    public static string DataSha256(string manifestPath)
    {
        var dir = Path.GetDirectoryName(Path.GetFullPath(manifestPath))!;
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        foreach (var g in TfjsManifest.Read(manifestPath))
            foreach (var p in g.Paths) hash.AppendData(File.ReadAllBytes(Path.Combine(dir, p)));
        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }

    /// <summary>tfjs-core <c>io.decodeWeight</c>: q · scale + min in double, stored as float32; float16 as IEEE half.</summary>
    public static float[] Decode(TfjsEntry e, ReadOnlySpan<byte> raw)
    {
        var values = new float[e.Count];
        switch (e.Storage)
        {
            case TfjsStorage.Float32:
                for (int i = 0; i < values.Length; i++) values[i] = BinaryPrimitives.ReadSingleLittleEndian(raw.Slice(4 * i, 4));
                break;
            case TfjsStorage.Uint8:
                for (int i = 0; i < values.Length; i++) values[i] = (float)(raw[i] * e.Scale + e.Min);
                break;
            case TfjsStorage.Uint16:
                for (int i = 0; i < values.Length; i++) values[i] = (float)(BinaryPrimitives.ReadUInt16LittleEndian(raw.Slice(2 * i, 2)) * e.Scale + e.Min);
                break;
            case TfjsStorage.Float16:
                for (int i = 0; i < values.Length; i++) values[i] = (float)BinaryPrimitives.ReadHalfLittleEndian(raw.Slice(2 * i, 2));
                break;
        }
        return values;
    }
}
