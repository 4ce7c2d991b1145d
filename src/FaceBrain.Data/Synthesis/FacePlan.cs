using FaceBrain.Core.Domain;

namespace FaceBrain.Data.Synthesis;

/// <summary>The synthetic people of one run: who they are depends only on the seed and their index.</summary>
public sealed class Cast
{
    readonly int[] _factor;

    public Cast(int seed, int count)
    {
        if (count < 1) throw new Core.InputException($"`identities` must be at least 1, got {count}");
        Seed = seed;
        Count = count;
        // The planted identity-only factor: +1 for a seeded random half of the identities, -1 for the rest.
        var order = Enumerable.Range(0, count).ToArray();
        var r = Rng.For(seed, 0xFAC7);
        for (int i = count - 1; i > 0; i--) { int j = r.Next(i + 1); (order[i], order[j]) = (order[j], order[i]); }
        _factor = new int[count];
        for (int k = 0; k < count; k++) _factor[order[k]] = k < count / 2 ? 1 : -1;
    }

    public int Seed { get; }
    public int Count { get; }

    /// <summary>Sex of identity i: the first half female (KDEF lists F01.. before M01..).</summary>
    public string Sex(int i) => i < (Count + 1) / 2 ? "F" : "M";

    /// <summary>1-based number within its sex (KDEF actor number).</summary>
    public int NumberWithinSex(int i) => i < (Count + 1) / 2 ? i + 1 : i - (Count + 1) / 2 + 1;

    public IdentityParams Identity(int i)
    {
        var r = Rng.For(Seed, 1, i);
        return IdentityParams.Sample(ref r, Sex(i), _factor[i]);
    }

    /// <summary>How person i (drawn as <paramref name="id"/>) makes expression e at a strength: their own
    /// variant and intensities, the same in every image of that person and expression.</summary>
    public ActionUnits ActionUnits(int i, IdentityParams id, Expression e, double strength)
    {
        if (e == Expression.Neutral || strength == 0) return Synthesis.ActionUnits.None;
        var r = Rng.For(Seed, 8, i, (int)e);
        return Synthesis.ActionUnits.Idiosyncratic(e, id.Expressivity, ref r).Scale(strength);
    }
}

/// <summary>One image to draw: who, which expression at what strength, and the photo conditions.</summary>
public sealed record FaceSpec(int IdentityIndex, Expression Expression, double Strength, Nuisance Nuisance, ulong NoiseSeed);
