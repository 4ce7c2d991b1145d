using FaceBrain.Cli.Commands;
using FaceBrain.Cli.Commands.Models;
using Spectre.Console.Cli;

namespace FaceBrain.Cli;

/// <summary>The verbs of `facebrain`. Tests call <see cref="Run"/> directly.</summary>
public static class FaceBrainApp
{
    public static int Run(string[] args)
    {
        var app = new CommandApp();
        app.Configure(config =>
        {
            config.SetApplicationName("facebrain");
            config.PropagateExceptions();
            config.AddCommand<DoctorCommand>("doctor")
                .WithDescription("Report .NET, TorchSharp and the libtorch in use, CUDA devices, threads and the libstdc++ fix.");
            config.AddBranch("models", m =>
            {
                m.SetDescription("Networks: ResNet-50 (torchvision and Caffe/VGGFace2 layouts) and the Siamese verification net.");
                m.AddCommand<ModelsLayersCommand>("layers").WithDescription("List the layers a probe or extraction can tap, with output shapes.");
            });
            config.AddCommand<Commands.Extraction.ExtractCommand>("extract")
                .WithDescription("Activations of named layers for a stimulus set, reduced and streamed into an activation store.");
            config.AddBranch("bench", b =>
            {
                b.AddCommand<BenchTrainCommand>("train").WithDescription("Images/s of the ResNet-50 training step on synthetic tensors.");
                b.AddCommand<Commands.Extraction.BenchExtractCommand>("extract").WithDescription("Images/s of layer extraction (forward, reductions, streaming writes) on synthetic tensors.");
                b.AddCommand<BenchInferCommand>("infer").WithDescription("Images/s of the ResNet-50 forward pass on synthetic tensors.");
            });
        });
        return CliErrors.Run(() => app.Run(args));
    }
}
