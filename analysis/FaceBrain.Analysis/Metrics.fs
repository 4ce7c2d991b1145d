/// Classification scores over pooled out-of-fold predictions, in scikit-learn's definitions.
module FaceBrain.Analysis.Metrics

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
    let present = recall |> Array.filter (fun r -> not (System.Double.IsNaN r))
    { Accuracy = accuracy truth pred
      BalancedAccuracy = Array.average present
      Recall = recall
      Confusion = confusion
      ChanceUniform = 1.0 / float k
      ChanceMajority = float (Array.max support) / float truth.Length }

/// Scores with the names of their classes (code i is Classes[i]): the one scored confusion, of a decoder's pooled
/// out-of-fold predictions (Decoding.Result.Scored) and of a labeller's predictions alike.
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
