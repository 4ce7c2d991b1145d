namespace FaceBrain.Data.Synthesis;

/// <summary>
/// The low-dimensional face space people are drawn from: a person is a point z of
/// <see cref="Dimensions"/> standard normals; each shape trait is a fixed direction in that space
/// (shared structure: wide faces come with wide noses and mouths more often than not) plus a part of
/// its own. The directions are part of the model, fixed by this code, not by the run's seed.
/// </summary>
public static class FaceSpace
{
    public const int Dimensions = 8;

    /// <summary>How much of a trait's variance the shared dimensions carry (the rest is its own).</summary>
    const double Shared = 0.6;

    static readonly double[][] Basis = MakeBasis(64);

    static double[][] MakeBasis(int traits)
    {
        var r = new Rng(0xFACE5BACEUL);
        var b = new double[traits][];
        for (int t = 0; t < traits; t++)
        {
            var v = new double[Dimensions];
            double norm = 0;
            for (int k = 0; k < Dimensions; k++) { v[k] = r.Normal(); norm += v[k] * v[k]; }
            norm = Math.Sqrt(norm);
            for (int k = 0; k < Dimensions; k++) v[k] /= norm;
            b[t] = v;
        }
        return b;
    }

    /// <summary>A person's coordinates.</summary>
    public static double[] Draw(ref Rng r)
    {
        var z = new double[Dimensions];
        for (int k = 0; k < Dimensions; k++) z[k] = r.Normal();
        return z;
    }

    /// <summary>Trait number <paramref name="t"/> of the person at z, a standard score (clipped to ±2.5 sd).</summary>
    public static double Score(double[] z, int t, ref Rng r)
    {
        var b = Basis[t];
        double shared = 0;
        for (int k = 0; k < Dimensions; k++) shared += b[k] * z[k];
        return Math.Clamp(Math.Sqrt(Shared) * shared + Math.Sqrt(1 - Shared) * r.Normal(), -2.5, 2.5);
    }
}
