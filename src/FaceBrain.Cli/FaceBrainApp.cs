using FaceBrain.Cli.Commands;
using FaceBrain.Cli.Commands.Data;
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
            config.AddBranch("train", t =>
            {
                t.SetDescription("Train networks: identity classification (ResNet-50) and Siamese verification.");
                t.AddCommand<TrainIdentityCommand>("identity").WithDescription("Cross-entropy identity classification of a ResNet-50, with checkpoints and --resume.");
                t.AddCommand<TrainSiameseCommand>("siamese").WithDescription("The Siamese verification net on balanced pairs, evaluated with the LFW 10-fold protocol.");
            });
            config.AddCommand<ProbeCommand>("probe")
                .WithDescription("The transfer experiment: a linear read-out of a frozen network's layer (identity or expression), with permutation baseline and random-network control.");
            config.AddBranch("faces", f =>
            {
                f.SetDescription("Synthetic faces with ground-truth identity and expression.");
                f.AddCommand<FacesSynthCommand>("synth").WithDescription("Write synthetic faces in the KDEF, LFW, VGGFace2 or manifest layout, with a ground-truth TSV.");
                f.AddCommand<FacesSheetCommand>("sheet").WithDescription("Render a contact sheet (identities x expressions, then the five angles) as PNG.");
            });
            config.AddBranch("data", d =>
            {
                d.SetDescription("Face sets on disk: KDEF, LFW, VGGFace2, manifests, plain folders.");
                d.AddCommand<DataInspectCommand>("inspect").WithDescription("Count images per identity, expression, angle, session and split; list the files that cannot be used.");
                d.AddCommand<DataExportCommand>("export").WithDescription("Write a set's stimulus TSV (a manifest with paths relative to it).");
            });
            config.AddBranch("bench", b =>
            {
                b.AddCommand<BenchFacesCommand>("faces").WithDescription("Benchmark face synthesis, decode+resize and cached reads.");
                b.AddCommand<BenchTrainCommand>("train").WithDescription("Images/s of the ResNet-50 training step on synthetic tensors.");
                b.AddCommand<BenchInferCommand>("infer").WithDescription("Images/s of the ResNet-50 forward pass on synthetic tensors.");
            });
        });
        return CliErrors.Run(() => app.Run(args));
    }
}
