namespace FaceBrain.Data.Synthesis;

/// <summary>exp(−t) for t ≥ 0 by table and linear interpolation (relative error under 1e-4, 0 beyond t = 12):
/// the relief and albedo evaluate a dozen Gaussians per pixel, and this is several times cheaper than Math.Exp.</summary>
internal static class ExpTable
{
    const int PerUnit = 256;
    const double Max = 12;
    static readonly double[] Values = Make();

    static double[] Make()
    {
        var v = new double[(int)(Max * PerUnit) + 2];
        for (int k = 0; k < v.Length; k++) v[k] = Math.Exp(-(double)k / PerUnit);
        return v;
    }

    public static double NegExp(double t)
    {
        if (!(t < Max)) return 0;
        double u = t * PerUnit;
        int k = (int)u;
        double f = u - k;
        return Values[k] + (Values[k + 1] - Values[k]) * f;
    }
}
