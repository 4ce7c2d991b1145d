using System.ComponentModel;
using FaceBrain.Analysis;
using FaceBrain.Core;
using FaceBrain.Core.IO;
using Microsoft.FSharp.Collections;
using Microsoft.FSharp.Core;
using Spectre.Console.Cli;

namespace FaceBrain.Cli.Commands.Analysis;

/// <summary>`facebrain rsa`: an RDM of the features compared with model RDMs, with permutation and bootstrap tests.</summary>
public sealed class RsaCommand : Command<RsaCommand.Settings>
{
    public sealed class Settings : DataSettings
    {
        [CommandOption("--distance <NAME>")]
        [Description("correlation (default), euclidean, cosine or crossnobis.")]
        public string Distance { get; init; } = "correlation";

        [CommandOption("--compare <LIST>")]
        [Description("Comma-separated: spearman (default), pearson, kendall-tau-a.")]
        public string Compare { get; init; } = "spearman";

        [CommandOption("--models <COLUMNS>")]
        [Description("Comma-separated label columns; each gives a model RDM (0 same label, 1 different).")]
        public string Models { get; init; } = "";

        [CommandOption("--model-rdm <NAME=NPY>")]
        [Description("A model RDM from a file: square [[n, n]] or condensed [[n(n-1)/2]]. Repeatable.")]
        public string[] ModelRdm { get; init; } = [];

        [CommandOption("--average-by <COLUMN>")]
        [Description("RDM over the condition means of COLUMN instead of over stimuli.")]
        public string AverageBy { get; init; } = "";

        [CommandOption("--crossnobis-folds <COLUMN>")]
        [Description("For crossnobis: the column of independent partitions (runs, sessions).")]
        public string CrossnobisFolds { get; init; } = "";

        [CommandOption("--noise-cov <NPY>")]
        [Description("For crossnobis: noise covariance [[p, p]] (default identity).")]
        public string NoiseCov { get; init; } = "";

        [CommandOption("--permutations <N>")]
        [Description("Permutation test over item labels, N permutations (default 0: none).")]
        public int Permutations { get; init; }

        [CommandOption("--bootstrap <N>")]
        [Description("Bootstrap interval over items, N resamples (default 0: none).")]
        public int Bootstrap { get; init; }

        [CommandOption("--confidence <LEVEL>")]
        [Description("Level of the bootstrap interval (default 0.95).")]
        public double Confidence { get; init; } = 0.95;

        [CommandOption("--save-rdm <NPY>")]
        [Description("Write the data RDM as a square float64 matrix.")]
        public string SaveRdm { get; init; } = "";

        [CommandOption("--cka-with <NPY>")]
        [Description("Also report linear CKA between --features and this matrix (same rows).")]
        public string CkaWith { get; init; } = "";
    }

    static string[] SplitList(string s) => s.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    public override int Execute(CommandContext context, Settings s, CancellationToken cancellation)
    {
        DataSettings.RequireNonNegative("--permutations", s.Permutations);
        DataSettings.RequireNonNegative("--bootstrap", s.Bootstrap);
        if (!(s.Confidence > 0 && s.Confidence < 1)) throw new InputException($"--confidence: must lie between 0 and 1, got {s.Confidence}");
        var comparisons = SplitList(s.Compare).Select(Comparison.parse).Distinct().ToArray();
        if (comparisons.Length == 0) throw new InputException("--compare: give at least one of spearman, pearson, kendall-tau-a");
        var labelModels = SplitList(s.Models);
        if (labelModels.Length == 0 && s.ModelRdm.Length == 0 && s.CkaWith.Length == 0 && s.SaveRdm.Length == 0)
            throw new InputException("nothing to compare: give --models COLUMNS and/or --model-rdm NAME=FILE.npy");
        var distance = Rdm.parseDistance(s.Distance, s.CrossnobisFolds, s.NoiseCov);
        if (s.SaveRdm.Length > 0) OutputTarget.RequireFile(s.SaveRdm); // before any work
        var data = s.LoadData();
        var device = s.ResolveDevice();
        var average = s.AverageBy.Length > 0 ? FSharpOption<string>.Some(s.AverageBy) : FSharpOption<string>.None;
        var rdm = Rdm.compute(device, data, average, distance);
        var models = new List<Rsa.Model>();
        foreach (var col in labelModels) models.Add(Rsa.labelModel(data, average, rdm.Items, col));
        foreach (var spec in s.ModelRdm)
        {
            int eq = spec.IndexOf('=');
            if (eq <= 0 || eq == spec.Length - 1) throw new InputException($"--model-rdm: '{spec}' should be NAME=FILE.npy");
            models.Add(Rsa.fileModel(spec[..eq], spec[(eq + 1)..], rdm.Size));
        }
        if (models.Select(m => m.Name).Distinct().Count() != models.Count)
            throw new InputException("two models have the same name; name --model-rdm entries differently from the label columns");
        var options = new Rsa.Options(ListModule.OfSeq(comparisons), s.Permutations, s.Bootstrap, s.Confidence, s.Seed, device);
        var results = Rsa.evaluate(rdm, ListModule.OfSeq(models), options);
        var json = Results.rsa(distance.Name, average, rdm, s.Permutations, results);
        if (s.SaveRdm.Length > 0)
            Npy.Write<double>(s.SaveRdm, Rdm.square(rdm.Size, rdm.Values), rdm.Size, rdm.Size);
        if (s.CkaWith.Length > 0)
        {
            var other = Npy.ReadMatrix(s.CkaWith, data.Rows, data.Stimuli.Source);
            using var x = Tensors.matrix(device, data.Rows, data.Columns, data.Features);
            using var y = Tensors.matrix(device, other.Rows, other.Columns, other.Data);
            json["cka"] = Results.num(Cka.linear(x, y));
        }
        s.Emit(json, () =>
        {
            Console.Write(Results.rsaText(distance.Name, rdm, results));
            if (json["cka"] is { } cka) Console.WriteLine($"  linear CKA with {s.CkaWith}: {cka}");
        });
        return 0;
    }
}
