namespace FaceBrain.Study.Plan;

/// <summary>Where each step writes inside an experiment's output folder (docs/experiments.md lists it).</summary>
public sealed record OutLayout(string Out)
{
    public string ExperimentFile => Path.Combine(Out, "experiment.json");
    public string Data(string name) => Path.Combine(Out, "data", name);
    public string Train(string network) => Path.Combine(Out, "train", network);
    public string Checkpoint(string network) => Path.Combine(Train(network), "checkpoint.ckpt");
    public string Probe(string network, string target) => Path.Combine(Out, "probe", network, target);
    public string Store(string network) => Path.Combine(Out, "stores", network);
    public string Analysis(string store) => Path.Combine(Out, "analysis", store);
    public string Fmri => Path.Combine(Out, "fmri");
    /// <summary>Simulated subject K's responses: subject 1 in fmri/, the others beside it (fmri-sub-K/).</summary>
    public string FmriSubject(int k) => k == 1 ? Fmri : Path.Combine(Out, $"fmri-sub-{k}");
    public string Rsa(string network) => Path.Combine(Out, "rsa", network);
    public string RsaResult(string network) => Path.Combine(Rsa(network), "rsa.json");
    public string Rdm(string network) => Path.Combine(Rsa(network), "rdm.npy");
    public string NeuralRsa => Path.Combine(Out, "rsa", "fmri.tsv");
    public string Label(string network) => Path.Combine(Out, "label", network);
    public string Profile(string store) => Path.Combine(Out, "encode", store + ".json");
    public string Report => Path.Combine(Out, "report");
    public string StudyTable => Path.Combine(Report, "study.tsv");
    public string TaskRecords => Path.Combine(Out, ".tasks");
    public string TaskRecord(string id) => Path.Combine(TaskRecords, id + ".json");
    public string Log(string step, string id, string stream) => Path.Combine(Out, "logs", step, $"{id}.{stream}");
}
