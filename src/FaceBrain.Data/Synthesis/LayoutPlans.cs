using System.Globalization;
using FaceBrain.Core.Domain;
using FaceBrain.Data.Loading;

namespace FaceBrain.Data.Synthesis;

/// <summary>
/// The images of each layout, named exactly as the real set names them, with their faces planned.
/// Every random choice comes from <see cref="Rng.For"/> keyed by the image, so plans are reproducible.
/// </summary>
public static class LayoutPlans
{
    static readonly string[] FirstNames =
    [
        "Ada", "Bruno", "Carla", "Dmitri", "Elena", "Farid", "Greta", "Hiro", "Ines", "Jonas", "Kemi", "Luca", "Maya", "Nils",
        "Olga", "Pablo", "Qiu", "Rosa", "Sami", "Tara", "Umar", "Vera", "Wen", "Ximena", "Yusuf", "Zofia", "Arjun", "Bea",
        "Chen", "Dalia", "Emil", "Fatima", "Goran", "Hana", "Ivan", "Jun", "Kofi", "Lena", "Marek", "Nadia",
        "Omar", "Priya", "Rafael", "Sofia", "Tomas", "Uma", "Viktor", "Wanda", "Yara", "Zeno", "Amara", "Boris",
        "Celia", "Diego", "Esra", "Felix", "Gita", "Hugo", "Ilse", "Joao",
    ];
    static readonly string[] LastNames =
    [
        "Abara", "Berg", "Castro", "Dubois", "Eriksen", "Fontaine", "Garcia", "Haddad", "Ivanova", "Jensen", "Kato", "Lindqvist",
        "Moreau", "Novak", "Okafor", "Petrov", "Quist", "Rossi", "Silva", "Tanaka", "Udeh", "Varga", "Weber", "Xu", "Yilmaz",
        "Zhang", "Almeida", "Brennan", "Costa", "Dahl", "Eze", "Fischer", "Gallo", "Horvat", "Iqbal", "Jovanovic", "Kowalski",
        "Larsen", "Mensah", "Nakamura", "Oliveira", "Park", "Quintero", "Reyes", "Sato", "Tran", "Umeh", "Vasquez",
        "Wojcik", "Yamada", "Ziegler", "Acheampong", "Bauer", "Chowdhury", "Dimitrov", "Esposito", "Ferreira", "Grant",
        "Hoffmann", "Ibrahim", "Juarez",
    ];

    /// <summary>
    /// A Name_Surname for identity i (LFW folder names), unique within a run and drawn by the seed from
    /// every first × last combination, so two runs with different seeds share few names (about n²/3,660
    /// of n people by chance), as two real face sets do.
    /// </summary>
    public static string PersonName(int seed, int i)
    {
        int f = FirstNames.Length, l = LastNames.Length, n = f * l;
        // a seeded affine permutation of the combinations: i -> (a·i + b) mod n, a coprime to n
        var r = Rng.For(seed, 0x4A3E);
        long a = 1 + 2 * r.Next(n / 2);
        while (Gcd(a, n) != 1) a += 2;
        long b = r.Next(n);
        int k = (int)((a * (i % n) + b) % n);
        var name = $"{FirstNames[k % f]}_{LastNames[k / f]}";
        return i < n ? name : $"{name}_{i / n + 1}";
    }

    static long Gcd(long a, long b) => b == 0 ? a : Gcd(b, a % b);

    static double Strength(SynthOptions o, ref Rng r) => o.Strength * r.Uniform(0.9, 1.1);

    static Nuisance Studio(SynthOptions o, ref Rng r, double yaw) => Nuisance.Sample(ref r, yaw, o.NuisanceAmount, clutter: false);

    /// <summary>Expressions in the wild: mostly neutral or smiling.</summary>
    static Expression WildExpression(ref Rng r)
    {
        double u = r.NextDouble();
        return u < 0.45 ? Expression.Neutral : u < 0.8 ? Expression.Happy : KdefCodes.AllExpressions[r.Next(7)];
    }

    internal static List<SynthImage> Kdef(SynthOptions o, Cast cast)
    {
        var list = new List<SynthImage>();
        for (int i = 0; i < cast.Count; i++)
            foreach (var session in new[] { "A", "B" })
                foreach (var e in KdefCodes.AllExpressions)
                {
                    // one strength per sitting: the photographer asks for the expression once per session
                    var sr = Rng.For(o.Seed, 2, i, session[0], (int)e);
                    double strength = e == Expression.Neutral ? 0 : Strength(o, ref sr);
                    foreach (var a in KdefCodes.AllAngles)
                    {
                        var name = new KdefName(session, cast.Sex(i), cast.NumberWithinSex(i), e, a);
                        var r = Rng.For(o.Seed, 3, i, session[0], (int)e, (int)a);
                        var face = new FaceSpec(i, e, strength, Studio(o, ref r, a.YawDegrees() * o.PoseScale), r.NextUInt64());
                        list.Add(new SynthImage($"KDEF/{name.Folder}/{name.FileName()}", name.Stem, name.Identity, face, 0.27,
                            [(Labels.Session, session), (Labels.Sex, cast.Sex(i))]) { AngleCode = a.Code() });
                    }
                }
        return list;
    }

    internal static List<SynthImage> Lfw(SynthOptions o, Cast cast)
    {
        var list = new List<SynthImage>();
        for (int i = 0; i < cast.Count; i++)
        {
            var person = PersonName(o.Seed, i);
            for (int k = 1; k <= o.PerIdentity; k++)
            {
                var r = Rng.For(o.Seed, 4, i, k);
                var e = WildExpression(ref r);
                var n = Nuisance.Sample(ref r, r.Uniform(-30, 30) * o.PoseScale, o.NuisanceAmount, clutter: true);
                var face = new FaceSpec(i, e, e == Expression.Neutral ? 0 : Strength(o, ref r) * r.Uniform(0.5, 1), n, r.NextUInt64());
                var stem = LfwPairs.Stem(person, k);
                list.Add(new SynthImage($"lfw/{person}/{stem}.jpg", stem, person, face, 0.2, [(Labels.Sex, cast.Sex(i))]));
            }
        }
        return list;
    }

    public static string ClassId(int i) => $"n{i + 1:000000}";

    /// <summary>VGGFace2 test identities: the last tenth (at least one when there are two or more).</summary>
    public static bool IsTest(int i, int count) => count >= 2 && i >= count - Math.Max(1, count / 10);

    internal static List<SynthImage> VggFace2(SynthOptions o, Cast cast)
    {
        var list = new List<SynthImage>();
        for (int i = 0; i < cast.Count; i++)
        {
            var split = IsTest(i, cast.Count) ? "test" : "train";
            for (int k = 1; k <= o.PerIdentity; k++)
            {
                var r = Rng.For(o.Seed, 5, i, k);
                var e = WildExpression(ref r);
                var n = Nuisance.Sample(ref r, r.Uniform(-40, 40) * o.PoseScale, o.NuisanceAmount, clutter: true) with
                {
                    ShiftX = r.Uniform(-0.12, 0.12) * o.NuisanceAmount,
                    ShiftY = r.Uniform(-0.08, 0.08) * o.NuisanceAmount,
                };
                var face = new FaceSpec(i, e, e == Expression.Neutral ? 0 : Strength(o, ref r) * r.Uniform(0.5, 1), n, r.NextUInt64());
                var id = $"{ClassId(i)}/{k:0000}_01";
                list.Add(new SynthImage($"{split}/{id}.jpg", id, ClassId(i), face, r.Uniform(0.17, 0.27),
                    [(Labels.Split, split), (Labels.Sex, cast.Sex(i) == "F" ? "f" : "m")]));
            }
        }
        return list;
    }

    internal static List<SynthImage> Manifest(SynthOptions o, Cast cast)
    {
        var list = new List<SynthImage>();
        for (int i = 0; i < cast.Count; i++)
        {
            var who = $"s{i + 1:000}";
            for (int k = 1; k <= o.PerIdentity; k++)
            {
                var e = KdefCodes.AllExpressions[(k - 1 + i) % 7]; // every expression equally often per person
                var r = Rng.For(o.Seed, 6, i, k);
                var face = new FaceSpec(i, e, e == Expression.Neutral ? 0 : Strength(o, ref r), Studio(o, ref r, r.Uniform(-10, 10) * o.PoseScale), r.NextUInt64());
                var id = $"{who}_{k:000}";
                list.Add(new SynthImage($"images/{who}/{id}.jpg", id, who, face, 0.27, [(Labels.Sex, cast.Sex(i))]));
            }
        }
        return list;
    }

    internal static string I(int v) => v.ToString(CultureInfo.InvariantCulture);
}
