using FaceBrain.Cli.Commands;
using FaceBrain.Cli.Commands.Fmri;
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
            config.AddCommand<EncodeCommand>("encode")
                .WithDescription("Cross-validated voxelwise ridge encoding models: per-voxel r and R2, alphas, noise ceilings.");
            config.AddBranch("fmri", b =>
            {
                b.SetDescription("Neural data: NIfTI regions of interest and simulated fMRI with known ground truth.");
                b.AddCommand<FmriRoiCommand>("roi")
                    .WithDescription("Write the [[volumes, voxels]] matrix of a NIfTI series inside a mask or atlas label, plus voxel coordinates.");
                b.AddCommand<FmriSimulateCommand>("simulate")
                    .WithDescription("Simulate fMRI responses with known ROI tuning, repeats, noise and true noise ceilings (npy + NIfTI).");
                b.AddCommand<FmriPartitionCommand>("partition")
                    .WithDescription("Banded ridge over several feature sets; per-voxel R2 partitioned into unique and shared parts (JSON).");
                b.AddCommand<FmriProfileCommand>("profile")
                    .WithDescription("Layer profiles: every layer of one or more stores against every ROI (median r, bootstrap CI, best layer).");
            });
            config.AddBranch("bench", b =>
            {
                b.AddCommand<BenchEncodeCommand>("encode")
                    .WithDescription("Time per-voxel ridge (alphas by K-fold CV over a log grid, then refit) on random data.");
            });
        });
        return CliErrors.Run(() => app.Run(args));
    }
}
