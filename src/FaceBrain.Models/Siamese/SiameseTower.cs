using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace FaceBrain.Models.Siamese;

/// <summary>
/// One branch of the Siamese net, learned from raw pixels: blocks of conv+ReLU+max-pool (block1 ... blockN,
/// each a Sequential of conv, relu, pool), global average pooling (avgpool) and a linear embedding with no
/// ReLU (embedding). Both images of a pair go through the same instance, which is what shares the weights.
/// </summary>
public sealed class SiameseTower : Module<Tensor, Tensor>
{
    private readonly ModuleList<Module<Tensor, Tensor>> blocks;
    private readonly Module<Tensor, Tensor> avgpool;
    private readonly Module<Tensor, Tensor> embedding;

    public SiameseTower(SiameseConfig config) : base("tower")
    {
        config.Validate();
        var list = new List<Module<Tensor, Tensor>>();
        long inCh = 3;
        for (int b = 0; b < config.Blocks; b++)
        {
            long outCh = (long)config.Width << b;
            list.Add(Sequential(("conv", Conv2d(inCh, outCh, 3, padding: 1)), ("relu", ReLU()), ("pool", MaxPool2d(2, stride: 2))));
            inCh = outCh;
        }
        blocks = ModuleList(list.ToArray());
        avgpool = AdaptiveAvgPool2d(1);
        embedding = Linear(inCh, config.EmbeddingDim);
        RegisterComponents();
    }

    public int BlockCount => blocks.Count;

    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        var y = x;
        foreach (var b in blocks) y = b.call(y);
        return scope.MoveToOuter(embedding.call(avgpool.call(y).flatten(1)));
    }
}
