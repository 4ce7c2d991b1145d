using System.Globalization;
using FaceBrain.Core;
using TorchSharp;
using static TorchSharp.torch;

namespace FaceBrain.Extraction;

/// <summary>
/// How one layer's activation [batch, ...] becomes a row of features [batch, features]. Early ResNet-50 layers hold
/// ~800k values per image, so the defaults (<c>gap</c>) keep a KDEF-sized store to megabytes.
/// </summary>
public abstract record Reduction
{
    /// <summary>The text form, as on the command line and in the manifest.</summary>
    public abstract string Spec { get; }

    /// <summary>Feature count for an activation of the given per-image shape (without the batch axis).</summary>
    public abstract long OutputFeatures(string layer, long[] imageShape);

    /// <summary>Reduces [batch, ...] to [batch, features] (float32, same device).</summary>
    public abstract Tensor Apply(Tensor activation);

    /// <summary>none: flatten everything.</summary>
    public sealed record Flatten : Reduction
    {
        public override string Spec => "none";
        public override long OutputFeatures(string layer, long[] s) => s.Aggregate(1L, (a, b) => a * b);
        public override Tensor Apply(Tensor a) => a.reshape(a.shape[0], -1);
    }

    /// <summary>gap: mean over the spatial axes; a layer without spatial axes (e.g. fc) passes unchanged.</summary>
    public sealed record GlobalAveragePool : Reduction
    {
        public override string Spec => "gap";
        public override long OutputFeatures(string layer, long[] s) => s.Length >= 2 ? s[0] : s.Aggregate(1L, (a, b) => a * b);
        public override Tensor Apply(Tensor a) =>
            a.dim() >= 3 ? a.flatten(2).mean([2L]) : a.reshape(a.shape[0], -1);
    }

    /// <summary>grid:K: average pool to K×K cells (adaptive, like torch's adaptive_avg_pool2d), then flatten.</summary>
    public sealed record Grid(int Cells) : Reduction
    {
        public override string Spec => $"grid:{Cells}";
        public override long OutputFeatures(string layer, long[] s)
        {
            if (s.Length != 3)
                throw new InputException($"`reduce` {Spec}: layer '{layer}' has no 2-D map (shape [{string.Join(", ", s)}]); use gap or none");
            if (Cells > s[1] || Cells > s[2])
                throw new InputException($"`reduce` {Spec}: layer '{layer}' map is {s[1]}×{s[2]}, smaller than the {Cells}×{Cells} grid");
            return s[0] * Cells * Cells;
        }
        public override Tensor Apply(Tensor a)
        {
            using var pooled = nn.functional.adaptive_avg_pool2d(a, [Cells, Cells]);
            return pooled.reshape(a.shape[0], -1);
        }
    }

    /// <summary>
    /// rp:D: sparse random projection to D dimensions (Li, Hastie &amp; Church's very sparse projection, as
    /// scikit-learn's SparseRandomProjection with density 1/√F): entries ±√(1/density)/√D with probability
    /// density/2 each, else 0. Seeded per layer, so reruns and resumed runs give identical features.
    /// </summary>
    public sealed record RandomProjection(int Dimensions, long Seed) : Reduction
    {
        readonly Dictionary<(string, long, string), Tensor> _matrices = new();
        public override string Spec => $"rp:{Dimensions}";
        public override long OutputFeatures(string layer, long[] s) => Dimensions;
        public override Tensor Apply(Tensor a) => throw new InvalidOperationException("use ApplyFor(layer, activation)");

        static long Skip(Random rng, double logKeep) =>
            logKeep == 0 ? long.MaxValue / 2 : (long)Math.Floor(Math.Log(1 - rng.NextDouble()) / logKeep);

        /// <summary>[batch, F] × R[F, D], with R built once per layer and device.</summary>
        public Tensor ApplyFor(string layer, Tensor a)
        {
            using var flat = a.reshape(a.shape[0], -1);
            long f = flat.shape[1];
            var key = (layer, f, a.device.ToString());
            if (!_matrices.TryGetValue(key, out var rt))
            {
                rt = BuildTransposed(f, LayerSeed(layer), a.device);
                _matrices[key] = rt;
            }
            // sparse [D, F] × dense [F, B] → [D, B]
            using var xt = flat.t().contiguous();
            using var prod = rt.mm(xt);
            return prod.t().contiguous();
        }

        long LayerSeed(string layer)
        {
            // A stable per-layer seed (string.GetHashCode is randomised per process).
            ulong h = 14695981039346656037UL ^ (ulong)Seed;
            foreach (char c in layer) { h ^= c; h *= 1099511628211UL; }
            return (long)(h & 0x7fffffffffffffff);
        }

        Tensor BuildTransposed(long features, long seed, Device device)
        {
            double density = 1.0 / Math.Sqrt(features);
            double scale = Math.Sqrt(1.0 / density) / Math.Sqrt(Dimensions);
            var rng = new Random(unchecked((int)(seed ^ (seed >> 32))));
            var rows = new List<long>(); var cols = new List<long>(); var vals = new List<float>();
            // Geometric skips between non-zeros: O(non-zeros) rather than O(D·F) draws.
            double logKeep = Math.Log(1 - density);
            for (long d = 0; d < Dimensions; d++)
                for (long j = Skip(rng, logKeep); j < features; j += 1 + Skip(rng, logKeep))
                {
                    rows.Add(d); cols.Add(j); vals.Add((float)(rng.NextDouble() < 0.5 ? scale : -scale));
                }
            using var idx = tensor(rows.Concat(cols).ToArray(), [2, rows.Count]);
            using var v = tensor(vals.ToArray());
            // Cached across batches, so it must outlive the dispose scope of the batch that built it.
            var sparse = sparse_coo_tensor(idx, v, [Dimensions, features], device: device).DetachFromDisposeScope();
            return sparse;
        }
    }

    /// <summary>
    /// pca:D: incremental PCA per layer, fitted in a first pass over the fit set (the stimulus set unless another is
    /// given), then applied in the extraction pass. Needs at least D fit images.
    /// </summary>
    public sealed record Pca(int Components) : Reduction
    {
        readonly Dictionary<string, IncrementalPca> _fits = new(StringComparer.Ordinal);
        public override string Spec => $"pca:{Components}";
        public override long OutputFeatures(string layer, long[] s) => Components;
        public override Tensor Apply(Tensor a) => throw new InvalidOperationException("use ApplyFor(layer, activation)");

        public IncrementalPca For(string layer)
        {
            if (!_fits.TryGetValue(layer, out var p)) _fits[layer] = p = new IncrementalPca(Components);
            return p;
        }

        public Tensor ApplyFor(string layer, Tensor a)
        {
            using var flat = a.reshape(a.shape[0], -1);
            return For(layer).Transform(flat);
        }
    }

    /// <summary>Parses none | gap | grid:K | rp:D | pca:D.</summary>
    public static Reduction Parse(string text, long seed)
    {
        var t = text.Trim().ToLowerInvariant();
        if (t == "none") return new Flatten();
        if (t == "gap") return new GlobalAveragePool();
        var parts = t.Split(':');
        if (parts.Length == 2 && int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n > 0)
        {
            if (parts[0] == "grid") return new Grid(n);
            if (parts[0] == "rp") return new RandomProjection(n, seed);
            if (parts[0] == "pca") return new Pca(n);
        }
        throw new InputException($"`reduce`: '{text}' is not one of none, gap, grid:K, rp:D, pca:D (K, D positive integers)");
    }
}
