using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace FaceBrain.Models.ResNet;

/// <summary>
/// ResNet-50 in either layout, with torchvision's module names (conv1, bn1, relu, maxpool, layer1..layer4,
/// avgpool, fc), so a torchvision state dict and the converted VGGFace2 weights load into the same keys.
/// </summary>
public sealed class ResNet50 : Module<Tensor, Tensor>
{
    private readonly Module<Tensor, Tensor> conv1;
    private readonly Module<Tensor, Tensor> bn1;
    private readonly Module<Tensor, Tensor> relu;
    private readonly Module<Tensor, Tensor> maxpool;
    private readonly Module<Tensor, Tensor> layer1;
    private readonly Module<Tensor, Tensor> layer2;
    private readonly Module<Tensor, Tensor> layer3;
    private readonly Module<Tensor, Tensor> layer4;
    private readonly Module<Tensor, Tensor> avgpool;
    private readonly Module<Tensor, Tensor> fc;

    public ResNetConfig Config { get; }

    public ResNet50(ResNetConfig config) : base(config.Layout == ResNetLayout.Caffe ? "resnet50-vggface2" : "resnet50")
    {
        config.Validate();
        Config = config;
        long w = config.Width;
        conv1 = Conv2d(3, w, 7, stride: 2, padding: 3, bias: false);
        bn1 = BatchNorm2d(w);
        relu = ReLU();
        maxpool = config.Layout == ResNetLayout.Torchvision
            ? MaxPool2d(3, stride: 2, padding: 1)
            : MaxPool2d(3, stride: 2, padding: 0, ceil_mode: true);
        long inPlanes = w;
        var stages = new Module<Tensor, Tensor>[4];
        for (int s = 0; s < 4; s++)
        {
            long planes = w << s;
            var blocks = new List<(string, Module<Tensor, Tensor>)>();
            for (int b = 0; b < ResNetConfig.Blocks[s]; b++)
            {
                long stride = b == 0 && s > 0 ? 2 : 1;
                blocks.Add(($"{b}", new Bottleneck($"layer{s + 1}.{b}", config.Layout, inPlanes, planes, stride)));
                inPlanes = planes * ResNetConfig.Expansion;
            }
            stages[s] = Sequential(blocks);
        }
        (layer1, layer2, layer3, layer4) = (stages[0], stages[1], stages[2], stages[3]);
        // The Caffe release pools a fixed 7×7 window (at 224 px); sized here from the configured input.
        avgpool = config.Layout == ResNetLayout.Torchvision
            ? AdaptiveAvgPool2d(1)
            : AvgPool2d(config.Layer4Side, stride: 1);
        fc = Linear(config.FeatureDim, config.NumClasses);
        RegisterComponents();
        InitialiseLikeTorchvision();
    }

    void InitialiseLikeTorchvision()
    {
        using var _ = no_grad();
        foreach (var (_, m) in named_modules())
        {
            switch (m)
            {
                case Conv2d c:
                    init.kaiming_normal_(c.weight, mode: init.FanInOut.FanOut, nonlinearity: init.NonlinearityType.ReLU);
                    break;
                case BatchNorm2d b:
                    init.ones_(b.weight);
                    init.zeros_(b.bias);
                    break;
            }
        }
    }

    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        var y = maxpool.call(relu.call(bn1.call(conv1.call(x))));
        y = layer4.call(layer3.call(layer2.call(layer1.call(y))));
        y = avgpool.call(y);
        if (y.shape[2] != 1 || y.shape[3] != 1)
            throw new InputException($"{GetName()}: input {x.shape[2]}×{x.shape[3]} px does not pool to 1×1; " +
                                     $"this network is built for {Config.InputSize}×{Config.InputSize}");
        return scope.MoveToOuter(fc.call(y.flatten(1)));
    }
}
