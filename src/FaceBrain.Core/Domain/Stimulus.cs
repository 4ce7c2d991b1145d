namespace FaceBrain.Core.Domain;

/// <summary>
/// One face image and what is known about it. <see cref="Labels"/> holds every column a loader knows
/// (identity, expression, angle, session, ...) as text, in the order they go into a stimulus table.
/// </summary>
public sealed record Stimulus(string Id, string? Path, IReadOnlyDictionary<string, string> Labels)
{
    public string? Label(string column) => Labels.TryGetValue(column, out var v) ? v : null;
}
