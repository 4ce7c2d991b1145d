using FaceBrain.Core;
using FaceBrain.Core.Domain;

namespace FaceBrain.Data.Loading;

/// <summary>
/// A plain folder of images, searched recursively. Stimulus id = the path relative to the folder,
/// without extension, with '/' separators; identity = the first sub-folder (one folder per person),
/// or the file stem for images directly in the folder.
/// </summary>
public static class FolderLoader
{
    public static LoadResult Load(string dir, LoadOptions? options = null)
    {
        options ??= LoadOptions.Default;
        ImageFiles.RequireDirectory(dir, "image");
        var root = Path.GetFullPath(dir);
        var bad = new List<BadFile>();
        var images = new List<string>();
        foreach (var f in Directory.EnumerateFiles(root, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
        {
            var rel = Path.GetRelativePath(root, f);
            if (rel.Split(Path.DirectorySeparatorChar).Any(s => s.StartsWith('.'))) continue;
            if (ImageFiles.HasImageExtension(f)) images.Add(f);
            else bad.Add(new BadFile(f, "not an image file name (unknown extension)"));
        }
        if (images.Count == 0) throw new InputException(root, "no image files" + ImageFiles.FirstBad(bad));

        var problems = ImageFiles.Problems(images, options.Check, options.Limits);
        var stimuli = new List<Stimulus>();
        var seen = new Dictionary<string, string>(StringComparer.Ordinal);
        for (int i = 0; i < images.Count; i++)
        {
            if (problems[i] is { } p) { bad.Add(new BadFile(images[i], p)); continue; }
            var rel = Path.GetRelativePath(root, images[i]).Replace(Path.DirectorySeparatorChar, '/');
            var id = rel[..^Path.GetExtension(rel).Length];
            if (!seen.TryAdd(id, images[i])) { bad.Add(new BadFile(images[i], $"same stimulus id '{id}' as {seen[id]}")); continue; }
            var slash = id.IndexOf('/');
            var identity = slash > 0 ? id[..slash] : id;
            stimuli.Add(new Stimulus(id, images[i], new Dictionary<string, string> { [Labels.Identity] = identity }));
        }
        stimuli.Sort((a, b) => string.CompareOrdinal(a.Id, b.Id));
        return new LoadResult(DatasetKind.Images, root, stimuli, bad);
    }
}
