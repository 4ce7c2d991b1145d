using FaceBrain.Cli.Commands;
using FaceBrain.Cli.Commands.Analysis;
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
            config.AddCommand<DecodeCommand>("decode")
                .WithDescription("Cross-validated decoding of a label column (logistic, shrinkage LDA, ridge), permutation test, bootstrap.");
            config.AddCommand<RsaCommand>("rsa")
                .WithDescription("Representational similarity: data RDM against label or file model RDMs, permutation test, bootstrap, CKA.");
            config.AddBranch("bench", b => { b.AddCommand<BenchAnalysisCommand>("analysis"); });
            config.AddCommand<AnalyseCommand>("analyse")
                .WithDescription("Every layer of an activation store: decoding per target, RSA, identity/expression disentanglement, CKA between layers.");
        });
        return CliErrors.Run(() => app.Run(AnalysisArgs.Rewrite(args)));
    }
}
