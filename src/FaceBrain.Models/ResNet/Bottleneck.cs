using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace FaceBrain.Models.ResNet;

/// <summary>
/// The ResNet-50 bottleneck (1×1 reduce, 3×3, 1×1 expand, residual add). The layout decides which conv
/// carries the stride; the field names (conv1, bn1, ..., downsample) are torchvision's state-dict keys.
/// </summary>
public sealed class Bottleneck : Module<Tensor, Tensor>
{
    private readonly Module<Tensor, Tensor> conv1;
    private readonly Module<Tensor, Tensor> bn1;
    private readonly Module<Tensor, Tensor> conv2;
    private readonly Module<Tensor, Tensor> bn2;
    private readonly Module<Tensor, Tensor> conv3;
    private readonly Module<Tensor, Tensor> bn3;
    private readonly Module<Tensor, Tensor> relu;
    private readonly Module<Tensor, Tensor>? downsample;

    public Bottleneck(string name, ResNetLayout layout, long inPlanes, long planes, long stride) : base(name)
    {
        long out_ = planes * ResNetConfig.Expansion;
        bool caffe = layout == ResNetLayout.Caffe;
        conv1 = Conv2d(inPlanes, planes, 1, stride: caffe ? stride : 1, bias: false);
        bn1 = BatchNorm2d(planes);
        conv2 = Conv2d(planes, planes, 3, stride: caffe ? 1 : stride, padding: 1, bias: false);
        bn2 = BatchNorm2d(planes);
        conv3 = Conv2d(planes, out_, 1, bias: false);
        bn3 = BatchNorm2d(out_);
        relu = ReLU();
        // Both layouts put the stride of the shortcut on its 1×1 conv.
        if (stride != 1 || inPlanes != out_)
            downsample = Sequential(("0", Conv2d(inPlanes, out_, 1, stride: stride, bias: false)), ("1", BatchNorm2d(out_)));
        RegisterComponents();
    }

    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        var y = relu.call(bn1.call(conv1.call(x)));
        y = relu.call(bn2.call(conv2.call(y)));
        y = bn3.call(conv3.call(y));
        var identity = downsample is null ? x : downsample.call(x);
        return scope.MoveToOuter(relu.call(y.add_(identity)));
    }
}
