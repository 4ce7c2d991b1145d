using System.Globalization;
using System.Text;
using System.Text.Json.Serialization;
using FaceBrain.Analysis;
using FaceBrain.Core.Domain;
using FaceBrain.Core.IO;
using FaceBrain.Core.Store;
using FaceBrain.Data.Images;
using FaceBrain.Data.Loading;
using FaceBrain.Data.Synthesis;
using FaceBrain.Models;
using FaceBrain.Models.FaceApi;
using FaceBrain.Training.Backbones;
using FaceBrain.Training.Data;
using FaceBrain.Training.Probe;
using TorchSharp;
using static TorchSharp.torch;

namespace FaceBrain.Training.Labelling;

/// <summary>What <c>faces realism</c> measures: a set (spec and row filter), the device, and the raw-pixel control's
/// settings (grey images of <see cref="PixelSize"/> px; a logistic read-out with C = <see cref="PixelC"/> over
/// <see cref="PixelFolds"/> identity-disjoint folds).</summary>
public sealed record RealismRequest(string Data, StimulusFilter? Filter, Device Device,
                                    int PixelSize = 32, int PixelFolds = 6, double PixelC = 0.01, int Seed = 1)
{
    /// <summary>face-api's "same person" distance for its 128-d descriptors.</summary>
    public const double FaceApiThreshold = 0.6;
}

/// <summary>Expression read out of raw pixels across identities: the decoder's confusion and its folds.</summary>
public sealed record PixelExpression(Metrics.Scored Score, string Scheme, int Folds, bool Converged);

/// <summary>
/// How realistic a face set is to networks trained on real photographs: face-api's expression net (confusion,
/// accuracy, recall) and identity net (<see cref="IdentityMeasures"/>), beside the same measures from raw pixels.
/// <see cref="Crops"/> says where the face crops came from.
/// </summary>
public sealed record RealismReport(
    string Data, int Images, int Identities, string Crops, StoreWeights ExpressionWeights, StoreWeights RecognitionWeights,
    Metrics.Scored ExpressionNet, PixelExpression ExpressionPixels, IdentityMeasures IdentityNet, IdentityMeasures IdentityPixels,
    [property: JsonIgnore] RealismImages PerImage);

/// <summary>
/// What the networks made of each image, so that a misread face can be found and looked at: the expression net's
/// label and probabilities, and the recognition net's nearest image of the same person and of anyone else.
/// </summary>
public sealed record RealismImages(IReadOnlyList<string> Identity, ExpressionLabels Expression, IReadOnlyList<ImageNeighbours> Neighbours)
{
    /// <summary>One line per image: stimulus_id, identity, the expression columns (<see cref="ExpressionLabels.Header"/>),
    /// then the nearest same-person image and its descriptor distance, and the nearest other person's image, that
    /// person and the distance (empty where the person has no other image).</summary>
    public string Tsv()
    {
        var ids = Expression.Ids;
        var sb = new StringBuilder("stimulus_id\tidentity\t").Append(ExpressionLabels.Header)
            .Append("\tnearest_same\tsame_distance\tnearest_other\tnearest_other_identity\tother_distance\n");
        static string D(double v) => double.IsFinite(v) ? v.ToString("G6", CultureInfo.InvariantCulture) : "";
        for (int i = 0; i < ids.Count; i++)
        {
            var n = Neighbours[i];
            sb.Append(ids[i]).Append('\t').Append(Identity[i]).Append('\t').Append(Expression.Row(i)).Append('\t')
              .Append(n.NearestSame < 0 ? "" : ids[n.NearestSame]).Append('\t').Append(D(n.SameDistance)).Append('\t')
              .Append(ids[n.NearestOther]).Append('\t').Append(Identity[n.NearestOther]).Append('\t').Append(D(n.OtherDistance)).Append('\n');
        }
        return sb.ToString();
    }
}

/// <summary>
/// Runs face-api's expression and recognition networks over a face set and scores them against its labels, and
/// the raw-pixel control beside them. Crops are face-api's own (the 68-landmark box padded 20% for the expression
/// net, dlib's alignment box for the recognition net) when the set records its landmarks (the generator's
/// <c>ground_truth.tsv</c>, beside the set or as the manifest itself); otherwise the layout's fixed face box
/// (<see cref="FaceCrops"/>) serves both. The networks only measure here: nothing is fitted to their outputs.
/// </summary>
public static class Realism
{
    public static RealismReport Run(RealismRequest r, Progress progress)
    {
        if (r.PixelSize is < 8 or > 256) throw new InputException($"pixel size must be 8..256, got {r.PixelSize}");
        var data = FaceData.Load(r.Data, r.Filter);
        var stimuli = data.Stimuli;
        var conditions = Conditions(stimuli, r.Data);
        int identities = conditions.Identity.Distinct().Count();
        if (identities < 2) throw new InputException(r.Data, $"{identities} identity selected: realism needs at least two");
        int folds = Math.Min(r.PixelFolds, identities);
        var (expressionCrops, recognitionCrops, crops) = Crops(stimuli, r.Data, data.Kind);

        progress.Begin("realism", 4, "steps"); // expression net, recognition net, pixel expression, pixel identity
        ExpressionLabels expressionNet;
        ImageNeighbours[] neighbours;
        StoreWeights expressionWeights, recognitionWeights;
        IdentityMeasures identityNet;
        var ids = stimuli.Select(s => s.Id).ToArray();
        {
            var spec = new ModelSpec(ModelKind.FaceApiExpression);
            using var opened = Backbone.Open(new WeightsSource.FaceApi(), spec, r.Device, seed: 0);
            using var images = FaceData.Tensors(expressionCrops, Labels.Expression, spec.EffectiveInputSize, spec.DefaultPreset, r.Data, kind: data.Kind);
            expressionNet = ExpressionLabeller.Label(opened.Network, images.Images, ids, conditions.Expression, r.Device);
            expressionWeights = opened.Weights;
            progress.Advance();
        }
        {
            var spec = new ModelSpec(ModelKind.FaceApiRecognition);
            using var opened = Backbone.Open(new WeightsSource.FaceApi(), spec, r.Device, seed: 0);
            using var images = FaceData.Tensors(recognitionCrops, Labels.Expression, spec.EffectiveInputSize, spec.DefaultPreset, r.Data, kind: data.Kind);
            using var descriptors = FrozenFeatures.Extract(opened.Network, "descriptor", images.Images, r.Device);
            identityNet = IdentityReadout.Measure(descriptors, conditions, RealismRequest.FaceApiThreshold);
            neighbours = IdentityReadout.Neighbours(descriptors, conditions);
            recognitionWeights = opened.Weights;
            progress.Advance();
        }
        PixelExpression expressionPixels;
        using (var pixels = GreyPixels(expressionCrops, r, data.Kind))
        {
            expressionPixels = DecodeExpression(pixels, stimuli, conditions, r, folds);
            progress.Advance();
        }
        IdentityMeasures identityPixels;
        using (var pixels = GreyPixels(recognitionCrops, r, data.Kind))
        {
            identityPixels = IdentityReadout.Measure(pixels, conditions, threshold: null);
            progress.Advance();
        }
        progress.End();
        return new RealismReport(r.Data, stimuli.Count, identities, crops, expressionWeights, recognitionWeights,
            expressionNet.Score, expressionPixels, identityNet, identityPixels, new RealismImages(conditions.Identity, expressionNet, neighbours));
    }

    static FaceConditions Conditions(IReadOnlyList<Stimulus> stimuli, string source)
    {
        string[]? Optional(string column) => stimuli.All(s => s.Label(column) is { Length: > 0 }) ? FaceData.Column(stimuli, column, source) : null;
        var expression = FaceData.Column(stimuli, Labels.Expression, source);
        var unknown = expression.Where(e => !FaceExpressionNet.Classes.Contains(e)).Distinct().ToArray();
        if (unknown.Length > 0)
            throw new InputException(source, $"expression labels {string.Join(", ", unknown)} are not KDEF codes ({string.Join(", ", FaceExpressionNet.Classes)})");
        return new FaceConditions(FaceData.Column(stimuli, Labels.Identity, source), expression, Optional(Labels.Session), Optional(Labels.Angle));
    }

    /// <summary>The stimuli with each network's crop as their box, and a description of where the crops came from.</summary>
    static (IReadOnlyList<Stimulus> Expression, IReadOnlyList<Stimulus> Recognition, string Description) Crops(IReadOnlyList<Stimulus> stimuli, string source, DatasetKind kind)
    {
        Func<Stimulus, Func<string, string>>? labels = null;
        string description;
        if (LandmarkSummary.In(c => stimuli.All(s => s.Label(c) is not null)))
        {
            labels = s => c => s.Label(c)!;
            description = "face-api's crops from the landmarks the set records";
        }
        else if (GroundTruthFor(source) is { } path)
        {
            var table = StimulusTable.Read(path);
            if (!LandmarkSummary.In(table.HasColumn)) throw new InputException(path, "has no landmark columns (lmk_*, eye_*, mouth_*): written by an older generator? Write the set again");
            var rows = table.Ids.Select((id, i) => (id, i)).ToDictionary(p => p.id, p => p.i, StringComparer.Ordinal);
            labels = s => rows.TryGetValue(s.Id, out var i) ? c => table.Column(c)[i]
                : throw new InputException(path, $"has no row for stimulus {s.Id}");
            description = $"face-api's crops from the landmarks in {path}";
        }
        else if (FaceCrops.For(Preset.FaceApi, kind) is { } layout)
        {
            // the same fixed box for both networks and for the pixels (the pixel preset has no default crop of its own)
            var boxed = stimuli.Select(s => { var (w, h) = ImageSize(s, source); var b = layout.In(w, h); return WithBox(s, new SkiaSharp.SKRectI(b.X, b.Y, b.X + b.Width, b.Y + b.Height)); }).ToArray();
            return (boxed, boxed, "the layout's fixed face box (the set records no landmarks)");
        }
        else
            return (stimuli, stimuli, "the set's own face boxes, or the whole image (no landmarks, no layout box)");

        var expression = new List<Stimulus>(stimuli.Count);
        var recognition = new List<Stimulus>(stimuli.Count);
        foreach (var s in stimuli)
        {
            LandmarkSummary m;
            try { m = LandmarkSummary.FromColumns(labels(s)); }
            catch (FormatException) { throw new InputException(source, $"stimulus {s.Id}: a landmark column is not a number"); }
            var (w, h) = ImageSize(s, source);
            expression.Add(WithBox(s, m.ExpressionCrop(w, h)));
            recognition.Add(WithBox(s, m.RecognitionCrop(w, h)));
        }
        return (expression, recognition, description);
    }

    /// <summary>The generator's ground truth beside a set: in its folder, or above a KDEF folder given as the set.</summary>
    static string? GroundTruthFor(string spec)
    {
        var d = DataSpec.Parse(spec);
        if (d.Kind == DatasetKind.Manifest) return null; // a manifest's own columns are its labels
        var dir = Path.GetFullPath(d.Path);
        foreach (var candidate in new[] { dir, Path.GetDirectoryName(dir) })
            if (candidate != null && File.Exists(Path.Combine(candidate, FaceSynthesizer.GroundTruthFile)))
                return Path.Combine(candidate, FaceSynthesizer.GroundTruthFile);
        return null;
    }

    static (int W, int H) ImageSize(Stimulus s, string source)
    {
        var path = s.Path ?? throw new InputException(source, $"stimulus {s.Id} has no file");
        return ImageDecoder.TryIdentify(path, DecodeLimits.Default, out int w, out int h, out var why) ? (w, h) : throw new InputException(path, why);
    }

    static Stimulus WithBox(Stimulus s, SkiaSharp.SKRectI box)
    {
        var labels = new Dictionary<string, string>(s.Labels, StringComparer.Ordinal)
        {
            [Labels.BoxX] = box.Left.ToString(System.Globalization.CultureInfo.InvariantCulture),
            [Labels.BoxY] = box.Top.ToString(System.Globalization.CultureInfo.InvariantCulture),
            [Labels.BoxW] = box.Width.ToString(System.Globalization.CultureInfo.InvariantCulture),
            [Labels.BoxH] = box.Height.ToString(System.Globalization.CultureInfo.InvariantCulture),
        };
        return s with { Labels = labels };
    }

    /// <summary>[N, S·S] grey crops, each z-scored over its own pixels (so exposure alone is no cue).</summary>
    static Tensor GreyPixels(IReadOnlyList<Stimulus> stimuli, RealismRequest r, DatasetKind kind)
    {
        using var t = FaceData.Tensors(stimuli, Labels.Expression, r.PixelSize, Presets.Name(Preset.Unit), r.Data, kind: kind);
        using var grey = t.Images.mean([1L]).flatten(1);
        using var centred = grey - grey.mean([1L], keepdim: true);
        return centred / centred.std(1, keepdim: true).clamp_min(1e-6);
    }

    static PixelExpression DecodeExpression(Tensor pixels, IReadOnlyList<Stimulus> stimuli, FaceConditions c, RealismRequest r, int folds)
    {
        using var f64 = pixels.to(float64).contiguous();
        var table = StimulusTable.FromStimuli(stimuli, r.Data);
        var data = Dataset.make(r.Data, table, (int)pixels.shape[0], (int)pixels.shape[1], f64.data<double>().ToArray());
        var scheme = CrossValidation.Scheme.NewGroupKFold(folds, Labels.Identity);
        var logistic = Classifiers.Classifier.NewLogistic(new Classifiers.LogisticOptions(r.PixelC, Classifiers.defaultLogistic.Tolerance, Classifiers.defaultLogistic.MaxIterations));
        var result = Decoding.decode(data, Labels.Expression, new Decoding.Options(logistic, scheme, true, 0, 0, 0.95, r.Seed, r.Device));
        var predicted = result.Predictions.Select(p => result.Classes[p]).ToArray();
        return new PixelExpression(Metrics.scoreNamed(FaceExpressionNet.Classes.ToArray(), c.Expression.ToArray(), predicted), result.Scheme, result.Folds, result.Converged);
    }
}
