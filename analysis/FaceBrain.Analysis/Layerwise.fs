/// Every layer of a store × every target: decoding, RSA against label models, disentanglement of
/// identity and expression, and linear CKA between layers, as one long table (a Deedle frame with
/// columns layer, analysis, target, metric, value), ready for plotting.
module FaceBrain.Analysis.Layerwise

open System
open System.Text
open Deedle
open TorchSharp
open FaceBrain.Core
open FaceBrain.Core.IO
open FaceBrain.Analysis.Tensors

type Options =
    { Targets: string list
      /// Cross-validation per target; targets not listed get `CrossValidation.defaultScheme`.
      Schemes: Map<string, CrossValidation.Scheme>
      Classifier: Classifiers.Classifier
      Permutations: int
      Seed: int
      Distance: Rdm.Distance
      Comparison: Comparison.Method
      IdentityColumn: string
      ExpressionColumn: string
      Device: torch.Device }

/// One number of the layerwise table.
type Row = { Layer: string; Analysis: string; Target: string; Metric: string; Value: float }

let private row layer analysis target metric value =
    { Layer = layer; Analysis = analysis; Target = target; Metric = metric; Value = value }

let private layerRows (d: Dataset.Dataset) (layer: string) (o: Options) : Row list =
    [ for t in o.Targets do
        let scheme = o.Schemes.TryFind t |> Option.defaultWith (fun () -> CrossValidation.defaultScheme d.Stimuli o.IdentityColumn t)
        let opts = { Decoding.defaults o.Device with Classifier = o.Classifier; Scheme = scheme; Permutations = o.Permutations; Seed = o.Seed }
        let r = Decoding.decode d t opts
        yield row layer "decoding" t "accuracy" r.Scores.Accuracy
        yield row layer "decoding" t "balanced_accuracy" r.Scores.BalancedAccuracy
        yield row layer "decoding" t "chance" r.Scores.ChanceUniform
        yield row layer "decoding" t "n_folds" (float r.Folds)
        yield row layer "decoding" t "converged" (if r.Converged then 1.0 else 0.0)
        match r.Permutation with
        | Some p -> yield row layer "decoding" t "p_value" p.PValue
        | None -> ()
      let rdm = Rdm.compute o.Device d None o.Distance
      let models = o.Targets |> List.map (Rsa.labelModel d None rdm.Items)
      let rsaOpts : Rsa.Options =
          { Comparisons = [ o.Comparison ]; Permutations = o.Permutations; Bootstrap = 0; Confidence = 0.95; Seed = o.Seed; Device = o.Device }
      for m in Rsa.evaluate rdm models rsaOpts do
        yield row layer "rsa" m.Model o.Comparison.Name m.Value
        match m.PValue with
        | Some p -> yield row layer "rsa" m.Model (o.Comparison.Name + "_p_value") p
        | None -> ()
      if List.contains o.IdentityColumn o.Targets && List.contains o.ExpressionColumn o.Targets then
        let dr =
            Disentanglement.analyse d
                { IdentityColumn = o.IdentityColumn; ExpressionColumn = o.ExpressionColumn; Permutations = o.Permutations
                  Seed = o.Seed; Classifier = o.Classifier; Device = o.Device }
        let target = $"{o.IdentityColumn}x{o.ExpressionColumn}"
        yield row layer "disentanglement" target "mean_abs_congruence" dr.MeanAbsCongruence
        yield row layer "disentanglement" target "max_abs_congruence" dr.MaxAbsCongruence
        match dr.NullMeanAbs, dr.PValueOrthogonal with
        | Some m, Some p ->
            yield row layer "disentanglement" target "null_mean_abs_congruence" m
            yield row layer "disentanglement" target "p_orthogonal" p
        | _ -> ()
        yield row layer "disentanglement" target "cross_expression_identity_accuracy" dr.CrossExpressionIdentity
        yield row layer "disentanglement" target "factorisation" dr.Factorisation
        yield row layer "disentanglement" target "factorisation_baseline" dr.FactorisationBaseline ]

/// Centred Gram matrix of a layer (all linear CKA needs from it).
let private centredGram (device: torch.Device) (d: Dataset.Dataset) : Tensor =
    use scope = torch.NewDisposeScope()
    let x = matrix device d.Rows d.Columns d.Features
    let xc = x - x.mean([| 0L |], keepdim = true)
    scope.MoveToOuter(xc.matmul(xc.t()))

/// Runs every analysis over every layer of the store, one layer in memory at a time.
let run (store: Store.Store) (o: Options) (progress: Progress) : Frame<int, string> =
    if o.Targets.IsEmpty then raise (InputException("--targets: give at least one label column"))
    for t in o.Targets do
        if not (store.Stimuli.HasColumn t) then
            raise (InputException(store.Stimuli.Source, $"no column '{t}' for --targets (columns: {commas store.Stimuli.Columns})"))
    let names = Store.layerNames store
    let grams = Collections.Generic.List<Tensor>()
    let rows = ResizeArray<Row>()
    try
        progress.Begin("analyse", int64 names.Length, "layers")
        for name in names do
            let d = Store.layer store name
            rows.AddRange(layerRows d name o)
            grams.Add(centredGram o.Device d)
            progress.Advance()
        progress.End()
        // Linear CKA from the centred Grams: ⟨K, L⟩ / (‖K‖‖L‖).
        let norms = grams |> Seq.map (fun k -> sqrt (item ((k * k).sum ()))) |> Array.ofSeq
        for i in 0 .. names.Length - 1 do
            for j in 0 .. names.Length - 1 do
                if i <> j then
                    use kl = (grams[i] * grams[j]).sum()
                    rows.Add(row names[i] "cka" names[j] "linear_cka" (item kl / (norms[i] * norms[j])))
    finally
        for g in grams do g.Dispose()
    Frame.ofRecords rows

/// The frame as TSV (header: layer, analysis, target, metric, value; numbers round-trip).
let toTsv (f: Frame<int, string>) : string =
    let b = StringBuilder("layer\tanalysis\ttarget\tmetric\tvalue\n")
    let col (n: string) = f.GetColumn<string>(n) |> Series.values |> Array.ofSeq
    let layer, analysis, target, metric = col "Layer", col "Analysis", col "Target", col "Metric"
    let value = f.GetColumn<float>("Value") |> Series.values |> Array.ofSeq
    for i in 0 .. value.Length - 1 do
        b.Append($"{layer[i]}\t{analysis[i]}\t{target[i]}\t{metric[i]}\t").Append(value[i].ToString("R", Globalization.CultureInfo.InvariantCulture)).Append('\n') |> ignore
    b.ToString()

/// The frame as JSON: rows (one object per number) and the same numbers nested
/// by_layer.<layer>.<analysis>.<target>.<metric>.
let toJson (storeDir: string) (o: Options) (f: Frame<int, string>) : Text.Json.Nodes.JsonObject =
    let col (n: string) = f.GetColumn<string>(n) |> Series.values |> Array.ofSeq
    let layer, analysis, target, metric = col "Layer", col "Analysis", col "Target", col "Metric"
    let value = f.GetColumn<float>("Value") |> Series.values |> Array.ofSeq
    let byLayer = Text.Json.Nodes.JsonObject()
    let child (parent: Text.Json.Nodes.JsonObject) (key: string) =
        match parent[key] with
        | null -> let c = Text.Json.Nodes.JsonObject() in parent[key] <- c; c
        | n -> n.AsObject()
    let rowsNode =
        Results.arr [ for i in 0 .. value.Length - 1 ->
                        (Results.obj [ "layer", Results.str layer[i]; "analysis", Results.str analysis[i]; "target", Results.str target[i]
                                       "metric", Results.str metric[i]; "value", Results.num value[i] ] :> Text.Json.Nodes.JsonNode) ]
    for i in 0 .. value.Length - 1 do
        (child (child (child byLayer layer[i]) analysis[i]) target[i])[metric[i]] <- Results.num value[i]
    Results.obj [ "store", Results.str storeDir
                  "targets", Results.arr (o.Targets |> List.map Results.str)
                  "classifier", Results.str o.Classifier.Name
                  "distance", Results.str o.Distance.Name
                  "comparison", Results.str o.Comparison.Name
                  "permutations", Results.int' o.Permutations
                  "layers", Results.arr (layer |> Array.distinct |> Array.map Results.str)
                  "rows", rowsNode
                  "by_layer", (byLayer :> Text.Json.Nodes.JsonNode) ]
