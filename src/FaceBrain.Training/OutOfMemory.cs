using TorchSharp;
using static TorchSharp.torch;

namespace FaceBrain.Training;

/// <summary>Turns a CUDA out-of-memory error into one line that says so and suggests a batch size.</summary>
public static class OutOfMemory
{
    public static T Guard<T>(Device device, int batch, Func<T> body)
    {
        try
        {
            return body();
        }
        catch (Exception e) when (IsOom(e))
        {
            GC.Collect();
            throw new InputException($"`batch` {batch}: out of memory on {device} ({e.Message.Split('\n')[0].Trim()}); " +
                                     $"try `batch` {Math.Max(1, batch / 2)}");
        }
    }

    public static bool IsOom(Exception e) =>
        e is not InputException && (e.Message.Contains("out of memory", StringComparison.OrdinalIgnoreCase)
                                    || e.Message.Contains("CUDA_ERROR_OUT_OF_MEMORY", StringComparison.Ordinal));
}
