using FaceBrain.Training.Siamese;
using TorchSharp;
using static TorchSharp.torch;

namespace FaceBrain.Training.Labelling;

/// <summary>What identifies each image: its person and, where the set has them, expression, session and angle (KDEF codes).</summary>
public sealed record FaceConditions(IReadOnlyList<string> Identity, IReadOnlyList<string> Expression,
                                    IReadOnlyList<string>? Session = null, IReadOnlyList<string>? Angle = null)
{
    public const string Neutral = "NE", Frontal = "S", FirstSession = "A", SecondSession = "B";
    public int Count => Identity.Count;
}

/// <summary>1-NN identification: each probe takes the identity of its nearest gallery image.</summary>
public sealed record NearestNeighbour(string Protocol, double Accuracy, int Probes, int GalleryImages, int GalleryIdentities, double Chance);

/// <summary>
/// Verification and identification from one descriptor per image, by Euclidean distance: ROC AUC over all pairs and
/// over pairs of different expressions (a smaller distance means "same person"), the share of different-identity
/// (and of same-identity) pairs under a fixed "same person" threshold, and 1-NN accuracy across sessions, across
/// expressions and across angles. A protocol the set cannot support (no session or angle labels, no neutral gallery
/// image) is listed in <see cref="NotMeasured"/> with the reason, never reported as a number.
/// </summary>
public sealed record IdentityMeasures(
    int Pairs, int SamePairs, double AucAllPairs, double AucAcrossExpressions, double? Threshold,
    double? DifferentUnderThreshold, double? SameUnderThreshold, IReadOnlyList<NearestNeighbour> NearestNeighbour,
    IReadOnlyList<string> NotMeasured);

/// <summary>One image's nearest other image of the same person and of anyone else (indices into the set, Euclidean
/// distances): where the distance to the nearest other person is below the one to the nearest image of the same
/// person, a 1-NN search over the whole set names the wrong person. -1 and NaN where the person has one image.</summary>
public readonly record struct ImageNeighbours(int NearestSame, double SameDistance, int NearestOther, double OtherDistance);

public static class IdentityReadout
{
    public const string AcrossSessions = "across_sessions", AcrossExpressions = "across_expressions", AcrossAngles = "across_angles";

    /// <param name="descriptors">[N, D], one row per image in the order of <paramref name="c"/>.</param>
    /// <param name="threshold">The network's "same person" distance (face-api: 0.6); null for features without one (pixels).</param>
    public static IdentityMeasures Measure(Tensor descriptors, FaceConditions c, double? threshold)
    {
        int n = c.Count;
        var d = Distances(descriptors, c);

        var all = new List<double>(n * (n - 1) / 2);
        var allSame = new List<bool>(n * (n - 1) / 2);
        var cross = new List<double>();
        var crossSame = new List<bool>();
        int diffUnder = 0, diff = 0, sameUnder = 0, same = 0;
        for (int i = 0; i < n; i++)
            for (int j = i + 1; j < n; j++)
            {
                double s = -d[i * n + j]; // higher = more alike
                bool sameId = c.Identity[i] == c.Identity[j];
                all.Add(s);
                allSame.Add(sameId);
                if (c.Expression[i] != c.Expression[j]) { cross.Add(s); crossSame.Add(sameId); }
                if (threshold is double t)
                {
                    bool under = d[i * n + j] < t;
                    if (sameId) { same++; if (under) sameUnder++; }
                    else { diff++; if (under) diffUnder++; }
                }
            }

        var notMeasured = new List<string>();
        var nn = new List<NearestNeighbour>();
        void Protocol(string name, Func<int, bool> gallery, Func<int, bool> probe, string needs)
        {
            var g = Enumerable.Range(0, n).Where(gallery).ToArray();
            var p = Enumerable.Range(0, n).Where(probe).ToArray();
            if (g.Length == 0 || p.Length == 0) { notMeasured.Add($"{name}: no {(g.Length == 0 ? "gallery" : "probe")} images ({needs})"); return; }
            int right = 0;
            foreach (var i in p)
            {
                int best = g[0];
                foreach (var k in g) if (d[i * n + k] < d[i * n + best]) best = k;
                if (c.Identity[best] == c.Identity[i]) right++;
            }
            int ids = g.Select(k => c.Identity[k]).Distinct().Count();
            nn.Add(new NearestNeighbour(name, right / (double)p.Length, p.Length, g.Length, ids, 1.0 / ids));
        }
        bool Frontal(int i) => c.Angle is null || c.Angle[i] == FaceConditions.Frontal;
        bool FirstSession(int i) => c.Session is null || c.Session[i] == FaceConditions.FirstSession;
        bool NeutralGallery(int i) => c.Expression[i] == FaceConditions.Neutral && Frontal(i) && FirstSession(i);

        if (c.Session is null) notMeasured.Add($"{AcrossSessions}: the set has no session labels");
        else Protocol(AcrossSessions, i => c.Session[i] == FaceConditions.FirstSession, i => c.Session[i] == FaceConditions.SecondSession,
                      "gallery: session A; probes: session B");
        Protocol(AcrossExpressions, NeutralGallery, i => c.Expression[i] != FaceConditions.Neutral && Frontal(i),
                 "gallery: neutral, frontal, session A; probes: expressive frontal faces");
        if (c.Angle is null) notMeasured.Add($"{AcrossAngles}: the set has no angle labels");
        else Protocol(AcrossAngles, NeutralGallery, i => c.Angle[i] != FaceConditions.Frontal && c.Expression[i] == FaceConditions.Neutral,
                      "gallery: neutral, frontal, session A; probes: neutral faces at the other angles");

        return new IdentityMeasures(all.Count, allSame.Count(s => s), Verification.Auc(all, allSame),
            cross.Count > 0 ? Verification.Auc(cross, crossSame) : double.NaN, threshold,
            threshold is null || diff == 0 ? null : diffUnder / (double)diff,
            threshold is null || same == 0 ? null : sameUnder / (double)same, nn, notMeasured);
    }

    /// <summary>Each image's <see cref="ImageNeighbours"/> among all the others, by the distances <see cref="Measure"/> uses.</summary>
    public static ImageNeighbours[] Neighbours(Tensor descriptors, FaceConditions c)
    {
        int n = c.Count;
        var d = Distances(descriptors, c);
        var result = new ImageNeighbours[n];
        for (int i = 0; i < n; i++)
        {
            int same = -1, other = -1;
            for (int k = 0; k < n; k++)
            {
                if (k == i) continue;
                if (c.Identity[k] == c.Identity[i]) { if (same < 0 || d[i * n + k] < d[i * n + same]) same = k; }
                else if (other < 0 || d[i * n + k] < d[i * n + other]) other = k;
            }
            result[i] = new ImageNeighbours(same, same < 0 ? double.NaN : d[i * n + same], other, d[i * n + other]);
        }
        return result;
    }

    /// <summary>The [N·N] Euclidean distances between the rows of <paramref name="descriptors"/>, row-major, in float64.</summary>
    static double[] Distances(Tensor descriptors, FaceConditions c)
    {
        int n = c.Count;
        if (descriptors.dim() != 2 || descriptors.shape[0] != n) throw new ArgumentException($"descriptors [{string.Join(",", descriptors.shape)}] for {n} images");
        if (c.Identity.Distinct().Count() < 2) throw new InputException("identity measures need at least two identities");
        using var x = descriptors.to(float64).cpu();
        using var dist = cdist(x.unsqueeze(0), x.unsqueeze(0)).squeeze(0);
        return dist.data<double>().ToArray();
    }
}
