using FaceBrain.Cli.Commands;
using FaceBrain.Cli.Commands.Analysis;
using FaceBrain.Cli.Commands.Data;
using FaceBrain.Cli.Commands.Extraction;
using FaceBrain.Cli.Commands.Fmri;
using FaceBrain.Cli.Commands.Models;
using FaceBrain.Cli.Commands.Study;
using Spectre.Console.Cli;

namespace FaceBrain.Cli;

/// <summary>The verbs of `facebrain`, in the order of the dependency graph (data, networks, activations, analyses).</summary>
public static class FaceBrainApp
{
    /// <summary>The informational version of this build (Directory.Build.props' Version, plus the commit when known).</summary>
    public static string Version { get; } =
        typeof(FaceBrainApp).Assembly.GetCustomAttributes(typeof(System.Reflection.AssemblyInformationalVersionAttribute), false)
            is [System.Reflection.AssemblyInformationalVersionAttribute a, ..] ? a.InformationalVersion : "unknown";

    public static int Run(string[] args) => Run(args, Console.Error);

    /// <summary>The CLI with its error line going to <paramref name="err"/> (the fault-injection tests run verbs in-process).</summary>
    public static int Run(string[] args, TextWriter err)
    {
        var app = new CommandApp();
        app.Configure(config =>
        {
            config.SetApplicationName("facebrain");
            config.SetApplicationVersion(Version); // facebrain --version
            config.PropagateExceptions();
            config.UseStrictParsing(); // an unknown or misspelt option is an error, never silently ignored
            config.AddCommand<DemoCommand>("demo")
                .WithDescription("The study end to end on synthetic faces and simulated fMRI: data, training, probes, layers, analyses, encoding models, report.");
            config.AddCommand<RunCommand>("run")
                .WithDescription("Run an experiment file's steps (cached: a rerun redoes only what changed) and write its report.");
            config.AddCommand<StatusCommand>("status")
                .WithDescription("Show what is done, running and failed per step of an experiment's output folder.");
            config.AddCommand<ReportCommand>("report")
                .WithDescription("The study's table (study.tsv) and report from probe, analysis and encoding results.");
            config.AddCommand<DoctorCommand>("doctor")
                .WithDescription("Report .NET, TorchSharp and the libtorch in use, CUDA devices, threads and the libstdc++ fix.");
            config.AddBranch("faces", f =>
            {
                f.SetDescription("Synthetic faces with ground-truth identity and expression.");
                f.AddCommand<FacesSynthCommand>("synth").WithDescription("Write synthetic faces in the KDEF, LFW, VGGFace2 or manifest layout, with a ground-truth TSV.");
                f.AddCommand<FacesLabelCommand>("label").WithDescription("Label a face set with face-api's pretrained expression net: confusion against the true expressions, accuracy, recall.");
                f.AddCommand<FacesRealismCommand>("realism").WithDescription("How real face networks read a face set: face-api's expression net (confusion, recall) and identity net (verification AUC, 1-NN), beside raw pixels.");
                f.AddCommand<FacesSheetCommand>("sheet").WithDescription("Render a contact sheet (identities x expressions, then the five angles) as PNG.");
            });
            config.AddBranch("data", d =>
            {
                d.SetDescription("Face sets on disk: KDEF, LFW, VGGFace2, manifests, plain folders.");
                d.AddCommand<DataInspectCommand>("inspect").WithDescription("Count images per identity, expression, angle, session and split; list the files that cannot be used.");
                d.AddCommand<DataExportCommand>("export").WithDescription("Write a set's stimulus TSV (a manifest with paths relative to it).");
            });
            config.AddBranch("models", m =>
            {
                m.SetDescription("Networks: ResNet-50 (torchvision and Caffe/VGGFace2 layouts), the Siamese verification net, face-api's pretrained identity and expression nets.");
                m.AddCommand<ModelsLayersCommand>("layers").WithDescription("List the layers a probe or extraction can tap, with output shapes.");
                m.AddCommand<ModelsFetchCommand>("fetch").WithDescription("Fetch pretrained weights into the user cache: 'models fetch faceapi' (npm, --from TGZ or --weights DIR).");
                m.AddCommand<ModelsForwardCommand>("forward").WithDescription("One layer's output for an input tensor (.npy): for parity checks against another implementation.");
            });
            config.AddBranch("train", t =>
            {
                t.SetDescription("Train networks: identity classification (ResNet-50) and Siamese verification.");
                t.AddCommand<TrainIdentityCommand>("identity").WithDescription("Cross-entropy identity classification of a ResNet-50, with checkpoints and --resume.");
                t.AddCommand<TrainSiameseCommand>("siamese").WithDescription("The Siamese verification net on balanced pairs, evaluated with the LFW 10-fold protocol.");
            });
            config.AddCommand<ProbeCommand>("probe")
                .WithDescription("The transfer experiment: a linear read-out of a frozen network's layer (identity or expression), with permutation baseline and random-network control.");
            config.AddCommand<ExtractCommand>("extract")
                .WithDescription("Activations of named layers for a stimulus set, reduced and streamed into an activation store.");
            config.AddCommand<DecodeCommand>("decode")
                .WithDescription("Cross-validated decoding of a label column (logistic, shrinkage LDA, ridge), permutation test, bootstrap.");
            config.AddCommand<RsaCommand>("rsa")
                .WithDescription("Representational similarity: data RDM against label or file model RDMs, permutation test, bootstrap, CKA.");
            config.AddCommand<AnalyseCommand>("analyse")
                .WithDescription("Every layer of an activation store: decoding per target, RSA, identity/expression disentanglement, CKA between layers.");
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
                b.AddCommand<FmriRsaCommand>("rsa")
                    .WithDescription("RSA on neural data: ROI RDMs of one or more subjects against layer RDMs, with the leave-one-subject-out noise ceiling.");
            });
            config.AddBranch("bench", b =>
            {
                b.SetDescription("Speed benchmarks (results go in docs/benchmarks.md).");
                b.AddCommand<BenchFacesCommand>("faces").WithDescription("Benchmark face synthesis, decode+resize and cached reads.");
                b.AddCommand<BenchTrainCommand>("train").WithDescription("Images/s of the ResNet-50 training step on synthetic tensors.");
                b.AddCommand<BenchInferCommand>("infer").WithDescription("Images/s of the ResNet-50 forward pass on synthetic tensors.");
                b.AddCommand<BenchAnalysisCommand>("analysis").WithDescription("Time expression decoding (leave one identity out) and RSA with permutations on synthetic data.");
                b.AddCommand<BenchEncodeCommand>("encode").WithDescription("Time per-voxel ridge (alphas by K-fold CV over a log grid, then refit) on random data.");
                b.AddCommand<BenchExtractCommand>("extract").WithDescription("Images/s of layer extraction (forward, reductions, streaming writes) on synthetic tensors.");
            });
        });
        Interrupt.Install();
        Interrupt.WatchParent();
        return CliErrors.Run(() => app.Run(AnalysisArgs.Rewrite(args)), err);
    }
}
