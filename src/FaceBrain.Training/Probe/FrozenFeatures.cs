using FaceBrain.Models;
using FaceBrain.Models.Layers;
using FaceBrain.Training.Data;
using TorchSharp;
using static TorchSharp.torch;

namespace FaceBrain.Training.Probe;

/// <summary>
/// The frozen backbone's features at one layer, computed once for every image: eval mode (batch norm uses
/// its running statistics and they are not updated), no gradients, parameters marked requires_grad = false.
/// The probe then trains on this matrix only, so nothing in the backbone can change.
/// </summary>
public static class FrozenFeatures
{
    public static void Freeze(Network network)
    {
        network.Module.eval();
        foreach (var p in network.Module.parameters()) p.requires_grad = false;
    }

    /// <summary>[N, F] float32 CPU features of <paramref name="layer"/> for every image, in row order.</summary>
    public static Tensor Extract(Network network, string layer, Tensor images, Device device, int batch = 32)
    {
        Freeze(network);
        using var tap = new LayerTap(network, [layer]);
        using var _ = no_grad();
        var parts = new List<Tensor>();
        long n = images.shape[0];
        for (long from = 0; from < n; from += batch)
        {
            long k = Math.Min(batch, n - from);
            using var x = images.narrow(0, from, k).to(device);
            using var y = network.Forward(x);
            parts.Add(tap.Outputs[layer].to(float32).cpu());
        }
        var result = cat(parts);
        foreach (var p in parts) p.Dispose();
        return result;
    }
}
