using System.Buffers.Binary;
using System.Text.Json;
using FaceBrain.Core;

namespace FaceBrain.Models.Weights;

/// <summary>
/// Validates a safetensors file before any tensor is allocated: the 8-byte header length fits the file, the JSON
/// index parses, and every tensor's dtype is known and its shape × item size (checked arithmetic) equals its byte
/// range, which lies inside the data section. A crafted file is one line naming it, never an allocation of what it claims.
/// </summary>
public static class SafetensorsCheck
{
    const long MaxHeaderBytes = 100L << 20; // the format's own limit

    static readonly Dictionary<string, int> ItemSizes = new(StringComparer.Ordinal)
    {
        ["F64"] = 8, ["F32"] = 4, ["F16"] = 2, ["BF16"] = 2, ["I64"] = 8, ["I32"] = 4, ["I16"] = 2, ["I8"] = 1, ["U8"] = 1, ["BOOL"] = 1,
    };

    public static void Validate(string path)
    {
        long length = new FileInfo(path).Length;
        if (length < 8) throw new InputException(path, $"not a safetensors file ({length} bytes; the header length alone takes 8)");
        using var fs = File.OpenRead(path);
        Span<byte> prefix = stackalloc byte[8];
        fs.ReadExactly(prefix);
        ulong n = BinaryPrimitives.ReadUInt64LittleEndian(prefix);
        if (n == 0 || n > (ulong)MaxHeaderBytes || (long)n > length - 8)
            throw new InputException(path, $"corrupt safetensors file: header length {n} does not fit the {length}-byte file");
        var header = new byte[n];
        fs.ReadExactly(header);
        long data = length - 8 - (long)n;
        JsonElement root;
        try
        {
            using var doc = JsonDocument.Parse(header);
            root = doc.RootElement.Clone();
        }
        catch (JsonException e) { throw new InputException(path, $"corrupt safetensors header: {e.Message.Split('\n')[0]}"); }
        if (root.ValueKind != JsonValueKind.Object) throw new InputException(path, "corrupt safetensors header: not a JSON object");
        foreach (var p in root.EnumerateObject())
        {
            if (p.Name == "__metadata__") continue;
            InputException Bad(string problem) => new(path, $"corrupt safetensors file: tensor '{p.Name}' {problem}");
            var t = p.Value;
            if (t.ValueKind != JsonValueKind.Object) throw Bad("is not a JSON object");
            if (!t.TryGetProperty("dtype", out var dtype) || dtype.ValueKind != JsonValueKind.String) throw Bad("lacks a dtype");
            if (!t.TryGetProperty("shape", out var shape) || shape.ValueKind != JsonValueKind.Array) throw Bad("lacks a shape");
            if (!t.TryGetProperty("data_offsets", out var offsets) || offsets.ValueKind != JsonValueKind.Array || offsets.GetArrayLength() != 2)
                throw Bad("lacks data_offsets [begin, end]");
            if (!ItemSizes.TryGetValue(dtype.GetString()!, out var item)) throw Bad($"has unsupported dtype '{dtype.GetString()}'");
            long count = 1;
            try
            {
                foreach (var d in shape.EnumerateArray())
                {
                    if (d.ValueKind != JsonValueKind.Number || !d.TryGetInt64(out var v) || v < 0) throw Bad($"has a bad dimension {d}");
                    count = checked(count * v);
                }
                count = checked(count * item);
            }
            catch (OverflowException) { throw Bad("has a shape that multiplies out past any file size"); }
            if (offsets[0].ValueKind != JsonValueKind.Number || offsets[1].ValueKind != JsonValueKind.Number
                || !offsets[0].TryGetInt64(out var begin) || !offsets[1].TryGetInt64(out var end) || begin < 0 || end < begin || end > data)
                throw Bad($"has data_offsets outside the {data}-byte data section");
            if (end - begin != count) throw Bad($"spans {end - begin} bytes but its shape and dtype need {count}");
        }
    }
}
