using TorchSharp;
using static TorchSharp.torch;

namespace FaceBrain.Models.FaceApi;

/// <summary>Mean over height and width: [N,C,H,W] → [N,C] (the recognition net's global average).</summary>
public sealed class SpatialMean : nn.Module<Tensor, Tensor>
{
    public SpatialMean() : base(nameof(SpatialMean)) { }

    public override Tensor forward(Tensor x) => x.mean([2, 3]);
}
