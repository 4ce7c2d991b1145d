using System.Text.RegularExpressions;
using FaceBrain.Core;
using FaceBrain.Core.Domain;

namespace FaceBrain.Data.Loading;

/// <summary>
/// Loads KDEF as distributed: <c>KDEF/AF01/AF01ANS.JPG</c>. Accepts the folder that holds <c>KDEF/</c>
/// or the KDEF folder itself. Files whose names do not parse, that sit in the wrong actor folder or
/// that fail the image check are listed as bad with the reason, never guessed.
/// </summary>
public static class KdefLoader
{
    static readonly Regex ActorFolder = new(@"^[AB][FM]\d{2}$", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant);

    public static LoadResult Load(string dir, LoadOptions? options = null)
    {
        options ??= LoadOptions.Default;
        var root = FindRoot(dir);
        var bad = new List<BadFile>();
        var candidates = new List<(string Path, KdefName Name)>();
        foreach (var folder in Directory.EnumerateDirectories(root).Order(StringComparer.Ordinal))
        {
            var folderName = Path.GetFileName(folder);
            if (folderName.StartsWith('.')) continue;
            if (!ActorFolder.IsMatch(folderName))
            {
                bad.Add(new BadFile(folder, "not a KDEF actor folder (expected e.g. AF01)"));
                continue;
            }
            foreach (var file in Directory.EnumerateFiles(folder).Order(StringComparer.Ordinal))
            {
                var fileName = Path.GetFileName(file);
                if (fileName.StartsWith('.')) continue;
                if (!KdefName.TryParse(fileName, out var name, out var problem))
                    bad.Add(new BadFile(file, problem));
                else if (!string.Equals(name.Folder, folderName, StringComparison.OrdinalIgnoreCase))
                    bad.Add(new BadFile(file, $"is in folder {folderName} but its name says {name.Folder}"));
                else
                    candidates.Add((file, name));
            }
        }
        if (candidates.Count == 0)
            throw new InputException(root, "no KDEF images found" + ImageFiles.FirstBad(bad));

        // Two spellings of one stem (AF01ANS.JPG and af01ans.jpg) are ambiguous: keep neither silently.
        var seen = new Dictionary<string, string>(StringComparer.Ordinal);
        var kept = new List<(string Path, KdefName Name)>();
        foreach (var c in candidates)
        {
            if (seen.TryGetValue(c.Name.Stem, out var first))
                bad.Add(new BadFile(c.Path, $"duplicate of {first} (same KDEF stem {c.Name.Stem})"));
            else
            {
                seen[c.Name.Stem] = c.Path;
                kept.Add(c);
            }
        }
        kept = kept.Where(c => Keep(c.Name, options)).ToList();

        var problems = ImageFiles.Problems(kept.Select(k => k.Path).ToArray(), options.Check, options.Limits);
        var stimuli = new List<Stimulus>();
        for (int i = 0; i < kept.Count; i++)
        {
            if (problems[i] is { } p) { bad.Add(new BadFile(kept[i].Path, p)); continue; }
            var n = kept[i].Name;
            stimuli.Add(new Stimulus(n.Stem, Path.GetFullPath(kept[i].Path), new Dictionary<string, string>
            {
                [Labels.Identity] = n.Identity,
                [Labels.Expression] = n.Expression.Code(),
                [Labels.Angle] = n.Angle.Code(),
                [Labels.Session] = n.Session,
                [Labels.Sex] = n.Sex,
            }));
        }
        stimuli.Sort((a, b) => string.CompareOrdinal(a.Id, b.Id));
        return new LoadResult(DatasetKind.Kdef, root, stimuli, bad);
    }

    static bool Keep(KdefName n, LoadOptions o) =>
        (o.Angles == null || o.Angles.Contains(n.Angle.Code()))
        && (o.Sessions == null || o.Sessions.Contains(n.Session))
        && (o.Expressions == null || o.Expressions.Contains(n.Expression.Code()));

    /// <summary>The folder holding the actor folders: DIR/KDEF when present, else DIR itself.</summary>
    static string FindRoot(string dir)
    {
        ImageFiles.RequireDirectory(dir, "KDEF");
        var sub = Directory.EnumerateDirectories(dir)
            .FirstOrDefault(d => string.Equals(Path.GetFileName(d), "KDEF", StringComparison.OrdinalIgnoreCase));
        var root = sub ?? dir;
        var entries = Directory.EnumerateFileSystemEntries(root).Where(e => !Path.GetFileName(e).StartsWith('.')).ToList();
        if (entries.Count == 0) throw new InputException(root, "empty folder (expected KDEF actor folders like AF01/)");
        if (!Directory.EnumerateDirectories(root).Any(d => ActorFolder.IsMatch(Path.GetFileName(d))))
            throw new InputException(root, "not a KDEF folder: no actor folders like AF01/ holding AF01ANS.JPG (is it another layout?)");
        return root;
    }
}
