using FaceBrain.Core;
using FaceBrain.Core.Domain;
using FaceBrain.Core.IO;

namespace FaceBrain.Data.Loading;

/// <summary>
/// Loads a stimulus TSV (<c>stimulus_id</c>, <c>path</c>, any label columns) for any other set:
/// researchers' own stimuli, FER-style sets. Relative paths are relative to the TSV's folder.
/// Rows whose file is missing or fails the image check are listed as bad.
/// </summary>
public static class ManifestLoader
{
    public const string PathColumn = "path";

    public static LoadResult Load(string file, LoadOptions? options = null)
    {
        options ??= LoadOptions.Default;
        if (Directory.Exists(file)) throw new InputException(file, "is a folder, expected a stimulus TSV file");
        var table = StimulusTable.Read(file);
        if (!table.HasColumn(PathColumn))
            throw new InputException(file, $"no '{PathColumn}' column (columns: {string.Join(", ", table.Columns)})");
        var baseDir = Path.GetDirectoryName(Path.GetFullPath(file))!;
        var paths = table.Column(PathColumn).Select(p => p.Length == 0 ? "" : Path.GetFullPath(Path.Combine(baseDir, p))).ToArray();
        var bad = new List<BadFile>();
        var problems = new string?[paths.Length];
        var toCheck = new List<int>();
        for (int i = 0; i < paths.Length; i++)
        {
            if (paths[i].Length == 0) problems[i] = "empty path";
            else if (!File.Exists(paths[i])) problems[i] = "file not found";
            else toCheck.Add(i);
        }
        var checkedProblems = ImageFiles.Problems(toCheck.Select(i => paths[i]).ToArray(), options.Check, options.Limits);
        for (int k = 0; k < toCheck.Count; k++) problems[toCheck[k]] = checkedProblems[k];

        var labelColumns = table.Columns.Where(c => c != StimulusTable.IdColumn && c != PathColumn).ToArray();
        var stimuli = new List<Stimulus>();
        for (int i = 0; i < table.Count; i++)
        {
            var id = table[i, StimulusTable.IdColumn];
            if (problems[i] is { } p)
            {
                bad.Add(new BadFile(paths[i].Length == 0 ? $"{file}:{i + 2}" : paths[i], $"{p} (row {i + 2}, stimulus {id})"));
                continue;
            }
            var labels = labelColumns.ToDictionary(c => c, c => table[i, c]);
            stimuli.Add(new Stimulus(id, paths[i], labels));
        }
        if (table.Count == 0) throw new InputException(file, "no rows (header only)");
        return new LoadResult(DatasetKind.Manifest, Path.GetFullPath(file), stimuli, bad);
    }
}
