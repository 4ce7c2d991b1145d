using System.ComponentModel;
using FaceBrain.Analysis;
using FaceBrain.Core;
using Spectre.Console.Cli;

namespace FaceBrain.Cli.Commands.Analysis;

/// <summary>`facebrain decode`: cross-validated decoding of a label column from features.</summary>
public sealed class DecodeCommand : Command<DecodeCommand.Settings>
{
    public sealed class Settings : DataSettings
    {
        [CommandOption("--target <COLUMN>")]
        [Description("Label column to decode (e.g. expression, identity).")]
        public string Target { get; init; } = "";

        [CommandOption("--cv <SCHEME>")]
        [Description("logo:COLUMN, groupkfold:K:COLUMN, stratkfold:K (scikit-learn's StratifiedKFold), kfold:K, either with :shuffle=SEED, or split:COLUMN:TRAIN[[:TEST]]. Default: logo:identity for a target other than identity when the table has an identity column (identities held out), else stratkfold:5; the result names it.")]
        public string Cv { get; init; } = "";

        [CommandOption("--classifier <NAME>")]
        [Description("logistic (default), lda (Ledoit-Wolf shrinkage) or ridge.")]
        public string Classifier { get; init; } = "logistic";

        [CommandOption("-C|--inverse-l2 <VALUE>")]
        [Description("Inverse L2 strength of the logistic regression (scikit-learn's C, default 1); also written --C.")]
        public double C { get; init; } = 1.0;

        [CommandOption("--alpha <VALUE>")]
        [Description("L2 strength of the ridge classifier (default 1).")]
        public double Alpha { get; init; } = 1.0;

        [CommandOption("--standardize")]
        [Description("z-score features with each training fold's mean and standard deviation.")]
        public bool Standardize { get; init; }

        [CommandOption("--permutations <N>")]
        [Description("Permutation test with N label permutations inside the CV scheme (default 0: none).")]
        public int Permutations { get; init; }

        [CommandOption("--bootstrap <N>")]
        [Description("Bootstrap confidence interval of the accuracy over stimuli, N resamples (default 0: none).")]
        public int Bootstrap { get; init; }

        [CommandOption("--confidence <LEVEL>")]
        [Description("Level of the bootstrap interval (default 0.95).")]
        public double Confidence { get; init; } = 0.95;

        [CommandOption("--max-iter <N>")]
        [Description("Iteration budget of the logistic solver (default 2000).")]
        public int MaxIter { get; init; } = 2000;

        [CommandOption("--tol <VALUE>")]
        [Description("Logistic convergence: max |gradient| of the objective / (C·n) (default 1e-6).")]
        public double Tol { get; init; } = 1e-6;

        [CommandOption("--cross <COLUMN>")]
        [Description("Also train on each value of COLUMN and test on every other value (cross-generalisation matrix).")]
        public string Cross { get; init; } = "";
    }

    /// <summary>The classifier options of decode, analyse and probe, checked and parsed in one place.</summary>
    internal static Classifiers.Classifier ParseClassifier(string name, double c, double alpha, int maxIter, double tol)
    {
        DataSettings.RequirePositive("--C", c);
        DataSettings.RequirePositive("--alpha", alpha);
        DataSettings.RequirePositive("--tol", tol);
        if (maxIter < 1) throw new InputException($"--max-iter: must be at least 1, got {maxIter}");
        return name.ToLowerInvariant() switch
        {
            "logistic" => Classifiers.Classifier.NewLogistic(new Classifiers.LogisticOptions(c, tol, maxIter)),
            "lda" => Classifiers.Classifier.Lda,
            "ridge" => Classifiers.Classifier.NewRidge(alpha),
            _ => throw new InputException($"--classifier: '{name}' is not one of logistic, lda, ridge"),
        };
    }

    public override int Execute(CommandContext context, Settings s, CancellationToken cancellation)
    {
        if (s.Target.Length == 0) throw new InputException("--target is required (the label column to decode)");
        DataSettings.RequireNonNegative("--permutations", s.Permutations);
        DataSettings.RequireNonNegative("--bootstrap", s.Bootstrap);
        if (!(s.Confidence > 0 && s.Confidence < 1)) throw new InputException($"--confidence: must lie between 0 and 1, got {s.Confidence}");
        var classifier = ParseClassifier(s.Classifier, s.C, s.Alpha, s.MaxIter, s.Tol);
        var data = s.LoadData();
        var scheme = s.Cv.Length > 0 ? CrossValidation.parse(s.Cv) : CrossValidation.defaultScheme(data.Stimuli, "identity", s.Target);
        var device = s.ResolveDevice();
        var options = new Decoding.Options(classifier, scheme, s.Standardize, s.Permutations, s.Bootstrap, s.Confidence, s.Seed, device);
        var result = Decoding.decode(data, s.Target, options);
        var json = Results.decoding(result);
        json["cv_default"] = s.Cv.Length == 0;
        Decoding.CrossGeneralisation? cross = null;
        if (s.Cross.Length > 0)
        {
            cross = Decoding.crossGeneralise(data, s.Target, s.Cross, options);
            json["cross_generalisation"] = Results.crossGeneralisation(cross);
        }
        s.Emit(json, () =>
        {
            if (s.Cv.Length == 0) Console.WriteLine($"(no --cv given: the default for '{s.Target}' is {scheme.Text})");
            Console.Write(Results.decodingText(result));
            if (cross != null) Console.Write(Results.crossGeneralisationText(cross));
        });
        return 0;
    }
}
