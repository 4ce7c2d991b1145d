using System.Globalization;
using System.Text;
using FaceBrain.Data.Loading;
using SkiaSharp;

namespace FaceBrain.Data.Synthesis;

/// <summary>The list files of the real layouts: LFW pairs and people lists, VGGFace2 meta, lists and boxes.</summary>
internal static class LayoutFiles
{
    /// <summary>
    /// pairs.txt in LFW's format: "F P", then per fold P matched lines "name i j" and P mismatched lines
    /// "name1 i name2 j". Folds are identity-disjoint (identity i is in fold i mod F), as in LFW.
    /// Returns the number of pairs written.
    /// </summary>
    public static int WriteLfwLists(SynthOptions o, Cast cast, List<SynthImage> plan, string dir)
    {
        int folds = Math.Min(10, cast.Count / 2), m = o.PerIdentity;
        var matched = new List<List<string>>();
        var mismatched = new List<List<string>>();
        for (int f = 0; f < folds; f++)
        {
            var r = Rng.For(o.Seed, 7, f);
            var people = Enumerable.Range(0, cast.Count).Where(i => i % folds == f).ToArray();
            var same = new List<string>();
            foreach (var i in people)
                for (int a = 1; a <= m; a++)
                    for (int b = a + 1; b <= m; b++)
                        same.Add($"{LayoutPlans.PersonName(o.Seed, i)}\t{a}\t{b}");
            var diff = new List<string>();
            for (int x = 0; x < people.Length; x++)
                for (int y = x + 1; y < people.Length; y++)
                    for (int a = 1; a <= Math.Min(m, 3); a++)
                        for (int b = 1; b <= Math.Min(m, 3); b++)
                            diff.Add($"{LayoutPlans.PersonName(o.Seed, people[x])}\t{a}\t{LayoutPlans.PersonName(o.Seed, people[y])}\t{b}");
            Shuffle(same, ref r);
            Shuffle(diff, ref r);
            matched.Add(same);
            mismatched.Add(diff);
        }
        int per = Math.Min(300, Math.Min(matched.Min(s => s.Count), mismatched.Min(s => s.Count)));
        var sb = new StringBuilder();
        sb.Append(folds).Append('\t').Append(per).Append('\n');
        for (int f = 0; f < folds; f++)
        {
            foreach (var l in matched[f].Take(per)) sb.Append(l).Append('\n');
            foreach (var l in mismatched[f].Take(per)) sb.Append(l).Append('\n');
        }
        FaceSynthesizer.WriteText(Path.Combine(dir, "pairs.txt"), sb.ToString());

        int train = (int)Math.Round(cast.Count * 0.7);
        WritePeople(Path.Combine(dir, "peopleDevTrain.txt"), Enumerable.Range(0, train).Select(i => LayoutPlans.PersonName(o.Seed, i)), m);
        WritePeople(Path.Combine(dir, "peopleDevTest.txt"), Enumerable.Range(train, cast.Count - train).Select(i => LayoutPlans.PersonName(o.Seed, i)), m);
        return folds * per * 2;
    }

    static void WritePeople(string path, IEnumerable<string> people, int images)
    {
        var names = people.Order(StringComparer.Ordinal).ToList();
        var sb = new StringBuilder().Append(names.Count).Append('\n');
        foreach (var n in names) sb.Append(n).Append('\t').Append(images).Append('\n');
        FaceSynthesizer.WriteText(path, sb.ToString());
    }

    /// <summary>Some display names carry commas and quotes, as a few real VGGFace2 names do.</summary>
    public static string DisplayName(int seed, int i) => (i % 7, i % 11) switch
    {
        (3, _) => LayoutPlans.PersonName(seed, i) + ", Jr.",
        (_, 5) => LayoutPlans.PersonName(seed, i).Replace("_", " \"Ace\" "),
        _ => LayoutPlans.PersonName(seed, i),
    };

    public static void WriteVggFace2Lists(SynthOptions o, Cast cast, List<SynthImage> plan, SKRect[] boxes, string dir)
    {
        var meta = new StringBuilder("Class_ID, Name, Sample_Num, Flag, Gender\n");
        for (int i = 0; i < cast.Count; i++)
        {
            bool test = LayoutPlans.IsTest(i, cast.Count);
            meta.Append(LayoutPlans.ClassId(i)).Append(", \"").Append(DisplayName(o.Seed, i).Replace("\"", "\"\"")).Append("\", ")
                .Append(o.PerIdentity).Append(", ").Append(test ? 0 : 1).Append(", ").Append(cast.Sex(i) == "F" ? "f" : "m").Append('\n');
        }
        FaceSynthesizer.WriteText(Path.Combine(dir, "identity_meta.csv"), meta.ToString());
        foreach (var split in new[] { "train", "test" })
        {
            var idx = Enumerable.Range(0, plan.Count).Where(k => plan[k].RelativePath.StartsWith(split + "/", StringComparison.Ordinal)).ToList();
            if (idx.Count == 0) continue;
            var list = new StringBuilder();
            var bb = new StringBuilder("NAME_ID,X,Y,W,H\n");
            foreach (var k in idx)
            {
                list.Append(plan[k].StimulusId).Append(".jpg\n");
                var b = boxes[k];
                int x = (int)Math.Floor(b.Left), y = (int)Math.Floor(b.Top);
                int w = (int)Math.Ceiling(b.Right) - x, h = (int)Math.Ceiling(b.Bottom) - y;
                bb.Append('"').Append(plan[k].StimulusId).Append("\",")
                    .Append(string.Join(',', new[] { x, y, w, h }.Select(v => v.ToString(CultureInfo.InvariantCulture)))).Append('\n');
            }
            FaceSynthesizer.WriteText(Path.Combine(dir, $"{split}_list.txt"), list.ToString());
            FaceSynthesizer.WriteText(Path.Combine(dir, "bb_landmark", $"loose_bb_{split}.csv"), bb.ToString());
        }
    }

    static void Shuffle<T>(List<T> xs, ref Rng r)
    {
        for (int i = xs.Count - 1; i > 0; i--)
        {
            int j = r.Next(i + 1);
            (xs[i], xs[j]) = (xs[j], xs[i]);
        }
    }
}
