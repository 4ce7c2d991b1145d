/// Every layer of a store × every target: decoding, RSA against label models, disentanglement of
/// identity and expression, and linear CKA between layers, as one long table (rows of layer, analysis, target,
/// metric, value), ready for plotting.
module FaceBrain.Analysis.Layerwise

open System
open System.Text
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

/// One number of the layerwise table (the table is a list of these, in the order they were computed).
type Row = { Layer: string; Analysis: string; Target: string; Metric: string; Value: float }

let private row layer analysis target metric value =
    { Layer = layer; Analysis = analysis; Target = target; Metric = metric; Value = value }

/// The rows of one layer, and per target which stimuli its decoder predicted right (for network comparisons).
let private layerRows (d: Dataset.Dataset) (layer: string) (o: Options) (correct: Collections.Generic.Dictionary<string * string, bool[]>) : Row list =
    [ for t in o.Targets do
        let scheme = o.Schemes.TryFind t |> Option.defaultWith (fun () -> CrossValidation.defaultScheme d.Stimuli o.IdentityColumn t)
        let opts = { Decoding.defaults o.Device with Classifier = o.Classifier; Scheme = scheme; Permutations = o.Permutations; Seed = o.Seed }
        let r = Decoding.decode d t opts
        let codes = (Decoding.labels d t).Codes
        correct[(layer, t)] <- Array.init codes.Length (fun i -> r.Predictions[i] = codes[i])
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
        yield row layer "disentanglement" target "cross_expression_identity_converged" (if dr.CrossExpressionConverged then 1.0 else 0.0)
        yield row layer "disentanglement" target "factorisation" dr.Factorisation
        yield row layer "disentanglement" target "factorisation_baseline" dr.FactorisationBaseline ]

/// Centred Gram matrix of a layer (all linear CKA needs from it).
let private centredGram (device: torch.Device) (d: Dataset.Dataset) : Tensor =
    use scope = torch.NewDisposeScope()
    let x = matrix device d.Rows d.Columns d.Features
    let xc = x - x.mean([| 0L |], keepdim = true)
    scope.MoveToOuter(xc.matmul(xc.t()))

/// One store's rows and, per (layer, target), which stimuli the decoder predicted right.
type private StoreRows = { Rows: Row list; Correct: Collections.Generic.Dictionary<string * string, bool[]> }

let private analyseStore (store: Store.Store) (o: Options) (progress: Progress) : StoreRows =
    if o.Targets.IsEmpty then raise (InputException("`targets`: give at least one label column"))
    for t in o.Targets do
        if not (store.Stimuli.HasColumn t) then
            raise (InputException(store.Stimuli.Source, $"no column '{t}' for `targets` (columns: {commas store.Stimuli.Columns})"))
    let names = Store.layerNames store
    let grams = Collections.Generic.List<Tensor>()
    let rows = ResizeArray<Row>()
    let correct = Collections.Generic.Dictionary<string * string, bool[]>()
    try
        progress.Begin("analyse", int64 names.Length, "layers")
        for name in names do
            let d = Store.layer store name
            rows.AddRange(layerRows d name o correct)
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
    { Rows = List.ofSeq rows; Correct = correct }

/// Runs every analysis over every layer of the store, one layer in memory at a time.
let run (store: Store.Store) (o: Options) (progress: Progress) : Row list =
    (analyseStore store o progress).Rows

/// A network's decoding accuracy minus the reference network's, on the same stimuli, with a paired bootstrap
/// interval over stimuli (the same resampled stimuli for both networks).
type Difference =
    { Network: string; Reference: string; Layer: string; Target: string
      Accuracy: float; ReferenceAccuracy: float; Difference: float; Low: float; High: float; Level: float }

/// Several networks' stores of the same stimuli (e.g. trained and random): each store's table, and for every
/// network after the first, its decoding accuracy minus the first's per layer and target, with a paired
/// bootstrap interval (`bootstrap` resamples of the stimuli, seeded by the options' seed).
let runMany (stores: (string * Store.Store) list) (o: Options) (bootstrap: int) (confidence: float) (progress: Progress)
    : (string * Row list) list * Difference list =
    if stores.Length < 2 then invalidArg "stores" "runMany compares at least two stores"
    let names = stores |> List.map fst
    if (List.distinct names).Length <> names.Length then raise (InputException($"`store`: network names must differ (got {commas names})"))
    if bootstrap < 1 then raise (InputException($"a bootstrap interval needs at least 1 resample, got {bootstrap}"))
    let refName, refStore = stores.Head
    for name, s in stores.Tail do
        if List.ofSeq s.Stimuli.Ids <> List.ofSeq refStore.Stimuli.Ids then
            raise (InputException(s.Stimuli.Source, $"store '{name}' holds other stimuli (or another order) than store '{refName}': networks are compared on the same stimuli"))
    let results = stores |> List.map (fun (name, s) -> name, analyseStore s o progress)
    let refRows = snd results.Head
    let differences =
        [ for name, r in results.Tail do
            for KeyValue((layer, target), right) in r.Correct do
                match refRows.Correct.TryGetValue((layer, target)) with
                | true, refRight ->
                    let n = right.Length
                    let score (v: bool[]) (idx: int[]) = float (idx |> Array.sumBy (fun i -> if v[i] then 1 else 0)) / float idx.Length
                    let all = Array.init n id
                    let mutable rng = Rng.For(o.Seed, ReadOnlySpan<int64>([| 0xD1FFL |]))
                    let ci =
                        Array.init bootstrap (fun _ ->
                            let idx = Array.init n (fun _ -> rng.Next n)
                            score right idx - score refRight idx)
                        |> Metrics.percentileInterval confidence
                    yield { Network = name; Reference = refName; Layer = layer; Target = target
                            Accuracy = score right all; ReferenceAccuracy = score refRight all
                            Difference = score right all - score refRight all
                            Low = ci.Low; High = ci.High; Level = ci.Level }
                | _ -> () ]
        |> List.sortBy (fun d -> d.Network, d.Layer, d.Target)
    (results |> List.map (fun (name, r) -> name, r.Rows)), differences

/// The differences as TSV (network, reference, layer, target, accuracy, reference_accuracy, difference, ci_low, ci_high, level).
let differencesTsv (ds: Difference list) : string =
    let f (v: float) = v.ToString("R", Globalization.CultureInfo.InvariantCulture)
    let b = StringBuilder("network\treference\tlayer\ttarget\taccuracy\treference_accuracy\tdifference\tci_low\tci_high\tlevel\n")
    for d in ds do
        b.Append(String.concat "\t" [ d.Network; d.Reference; d.Layer; d.Target; f d.Accuracy; f d.ReferenceAccuracy; f d.Difference; f d.Low; f d.High; f d.Level ]).Append('\n') |> ignore
    b.ToString()

/// The differences as a JSON array.
let differencesJson (ds: Difference list) : Text.Json.Nodes.JsonNode =
    Results.arr [ for d in ds ->
                    (Results.obj [ "network", Results.str d.Network; "reference", Results.str d.Reference; "layer", Results.str d.Layer
                                   "target", Results.str d.Target; "accuracy", Results.num d.Accuracy
                                   "reference_accuracy", Results.num d.ReferenceAccuracy; "difference", Results.num d.Difference
                                   "ci", (Results.obj [ "low", Results.num d.Low; "high", Results.num d.High; "level", Results.num d.Level ] :> Text.Json.Nodes.JsonNode) ]
                     :> Text.Json.Nodes.JsonNode) ]

/// The table as TSV (header: layer, analysis, target, metric, value; numbers round-trip).
let toTsv (rows: Row list) : string =
    let b = StringBuilder("layer\tanalysis\ttarget\tmetric\tvalue\n")
    for r in rows do
        b.Append($"{r.Layer}\t{r.Analysis}\t{r.Target}\t{r.Metric}\t").Append(r.Value.ToString("R", Globalization.CultureInfo.InvariantCulture)).Append('\n') |> ignore
    b.ToString()

/// The table as JSON: rows (one object per number) and the same numbers nested
/// by_layer.<layer>.<analysis>.<target>.<metric>.
let toJson (storeDir: string) (o: Options) (rows: Row list) : Text.Json.Nodes.JsonObject =
    let byLayer = Text.Json.Nodes.JsonObject()
    let child (parent: Text.Json.Nodes.JsonObject) (key: string) =
        match parent[key] with
        | null -> let c = Text.Json.Nodes.JsonObject() in parent[key] <- c; c
        | n -> n.AsObject()
    let rowsNode =
        Results.arr [ for r in rows ->
                        (Results.obj [ "layer", Results.str r.Layer; "analysis", Results.str r.Analysis; "target", Results.str r.Target
                                       "metric", Results.str r.Metric; "value", Results.num r.Value ] :> Text.Json.Nodes.JsonNode) ]
    for r in rows do
        (child (child (child byLayer r.Layer) r.Analysis) r.Target)[r.Metric] <- Results.num r.Value
    Results.obj [ "store", Results.str storeDir
                  "targets", Results.arr (o.Targets |> List.map Results.str)
                  "classifier", Results.str o.Classifier.Name
                  "distance", Results.str o.Distance.Name
                  "comparison", Results.str o.Comparison.Name
                  "permutations", Results.int' o.Permutations
                  "layers", Results.arr (rows |> List.map (fun r -> r.Layer) |> List.distinct |> List.map Results.str)
                  "rows", rowsNode
                  "by_layer", (byLayer :> Text.Json.Nodes.JsonNode) ]
