using System.Text.RegularExpressions;
using FaceBrain.Core;
using FaceBrain.Core.Domain;

namespace FaceBrain.Data.Loading;

/// <summary>
/// Loads LFW as distributed: <c>lfw/Name/Name_0001.jpg</c> (or lfw-deepfunneled / lfw_funneled), with
/// <c>pairs.txt</c> and <c>peopleDevTrain.txt</c>/<c>peopleDevTest.txt</c> beside the image folder or
/// inside it. Stimulus id = file stem; identity = the person's folder name; <c>lfw_dev</c> = train/test
/// when the people lists are present.
/// </summary>
public static class LfwLoader
{
    static readonly string[] ImageFolderNames = ["lfw", "lfw-deepfunneled", "lfw_funneled", "lfw-funneled"];
    static readonly Regex FileName = new(@"^(?<name>.+)_(?<index>\d{4})\.(jpe?g|png)$", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant);

    public const string DevSplit = "lfw_dev";

    public static LoadResult Load(string dir, LoadOptions? options = null)
    {
        options ??= LoadOptions.Default;
        ImageFiles.RequireDirectory(dir, "LFW");
        var root = FindImageRoot(dir);
        var bad = new List<BadFile>();
        var candidates = new List<(string Path, string Person, string Stem)>();
        foreach (var folder in Directory.EnumerateDirectories(root).Order(StringComparer.Ordinal))
        {
            var person = Path.GetFileName(folder);
            if (person.StartsWith('.')) continue;
            foreach (var file in Directory.EnumerateFiles(folder).Order(StringComparer.Ordinal))
            {
                var name = Path.GetFileName(file);
                if (name.StartsWith('.')) continue;
                var m = FileName.Match(name);
                if (!m.Success)
                    bad.Add(new BadFile(file, "not an LFW image name (expected Name_0001.jpg)"));
                else if (m.Groups["name"].Value != person)
                    bad.Add(new BadFile(file, $"is in folder {person} but its name says {m.Groups["name"].Value}"));
                else
                    candidates.Add((file, person, Path.GetFileNameWithoutExtension(name)));
            }
        }
        if (candidates.Count == 0)
            throw new InputException(root, "not an LFW folder: no Name/Name_0001.jpg images" + ImageFiles.FirstBad(bad));

        var problems = ImageFiles.Problems(candidates.Select(c => c.Path).ToArray(), options.Check, options.Limits);
        var dev = DevMembership(dir, root);
        var stimuli = new List<Stimulus>();
        for (int i = 0; i < candidates.Count; i++)
        {
            if (problems[i] is { } p) { bad.Add(new BadFile(candidates[i].Path, p)); continue; }
            var labels = new Dictionary<string, string> { [Labels.Identity] = candidates[i].Person };
            if (dev != null) labels[DevSplit] = dev.TryGetValue(candidates[i].Person, out var s) ? s : "";
            stimuli.Add(new Stimulus(candidates[i].Stem, Path.GetFullPath(candidates[i].Path), labels));
        }
        stimuli.Sort((a, b) => string.CompareOrdinal(a.Id, b.Id));

        LfwPairs? pairs = null;
        if (FindBeside(dir, root, "pairs.txt") is { } pairsPath)
            pairs = LfwPairs.Read(pairsPath, stimuli.Select(s => s.Id).ToHashSet(StringComparer.Ordinal), bad);
        return new LoadResult(DatasetKind.Lfw, root, stimuli, bad) { Pairs = pairs };
    }

    /// <summary>Person → "train"/"test" from peopleDevTrain/Test.txt, or null when neither file exists.</summary>
    static Dictionary<string, string>? DevMembership(string dir, string root)
    {
        var train = FindBeside(dir, root, "peopleDevTrain.txt");
        var test = FindBeside(dir, root, "peopleDevTest.txt");
        if (train == null && test == null) return null;
        var d = new Dictionary<string, string>(StringComparer.Ordinal);
        if (train != null) foreach (var (n, _) in LfwPeople.Read(train)) d[n] = "train";
        if (test != null) foreach (var (n, _) in LfwPeople.Read(test)) d[n] = "test";
        return d;
    }

    static string? FindBeside(string dir, string root, string file) =>
        new[] { dir, root, Path.GetDirectoryName(Path.GetFullPath(root)) ?? root }
            .Select(d => Path.Combine(d, file)).FirstOrDefault(File.Exists);

    static string FindImageRoot(string dir)
    {
        // DIR/lfw (or lfw-deepfunneled, ...) when present; some repackagings nest it twice (lfw-deepfunneled/lfw-deepfunneled/).
        var root = dir;
        for (int depth = 0; depth < 3; depth++)
        {
            var sub = ImageFolderNames.Select(n => Path.Combine(root, n)).FirstOrDefault(Directory.Exists);
            if (sub == null) break;
            root = sub;
        }
        if (!Directory.EnumerateFileSystemEntries(root).Any(e => !Path.GetFileName(e).StartsWith('.')))
            throw new InputException(root, "empty folder (expected LFW person folders like Aaron_Eckhart/)");
        return root;
    }
}
