/// Results as JSON objects (the `--json` contracts). NaN
/// becomes null so the JSON stays standard.
module FaceBrain.Analysis.Results

open System.Text.Json.Nodes

let num (v: float) : JsonNode = if System.Double.IsFinite v then JsonValue.Create v :> JsonNode else null
let str (s: string) : JsonNode = JsonValue.Create s :> JsonNode
let int' (v: int) : JsonNode = JsonValue.Create v :> JsonNode
let bool' (v: bool) : JsonNode = JsonValue.Create v :> JsonNode
let arr (xs: seq<JsonNode>) : JsonNode = JsonArray(Array.ofSeq xs) :> JsonNode
let obj (fields: (string * JsonNode) list) : JsonObject =
    let o = JsonObject()
    for k, v in fields do o[k] <- v
    o

let matrixNode (m: float[,]) : JsonNode =
    arr [ for i in 0 .. Array2D.length1 m - 1 -> arr [ for j in 0 .. Array2D.length2 m - 1 -> num m[i, j] ] ]

let intMatrixNode (m: int[,]) : JsonNode =
    arr [ for i in 0 .. Array2D.length1 m - 1 -> arr [ for j in 0 .. Array2D.length2 m - 1 -> int' m[i, j] ] ]

/// The `decode --json` object: accuracy (pooled), chance, n_folds, balanced_accuracy, p_value when
/// permutations were run, and the details.
let decoding (r: Decoding.Result) : JsonObject =
    let s = r.Scores
    let o =
        obj [ "target", str r.Target
              "classifier", str r.Classifier
              "cv", str r.Scheme
              "n_folds", int' r.Folds
              "n_stimuli", int' (r.Predictions |> Array.filter (fun p -> p >= 0) |> Array.length)
              "classes", arr (r.Classes |> Array.map str)
              "accuracy", num s.Accuracy
              "balanced_accuracy", num s.BalancedAccuracy
              "chance", num s.ChanceUniform
              "chance_majority", num s.ChanceMajority
              "per_class_recall", (obj [ for i in 0 .. r.Classes.Length - 1 -> r.Classes[i], num s.Recall[i] ] :> JsonNode)
              "confusion", intMatrixNode s.Confusion
              "converged", bool' r.Converged
              "max_iterations_used", int' r.MaxIterations
              "warnings", arr (r.Warnings |> List.map str) ]
    match r.Permutation with
    | Some p ->
        o["p_value"] <- num p.PValue
        o["permutations"] <- int' p.Count
        o["null_mean_accuracy"] <- num p.NullMean
    | None -> ()
    match r.Interval with
    | Some i -> o["ci"] <- obj [ "low", num i.Low; "high", num i.High; "level", num i.Level ]
    | None -> ()
    o

let crossGeneralisation (c: Decoding.CrossGeneralisation) : JsonObject =
    obj [ "target", str c.Target
          "column", str c.Column
          "values", arr (c.Values |> Array.map str)
          "accuracy", matrixNode c.Accuracy
          "mean_off_diagonal", num c.MeanOffDiagonal
          "chance", num c.Chance
          "converged", bool' c.Converged
          "warnings", arr (c.Warnings |> List.map str) ]

/// A short human-readable summary of a decoding result.
let decodingText (r: Decoding.Result) : string =
    let s = r.Scores
    let b = System.Text.StringBuilder()
    let line (t: string) = b.Append(t).Append('\n') |> ignore
    line $"decode {r.Target} with {r.Classifier}, {r.Scheme} ({r.Folds} folds)"
    line $"  accuracy {s.Accuracy:F4}  balanced {s.BalancedAccuracy:F4}  chance {s.ChanceUniform:F4} (majority {s.ChanceMajority:F4})"
    r.Permutation |> Option.iter (fun p -> line $"  permutation p = {p.PValue:G4} ({p.Count} permutations, null mean {p.NullMean:F4})")
    r.Interval |> Option.iter (fun i -> line $"  {i.Level * 100.0:F0}%% bootstrap interval [{i.Low:F4}, {i.High:F4}]")
    r.Classes |> Array.iteri (fun k c -> line $"  recall {c}: {s.Recall[k]:F4}")
    for w in r.Warnings do line $"  warning: {w}"
    b.ToString()

let crossGeneralisationText (c: Decoding.CrossGeneralisation) : string =
    let warnings = c.Warnings |> List.map (fun w -> $"  warning: {w}\n") |> String.concat ""
    $"  cross-generalisation of {c.Target} over {c.Column}: mean off-diagonal accuracy {c.MeanOffDiagonal:F4} (chance {c.Chance:F4})\n" + warnings

/// The `rsa --json` object: `models.<name>.<comparison>` holds each value; p-values, null means and
/// bootstrap intervals sit beside it as `<comparison>_p_value`, `<comparison>_null_mean`, `<comparison>_ci`.
let rsa (distance: string) (averageBy: string option) (data: Rdm.Rdm) (permutations: int) (results: Rsa.ModelResult list) : JsonObject =
    let models = JsonObject()
    for r in results do
        let m =
            match models[r.Model] with
            | null ->
                let o = JsonObject()
                models[r.Model] <- o
                o
            | node -> node.AsObject()
        let c = r.Comparison.Name
        m[c] <- num r.Value
        r.PValue |> Option.iter (fun p -> m[c + "_p_value"] <- num p)
        r.NullMean |> Option.iter (fun v -> m[c + "_null_mean"] <- num v)
        r.Interval |> Option.iter (fun i -> m[c + "_ci"] <- obj [ "low", num i.Low; "high", num i.High; "level", num i.Level ])
    obj [ "distance", str distance
          "items", str (if averageBy.IsSome then "conditions" else "stimuli")
          "average_by", (match averageBy with Some a -> str a | None -> null)
          "n_items", int' data.Size
          "permutations", int' permutations
          "models", (models :> JsonNode) ]

let rsaText (distance: string) (data: Rdm.Rdm) (results: Rsa.ModelResult list) : string =
    let b = System.Text.StringBuilder()
    b.Append($"RSA: {distance} RDM over {data.Size} items\n") |> ignore
    for r in results do
        let p = match r.PValue with Some p -> $"  p = {p:G4}" | None -> ""
        let ci = match r.Interval with Some i -> $"  CI [{i.Low:F4}, {i.High:F4}]" | None -> ""
        b.Append($"  {r.Model,-16} {r.Comparison.Name,-14} {r.Value:F4}{p}{ci}\n") |> ignore
    b.ToString()
