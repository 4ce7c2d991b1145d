using System.ComponentModel;
using FaceBrain.Analysis;
using FaceBrain.Core;
using FaceBrain.Core.IO;
using FaceBrain.Core.Torch;
using Microsoft.FSharp.Collections;
using Spectre.Console.Cli;

namespace FaceBrain.Cli.Commands.Analysis;

/// <summary>`facebrain analyse`: layerwise decoding, RSA, disentanglement and CKA over every layer of a store.</summary>
public sealed class AnalyseCommand : Command<AnalyseCommand.Settings>
{
    public sealed class Settings : CommandSettings
    {
        [CommandOption("--store <DIR>")]
        [Description("Activation store to analyse (every layer). Repeat as --store trained=DIR --store random=DIR to compare networks on the same stimuli: each network's results side by side, and every network's decoding accuracy minus the first's with a bootstrap interval.")]
        public string[] Store { get; init; } = [];

        [CommandOption("--bootstrap <N>")]
        [Description("Several stores: bootstrap resamples of the stimuli for the interval of each accuracy difference (default 1000).")]
        public int Bootstrap { get; init; } = 1000;

        [CommandOption("--targets <COLUMNS>")]
        [Description("Comma-separated label columns (default identity,expression).")]
        public string Targets { get; init; } = "identity,expression";

        [CommandOption("--cv <TARGET=SCHEME>")]
        [Description("Scheme for one target, e.g. expression=logo:identity (repeatable). Default: a target other than --identity-column by leave-one-identity-out when the table has that column, else stratkfold:5.")]
        public string[] Cv { get; init; } = [];

        [CommandOption("--classifier <NAME>")]
        [Description("logistic (default), lda or ridge.")]
        public string Classifier { get; init; } = "logistic";

        [CommandOption("-C|--inverse-l2 <VALUE>")]
        [Description("Logistic C (default 1); also written --C.")]
        public double C { get; init; } = 1.0;

        [CommandOption("--alpha <VALUE>")]
        [Description("Ridge alpha (default 1).")]
        public double Alpha { get; init; } = 1.0;

        [CommandOption("--max-iter <N>")]
        [Description("Logistic: most L-BFGS iterations per fit (default 2000); a fit that stops here is reported as not converged.")]
        public int MaxIter { get; init; } = 2000;

        [CommandOption("--tol <VALUE>")]
        [Description("Logistic: stop when max |gradient| of the objective divided by C·n is below this (default 1e-6).")]
        public double Tol { get; init; } = 1e-6;

        [CommandOption("--permutations <N>")]
        [Description("Permutations for decoding, RSA and congruence tests (default 20, so every test has a p-value, smallest 1/21; 0 skips them and is about 20 times faster).")]
        public int Permutations { get; init; } = 20;

        [CommandOption("--seed <N>")]
        [Description("Seed for folds, permutations and bootstrap (default 0).")]
        public int Seed { get; init; }

        [CommandOption("--distance <NAME>")]
        [Description("RDM distance: correlation (default), euclidean, cosine.")]
        public string Distance { get; init; } = "correlation";

        [CommandOption("--compare <NAME>")]
        [Description("RDM comparison: spearman (default), pearson, kendall-tau-a.")]
        public string Compare { get; init; } = "spearman";

        [CommandOption("--identity-column <COLUMN>")]
        [Description("Label column holding identity, for disentanglement (default identity).")]
        public string IdentityColumn { get; init; } = "identity";

        [CommandOption("--expression-column <COLUMN>")]
        [Description("Label column holding expression, for disentanglement (default expression).")]
        public string ExpressionColumn { get; init; } = "expression";

        [CommandOption("--device <DEVICE>")]
        [Description("auto (default), cpu, cuda or cuda:N.")]
        public string Device { get; init; } = "auto";

        [CommandOption("--json")]
        [Description("Print one JSON object (rows and by_layer).")]
        public bool Json { get; init; }

        [CommandOption("--out <DIR>")]
        [Description("Write analysis.tsv and analysis.json into this folder.")]
        public string Out { get; init; } = "";
    }

    public override int Execute(CommandContext context, Settings s, CancellationToken cancellation)
    {
        if (s.Store.Length == 0) throw new InputException("--store DIR is required");
        if (s.Out.Length > 0) OutputTarget.RequireFolder(s.Out); // before any work
        DataSettings.RequireNonNegative("--bootstrap", s.Bootstrap);
        DataSettings.RequireNonNegative("--permutations", s.Permutations);
        var classifier = DecodeCommand.ParseClassifier(s.Classifier, s.C, s.Alpha, s.MaxIter, s.Tol);
        var distance = Rdm.parseDistance(s.Distance, "", "");
        if (distance.IsCrossnobis) throw new InputException("--distance crossnobis is not available in analyse (it needs conditions and folds); use rsa");
        var comparison = Comparison.parse(s.Compare);
        var targets = s.Targets.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var schemes = new Dictionary<string, CrossValidation.Scheme>();
        foreach (var spec in s.Cv)
        {
            int eq = spec.IndexOf('=');
            if (eq <= 0) throw new InputException($"--cv: '{spec}' should be TARGET=SCHEME, e.g. expression=logo:identity");
            var t = spec[..eq];
            if (!targets.Contains(t)) throw new InputException($"--cv: '{t}' is not one of the targets ({string.Join(", ", targets)})");
            schemes[t] = CrossValidation.parse(spec[(eq + 1)..]);
        }
        var stores = s.Store.Select((spec, i) =>
        {
            int eq = spec.IndexOf('=');
            var (name, dir) = eq > 0 ? (spec[..eq], spec[(eq + 1)..]) : (s.Store.Length == 1 ? "" : $"store{i + 1}", spec);
            return (Name: name, Dir: dir, Store: FaceBrain.Analysis.Store.openStore(dir));
        }).ToArray();
        var device = DeviceSpec.Parse(s.Device).Resolve();
        var options = new Layerwise.Options(
            ListModule.OfSeq(targets), MapModule.OfSeq(schemes.Select(kv => Tuple.Create(kv.Key, kv.Value))),
            classifier, s.Permutations, s.Seed, distance, comparison, s.IdentityColumn, s.ExpressionColumn, device);
        if (stores.Length == 1)
        {
            var frame = Layerwise.run(stores[0].Store, options, Progress.Stderr());
            var json = Layerwise.toJson(stores[0].Dir, options, frame);
            var text = json.ToJsonString(JsonOutput.Options);
            if (s.Out.Length > 0) AtomicFile.WriteFiles(s.Out, [("analysis.tsv", Layerwise.toTsv(frame)), ("analysis.json", text + "\n")]);
            if (s.Json) Console.WriteLine(text);
            else Console.Write(Layerwise.toTsv(frame));
            return 0;
        }
        if (s.Bootstrap < 1) throw new InputException("--bootstrap: comparing stores needs at least 1 resample");
        var (frames, differences) = Layerwise.runMany(
            ListModule.OfSeq(stores.Select(st => Tuple.Create(st.Name, st.Store))), options, s.Bootstrap, 0.95, Progress.Stderr()).ToValueTuple();
        var networks = new System.Text.Json.Nodes.JsonObject();
        foreach (var (f, st) in frames.Zip(stores)) networks[f.Item1] = Layerwise.toJson(st.Dir, options, f.Item2);
        var all = new System.Text.Json.Nodes.JsonObject { ["networks"] = networks, ["differences"] = Layerwise.differencesJson(differences) };
        var allText = all.ToJsonString(JsonOutput.Options);
        if (s.Out.Length > 0)
            AtomicFile.WriteFiles(s.Out, [.. frames.Select(f => ($"analysis.{f.Item1}.tsv", Layerwise.toTsv(f.Item2))),
                                 ("differences.tsv", Layerwise.differencesTsv(differences)), ("analysis.json", allText + "\n")]);
        if (s.Json) Console.WriteLine(allText);
        else Console.Write(Layerwise.differencesTsv(differences));
        return 0;
    }
}
