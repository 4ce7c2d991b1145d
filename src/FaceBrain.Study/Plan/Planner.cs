using FaceBrain.Study.Experiment;
using Exp = FaceBrain.Study.Experiment.Experiment;

namespace FaceBrain.Study.Plan;

/// <summary>
/// Turns a validated experiment into its task list. Fan-out steps become one task per item: a data set, a network,
/// a network × target probe, a store (each network and its random control), a store's encoding profile.
/// Seeds are derived from the experiment's seed, so one seed fixes every task.
/// </summary>
public static class Planner
{
    public static TaskList Plan(Exp e)
    {
        var layout = new OutLayout(e.Out);
        var tasks = new List<StudyTask>();
        string Seed(long offset) => (e.Seed + offset).ToString(System.Globalization.CultureInfo.InvariantCulture);

        // data: synthesise the synthetic sets; sets on disk are external inputs of the tasks that read them.
        var dataTask = new Dictionary<string, string>();
        for (int i = 0; i < e.Data.Count; i++)
        {
            var d = e.Data[i];
            if (d.Synth == null) continue;
            var id = $"data.{d.Name}";
            dataTask[d.Name] = id;
            tasks.Add(new StudyTask(id, "data", $"synthesise {d.Layout}-layout faces '{d.Name}'",
                ["faces", "synth", "--layout", d.Layout, .. d.Synth.ToArgv(), "--seed", Seed(i), "--out", layout.Data(d.Name)],
                [], [layout.Data(d.Name)], []));
        }
        string Spec(string name)
        {
            var d = e.DataSet(name);
            if (d.Path != null) return $"{d.Layout}:{d.Path}";
            var dir = layout.Data(name);
            return d.Layout == "kdef" ? $"kdef:{Path.Combine(dir, "KDEF")}" : $"{d.Layout}:{dir}";
        }
        IReadOnlyList<string> DataInputs(string name) => e.DataSet(name).Path is { } p ? [p] : [];
        IReadOnlyList<string> DataDeps(string name) => dataTask.TryGetValue(name, out var t) ? [t] : [];
        static IEnumerable<string> Where(IReadOnlyList<string> where) => where.SelectMany(w => new[] { "--where", w });

        // train: one task per trained network.
        foreach (var n in e.Networks.Where(n => n.Train != null))
        {
            var t = n.Train!;
            var eval = t.Eval is { } ev ? new[] { "--eval", Spec(ev) } : [];
            tasks.Add(new StudyTask($"train.{n.Name}", "train", $"train {n.Name} ({t.Task}) on '{t.Data}'" + (t.Eval != null ? $", verification on '{t.Eval}'" : ""),
                ["train", t.Task, "--model", n.Model, .. n.ModelOptions.ToArgv(), "--data", Spec(t.Data), .. eval, .. t.Options.ToArgv(),
                 .. Preset(n), "--seed", Seed(0), "--device", e.Device, "--out", layout.Train(n.Name)],
                [.. DataInputs(t.Data), .. (t.Eval != null ? DataInputs(t.Eval) : [])], [layout.Train(n.Name)],
                [.. DataDeps(t.Data), .. (t.Eval != null ? DataDeps(t.Eval) : [])]));
        }

        // How a task names a network's weights, and what it then depends on.
        (string[] Args, IReadOnlyList<string> Inputs, IReadOnlyList<string> Deps) Weights(Network n, string backboneOption)
        {
            if (n.Train != null) return ([backboneOption, layout.Checkpoint(n.Name)], [], [$"train.{n.Name}"]);
            if (n.Checkpoint != null) return ([backboneOption, n.Checkpoint], [n.Checkpoint], []);
            var model = new[] { "--model", n.Model }.Concat(n.ModelOptions.ToArgv());
            bool file = n.Weights is not null && Path.IsPathRooted(n.Weights);
            return ([.. model, "--weights", n.Weights!], file ? [n.Weights!] : [], []);
        }

        // probe: one task per network × target; the random control is probed in the same task (--control).
        if (e.Probe is { } probe)
            foreach (var n in e.Networks)
                foreach (var target in probe.Targets)
                {
                    var (w, inputs, deps) = ProbeWeights(n);
                    var layer = n.ProbeLayer is { } l ? new[] { "--layer", l } : [];
                    tasks.Add(new StudyTask($"probe.{n.Name}.{target}", "probe",
                        $"probe {n.Name}{(n.Control ? " and its random control" : "")}: {target} from {n.ProbeLayer ?? "the pooled features"}",
                        ["probe", .. w, .. layer, "--data", Spec(probe.Data), .. Where(probe.Where), "--target", target,
                         .. (n.Control ? new[] { "--control" } : []), .. probe.Options.ToArgv(), .. Preset(n),
                         "--seed", Seed(0), "--device", e.Device, "--out", layout.Probe(n.Name, target)],
                        [.. inputs, .. DataInputs(probe.Data)], [layout.Probe(n.Name, target)], [.. deps, .. DataDeps(probe.Data)]));
                }

        // probe reads "random" weights as: no --weights at all (probe's own seeded initialisation).
        (string[], IReadOnlyList<string>, IReadOnlyList<string>) ProbeWeights(Network n) =>
            n.Weights == "random" ? (["--model", n.Model, .. n.ModelOptions.ToArgv()], [], []) : Weights(n, "--backbone");

        // extract: one store per network, and one per random control (same architecture, seeded random weights).
        var stores = new List<string>();
        if (e.Extract is { } ex)
            for (int i = 0; i < e.Networks.Count; i++)
            {
                var n = e.Networks[i];
                var layers = string.Join(',', n.Layers);
                var reduce = n.Reduce ?? ex.Reduce;
                var common = new[] { "--data", Spec(ex.Data) }.Concat(Where(ex.Where))
                    .Concat(["--layers", layers, "--reduce", reduce]).Concat(ex.Options.ToArgv()).Concat(Preset(n)).ToArray();
                var (w, inputs, deps) = Weights(n, "--backbone");
                tasks.Add(new StudyTask($"extract.{n.Name}", "extract", $"extract {n.Name}: {layers} ({reduce})",
                    ["extract", .. w, .. common, "--seed", Seed(100 + i), "--device", e.Device, "--out", layout.Store(n.Name)],
                    [.. inputs, .. DataInputs(ex.Data)], [layout.Store(n.Name)], [.. deps, .. DataDeps(ex.Data)]));
                stores.Add(n.Name);
                if (!n.Control) continue;
                var random = n.Name + "-random";
                tasks.Add(new StudyTask($"extract.{random}", "extract", $"extract {random} (untrained {n.Model}): {layers} ({reduce})",
                    ["extract", "--model", n.Model, .. n.ModelOptions.ToArgv(), "--weights", "random", .. common,
                     "--seed", Seed(1000 + i), "--device", e.Device, "--out", layout.Store(random)],
                    DataInputs(ex.Data), [layout.Store(random)], DataDeps(ex.Data)));
                stores.Add(random);
            }

        // analyse: every layer of every store.
        if (e.Analyse is { } an)
            foreach (var s in stores)
                tasks.Add(new StudyTask($"analyse.{s}", "analyse", $"analyse every layer of {s} (decoding, RSA, disentanglement, CKA)",
                    ["analyse", "--store", layout.Store(s), .. an.Options.ToArgv(), "--seed", Seed(0), "--device", e.Device, "--out", layout.Analysis(s)],
                    [], [layout.Analysis(s)], [$"extract.{s}"]));

        // fmri: simulated responses tuned to one store's layers, or the user's own.
        string? responses = null, trials = null, roiTable = null;
        IReadOnlyList<string> fmriInputs = [], fmriDeps = [];
        var subjects = new List<(string Responses, string Trials, string Rois)>();
        if (e.Fmri is { } fm)
        {
            if (fm.SimulateFrom is { } from)
            {
                // Subject 1 keeps the experiment's seed; each further subject has its own voxels and noise.
                for (int k = 1; k <= fm.Subjects; k++)
                {
                    var dir = layout.FmriSubject(k);
                    tasks.Add(new StudyTask(k == 1 ? "fmri.simulate" : $"fmri.simulate.sub-{k}", "fmri",
                        $"simulate fMRI tuned to {from} ({fm.Rois}){(fm.Subjects > 1 ? $", subject {k} of {fm.Subjects}" : "")}",
                        ["fmri", "simulate", "--store", layout.Store(from), "--rois", fm.Rois!, .. fm.SimulateOptions.ToArgv(),
                         "--seed", Seed(k - 1), "--out", dir],
                        [], [dir], [$"extract.{from}"]));
                    subjects.Add((Path.Combine(dir, "responses.npy"), Path.Combine(dir, "trials.tsv"), Path.Combine(dir, "truth.tsv")));
                }
                (responses, trials, roiTable) = subjects[0];
                fmriDeps = ["fmri.simulate"];
            }
            else
            {
                (responses, trials, roiTable) = (fm.Responses, fm.Trials, fm.RoiTable);
                fmriInputs = [fm.Responses!, fm.Trials!, fm.RoiTable!];
                subjects.Add((fm.Responses!, fm.Trials!, fm.RoiTable!));
            }
        }

        // encode: every layer of a store against every ROI, one task per store.
        if (e.Encode is { } en && responses != null)
            foreach (var s in stores)
                tasks.Add(new StudyTask($"encode.{s}", "encode", $"encoding models of every ROI from every layer of {s}",
                    ["fmri", "profile", "--store", layout.Store(s), "--responses", responses, "--trials", trials!, "--rois", roiTable!,
                     .. en.Options.ToArgv(), "--seed", Seed(0), "--device", e.Device, "--out", layout.Profile(s)],
                    fmriInputs, [layout.Profile(s)], [$"extract.{s}", .. fmriDeps]));

        // rsa: each network's RDM at its chosen layer against the label models (kept for the heatmaps), and with fMRI
        // every layer of every store against the subjects' ROI RDMs, with the leave-one-subject-out noise ceiling.
        if (e.Rsa is { } rsa && e.Extract != null)
        {
            foreach (var n in e.Networks)
            {
                var layer = rsa.LayerOf(n);
                tasks.Add(new StudyTask($"rsa.{n.Name}", "rsa", $"RDM of {n.Name} at {layer} against the label models",
                    ["rsa", "--store", layout.Store(n.Name), "--layer", layer, .. rsa.Options.ToArgv(), "--seed", Seed(0), "--device", e.Device,
                     "--save-rdm", layout.Rdm(n.Name), "--out", layout.RsaResult(n.Name)],
                    [], [layout.RsaResult(n.Name), layout.Rdm(n.Name)], [$"extract.{n.Name}"]));
            }
            if (subjects.Count > 0)
                tasks.Add(new StudyTask("fmri.rsa", "rsa", $"RSA of {subjects.Count} subject(s)' ROI RDMs against every layer of every store",
                    ["fmri", "rsa", .. stores.SelectMany(s => new[] { "--store", layout.Store(s) }),
                     .. subjects.SelectMany(x => new[] { "--responses", x.Responses, "--trials", x.Trials }),
                     .. subjects.SelectMany(x => new[] { "--rois", x.Rois }), "--device", e.Device, "--out", layout.NeuralRsa],
                    fmriInputs, [layout.NeuralRsa],
                    [.. stores.Select(s => $"extract.{s}"), .. tasks.Where(t => t.Id.StartsWith("fmri.simulate", StringComparison.Ordinal)).Select(t => t.Id)]));
        }

        // label: face-api's expression network names each face's expression (its own confusion matrix on the set).
        if (e.Label is { } lb)
            foreach (var n in e.Networks.Where(n => n.Model == "faceapi-expression" && n.Weights is not null and not "random"))
                tasks.Add(new StudyTask($"label.{n.Name}", "label", $"label the expressions of '{lb.Data}' with {n.Name}",
                    ["faces", "label", "--data", Spec(lb.Data), .. Where(lb.Where), "--weights", n.Weights!, "--device", e.Device, "--out", layout.Label(n.Name)],
                    [.. (Path.IsPathRooted(n.Weights!) ? new[] { n.Weights! } : []), .. DataInputs(lb.Data)], [layout.Label(n.Name)], DataDeps(lb.Data)));

        // report: the study's table and the figures, from every result above.
        var reportArgs = new List<string> { "report", "--experiment", layout.ExperimentFile, "--out", layout.Report };
        foreach (var t in tasks)
        {
            if (t.Id == "fmri.rsa") { reportArgs.AddRange(["--neural-rsa", t.Outputs[0]]); continue; }
            var (option, name) = t.Step switch
            {
                "train" => ("--train", t.Id["train.".Length..]),
                "rsa" => ("--rsa", t.Id["rsa.".Length..]),
                "label" => ("--label", t.Id["label.".Length..]),
                "probe" => ("--probe", t.Id["probe.".Length..t.Id.LastIndexOf('.')]),
                "analyse" => ("--analysis", t.Id["analyse.".Length..]),
                "encode" => ("--profile", t.Id["encode.".Length..]),
                "fmri" => ("--fmri", t.Id == "fmri.simulate" ? "simulated" : t.Id["fmri.simulate.".Length..]),
                _ => ("", ""),
            };
            // An RDM's rows follow its store's stimulus table, which labels them.
            if (t.Step == "rsa") reportArgs.AddRange(["--store", $"{name}={layout.Store(name)}"]);
            if (option.Length > 0) reportArgs.AddRange([option, $"{name}={(t.Step == "rsa" ? layout.Rsa(name) : t.Outputs[0])}"]);
        }
        if (e.Fmri is { SimulateFrom: null } real) reportArgs.AddRange(["--rois", real.RoiTable!]);
        tasks.Add(new StudyTask("report", "report", "write the study table and the report",
            reportArgs, [layout.ExperimentFile], [layout.Report],
            tasks.Where(t => t.Step is "train" or "probe" or "analyse" or "encode" or "fmri" or "rsa" or "label").Select(t => t.Id).ToList()));
        return new TaskList(e.Out, tasks, TaskResources.For(e.Resources, e.Device));
    }

    static string[] Preset(Network n) => n.Preset is { } p ? ["--preset", p] : [];
}
