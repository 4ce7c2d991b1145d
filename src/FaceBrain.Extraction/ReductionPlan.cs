using FaceBrain.Core;

namespace FaceBrain.Extraction;

/// <summary>
/// Which reduction each layer gets: one for every layer plus per-layer overrides, as in <c>gap,conv1=grid:4</c>.
/// </summary>
public sealed record ReductionPlan(string Default, IReadOnlyDictionary<string, string> Overrides)
{
    public static ReductionPlan Gap { get; } = new("gap", new Dictionary<string, string>());

    /// <summary>Parses <c>SPEC[,LAYER=SPEC...]</c>; each spec is checked by <see cref="Reduction.Parse"/>.</summary>
    public static ReductionPlan Parse(string text)
    {
        var overrides = new Dictionary<string, string>(StringComparer.Ordinal);
        string fallback = "gap";
        foreach (var part in text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            int eq = part.IndexOf('=');
            var spec = eq < 0 ? part : part[(eq + 1)..];
            Reduction.Parse(spec, 0);
            if (eq < 0) fallback = part;
            else overrides[part[..eq]] = spec;
        }
        return new ReductionPlan(fallback, overrides);
    }

    /// <summary>One reduction per layer; an override for a layer that is not extracted is refused.</summary>
    public Dictionary<string, Reduction> For(IReadOnlyList<string> layers, long seed)
    {
        foreach (var layer in Overrides.Keys)
            if (!layers.Contains(layer)) throw new InputException($"`reduce` {layer}={Overrides[layer]}: layer '{layer}' is not among `layers`");
        return layers.ToDictionary(l => l, l => Reduction.Parse(Overrides.GetValueOrDefault(l, Default), seed));
    }

    public override string ToString() =>
        string.Join(",", new[] { Default }.Concat(Overrides.OrderBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => $"{kv.Key}={kv.Value}")));
}
