using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using FaceBrain.Core;

namespace FaceBrain.Study.Experiment;

/// <summary>
/// Parses and validates an experiment file (docs/experiments.md, docs/experiment.schema.json) before any work:
/// every problem (unknown keys with the nearest valid name, missing paths, dangling references, incompatible
/// choices) is collected and reported at once. Relative paths are relative to the file's folder.
/// </summary>
public static partial class ExperimentReader
{
    public static readonly IReadOnlyList<string> Layouts = ["kdef", "lfw", "vggface2", "manifest", "images"];
    public static readonly IReadOnlyList<string> TrainTasks = ["identity", "siamese"];

    // Options each step's verb gets from the runner (the experiment file says them in its own keys).
    static readonly string[] ModelKeys = ["model", "width", "input-size", "classes", "embedding", "blocks", "pair-loss"];
    static readonly string[] SynthReserved = ["layout", "seed", "out"];
    static readonly string[] TrainReserved = [.. ModelKeys, "data", "eval", "out", "seed", "device", "resume", "preset"];
    static readonly string[] ProbeReserved = [.. ModelKeys, "backbone", "weights", "layer", "data", "where", "target", "control", "preset", "seed", "out", "device"];
    static readonly string[] ExtractReserved = [.. ModelKeys, "backbone", "weights", "data", "where", "layers", "reduce", "preset", "seed", "out", "device", "overwrite", "resume"];
    static readonly string[] AnalyseReserved = ["store", "out", "json", "seed", "device"];
    static readonly string[] SimulateReserved = ["store", "layer", "features", "stimuli", "rois", "seed", "out"];
    static readonly string[] RsaReserved = ["store", "layer", "features", "stimuli", "save-rdm", "out", "json", "seed", "device"];
    static readonly string[] ProfileReserved = ["store", "responses", "trials", "rois", "json", "out", "seed", "device"];

    /// <summary>Reads and validates a file; throws one <see cref="InputException"/> listing every problem.</summary>
    public static Experiment Read(string file, VerbCatalogue catalogue, string? outOverride = null)
    {
        if (!System.IO.File.Exists(file)) throw new InputException(file, "experiment file not found");
        return Parse(System.IO.File.ReadAllText(file), file, catalogue, outOverride);
    }

    public static Experiment Parse(string json, string file, VerbCatalogue catalogue, string? outOverride = null)
    {
        JsonDocument doc;
        try { doc = JsonDocument.Parse(json, new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true }); }
        catch (JsonException e) { throw new InputException(file, $"not valid JSON: {e.Message.Split('\n')[0]}"); }
        using var _ = doc;
        var problems = new List<string>();
        var experiment = Validate(doc.RootElement, Path.GetFullPath(file), catalogue, outOverride, problems);
        if (problems.Count > 0)
            throw new InputException(file, $"{problems.Count} problem{(problems.Count == 1 ? "" : "s")}: {string.Join("; ", problems)}");
        return experiment!;
    }

    static Experiment? Validate(JsonElement root, string file, VerbCatalogue catalogue, string? outOverride, List<string> problems)
    {
        var top = ObjectReader.Of(root, "", problems);
        if (top == null) return null;
        string baseDir = Path.GetDirectoryName(file)!;
        string FullPath(string p) => Path.GetFullPath(Path.Combine(baseDir, p));

        top.Get("$schema");
        top.String("description");
        var name = top.String("name") ?? Path.GetFileNameWithoutExtension(file);
        var outInFile = top.String("out");
        var outDir = outOverride != null ? Path.GetFullPath(outOverride) : outInFile is { } o ? FullPath(o) : null;
        if (outDir == null) top.Problem("out", "missing (or give `out` DIR)");
        long seed = top.Integer("seed") ?? 1;
        var device = top.String("device") ?? "auto";

        // Data sets.
        var data = new List<DataSet>();
        if (top.Object("data") is { } dataObj)
            foreach (var p in dataObj.Properties())
            {
                var d = ObjectReader.Of(p.Value, dataObj.Path(p.Name), problems);
                if (d == null) continue;
                CheckName(d, p.Name, problems);
                var layout = d.OneOf("layout", Layouts, required: true);
                var path = d.String("path");
                var synth = d.Args("synth", "faces synth", catalogue, SynthReserved);
                bool hasSynth = d.Has("synth");
                if (path != null && hasSynth) d.Problem("path", "give 'path' or 'synth', not both");
                if (path == null && !hasSynth) d.Problem("path", "missing: give 'path' (data on disk) or 'synth' (synthetic faces)");
                if (hasSynth && layout is "images" or "manifest") d.Problem("synth", $"the runner synthesises kdef, lfw and vggface2 layouts, not {layout}");
                string? full = path == null ? null : FullPath(path);
                if (full != null && !File.Exists(full) && !Directory.Exists(full)) d.Problem("path", $"{full} does not exist");
                d.RejectUnknown();
                if (layout != null) data.Add(new DataSet(p.Name, layout, full, hasSynth ? synth : null));
            }
        else top.Problem("data", "missing: at least one data set");
        var dataNames = data.Select(d => d.Name).ToList();
        string? DataRef(ObjectReader r, string key, bool required = true)
        {
            var n = r.String(key, required);
            if (n != null && !dataNames.Contains(n)) { r.Problem(key, $"no data set named '{n}'{NearestName.Hint(n, dataNames)}"); return null; }
            return n;
        }

        // Networks.
        var networks = new List<Network>();
        var netsElement = top.Get("networks");
        if (netsElement is { ValueKind: JsonValueKind.Array } arr)
        {
            int i = 0;
            foreach (var e in arr.EnumerateArray())
            {
                var n = ObjectReader.Of(e, $"networks[{i++}]", problems);
                if (n == null) continue;
                var net = ReadNetwork(n, catalogue, FullPath, DataRef, data, problems);
                if (net == null) continue;
                if (networks.Any(x => x.Name == net.Name)) n.Problem("name", $"'{net.Name}' is used by another network");
                networks.Add(net);
            }
        }
        else top.Problem("networks", netsElement == null ? "missing: at least one network" : "expected a list of networks");
        var netNames = networks.Select(n => n.Name).ToList();

        // Steps.
        ProbeStep? probe = null;
        if (top.Object("probe") is { } pr)
        {
            var d = DataRef(pr, "data");
            var targets = pr.Strings("targets");
            if (targets.Count == 0) pr.Problem("targets", "missing: e.g. [\"identity\", \"expression\"]");
            var where = pr.Strings("where");
            var args = pr.Args("options", "probe", catalogue, ProbeReserved);
            pr.RejectUnknown();
            if (d != null) probe = new ProbeStep(d, where, targets, args);
        }
        ExtractStep? extract = null;
        if (top.Object("extract") is { } ex)
        {
            var d = DataRef(ex, "data");
            var where = ex.Strings("where");
            var reduce = ex.String("reduce") ?? "gap";
            var args = ex.Args("options", "extract", catalogue, ExtractReserved);
            ex.RejectUnknown();
            if (d != null) extract = new ExtractStep(d, where, reduce, args);
            for (int k = 0; k < networks.Count; k++)
                if (networks[k].Layers.Count == 0) problems.Add($"networks[{k}].layers: missing: the extract step needs the layers to extract from '{networks[k].Name}'");
        }
        AnalyseStep? analyse = null;
        if (top.Object("analyse") is { } an)
        {
            analyse = new AnalyseStep(an.Args("options", "analyse", catalogue, AnalyseReserved));
            an.RejectUnknown();
            if (!top.Has("extract")) an.Problem("options", "the analyse step reads the extracted stores: add an 'extract' step");
        }
        FmriStep? fmri = null;
        if (top.Object("fmri") is { } fm)
        {
            fmri = ReadFmri(fm, networks, catalogue, FullPath, problems);
            if (!top.Has("extract")) problems.Add("fmri: encoding models read the extracted stores: add an 'extract' step");
        }
        EncodeStep? encode = null;
        if (top.Object("encode") is { } en)
        {
            encode = new EncodeStep(en.Args("options", "fmri profile", catalogue, ProfileReserved));
            en.RejectUnknown();
            if (!top.Has("fmri")) en.Problem("options", "the encode step fits the fmri step's responses: add an 'fmri' step");
        }
        RsaStep? rsa = null;
        if (top.Object("rsa") is { } rs)
        {
            var layers = new Dictionary<string, string>();
            if (rs.Object("layers") is { } lo)
                foreach (var p in lo.Properties())
                {
                    var net = networks.FirstOrDefault(n => n.Name == p.Name);
                    if (net == null) { lo.Problem(p.Name, $"no network named '{p.Name}'{NearestName.Hint(p.Name, netNames)}"); continue; }
                    if (p.Value.ValueKind != JsonValueKind.String) { lo.Problem(p.Name, "expected a layer name"); continue; }
                    var layer = p.Value.GetString()!;
                    if (!net.Layers.Contains(layer))
                        lo.Problem(p.Name, $"'{layer}' is not among the layers extracted from {net.Name} ({string.Join(", ", net.Layers)}){NearestName.Hint(layer, net.Layers)}");
                    layers[p.Name] = layer;
                }
            var args = rs.Args("options", "rsa", catalogue, RsaReserved);
            rs.RejectUnknown();
            if (!top.Has("extract")) rs.Problem("options", "the rsa step reads the extracted stores: add an 'extract' step");
            rsa = new RsaStep(layers, args);
        }
        LabelStep? label = null;
        if (top.Object("label") is { } lb)
        {
            var d = DataRef(lb, "data");
            var where = lb.Strings("where");
            lb.RejectUnknown();
            if (!networks.Any(n => n.Model == "faceapi-expression" && n.Weights is not null and not "random"))
                lb.Problem("data", "the label step labels faces with face-api's expression network: add a network with model \"faceapi-expression\" and its weights");
            if (d != null) label = new LabelStep(d, where);
        }
        ReportStep? report = null;
        if (top.Object("report") is { } rp)
        {
            var published = new List<PublishedResult>();
            if (rp.Get("published") is { ValueKind: JsonValueKind.Array } pubs)
            {
                int i = 0;
                foreach (var e in pubs.EnumerateArray())
                {
                    var r = ObjectReader.Of(e, $"report.published[{i++}]", problems);
                    if (r == null) continue;
                    var network = r.String("network", required: true);
                    var target = r.String("target", required: true);
                    var acc = r.Number("accuracy", required: true);
                    var source = r.String("source") ?? "";
                    if (acc is < 0 or > 1) r.Problem("accuracy", "a proportion between 0 and 1");
                    r.RejectUnknown();
                    if (network != null && target != null && acc != null) published.Add(new PublishedResult(network, target, acc.Value, source));
                }
            }
            report = new ReportStep(published, rp.String("title"));
            rp.RejectUnknown();
        }
        var resources = top.Object("resources") is { } resourcesObject ? ReadResources(resourcesObject, device) : new Dictionary<string, ResourceRequest>();
        top.RejectUnknown();
        if (probe == null && extract == null) problems.Add("nothing to do: add a 'probe' or an 'extract' step");
        if (outDir == null) return null;
        return new Experiment(file, name, outDir, seed, device, data, networks, probe, extract, analyse, fmri, encode, report, resources, rsa, label);
    }

    static Network? ReadNetwork(ObjectReader n, VerbCatalogue catalogue, Func<string, string> fullPath,
                                Func<ObjectReader, string, bool, string?> dataRef, List<DataSet> data, List<string> problems)
    {
        var name = n.String("name", required: true);
        if (name != null) CheckName(n, name, problems);
        var model = n.OneOf("model", catalogue.Models, required: true);
        var options = n.Args("options", "probe", catalogue, [.. catalogue.OptionsOf("probe").Except(ModelKeys), "model"]);
        var weights = n.String("weights");
        var checkpoint = n.String("checkpoint");
        bool control = n.Bool("control");
        var preset = n.String("preset");
        var layers = n.Strings("layers");
        var probeLayer = n.String("probe_layer");
        var reduce = n.String("reduce");

        TrainPlan? train = null;
        if (n.Object("train") is { } t)
        {
            var task = t.OneOf("task", TrainTasks, required: true);
            var d = dataRef(t, "data", true);
            var eval = dataRef(t, "eval", false);
            if (eval != null && task != "siamese") t.Problem("eval", "only 'train siamese' takes a separate evaluation set");
            if (eval != null && data.First(x => x.Name == eval).Layout != "lfw")
                t.Problem("eval", $"the evaluation set needs LFW-layout pairs (pairs.txt); '{eval}' is {data.First(x => x.Name == eval).Layout}");
            var args = task == null ? VerbArgs.None : t.Args("options", $"train {task}", catalogue, TrainReserved);
            t.Get("options");
            t.RejectUnknown();
            if (task == "siamese" && model != null && model != "siamese")
                t.Problem("task", $"'train siamese' trains the siamese model, not {model}");
            if (task == "identity" && model == "siamese")
                t.Problem("task", "the siamese model is trained by 'train siamese' (task \"siamese\")");
            if (task == "siamese" && d != null && data.First(x => x.Name == d).Layout != "lfw")
                t.Problem("data", $"'train siamese' needs LFW-layout pairs (pairs.txt); '{d}' is {data.First(x => x.Name == d).Layout}");
            if (task != null && d != null) train = new TrainPlan(task, d, eval, args);
        }

        int sources = (train != null || n.Has("train") ? 1 : 0) + (weights != null ? 1 : 0) + (checkpoint != null ? 1 : 0);
        if (sources != 1) n.Problem("weights", sources == 0
            ? "missing: give one of 'train', 'weights' (a file, a named source or \"random\") or 'checkpoint'"
            : "give only one of 'train', 'weights' and 'checkpoint'");
        if (weights != null && weights != "random" && !catalogue.NamedWeights.Contains(weights))
        {
            weights = fullPath(weights);
            if (!File.Exists(weights)) n.Problem("weights", $"{weights} does not exist (or use \"random\"{(catalogue.NamedWeights.Count > 0 ? ", " + string.Join(", ", catalogue.NamedWeights.Select(w => $"\"{w}\"")) : "")})");
        }
        if (checkpoint != null)
        {
            checkpoint = fullPath(checkpoint);
            if (!File.Exists(checkpoint)) n.Problem("checkpoint", $"{checkpoint} does not exist");
        }
        if (weights == "faceapi" && model != null && !model.StartsWith("faceapi-", StringComparison.Ordinal))
            n.Problem("weights", $"\"faceapi\" is face-api's pretrained weights, for the faceapi-recognition and faceapi-expression models, not {model}");
        if (control && weights == "random") n.Problem("control", "this network is itself untrained (weights \"random\"); a random control adds nothing");
        if (preset != null)
        {
            if (!catalogue.Presets.TryGetValue(preset, out var fits))
                n.Problem("preset", $"'{preset}' is not one of {string.Join(", ", catalogue.Presets.Keys)}{NearestName.Hint(preset, catalogue.Presets.Keys)}");
            else if (model != null && fits.Count > 0 && !fits.Contains(model))
                n.Problem("preset", $"'{preset}' is for {string.Join(", ", fits)}; it does not fit {model}");
        }
        n.RejectUnknown();
        if (name == null || model == null) return null;
        return new Network(name, model, options, train, weights, checkpoint, control, preset, layers, probeLayer, reduce);
    }

    static FmriStep? ReadFmri(ObjectReader fm, List<Network> networks, VerbCatalogue catalogue, Func<string, string> fullPath, List<string> problems)
    {
        var sim = fm.Object("simulate");
        var responses = fm.String("responses");
        var trials = fm.String("trials");
        var roiTable = fm.String("rois");
        fm.RejectUnknown();
        if (sim != null && (responses != null || roiTable != null))
        {
            fm.Problem("simulate", "give 'simulate' or your own 'responses' (with 'trials' and 'rois'), not both");
            return null;
        }
        if (sim != null)
        {
            var netNames = networks.Select(n => n.Name).SelectMany(n => new[] { n, n + "-random" }).ToList();
            var from = sim.String("network", required: true);
            var rois = sim.String("rois", required: true);
            var args = sim.Args("options", "fmri simulate", catalogue, SimulateReserved);
            var subjects = sim.Integer("subjects") ?? 1;
            if (subjects < 1) sim.Problem("subjects", $"at least 1 (got {subjects})");
            sim.RejectUnknown();
            if (from != null && !netNames.Contains(from)) { sim.Problem("network", $"no network named '{from}'{NearestName.Hint(from, netNames)}"); return null; }
            var net = networks.FirstOrDefault(n => n.Name == from || n.Name + "-random" == from);
            if (from != null && from.EndsWith("-random") && net != null && net.Name != from && !net.Control)
                sim.Problem("network", $"'{from}' is the random control of '{net.Name}', which has no \"control\": true");
            if (rois != null && net != null)
                foreach (var roi in rois.Split(','))
                {
                    var parts = roi.Split(':');
                    if (parts.Length != 2) { sim.Problem("rois", $"'{roi}': expected NAME:SOURCE"); continue; }
                    var source = parts[1];
                    if (source is "none" or "features" or "identity" or "expression") continue;
                    if (!net.Layers.Contains(source))
                        sim.Problem("rois", $"'{roi}': '{source}' is not among the layers extracted from {net.Name} ({string.Join(", ", net.Layers)}){NearestName.Hint(source, net.Layers)}");
                }
            return from == null || rois == null ? null : new FmriStep(from, rois, args, null, null, null, (int)Math.Max(1, subjects));
        }
        if (responses == null) { fm.Problem("simulate", "missing: give 'simulate' or your own 'responses', 'trials' and 'rois'"); return null; }
        string? Existing(string key, string? p)
        {
            if (p == null) { fm.Problem(key, "missing (with 'responses')"); return null; }
            var f = fullPath(p);
            if (!File.Exists(f)) fm.Problem(key, $"{f} does not exist");
            return f;
        }
        return new FmriStep(null, null, VerbArgs.None, Existing("responses", responses), Existing("trials", trials), Existing("rois", roiTable));
    }

    /// <summary>
    /// "resources": { "default": {...}, "extract": {...} }, each with cpus (also the task's threads), memory,
    /// gpus and time. Unknown steps and keys get the nearest valid name, like the rest of the file.
    /// </summary>
    static Dictionary<string, ResourceRequest> ReadResources(ObjectReader rs, string device)
    {
        var result = new Dictionary<string, ResourceRequest>();
        foreach (var step in new[] { "default" }.Concat(Plan.TaskList.Steps))
        {
            if (rs.Object(step) is not { } r) continue;
            int? Count(string key, int min)
            {
                var n = r.Integer(key);
                if (n == null) return null;
                if (n < min || n > 100_000) { r.Problem(key, $"{n}: must be a whole number from {min}"); return null; }
                return (int)n;
            }
            var cpus = Count("cpus", 1);
            var gpus = Count("gpus", 0);
            var memory = r.String("memory");
            if (memory != null && !ResourceRequest.IsMemory(memory))
            { r.Problem("memory", $"'{memory}': expected megabytes or a size with K, M, G or T, e.g. \"8G\""); memory = null; }
            var time = r.String("time");
            if (time != null && !ResourceRequest.IsTime(time))
            { r.Problem("time", $"'{time}': expected HH:MM:SS or D-HH:MM:SS, e.g. \"04:00:00\""); time = null; }
            if (gpus > 0 && device == "cpu") r.Problem("gpus", $"the experiment's device is cpu: {gpus} GPU(s) would sit idle (set \"device\": \"cuda\")");
            r.RejectUnknown();
            result[step] = new ResourceRequest(cpus, memory, gpus, time);
        }
        rs.RejectUnknown();
        return result;
    }

    static void CheckName(ObjectReader r, string name, List<string> problems)
    {
        if (!NameRegex().IsMatch(name)) problems.Add($"{r.Where}: name '{name}' must be letters, digits, '-' and '_' (it names folders)");
    }

    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9_-]*$")]
    private static partial Regex NameRegex();

    /// <summary>
    /// The experiment as it is kept in its output folder (OUT/experiment.json): the same content, with "out" set
    /// to "." (the folder itself) and relative input paths made absolute, so the copy runs from anywhere.
    /// </summary>
    public static string Normalise(string json, string file)
    {
        var baseDir = Path.GetDirectoryName(Path.GetFullPath(file))!;
        var root = JsonNode.Parse(json, documentOptions: new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true })!.AsObject();
        void Absolute(JsonNode? parent, string key)
        {
            if (parent is JsonObject o && o[key] is JsonValue v && v.TryGetValue<string>(out var p) && !Path.IsPathRooted(p))
                o[key] = Path.GetFullPath(Path.Combine(baseDir, p));
        }
        if (root["data"] is JsonObject data) foreach (var (_, d) in data) Absolute(d, "path");
        if (root["networks"] is JsonArray nets)
            foreach (var n in nets)
            {
                // A file, not "random" or a named source such as "faceapi".
                if (n is JsonObject no && no["weights"] is JsonValue w && w.TryGetValue<string>(out var ws) && (ws.Contains('/') || ws.Contains('.')))
                    Absolute(n, "weights");
                Absolute(n, "checkpoint");
            }
        if (root["fmri"] is JsonObject fm) { Absolute(fm, "responses"); Absolute(fm, "trials"); Absolute(fm, "rois"); }
        root["out"] = ".";
        return root.ToJsonString(new JsonSerializerOptions { WriteIndented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }) + "\n";
    }
}
