using FaceBrain.Analysis;
using FaceBrain.Core.IO;
using FaceBrain.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace FaceBrain.Training.Probe;

/// <summary>
/// What a probe asks: the target column, how to hold data out, and the read-out (the Analysis decoder's
/// classifier, standardisation, permutations, bootstrap). <paramref name="Scheme"/> overrides the study's
/// default folds; <paramref name="IdentityFolds"/> and <paramref name="SplitBy"/> adjust them.
/// </summary>
public sealed record ProbeRequest(
    string Target,
    Classifiers.Classifier Classifier,
    CrossValidation.Scheme? Scheme = null,
    string? SplitBy = null,
    int? IdentityFolds = null,
    bool Standardize = true,
    int Permutations = 20,
    int Bootstrap = 1000,
    double Confidence = 0.95,
    int Seed = 1,
    string IdentityColumn = FaceBrain.Data.Loading.Labels.Identity);

/// <summary>The decoder's result and the names of the folds it used.</summary>
public sealed record ProbeDecoding(Decoding.Result Result, string[] Folds);

/// <summary>One network's probe: its description, the layer, the feature count, the folds' names, the decoder's result,
/// and where the time went: the frozen network's forward passes (<paramref name="FeatureSeconds"/>) and the read-out,
/// i.e. every fit, permutations included (<paramref name="ReadoutSeconds"/>), both wall-clock (printed, never written to probe.json, whose bytes must not depend on the run).</summary>
public sealed record ProbeOutcome(string Backbone, string Layer, int Features, IReadOnlyList<string> Folds, Decoding.Result Result,
                                  double FeatureSeconds, double ReadoutSeconds);

/// <summary>
/// The transfer experiment: a frozen network's layer (<see cref="FrozenFeatures"/>) read out by the same
/// cross-validated linear decoder as <c>decode</c> (FaceBrain.Analysis.Decoding), so a probe and
/// extract + decode of the same layer with the same classifier, C and folds give the same accuracy.
/// The study's folds: identity on the other value of a session-like column (KDEF's A vs B), anything else on
/// identities never seen in training (k folds of identities).
/// </summary>
public static class ProbeExperiment
{
    /// <summary>The seed offset of the randomly initialised control network (so it never equals the backbone's random init).</summary>
    public const int ControlSeedOffset = 1000;

    /// <summary>The folds the request asks for on this table.</summary>
    public static CrossValidation.Scheme SchemeFor(StimulusTable table, ProbeRequest r)
    {
        if (r.Scheme is { } explicitScheme) return explicitScheme;
        if (r.Target == r.IdentityColumn)
            return CrossValidation.Scheme.NewLeaveOneGroupOut(r.SplitBy ?? FaceBrain.Data.Loading.Labels.Session);
        if (!table.HasColumn(r.IdentityColumn))
            return CrossValidation.defaultScheme(table, r.IdentityColumn, r.Target);
        int identities = table.Column(r.IdentityColumn).Distinct(StringComparer.Ordinal).Count();
        if (r.IdentityFolds is int k)
        {
            if (k < 2) throw new InputException(table.Source, $"{k} folds of identities: leaving identities out needs at least 2");
            if (k > identities) throw new InputException(table.Source, $"{k} folds of identities asked for, but the data has only {identities} identities");
            return CrossValidation.Scheme.NewGroupKFold(k, r.IdentityColumn);
        }
        if (identities < 2) throw new InputException(table.Source, $"{identities} identity: leaving identities out needs at least 2");
        return CrossValidation.Scheme.NewGroupKFold(Math.Min(5, identities), r.IdentityColumn);
    }

    /// <summary>Decodes the target from an [N, F] feature tensor whose rows follow <paramref name="table"/>.</summary>
    public static ProbeDecoding Decode(Tensor features, StimulusTable table, ProbeRequest r, Device device)
    {
        if (features.shape[0] != table.Count) throw new ArgumentException($"{features.shape[0]} feature rows for {table.Count} stimuli");
        using var f64 = features.to(float64).cpu().contiguous();
        var data = Dataset.make(table.Source, table, (int)features.shape[0], (int)features.shape[1], f64.data<double>().ToArray());
        var scheme = SchemeFor(table, r);
        var options = new Decoding.Options(r.Classifier, scheme, r.Standardize, r.Permutations, r.Bootstrap, r.Confidence, r.Seed, device);
        var result = Decoding.decode(data, r.Target, options);
        // The same folds the decoder used (they are a function of the table, the labels, the seed and the scheme), by name.
        var column = Microsoft.FSharp.Core.FuncConvert.FromFunc<string, string[]>(c => Dataset.column(data, c));
        var folds = CrossValidation.folds(table.Source, column, Decoding.labels(data, r.Target).Codes, scheme);
        return new ProbeDecoding(result, folds.Select(f => f.Name).ToArray());
    }

    /// <summary>
    /// Probes <paramref name="network"/> (and, with <paramref name="control"/>, a randomly initialised frozen network
    /// of the same architecture, seeded <c>seed + ControlSeedOffset</c>) at <paramref name="layer"/>.
    /// </summary>
    public static IReadOnlyList<ProbeOutcome> Run(Network network, string description, string layer, Tensor images, StimulusTable table,
                                                  ProbeRequest r, bool control, long seed, Device device, Progress progress)
    {
        var outcomes = new List<ProbeOutcome>();
        progress.Begin("probe", control ? 4 : 2, "steps (features, read-out per network)");
        ProbeOutcome One(Network n, string name)
        {
            var clock = System.Diagnostics.Stopwatch.StartNew();
            using var features = FrozenFeatures.Extract(n, layer, images, device);
            double featureSeconds = clock.Elapsed.TotalSeconds;
            progress.Advance();
            var decoded = Decode(features, table, r, device);
            progress.Advance();
            return new ProbeOutcome(name, layer, (int)features.shape[1], decoded.Folds, decoded.Result,
                                    featureSeconds, clock.Elapsed.TotalSeconds - featureSeconds);
        }
        outcomes.Add(One(network, description));
        if (control)
        {
            using var random = Network.Create(network.Spec, device, seed + ControlSeedOffset);
            outcomes.Add(One(random, $"{network.Spec.Name} randomly initialised, frozen (control, seed {seed + ControlSeedOffset})"));
        }
        progress.End();
        return outcomes;
    }
}
