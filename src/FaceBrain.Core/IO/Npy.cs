using System.Buffers.Binary;
using System.Globalization;
using System.Numerics;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.RegularExpressions;

namespace FaceBrain.Core.IO;

/// <summary>Element types FaceBrain reads and writes in .npy files (always little-endian).</summary>
public enum NpyDType { Float32, Float64, Int64, Int32, UInt8, Float16 }

/// <summary>The parsed header of a .npy file.</summary>
public sealed record NpyHeader(NpyDType DType, long[] Shape, bool FortranOrder, long DataOffset, int Version)
{
    // Checked: ReadHeader refuses a shape whose byte count overflows, so these never wrap.
    public long Count => Shape.Aggregate(1L, (a, b) => checked(a * b));
    public int ItemSize => Npy.ItemSize(DType);
    public long DataBytes => checked(Count * ItemSize);
}

/// <summary>A dense array read from a .npy file, in C (row-major) order.</summary>
public sealed record NpyArray<T>(T[] Data, long[] Shape) where T : unmanaged
{
    /// <summary>Rows of a matrix (the first axis).</summary>
    public int Rows => checked((int)Shape[0]);
    /// <summary>Columns of a matrix: the product of all axes after the first (1 for a vector).</summary>
    public int Columns => checked((int)Shape.Skip(1).Aggregate(1L, (a, b) => a * b));
}

/// <summary>
/// NumPy's .npy format (versions 1.0, 2.0 and 3.0), after numpy/lib/format.py: magic, version, header
/// length, a Python dict literal padded to a 64-byte boundary, then the raw data.
/// </summary>
public static class Npy
{
    static readonly byte[] Magic = [0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y'];
    const int Alignment = 64;

    public static int ItemSize(NpyDType t) => t switch
    {
        NpyDType.Float32 or NpyDType.Int32 => 4,
        NpyDType.Float64 or NpyDType.Int64 => 8,
        NpyDType.UInt8 => 1,
        NpyDType.Float16 => 2,
        _ => throw new ArgumentOutOfRangeException(nameof(t)),
    };

    public static string Descr(NpyDType t) => t switch
    {
        NpyDType.Float32 => "<f4",
        NpyDType.Float64 => "<f8",
        NpyDType.Int64 => "<i8",
        NpyDType.Int32 => "<i4",
        NpyDType.UInt8 => "|u1",
        NpyDType.Float16 => "<f2",
        _ => throw new ArgumentOutOfRangeException(nameof(t)),
    };

    public static NpyDType DTypeOf<T>() where T : unmanaged =>
        typeof(T) == typeof(float) ? NpyDType.Float32 :
        typeof(T) == typeof(double) ? NpyDType.Float64 :
        typeof(T) == typeof(long) ? NpyDType.Int64 :
        typeof(T) == typeof(int) ? NpyDType.Int32 :
        typeof(T) == typeof(byte) ? NpyDType.UInt8 :
        typeof(T) == typeof(Half) ? NpyDType.Float16 :
        throw new NotSupportedException($"no .npy dtype for {typeof(T).Name}");

    // ---------------------------------------------------------------- reading

    public static NpyHeader ReadHeader(string path)
    {
        using var s = OpenRead(path);
        return ReadHeader(s, path);
    }

    public static NpyHeader ReadHeader(Stream s, string path)
    {
        Span<byte> pre = stackalloc byte[12];
        int got = s.ReadAtLeast(pre, 12, throwOnEndOfStream: false);
        if (got < 10 || !pre[..6].SequenceEqual(Magic))
            throw new InputException(path, "not a .npy file (bad magic bytes)");
        int major = pre[6];
        int headerLen; int prefix;
        switch (major)
        {
            case 1:
                headerLen = BinaryPrimitives.ReadUInt16LittleEndian(pre[8..]); prefix = 10;
                if (headerLen > s.Length - 10) throw new InputException(path, $"truncated .npy header (it declares {headerLen} header bytes, the file holds {s.Length})");
                break;
            case 2 or 3:
                if (got < 12) throw new InputException(path, "truncated .npy header");
                uint declared = BinaryPrimitives.ReadUInt32LittleEndian(pre[8..]);
                // Checked against the file before any buffer is sized from it.
                if (declared > s.Length - 12) throw new InputException(path, $"truncated .npy header (it declares {declared} header bytes, the file holds {s.Length})");
                headerLen = (int)declared; prefix = 12; break;
            default: throw new InputException(path, $"unsupported .npy format version {major}.{pre[7]}");
        }
        var header = new byte[headerLen];
        s.Seek(prefix, SeekOrigin.Begin);
        if (s.ReadAtLeast(header, headerLen, throwOnEndOfStream: false) < headerLen)
            throw new InputException(path, "truncated .npy header");
        var text = (major == 3 ? Encoding.UTF8 : Encoding.Latin1).GetString(header);
        var (dtype, fortran, shape) = ParseDict(text, path);
        var parsed = new NpyHeader(dtype, shape, fortran, prefix + headerLen, major);
        try { _ = parsed.DataBytes; }
        catch (OverflowException)
        {
            throw new InputException(path, $"the header's shape ({string.Join(", ", shape)}) multiplies out to more bytes than any file can hold");
        }
        return parsed;
    }

    static readonly Regex DescrRx = new(@"['""]descr['""]\s*:\s*['""]([^'""]*)['""]", RegexOptions.Compiled);
    static readonly Regex FortranRx = new(@"['""]fortran_order['""]\s*:\s*(True|False)", RegexOptions.Compiled);
    static readonly Regex ShapeRx = new(@"['""]shape['""]\s*:\s*\(([^)]*)\)", RegexOptions.Compiled);

    static (NpyDType, bool, long[]) ParseDict(string text, string path)
    {
        var d = DescrRx.Match(text);
        var f = FortranRx.Match(text);
        var sh = ShapeRx.Match(text);
        if (!d.Success || !f.Success || !sh.Success)
            throw new InputException(path, "malformed .npy header (needs descr, fortran_order and shape)");
        var descr = d.Groups[1].Value;
        NpyDType dtype = descr switch
        {
            "<f4" or "=f4" => NpyDType.Float32,
            "<f8" or "=f8" => NpyDType.Float64,
            "<i8" or "=i8" => NpyDType.Int64,
            "<i4" or "=i4" => NpyDType.Int32,
            "|u1" or "<u1" or "=u1" => NpyDType.UInt8,
            "<f2" or "=f2" => NpyDType.Float16,
            _ when descr.StartsWith('>') => throw new InputException(path, $"unsupported dtype '{descr}' (big-endian); save it little-endian, e.g. arr.astype('<f4')"),
            _ => throw new InputException(path, $"unsupported dtype '{descr}' (supported: float16, float32, float64, int64, int32, uint8)"),
        };
        var dims = new List<long>();
        foreach (var part in sh.Groups[1].Value.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            var p = part.TrimEnd('L');
            if (!long.TryParse(p, NumberStyles.None, CultureInfo.InvariantCulture, out var n))
                throw new InputException(path, $"malformed shape in .npy header: ({sh.Groups[1].Value})");
            dims.Add(n);
        }
        return (dtype, f.Groups[1].Value == "True", dims.ToArray());
    }

    /// <summary>Reads a whole array of exactly type T (no conversion), in C order.</summary>
    public static NpyArray<T> Read<T>(string path) where T : unmanaged
    {
        using var s = OpenRead(path);
        var h = ReadHeader(s, path);
        if (h.DType != DTypeOf<T>())
            throw new InputException(path, $"dtype is {Descr(h.DType)}, expected {Descr(DTypeOf<T>())}");
        return new NpyArray<T>(ReadData<T>(s, h, path), h.Shape);
    }

    /// <summary>Reads any supported numeric array as float64, in C order.</summary>
    public static NpyArray<double> ReadAsDouble(string path) => ReadConverted<double>(path);

    /// <summary>Reads any supported numeric array as float32, in C order.</summary>
    public static NpyArray<float> ReadAsSingle(string path) => ReadConverted<float>(path);

    /// <summary>Reads a 2-D matrix as float64 (a 1-D array is one column), checking its row count.</summary>
    public static NpyArray<double> ReadMatrix(string path, int? expectedRows = null, string? rowsFrom = null)
    {
        var a = ReadAsDouble(path);
        if (a.Shape.Length is 0 or > 2)
            throw new InputException(path, $"expected a 2-D matrix, found shape ({string.Join(", ", a.Shape)})");
        var m = a.Shape.Length == 1 ? a with { Shape = [a.Shape[0], 1] } : a;
        if (expectedRows is int n && m.Shape[0] != n)
            throw new InputException(path, $"has {m.Shape[0]} rows but {rowsFrom ?? "the stimulus table"} has {n}");
        return m;
    }

    static NpyArray<TOut> ReadConverted<TOut>(string path) where TOut : unmanaged, INumberBase<TOut>
    {
        using var s = OpenRead(path);
        var h = ReadHeader(s, path);
        TOut[] data = h.DType switch
        {
            NpyDType.Float32 => Convert<float, TOut>(ReadData<float>(s, h, path)),
            NpyDType.Float64 => Convert<double, TOut>(ReadData<double>(s, h, path)),
            NpyDType.Int64 => Convert<long, TOut>(ReadData<long>(s, h, path)),
            NpyDType.Int32 => Convert<int, TOut>(ReadData<int>(s, h, path)),
            NpyDType.UInt8 => Convert<byte, TOut>(ReadData<byte>(s, h, path)),
            NpyDType.Float16 => Convert<Half, TOut>(ReadData<Half>(s, h, path)),
            _ => throw new InvalidOperationException(),
        };
        return new NpyArray<TOut>(data, h.Shape);
    }

    static TOut[] Convert<TIn, TOut>(TIn[] raw) where TIn : unmanaged, INumberBase<TIn> where TOut : unmanaged, INumberBase<TOut>
    {
        if (typeof(TIn) == typeof(TOut)) return (TOut[])(object)raw;
        var result = new TOut[raw.Length];
        for (int i = 0; i < raw.Length; i++) result[i] = TOut.CreateTruncating(raw[i]);
        return result;
    }

    static T[] ReadData<T>(Stream s, NpyHeader h, string path) where T : unmanaged
    {
        long available = s.Length - h.DataOffset;
        if (available < h.DataBytes)
            throw new InputException(path, $"truncated data: the header's shape ({string.Join(", ", h.Shape)}) needs {h.DataBytes} bytes, the file holds {Math.Max(0, available)}");
        if (available > h.DataBytes)
            throw new InputException(path, $"{available - h.DataBytes} bytes more data than the header's shape ({string.Join(", ", h.Shape)}) describes");
        if (h.Count > Array.MaxLength)
            throw new InputException(path, $"array of {h.Count} elements is too large to read whole");
        var data = new T[h.Count];
        s.Seek(h.DataOffset, SeekOrigin.Begin);
        s.ReadExactly(MemoryMarshal.AsBytes(data.AsSpan()));
        return h.FortranOrder && h.Shape.Length > 1 ? FortranToC(data, h.Shape) : data;
    }

    /// <summary>Reorders a column-major array to row-major.</summary>
    static T[] FortranToC<T>(T[] f, long[] shape)
    {
        int nd = shape.Length;
        var c = new T[f.Length];
        var fStride = new long[nd];
        long acc = 1;
        for (int k = 0; k < nd; k++) { fStride[k] = acc; acc *= shape[k]; }
        var idx = new long[nd];
        for (long ci = 0; ci < f.LongLength; ci++)
        {
            long fi = 0;
            for (int k = 0; k < nd; k++) fi += idx[k] * fStride[k];
            c[ci] = f[fi];
            for (int k = nd - 1; k >= 0; k--)
            {
                if (++idx[k] < shape[k]) break;
                idx[k] = 0;
            }
        }
        return c;
    }

    static FileStream OpenRead(string path)
    {
        if (!File.Exists(path)) throw new InputException(path, "file not found");
        return new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
    }

    // ---------------------------------------------------------------- writing

    /// <summary>The header bytes (magic to padding) for a C-order array; version 1.0 when it fits, else 2.0.</summary>
    public static byte[] EncodeHeader(NpyDType dtype, IReadOnlyList<long> shape)
    {
        string shapeText = shape.Count switch
        {
            0 => "()",
            1 => $"({shape[0]},)",
            _ => "(" + string.Join(", ", shape) + ")",
        };
        string dict = $"{{'descr': '{Descr(dtype)}', 'fortran_order': False, 'shape': {shapeText}, }}";
        foreach (var (prefix, version) in new[] { (10, 1), (12, 2) })
        {
            int total = prefix + dict.Length + 1;
            int padded = (total + Alignment - 1) / Alignment * Alignment;
            int headerLen = padded - prefix;
            if (version == 1 && headerLen > ushort.MaxValue) continue;
            var bytes = new byte[padded];
            Magic.CopyTo(bytes, 0);
            bytes[6] = (byte)version;
            bytes[7] = 0;
            if (version == 1) BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(8), (ushort)headerLen);
            else BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(8), (uint)headerLen);
            Encoding.Latin1.GetBytes(dict).CopyTo(bytes, prefix);
            for (int i = prefix + dict.Length; i < padded - 1; i++) bytes[i] = (byte)' ';
            bytes[padded - 1] = (byte)'\n';
            return bytes;
        }
        throw new InvalidOperationException("unreachable");
    }

    /// <summary>Writes a whole array atomically.</summary>
    public static void Write<T>(string path, ReadOnlySpan<T> data, params long[] shape) where T : unmanaged
    {
        using var w = NpyWriter<T>.Create(path, shape);
        w.Append(data);
        w.Commit();
    }

    public static void Write<T>(string path, NpyArray<T> array) where T : unmanaged =>
        Write<T>(path, array.Data, array.Shape);
}

/// <summary>
/// Streams a C-order array into a .npy file whose header is written up front with the final shape.
/// The file appears under its name only at <see cref="Commit"/>, once every element was written.
/// </summary>
public sealed class NpyWriter<T> : IDisposable where T : unmanaged
{
    readonly AtomicFile _file;
    readonly long _count;
    long _written;

    NpyWriter(string path, long[] shape)
    {
        Shape = shape;
        try { _count = shape.Aggregate(1L, (a, b) => checked(a * b)); checked { _ = _count * Npy.ItemSize(Npy.DTypeOf<T>()); } }
        catch (OverflowException) { throw new InputException(path, $"shape ({string.Join(", ", shape)}) is too large for a file"); }
        _file = AtomicFile.Create(path);
        var header = Npy.EncodeHeader(Npy.DTypeOf<T>(), shape);
        // Pre-size the file so a full disk shows up now rather than halfway through a run.
        _file.Guarded(st =>
        {
            st.Write(header);
            st.SetLength(header.Length + _count * Npy.ItemSize(Npy.DTypeOf<T>()));
        });
    }

    public long[] Shape { get; }
    public long ElementsWritten => _written;

    public static NpyWriter<T> Create(string path, params long[] shape) => new(path, shape);

    public void Append(ReadOnlySpan<T> values)
    {
        if (_written + values.Length > _count)
            throw new InvalidOperationException($"{_file.FinalPath}: more values than the shape ({string.Join(", ", Shape)}) holds");
        try { _file.Stream.Write(MemoryMarshal.AsBytes(values)); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            _file.Dispose();
            throw new OutputException(_file.FinalPath, $"could not be written: {OutputException.Reason(e)}", e);
        }
        _written += values.Length;
    }

    public void Commit()
    {
        if (_written != _count)
            throw new InvalidOperationException($"{_file.FinalPath}: {_written} of {_count} values written");
        _file.Commit();
    }

    public void Dispose() => _file.Dispose();
}
