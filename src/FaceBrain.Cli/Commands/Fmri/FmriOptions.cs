using FaceBrain.Analysis;
using FaceBrain.Fmri;
using Microsoft.FSharp.Core;

namespace FaceBrain.Cli.Commands.Fmri;

/// <summary>The flags the fMRI verbs share, parsed into the workflows' typed options (defaults from
/// EncodeWorkflow, so every verb has the same ones).</summary>
static class FmriOptions
{
    public static CrossValidation.Scheme Cv(string? text) =>
        Given(text) is string cv ? CrossValidation.parseFor("--cv", cv) : EncodeWorkflow.defaultCv;

    public static CrossValidation.Scheme InnerCv(string? text) =>
        Given(text) is string cv ? CrossValidation.parseFor("--inner-cv", cv) : EncodeWorkflow.defaultInnerCv;

    public static double[] Alphas(string? text) =>
        Given(text) is string g ? AlphaGrid.parse("--alphas", g) : EncodeWorkflow.defaultGrid;

    public static FSharpOption<int> BatchVoxels(int? b) => b is int v ? FSharpOption<int>.Some(v) : FSharpOption<int>.None;

    public static string? Given(string? s) => string.IsNullOrWhiteSpace(s) ? null : s;

    public static FSharpOption<string> Option(string? s) => Given(s) is string v ? FSharpOption<string>.Some(v) : FSharpOption<string>.None;
}
