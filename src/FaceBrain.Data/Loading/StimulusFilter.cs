using FaceBrain.Core;
using FaceBrain.Core.Domain;

namespace FaceBrain.Data.Loading;

/// <summary>
/// Keeps the stimuli whose labels match every term of <c>--where COLUMN=V1,V2</c> (values compared without
/// regard to case). Works for any layout with that label column: <c>--where angle=S</c> keeps KDEF's frontal
/// photographs, <c>--where session=A</c> one session, a manifest's own columns likewise.
/// </summary>
public sealed class StimulusFilter
{
    readonly (string Column, HashSet<string> Values)[] _terms;

    StimulusFilter((string, HashSet<string>)[] terms) => _terms = terms;

    /// <summary>Null when no term is given.</summary>
    public static StimulusFilter? Parse(IReadOnlyList<string>? terms)
    {
        if (terms is null || terms.Count == 0) return null;
        var parsed = terms.Select(t =>
        {
            int eq = t.IndexOf('=');
            var column = eq > 0 ? t[..eq].Trim() : "";
            var values = eq > 0 ? t[(eq + 1)..].Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries) : [];
            if (column.Length == 0 || values.Length == 0)
                throw new InputException($"`where` '{t}': expected COLUMN=VALUE[,VALUE...], e.g. angle=S");
            return (column, values.ToHashSet(StringComparer.OrdinalIgnoreCase));
        }).ToArray();
        return new StimulusFilter(parsed);
    }

    /// <summary>The matching stimuli in their original order; a column no stimulus has, or nothing left, is bad input.</summary>
    public IReadOnlyList<Stimulus> Apply(IReadOnlyList<Stimulus> stimuli, string source)
    {
        foreach (var (column, _) in _terms)
            if (!stimuli.Any(s => s.Label(column) != null))
                throw new InputException(source, $"`where` {column}=...: no stimulus has a '{column}' label");
        var kept = stimuli.Where(s => _terms.All(t => s.Label(t.Column) is { } v && t.Values.Contains(v))).ToList();
        if (kept.Count == 0) throw new InputException(source, $"`where` {this}: no stimulus matches");
        return kept;
    }

    /// <summary>The same set with only the matching stimuli (bad files and LFW pairs kept as loaded).</summary>
    public LoadResult Apply(LoadResult loaded, string source) => loaded with { Stimuli = Apply(loaded.Stimuli, source) };

    public override string ToString() => string.Join(" ", _terms.Select(t => $"{t.Column}={string.Join(',', t.Values)}"));
}
