namespace FaceBrain.Study.Experiment;

/// <summary>
/// What the `facebrain` verbs accept, as the CLI declares it (it builds this from its own option attributes, so the
/// runner validates an experiment's pass-through options against the real verbs rather than a copy of their lists).
/// </summary>
/// <param name="Options">Long option names (without "--") per verb path, e.g. "train siamese".</param>
/// <param name="Models">Values of --model.</param>
/// <param name="NamedWeights">Values of --weights that name a source rather than a file (besides "random").</param>
/// <param name="Presets">Preprocessing presets, with the models each one fits (empty: any model).</param>
public sealed record VerbCatalogue(
    IReadOnlyDictionary<string, IReadOnlySet<string>> Options,
    IReadOnlyList<string> Models,
    IReadOnlyList<string> NamedWeights,
    IReadOnlyDictionary<string, IReadOnlyList<string>> Presets)
{
    public IReadOnlySet<string> OptionsOf(string verb) =>
        Options.TryGetValue(verb, out var o) ? o : throw new InvalidOperationException($"verb '{verb}' is not in the catalogue");
}
