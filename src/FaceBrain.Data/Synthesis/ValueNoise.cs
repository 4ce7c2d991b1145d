namespace FaceBrain.Data.Synthesis;

/// <summary>
/// Smooth seeded 2-D value noise in −1..1 (hashed lattice, smoothstep-interpolated): skin mottle, pores,
/// hair strands. A pure function of (x, y, seed), so the same person has the same skin in every photo.
/// </summary>
internal static class ValueNoise
{
    static float Lattice(int x, int y, uint seed)
    {
        uint h = (uint)x * 0x8DA6B343u ^ (uint)y * 0xD8163841u ^ seed * 0xCB1AB31Fu;
        h ^= h >> 15; h *= 0x2C1B3C6Du; h ^= h >> 12; h *= 0x297A2D39u; h ^= h >> 15;
        return (h & 0xFFFFFF) * (2f / 0xFFFFFF) - 1f;
    }

    public static float At(double x, double y, uint seed)
    {
        double fx0 = Math.Floor(x), fy0 = Math.Floor(y);
        int ix = (int)fx0, iy = (int)fy0;
        float fx = (float)(x - fx0), fy = (float)(y - fy0);
        fx = fx * fx * (3 - 2 * fx);
        fy = fy * fy * (3 - 2 * fy);
        float a = Lattice(ix, iy, seed), b = Lattice(ix + 1, iy, seed), c = Lattice(ix, iy + 1, seed), d = Lattice(ix + 1, iy + 1, seed);
        return a + (b - a) * fx + (c - a) * fy + (a - b - c + d) * fx * fy;
    }

    /// <summary>Two octaves: broad variation with some detail.</summary>
    public static float Fbm(double x, double y, uint seed) => 0.67f * At(x, y, seed) + 0.33f * At(2.03 * x + 17.1, 2.03 * y + 5.3, seed + 1);
}
