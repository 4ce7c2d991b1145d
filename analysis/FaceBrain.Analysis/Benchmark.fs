/// `facebrain bench analysis`: the issue's workloads on synthetic data with planted structure at
/// KDEF's size (70 identities × 7 expressions × 2 sessions = 980 stimuli).
module FaceBrain.Analysis.Benchmark

open System
open System.Diagnostics
open System.IO
open TorchSharp
open FaceBrain.Core
open FaceBrain.Analysis.Tensors

type Timing =
    { Workload: string
      Seconds: float
      /// CPU time of the process (all threads) meanwhile: on a loaded machine, steadier than wall time.
      CpuSeconds: float
      Detail: string
      /// The results a peer must reproduce (accuracy, r, p ...), by name.
      Numbers: (string * float) list }

let private time (f: unit -> 'a) =
    let cpu = Process.GetCurrentProcess().TotalProcessorTime
    let sw = Stopwatch.StartNew()
    let r = f ()
    r, (sw.Elapsed.TotalSeconds, (Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalSeconds)

/// KDEF's layout (7 expressions × 2 sessions) with a chosen number of identities, features and expression signal
/// (at 70 × 2048: 0.5 well separated, near 0.03 accuracy about 0.3). Smaller sizes let a slow peer finish.
let design (identities: int) (features: int) (expressionSignal: float) : Synthetic.Design =
    if identities < 2 then invalidArg "identities" $"{identities} identities: leave-one-identity-out needs at least 2"
    if features < 1 then invalidArg "features" $"{features} features: at least 1 is needed"
    { Synthetic.kdefLike with Identities = identities; Features = features; ExpressionSignal = expressionSignal }

/// Writes the dataset of a design (features.npy float64 [n, p], stimuli.tsv) so that a peer tool
/// (scripts/bench/) runs on exactly the data FaceBrain timed.
let save (dir: string) (design: Synthetic.Design) =
    Directory.CreateDirectory dir |> ignore
    let t = Synthetic.table design
    FaceBrain.Core.IO.Npy.Write<float>(Path.Combine(dir, "features.npy"), ReadOnlySpan<float>(Synthetic.features design), int64 t.Count, int64 design.Features)
    t.Write(Path.Combine(dir, "stimuli.tsv"))

let private size (design: Synthetic.Design) =
    $"{design.Identities * design.Expressions * design.Repeats} x {design.Features}"

/// Expression decoding, multinomial logistic regression (C = 1), leave one identity out (one fold per identity).
let decoding (device: torch.Device) (design: Synthetic.Design) : Timing =
    let d = Synthetic.dataset design
    let opts = { Decoding.defaults device with Scheme = CrossValidation.Scheme.LeaveOneGroupOut "identity" }
    let r, s = time (fun () -> Decoding.decode d "expression" opts)
    { Workload = $"decode expression, logistic C=1, logo:identity ({design.Identities} folds), {size design}"
      Seconds = fst s
      CpuSeconds = snd s
      Detail = $"accuracy {r.Scores.Accuracy:F4}, chance {r.Scores.ChanceUniform:F4}, converged {r.Converged}, max iterations {r.MaxIterations}"
      Numbers = [ "accuracy", r.Scores.Accuracy; "converged", (if r.Converged then 1.0 else 0.0); "max_iterations", float r.MaxIterations ] }

/// Correlation RDM over the design's stimuli and features, Spearman against the expression label RDM, 1,000 permutations.
let rsa (device: torch.Device) (design: Synthetic.Design) : Timing =
    let d = Synthetic.dataset design
    let (r: Rsa.ModelResult list), s =
        time (fun () ->
            let rdm = Rdm.compute device d None Rdm.Distance.Correlation
            let model = Rsa.labelModel d None rdm.Items "expression"
            Rsa.evaluate rdm [ model ] { Comparisons = [ Comparison.Method.Spearman ]; Permutations = 1000; Bootstrap = 0; Confidence = 0.95; Seed = 0; Device = device })
    { Workload = $"RSA: correlation RDM {size design}, spearman vs expression model, 1000 permutations"
      Seconds = fst s
      CpuSeconds = snd s
      Detail = $"spearman {r.Head.Value:F4}, p {r.Head.PValue.Value:G3}"
      Numbers = [ "spearman", r.Head.Value; "p", r.Head.PValue.Value ] }

/// Layerwise analysis of a ResNet-50-shaped store (gap widths 64, 256, 512, 1024, 2048 + avgpool) on 980 stimuli.
let layerwise (device: torch.Device) (classifier: Classifiers.Classifier) : Timing =
    let dir = Path.Combine(Path.GetTempPath(), "facebrain-bench-" + Guid.NewGuid().ToString("N"))
    try
        let widths = [ "conv1", 64; "layer1", 256; "layer2", 512; "layer3", 1024; "layer4", 2048; "avgpool", 2048 ]
        let table = Synthetic.table Synthetic.kdefLike
        let layers =
            widths |> List.mapi (fun i (name, p) ->
                let design = { Synthetic.kdefLike with Features = p; Seed = 10 + i; ExpressionSignal = 0.1 * float (i + 1) }
                ({ LayerName = name; Rows = table.Count; Columns = p; Values = Synthetic.features design |> Array.map float32 } : Store.LayerData))
        Store.write dir table layers true
        let store = Store.openStore dir
        let o : Layerwise.Options =
            { Targets = [ "identity"; "expression" ]; Schemes = Map.empty; Classifier = classifier; Permutations = 0; Seed = 0
              Distance = Rdm.Distance.Correlation; Comparison = Comparison.Method.Spearman
              IdentityColumn = "identity"; ExpressionColumn = "expression"; Device = device }
        let f, s = time (fun () -> Layerwise.run store o Progress.Silent)
        // Every decoding row set has a 0/1 "…converged" metric: count the decoders that did not converge.
        let flags = f |> List.filter (fun r -> r.Metric.EndsWith "converged")
        let notConverged = flags |> List.filter (fun r -> r.Value <> 1.0) |> List.length
        { Workload = $"analyse: ResNet-50-shaped store (6 gap layers, 64..2048 features), 980 stimuli, {classifier.Name}"
          Seconds = fst s
          CpuSeconds = snd s
          Detail = $"{f.Length} numbers, {notConverged} of {flags.Length} decoders not converged"
          Numbers = [ "rows", float f.Length; "decoders", float flags.Length; "not_converged", float notConverged ] }
    finally
        try Directory.Delete(dir, true) with _ -> ()
