/// The statistics every analysis shares, each in one place: classification scores in scikit-learn's
/// definitions, percentiles and the one bootstrap-interval rule, Pearson correlation (per column of a tensor,
/// or of two vectors), average ranks, and seeded Gaussian draws.
module FaceBrain.Analysis.Metrics

open System
open TorchSharp

/// Scores of predictions `pred` against `truth`, both class codes in 0..k-1.
type Scores =
    { Accuracy: float
      /// Mean recall over the classes present in `truth` (balanced_accuracy_score).
      BalancedAccuracy: float
      /// Recall per class (NaN for a class absent from `truth`).
      Recall: float[]
      /// Counts: rows are true classes, columns predicted classes.
      Confusion: int[,]
      /// 1 / number of classes.
      ChanceUniform: float
      /// The rate of the most frequent class (what always guessing it scores).
      ChanceMajority: float }

let accuracy (truth: int[]) (pred: int[]) =
    let mutable c = 0
    for i in 0 .. truth.Length - 1 do
        if truth[i] = pred[i] then c <- c + 1
    float c / float truth.Length

let score (k: int) (truth: int[]) (pred: int[]) : Scores =
    let confusion = Array2D.zeroCreate k k
    for i in 0 .. truth.Length - 1 do
        confusion[truth[i], pred[i]] <- confusion[truth[i], pred[i]] + 1
    let support = Array.init k (fun c -> Seq.sum (seq { for j in 0 .. k - 1 -> confusion[c, j] }))
    let recall = Array.init k (fun c -> if support[c] = 0 then nan else float confusion[c, c] / float support[c])
    let present = recall |> Array.filter (fun r -> not (Double.IsNaN r))
    { Accuracy = accuracy truth pred
      BalancedAccuracy = Array.average present
      Recall = recall
      Confusion = confusion
      ChanceUniform = 1.0 / float k
      ChanceMajority = float (Array.max support) / float truth.Length }

/// Scores with the names of their classes (code i is Classes[i]): the one scored confusion, of a decoder's pooled
/// out-of-fold predictions (Decoding.Result.Scored) and of a labeller's predictions alike.
[<System.Text.Json.Serialization.JsonConverter(typeof<ScoredJson>)>]
type Scored =
    { Classes: string[]
      Scores: Scores }
    /// How many predictions were scored.
    member s.Count = Seq.sum (Seq.cast<int> s.Scores.Confusion)
    /// The confusion as TSV: header `true\predicted` and the classes, one row per true class.
    member s.ConfusionTsv() =
        let b = System.Text.StringBuilder("true\\predicted\t" + String.concat "\t" s.Classes + "\n")
        s.Classes |> Array.iteri (fun i c ->
            b.Append(c) |> ignore
            for j in 0 .. s.Classes.Length - 1 do b.Append('\t').Append(s.Scores.Confusion[i, j]) |> ignore
            b.Append('\n') |> ignore)
        b.ToString()

/// A scored confusion in JSON, flat as every result file writes it: classes, images, accuracy, balanced_accuracy,
/// chance, recall (per class, null where a class is absent) and confusion (rows true, columns predicted).
and ScoredJson() =
    inherit System.Text.Json.Serialization.JsonConverter<Scored>()
    override _.Read(_, _, _) = raise (NotSupportedException "a scored confusion is written, not read")
    override _.Write(w, s, _) =
        let number (v: float) = if Double.IsFinite v then w.WriteNumberValue v else w.WriteNullValue()
        w.WriteStartObject()
        w.WriteStartArray "classes"
        for c in s.Classes do w.WriteStringValue c
        w.WriteEndArray()
        w.WriteNumber("images", s.Count)
        w.WritePropertyName "accuracy"; number s.Scores.Accuracy
        w.WritePropertyName "balanced_accuracy"; number s.Scores.BalancedAccuracy
        w.WritePropertyName "chance"; number s.Scores.ChanceUniform
        w.WriteStartArray "recall"
        for r in s.Scores.Recall do number r
        w.WriteEndArray()
        w.WriteStartArray "confusion"
        for i in 0 .. s.Classes.Length - 1 do
            w.WriteStartArray()
            for j in 0 .. s.Classes.Length - 1 do w.WriteNumberValue s.Scores.Confusion[i, j]
            w.WriteEndArray()
        w.WriteEndArray()
        w.WriteEndObject()

/// Scores labels by name against `classes`; a label outside them is bad input.
let scoreNamed (classes: string[]) (truth: string[]) (pred: string[]) : Scored =
    if truth.Length <> pred.Length then invalidArg "pred" $"{truth.Length} true labels, {pred.Length} predictions"
    if truth.Length = 0 then raise (FaceBrain.Core.InputException("no predictions to score"))
    let index = classes |> Array.mapi (fun i c -> c, i) |> dict
    let names = String.concat ", " classes
    let codes what (labels: string[]) =
        labels |> Array.map (fun l ->
            match index.TryGetValue l with
            | true, i -> i
            | _ -> raise (FaceBrain.Core.InputException($"{what} '{l}' is not one of the classes {names}")))
    { Classes = classes; Scores = score classes.Length (codes "true label" truth) (codes "prediction" pred) }

/// Percentile of sorted values with linear interpolation (NumPy's default method).
let percentile (sorted: float[]) (q: float) =
    let pos = q / 100.0 * float (sorted.Length - 1)
    let lo = int (floor pos)
    let hi = min (lo + 1) (sorted.Length - 1)
    sorted[lo] + (pos - float lo) * (sorted[hi] - sorted[lo])

/// Median (NaN for no values): the 50th percentile by the rule above.
let median (values: float[]) = if values.Length = 0 then nan else percentile (Array.sort values) 50.0

/// Permutation p-value (1 + #{null ≥ observed}) / (1 + N): never zero, exact under exchangeability.
let permutationP (observed: float) (nulls: float[]) =
    // A tiny tolerance so that ties produced by rounding count as ties.
    let ge = nulls |> Array.filter (fun v -> v >= observed - 1e-12) |> Array.length
    float (1 + ge) / float (1 + nulls.Length)

/// A two-sided confidence interval at `Level` (e.g. 0.95).
type Interval = { Low: float; High: float; Level: float }

/// The one bootstrap-interval rule: the percentile interval of the resampled statistics, cutting
/// (1 − level) / 2 from each tail by NumPy's linear percentile.
let percentileInterval (level: float) (stats: float[]) : Interval =
    let sorted = Array.sort stats
    let a = (1.0 - level) / 2.0 * 100.0
    { Low = percentile sorted a; High = percentile sorted (100.0 - a); Level = level }

/// Pearson correlation of every column of `a` with the same column of `b` (rows are observations);
/// NaN where either column is constant, as numpy.corrcoef.
let pearsonColumns (a: torch.Tensor) (b: torch.Tensor) : float[] =
    use scope = torch.NewDisposeScope()
    let ac = a - a.mean([| 0L |], true)
    let bc = b - b.mean([| 0L |], true)
    let r = (ac * bc).sum(0L, false) / ((ac.square().sum(0L, false) * bc.square().sum(0L, false)).sqrt())
    Tensors.toArray r

/// Pearson correlation of two vectors (the column rule above, on one column).
let pearson (a: float[]) (b: float[]) : float =
    if a.Length <> b.Length then invalidArg "b" $"vectors of {a.Length} and {b.Length} values"
    use ta = Tensors.matrix torch.CPU a.Length 1 a
    use tb = Tensors.matrix torch.CPU b.Length 1 b
    (pearsonColumns ta tb)[0]

/// Ranks 1..n with ties given the average of the ranks they span (scipy.stats.rankdata 'average').
let rank (v: float[]) : float[] =
    let idx = Array.init v.Length id
    Array.Sort(Array.copy v, idx)
    let sorted = idx |> Array.map (fun i -> v[i])
    let r = Array.zeroCreate v.Length
    let mutable i = 0
    while i < v.Length do
        let mutable j = i
        while j + 1 < v.Length && sorted[j + 1] = sorted[i] do j <- j + 1
        let avg = float (i + j) / 2.0 + 1.0
        for k in i .. j do r[idx[k]] <- avg
        i <- j + 1
    r

/// Spearman correlation: Pearson on average ranks.
let spearman (a: float[]) (b: float[]) = pearson (rank a) (rank b)

/// `count` standard normal draws from a seeded generator: the polar Box–Muller method exactly as
/// MathNet.Numerics' Normal.Samples draws them (the same uniforms, so the same values for a seed), without
/// taking the library for this one call. Every Gaussian draw of Analysis and Fmri comes from here.
let gaussian (rng: Random) (count: int) : float[] =
    let values = Array.zeroCreate count
    let mutable index = 0
    // One pair of uniforms in [0, 1)² to two normals, if the pair falls inside the unit circle.
    let accept (a: float) (b: float) =
        let v1, v2 = 2.0 * a - 1.0, 2.0 * b - 1.0
        let r = v1 * v1 + v2 * v2
        if r < 1.0 && r <> 0.0 then
            let fac = sqrt (-2.0 * log r / r)
            values[index] <- v1 * fac
            index <- index + 1
            if index < count then
                values[index] <- v2 * fac
                index <- index + 1
    if count > 0 then
        // About 4/π uniforms per value are accepted; they are drawn up front (an even count), then more if short.
        let n = int (ceil (float count * 4.0 / Math.PI))
        let uniform = Array.init (if n % 2 = 1 then n + 1 else n) (fun _ -> rng.NextDouble())
        let mutable i = 0
        while i < uniform.Length && index < count do
            accept uniform[i] uniform[i + 1]
            i <- i + 2
        while index < count do
            let a = rng.NextDouble()
            accept a (rng.NextDouble())
    values
