using System.Globalization;
using System.Text;
using FaceBrain.Analysis;
using FaceBrain.Models;
using FaceBrain.Models.FaceApi;
using FaceBrain.Training.Probe;
using TorchSharp;
using static TorchSharp.torch;

namespace FaceBrain.Training.Labelling;

/// <summary>What a pretrained expression network makes of a face set: each image's class probabilities and
/// top class, scored against the ground-truth expressions.</summary>
public sealed record ExpressionLabels(IReadOnlyList<string> Ids, IReadOnlyList<string> Truth, IReadOnlyList<string> Predicted,
                                      float[][] Probabilities, Metrics.Scored Score)
{
    /// <summary>The per-image columns, tab-separated: expression, predicted, then p_NE .. p_SU.</summary>
    public static string Header => "expression\tpredicted\t" + string.Join('\t', FaceExpressionNet.Classes.Select(c => "p_" + c));

    /// <summary>Image <paramref name="i"/>'s values for <see cref="Header"/>.</summary>
    public string Row(int i) => $"{Truth[i]}\t{Predicted[i]}\t" + string.Join('\t', Probabilities[i].Select(p => p.ToString("G6", CultureInfo.InvariantCulture)));

    /// <summary>One line per image: stimulus_id, then <see cref="Header"/>'s columns.</summary>
    public string Tsv()
    {
        var sb = new StringBuilder("stimulus_id\t").Append(Header).Append('\n');
        for (int i = 0; i < Ids.Count; i++) sb.Append(Ids[i]).Append('\t').Append(Row(i)).Append('\n');
        return sb.ToString();
    }
}

/// <summary>
/// Labels faces with face-api's expression network (<c>faceapi-expression</c>): softmax over its seven classes
/// (KDEF codes), the arg-max as the prediction, the confusion against the set's <c>expression</c> labels. This is
/// the first measure of how realistic synthetic faces are to a network trained on real ones.
/// </summary>
public static class ExpressionLabeller
{
    /// <param name="images">[N,3,112,112] after the faceapi preset, in the order of <paramref name="ids"/>.</param>
    public static ExpressionLabels Label(Network network, Tensor images, IReadOnlyList<string> ids, IReadOnlyList<string> truth, Device device, int batch = 32)
    {
        if (network.Spec.Kind != ModelKind.FaceApiExpression)
            throw new InputException($"`model` {network.Spec.Name}: labelling needs face-api's expression network (faceapi-expression)");
        if (images.shape[0] != ids.Count || ids.Count != truth.Count)
            throw new ArgumentException($"{images.shape[0]} images, {ids.Count} ids, {truth.Count} labels");
        using var probs = FrozenFeatures.Extract(network, "probs", images, device, batch);
        var p = probs.data<float>().ToArray();
        int k = FaceExpressionNet.Classes.Count;
        var rows = Enumerable.Range(0, ids.Count).Select(i => p.AsSpan(i * k, k).ToArray()).ToArray();
        var predicted = rows.Select(r => FaceExpressionNet.Classes[Array.IndexOf(r, r.Max())]).ToArray();
        return new ExpressionLabels(ids, truth, predicted, rows, Metrics.scoreNamed(FaceExpressionNet.Classes.ToArray(), truth.ToArray(), predicted));
    }
}
