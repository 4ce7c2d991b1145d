using FaceBrain.Core.Torch;
using TorchSharp;
using static TorchSharp.torch;

namespace FaceBrain.Models.FaceApi;

/// <summary>
/// The memory format the face-api nets compute in. On the CPU, channels-last: libtorch's oneDNN kernels for these
/// small maps, above all the depthwise 3×3 convs, run 2–3× faster on NHWC than on NCHW (docs/benchmarks.md); the
/// format then propagates through every conv and elementwise op, so the blocks' outputs (what hooks see) are
/// channels-last tensors with the same logical shape and values. Elsewhere the input is left as it is (not measured).
/// </summary>
internal static class FaceApiLayout
{
    public static Tensor ForDevice(Tensor x) => x.device_type == DeviceType.CPU ? ChannelsLast.To(x) : x;
}
