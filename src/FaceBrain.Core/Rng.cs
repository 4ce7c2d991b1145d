namespace FaceBrain.Core;

/// <summary>
/// The one seeded generator for every random split and every synthetic face: SplitMix64, whose stream is
/// fixed by this code, not by the .NET version (System.Random's seeded sequence is an implementation detail
/// that .NET does not promise to keep). Same seed, same folds and same faces on every machine and runtime.
/// </summary>
public struct Rng
{
    ulong _state;

    public Rng(ulong seed) => _state = seed;

    /// <summary>A generator for one item of a run, independent of the order items are made in.</summary>
    public static Rng For(int seed, params ReadOnlySpan<long> keys)
    {
        ulong s = Mix((ulong)seed + 0x9E3779B97F4A7C15UL);
        foreach (var k in keys) s = Mix(s ^ ((ulong)k + 0xBF58476D1CE4E5B9UL));
        return new Rng(s);
    }

    static ulong Mix(ulong z)
    {
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    public ulong NextUInt64()
    {
        _state += 0x9E3779B97F4A7C15UL;
        return Mix(_state);
    }

    /// <summary>Uniform in [0, 1).</summary>
    public double NextDouble() => (NextUInt64() >> 11) * (1.0 / (1UL << 53));

    public double Uniform(double lo, double hi) => lo + (hi - lo) * NextDouble();

    public int Next(int n) => (int)(NextUInt64() % (ulong)n);

    /// <summary>Standard normal (Box-Muller).</summary>
    public double Normal()
    {
        double u1 = 1.0 - NextDouble(), u2 = NextDouble();
        return Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2);
    }

    /// <summary>Normal, clipped to ±2.5 sd, scaled into [lo, hi] around their midpoint.</summary>
    public double Trait(double lo, double hi) =>
        (lo + hi) / 2 + Math.Clamp(Normal(), -2.5, 2.5) / 5.0 * (hi - lo);

    /// <summary>Fisher-Yates shuffle in place (the same seed gives the same order on every runtime).</summary>
    public void Shuffle<T>(T[] xs)
    {
        for (int i = xs.Length - 1; i > 0; i--)
        {
            int j = Next(i + 1);
            (xs[i], xs[j]) = (xs[j], xs[i]);
        }
    }
}
