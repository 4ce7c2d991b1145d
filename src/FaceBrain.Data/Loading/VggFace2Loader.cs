using System.Globalization;
using System.Text.RegularExpressions;
using FaceBrain.Core;
using FaceBrain.Core.Domain;

namespace FaceBrain.Data.Loading;

/// <summary>One row of VGGFace2's identity_meta.csv.</summary>
public sealed record VggFace2Identity(string ClassId, string Name, int SampleNum, int Flag, string Gender);

/// <summary>
/// Loads VGGFace2 as distributed: <c>train/n000002/0001_01.jpg</c>, <c>test/...</c>,
/// <c>identity_meta.csv</c> (in the root or <c>meta/</c>; names may hold commas and quotes),
/// <c>train_list.txt</c>/<c>test_list.txt</c> and, when present, loose-crop boxes
/// <c>bb_landmark/loose_bb_{train,test}.csv</c>. Stimulus id = <c>n000002/0001_01</c>.
/// </summary>
public static class VggFace2Loader
{
    static readonly Regex ClassFolder = new(@"^n\d{6}$", RegexOptions.CultureInvariant);
    static readonly Regex ImageName = new(@"^\d{4}_\d{2}\.jpe?g$", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant);
    static readonly string[] Splits = ["train", "test"];

    public static LoadResult Load(string dir, LoadOptions? options = null)
    {
        options ??= LoadOptions.Default;
        ImageFiles.RequireDirectory(dir, "VGGFace2");
        var splitDirs = Splits.Select(s => (Split: s, Dir: Path.Combine(dir, s))).Where(s => Directory.Exists(s.Dir)).ToList();
        if (splitDirs.Count == 0)
            throw new InputException(dir, "not a VGGFace2 folder: neither train/ nor test/ is there");
        var metaPath = new[] { Path.Combine(dir, "identity_meta.csv"), Path.Combine(dir, "meta", "identity_meta.csv") }
            .FirstOrDefault(File.Exists);
        var meta = metaPath == null ? null : ReadIdentityMeta(metaPath).ToDictionary(m => m.ClassId, StringComparer.Ordinal);

        var bad = new List<BadFile>();
        var candidates = new List<(string Path, string Split, string Class, string Id)>();
        foreach (var (split, splitDir) in splitDirs)
        {
            foreach (var folder in Directory.EnumerateDirectories(splitDir).Order(StringComparer.Ordinal))
            {
                var cls = Path.GetFileName(folder);
                if (cls.StartsWith('.')) continue;
                if (!ClassFolder.IsMatch(cls)) { bad.Add(new BadFile(folder, "not a VGGFace2 class folder (expected e.g. n000002)")); continue; }
                foreach (var file in Directory.EnumerateFiles(folder).Order(StringComparer.Ordinal))
                {
                    var name = Path.GetFileName(file);
                    if (name.StartsWith('.')) continue;
                    if (!ImageName.IsMatch(name)) { bad.Add(new BadFile(file, "not a VGGFace2 image name (expected e.g. 0001_01.jpg)")); continue; }
                    candidates.Add((file, split, cls, $"{cls}/{Path.GetFileNameWithoutExtension(name)}"));
                }
            }
            var list = Path.Combine(dir, $"{split}_list.txt");
            if (File.Exists(list))
            {
                var present = candidates.Where(c => c.Split == split).Select(c => c.Id).ToHashSet(StringComparer.Ordinal);
                int lineNo = 0;
                foreach (var line in File.ReadLines(list))
                {
                    lineNo++;
                    var entry = line.Trim();
                    if (entry.Length == 0) continue;
                    var id = Path.ChangeExtension(entry, null).Replace('\\', '/');
                    if (!present.Contains(id))
                        bad.Add(new BadFile($"{list}:{lineNo}", $"lists {entry}, which is not in {split}/"));
                }
            }
        }
        if (candidates.Count == 0)
            throw new InputException(dir, "no VGGFace2 images (train/n000002/0001_01.jpg)" + ImageFiles.FirstBad(bad));

        var boxes = new Dictionary<string, int[]>(StringComparer.Ordinal);
        foreach (var (split, _) in splitDirs)
            foreach (var p in new[] { Path.Combine(dir, "bb_landmark", $"loose_bb_{split}.csv"), Path.Combine(dir, $"loose_bb_{split}.csv") })
                if (File.Exists(p)) { ReadBoxes(p, boxes); break; }

        var problems = ImageFiles.Problems(candidates.Select(c => c.Path).ToArray(), options.Check, options.Limits);
        var stimuli = new List<Stimulus>();
        for (int i = 0; i < candidates.Count; i++)
        {
            var c = candidates[i];
            if (problems[i] is { } p) { bad.Add(new BadFile(c.Path, p)); continue; }
            var labels = new Dictionary<string, string> { [Labels.Identity] = c.Class, [Labels.Split] = c.Split };
            if (meta != null && meta.TryGetValue(c.Class, out var m))
            {
                labels[Labels.Name] = m.Name.Replace('\t', ' ');
                labels[Labels.Sex] = m.Gender;
            }
            if (boxes.TryGetValue(c.Id, out var b))
            {
                labels[Labels.BoxX] = b[0].ToString(CultureInfo.InvariantCulture);
                labels[Labels.BoxY] = b[1].ToString(CultureInfo.InvariantCulture);
                labels[Labels.BoxW] = b[2].ToString(CultureInfo.InvariantCulture);
                labels[Labels.BoxH] = b[3].ToString(CultureInfo.InvariantCulture);
            }
            stimuli.Add(new Stimulus(c.Id, Path.GetFullPath(c.Path), labels));
        }
        stimuli.Sort((a, b) => string.CompareOrdinal(a.Id, b.Id));
        return new LoadResult(DatasetKind.VggFace2, Path.GetFullPath(dir), stimuli, bad);
    }

    /// <summary>Reads identity_meta.csv: header "Class_ID, Name, Sample_Num, Flag, Gender", then one row per class.</summary>
    public static IReadOnlyList<VggFace2Identity> ReadIdentityMeta(string path)
    {
        var rows = new List<VggFace2Identity>();
        int lineNo = 0;
        foreach (var raw in File.ReadLines(path))
        {
            lineNo++;
            var line = raw.TrimEnd('\r');
            if (lineNo == 1)
            {
                var h = CsvLine.Split(line.TrimStart('\uFEFF'), out _);
                if (h == null || h.Count < 5 || !string.Equals(h[0], "Class_ID", StringComparison.OrdinalIgnoreCase))
                    throw new InputException(path, "line 1 is not the header 'Class_ID, Name, Sample_Num, Flag, Gender'");
                continue;
            }
            if (line.Trim().Length == 0) continue;
            var f = CsvLine.Split(line, out var problem)
                ?? throw new InputException(path, $"line {lineNo}: {problem}");
            if (f.Count != 5)
                throw new InputException(path, $"line {lineNo} has {f.Count} fields, expected 5 (quote names that contain commas)");
            if (!int.TryParse(f[2], NumberStyles.Integer, CultureInfo.InvariantCulture, out var n)
                || !int.TryParse(f[3], NumberStyles.Integer, CultureInfo.InvariantCulture, out var flag))
                throw new InputException(path, $"line {lineNo}: Sample_Num and Flag must be integers");
            rows.Add(new VggFace2Identity(f[0], f[1], n, flag, f[4]));
        }
        if (rows.Count == 0) throw new InputException(path, "no identities (header only or empty)");
        return rows;
    }

    /// <summary>Reads a loose_bb CSV: header NAME_ID,X,Y,W,H then "n000002/0001_01",x,y,w,h.</summary>
    static void ReadBoxes(string path, Dictionary<string, int[]> boxes)
    {
        int lineNo = 0;
        foreach (var raw in File.ReadLines(path))
        {
            lineNo++;
            if (lineNo == 1 || raw.Trim().Length == 0) continue;
            var f = CsvLine.Split(raw.TrimEnd('\r'), out var problem) ?? throw new InputException(path, $"line {lineNo}: {problem}");
            var v = new int[4];
            if (f.Count != 5 || !Enumerable.Range(0, 4).All(k => int.TryParse(f[k + 1], NumberStyles.Integer, CultureInfo.InvariantCulture, out v[k])))
                throw new InputException(path, $"line {lineNo} is not 'NAME_ID,X,Y,W,H' with integer box values");
            if (v[2] <= 0 || v[3] <= 0) throw new InputException(path, $"line {lineNo}: box width and height must be positive");
            boxes[f[0]] = v;
        }
    }
}
