using TorchSharp;
using static TorchSharp.torch;

namespace FaceBrain.Models.Layers;

/// <summary>What a hookable layer is, for people choosing one.</summary>
public enum LayerKind { Stem, Block, Stage, Pooled, Logits, Conv, Activation, Embedding, Probabilities }

/// <summary>One hookable layer: its module name (a public, pinned interface) and output shape for one image.</summary>
public sealed record LayerInfo(string Name, LayerKind Kind, long[] OutputShape)
{
    public long Features => OutputShape.Aggregate(1L, (a, b) => a * b);
}

/// <summary>
/// The layers of a network that a user may tap (THINGSvision's <c>get_module_names</c>): the stem, every
/// block of every stage, every stage, the pooled features and the logits (ResNet); every conv, ReLU and block
/// of the tower, its pooled features and its embedding (Siamese); face-api's block names, pool and outputs
/// (face-api networks). Shapes come from one forward pass.
/// </summary>
public static class LayerCatalogue
{
    public static IReadOnlyList<(string Name, LayerKind Kind)> Names(ModelSpec spec)
    {
        var names = new List<(string, LayerKind)>();
        if (spec.Kind == ModelKind.FaceApiRecognition)
        {
            names.Add(("conv32_down", LayerKind.Stem));
            names.Add(("maxpool", LayerKind.Stem));
            names.AddRange(FaceApi.FaceRecognitionNet.Blocks.Select(b => (b.Name, LayerKind.Block)));
            names.Add(("pool", LayerKind.Pooled));
            names.Add(("descriptor", LayerKind.Embedding));
            return names;
        }
        if (spec.Kind == ModelKind.FaceApiExpression)
        {
            for (int d = 0; d < 4; d++) names.Add(($"dense{d}", LayerKind.Block));
            names.Add(("pool", LayerKind.Pooled));
            names.Add(("logits", LayerKind.Logits));
            names.Add(("probs", LayerKind.Probabilities));
            return names;
        }
        if (spec.Kind == ModelKind.Siamese)
        {
            for (int b = 0; b < spec.SiameseBlocks; b++)
            {
                names.Add(($"tower.blocks.{b}.conv", LayerKind.Conv));
                names.Add(($"tower.blocks.{b}.relu", LayerKind.Activation));
                names.Add(($"tower.blocks.{b}", LayerKind.Block));
            }
            names.Add(("tower.avgpool", LayerKind.Pooled));
            names.Add(("tower.embedding", LayerKind.Embedding));
            return names;
        }
        names.Add(("conv1", LayerKind.Stem));
        names.Add(("bn1", LayerKind.Stem));
        names.Add(("relu", LayerKind.Stem));
        names.Add(("maxpool", LayerKind.Stem));
        for (int s = 0; s < 4; s++)
        {
            for (int b = 0; b < ResNet.ResNetConfig.Blocks[s]; b++) names.Add(($"layer{s + 1}.{b}", LayerKind.Block));
            names.Add(($"layer{s + 1}", LayerKind.Stage));
        }
        names.Add(("avgpool", LayerKind.Pooled));
        names.Add(("fc", LayerKind.Logits));
        return names;
    }

    /// <summary>Every catalogued layer with its output shape for one image at the spec's input size (eval mode, zeros).</summary>
    public static IReadOnlyList<LayerInfo> Describe(Network network, Device device)
    {
        var names = Names(network.Spec);
        int px = network.Spec.EffectiveInputSize;
        bool wasTraining = network.Module.training;
        network.Module.eval();
        try
        {
            using var tap = new LayerTap(network, names.Select(n => n.Name).ToArray(), flatten: false);
            using var _ = no_grad();
            using var x = zeros(1, 3, px, px, device: device);
            using var y = network.Forward(x);
            return names.Select(n => new LayerInfo(n.Name, n.Kind, tap.Outputs[n.Name].shape.Skip(1).ToArray())).ToList();
        }
        finally
        {
            network.Module.train(wasTraining);
        }
    }

    /// <summary>The layer read when none is named: the pooled features (the Siamese tower's embedding).</summary>
    public static string DefaultLayer(ModelSpec spec) => spec.Kind switch
    {
        ModelKind.Siamese => "tower.embedding",
        ModelKind.FaceApiRecognition or ModelKind.FaceApiExpression => "pool",
        _ => "avgpool",
    };

    /// <summary>Fails with a one-line message naming the known layers when <paramref name="layer"/> is not catalogued.</summary>
    public static void Require(ModelSpec spec, string layer)
    {
        if (Names(spec).Any(n => n.Name == layer)) return;
        throw new InputException($"`layer` {layer}: no such layer in {spec.Name} (see 'facebrain models layers `model` {spec.Name}')");
    }
}
