/// Cross-validated decoding of a label column from features: pooled out-of-fold accuracy and friends,
/// a permutation test inside the cross-validation scheme, a bootstrap interval, cross-generalisation.
module FaceBrain.Analysis.Decoding

open System
open TorchSharp
open FaceBrain.Core
open FaceBrain.Analysis.Tensors
open FaceBrain.Analysis.Dataset
open FaceBrain.Analysis.CrossValidation
open FaceBrain.Analysis.Classifiers

type Options =
    { Classifier: Classifier
      Scheme: Scheme
      /// z-score features with the training fold's mean and standard deviation.
      Standardize: bool
      Permutations: int
      Bootstrap: int
      /// Two-sided level of the bootstrap interval (e.g. 0.95).
      Confidence: float
      Seed: int
      Device: torch.Device }

let defaults (device: torch.Device) =
    { Classifier = Classifier.Logistic defaultLogistic
      Scheme = Scheme.StratifiedKFold(5, None)
      Standardize = false
      Permutations = 0
      Bootstrap = 0
      Confidence = 0.95
      Seed = 0
      Device = device }

type PermutationTest = { Count: int; PValue: float; NullMean: float; NullMax: float }

type Result =
    { Target: string
      Classes: string[]
      Scheme: string
      Classifier: string
      Folds: int
      Scores: Metrics.Scores
      Permutation: PermutationTest option
      Interval: Metrics.Interval option
      /// Every iterative fit converged (always true for the closed-form classifiers).
      Converged: bool
      MaxIterations: int
      Warnings: string list
      /// Out-of-fold predicted class code per stimulus (-1 where a stimulus was never tested).
      Predictions: int[] }
    /// The scores with their classes' names (the confusion table).
    member r.Scored : Metrics.Scored = { Classes = r.Classes; Scores = r.Scores }

/// The target's labels, refusing a missing column or a single class.
let labels (d: Dataset) (target: string) : Labels =
    let l = encode (column d target)
    if l.Count < 2 then
        raise (InputException(d.Stimuli.Source, $"target '{target}' has one class ('{l.Classes[0]}'): nothing to decode"))
    l

/// Training and testing rows of each fold, standardised if asked, fitted and predicted.
type private Runner(d: Dataset, opts: Options) =
    let x = matrix opts.Device d.Rows d.Columns d.Features
    // All rows' Gram XXᵀ, once, for logistic folds fitted together in the row space of all rows (Classifiers.fitFolds).
    let gram = lazy (if d.Columns > d.Rows then Some(x.matmul(x.t())) else None)
    member _.X = x
    /// Out-of-fold predictions for each label vector of `ys` (codes) over `folds`. Logistic folds on unstandardised
    /// features are fitted together, one problem per label vector (Classifiers.fitFolds); otherwise fold by fold,
    /// the label vectors fitted together (Classifiers.fitMany), an iterative fit starting from the previous fold's
    /// solution (same labels, mostly the same rows). Either way each fit reaches its own optimum: only speed changes.
    member _.PredictMany(ys: int[][], folds: Fold[], reports: ResizeArray<FitReport>) : int[][] =
        let preds = ys |> Array.map (fun y -> Array.create y.Length -1)
        let record (k: int) (f: Fold) (model: Model) (xte: Tensor) =
            let p = predict model xte
            f.Test |> Array.iteri (fun j i -> preds[k][i] <- p[j])
        match opts.Classifier with
        | Classifier.Logistic _ when not opts.Standardize && folds.Length > 1 ->
            // Outside the dispose scopes below: the Gram lives as long as the runner.
            let gram = gram.Force()
            ys |> Array.iteri (fun k y ->
                use scope = torch.NewDisposeScope()
                let models = fitFolds opts.Classifier x gram y (folds |> Array.map (fun f -> f.Train))
                try
                    for model in models do reports.Add model.Report
                    Array.iter2 (fun (f: Fold) model -> record k f model (rows opts.Device f.Test x)) folds models
                finally
                    for model in models do (model :> IDisposable).Dispose())
        | _ ->
            let mutable warm : Tensor option = None
            folds |> Array.iter (fun f ->
                use scope = torch.NewDisposeScope()
                let xtr0 = rows opts.Device f.Train x
                let xte0 = rows opts.Device f.Test x
                let xtr, xte =
                    if opts.Standardize then
                        let m = xtr0.mean([| 0L |], keepdim = true)
                        let s0 = (xtr0 - m).pow(sc 2.0).mean([| 0L |], keepdim = true).sqrt()
                        let s = torch.where(s0.lt(sc 1e-12), torch.ones_like(s0), s0)
                        (xtr0 - m) / s, (xte0 - m) / s
                    else xtr0, xte0
                let ytrs = ys |> Array.map (fun y -> f.Train |> Array.map (fun i -> y[i]))
                let models = fitMany opts.Classifier xtr None ytrs warm
                try
                    for model in models do reports.Add model.Report
                    match opts.Classifier with
                    | Classifier.Logistic _ ->
                        warm |> Option.iter (fun t -> t.Dispose())
                        warm <- Some(scope.MoveToOuter(warmStartMany models))
                    | _ -> ()
                    models |> Array.iteri (fun k model -> record k f model xte)
                finally
                    for model in models do (model :> IDisposable).Dispose())
            warm |> Option.iter (fun t -> t.Dispose())
        preds
    /// Out-of-fold predictions for codes `y` over `folds` (see PredictMany).
    member r.Predict(y: int[], folds: Fold[], reports: ResizeArray<FitReport>) : int[] =
        (r.PredictMany([| y |], folds, reports))[0]
    member _.Dispose() =
        x.Dispose()
        if gram.IsValueCreated then gram.Value |> Option.iter (fun g -> g.Dispose())

/// Permutes `y` within the groups of `groups` (all rows one group when None), seeded by `rng`.
let permuteWithin (rng: Random) (groups: string[] option) (y: int[]) : int[] =
    let out = Array.copy y
    let blocks =
        match groups with
        | Some g -> Array.init y.Length id |> Array.groupBy (fun i -> g[i]) |> Array.sortBy fst |> Array.map snd
        | None -> [| Array.init y.Length id |]
    for idx in blocks do
        let values = idx |> Array.map (fun i -> y[i])
        rng.Shuffle values
        idx |> Array.iteri (fun j i -> out[i] <- values[j])
    out

/// Refuses a permutation test whose labels are constant within every group they are permuted in: the null
/// would equal the observed value and p would be 1 whatever the data.
let requirePermutable (source: string) (target: string) (groupColumn: string) (groups: string[]) (y: int[]) =
    let varies =
        Array.init y.Length id |> Array.groupBy (fun i -> groups[i])
        |> Array.exists (fun (_, idx) -> idx |> Array.exists (fun i -> y[i] <> y[idx[0]]))
    if not varies then
        raise (InputException(source, $"'{target}' is constant within every value of '{groupColumn}', so permuting it within '{groupColumn}' changes nothing: a permutation test is meaningless here (use a scheme that does not group by '{groupColumn}')"))

let private checkFolds (d: Dataset) (target: string) (y: int[]) (classes: string[]) (folds: Fold[]) =
    let warnings = ResizeArray<string>()
    for f in folds do
        let trainClasses = f.Train |> Array.map (fun i -> y[i]) |> Array.distinct
        if trainClasses.Length < 2 then
            raise (InputException(d.Stimuli.Source, $"fold '{f.Name}': the training set holds only one class of '{target}' ('{classes[trainClasses[0]]}')"))
        let unseen = f.Test |> Array.map (fun i -> y[i]) |> Array.distinct |> Array.filter (fun c -> not (Array.contains c trainClasses))
        if unseen.Length > 0 then
            let names = unseen |> Array.map (fun c -> classes[c])
            warnings.Add($"fold '{f.Name}': test classes absent from training ({commas names}) can never be predicted correctly")
    List.ofSeq warnings

/// The warning for fits that stopped at the iteration limit (or stalled) before the tolerance.
let private notConvergedWarning (reports: FitReport seq) =
    let bad = reports |> Seq.filter (fun r -> not r.Converged) |> Array.ofSeq
    let worst = bad |> Array.map (fun r -> r.GradientMax) |> Array.max
    $"{bad.Length} of {Seq.length reports} fits (permutations included) did not converge (largest scaled gradient {worst:g3}); raise the iteration limit or check the data's scale"

/// Decodes `target` from `d` with the options' classifier and scheme.
let decode (d: Dataset) (target: string) (opts: Options) : Result =
    let l = labels d target
    let y = l.Codes
    let folds = CrossValidation.folds d.Stimuli.Source (column d) y opts.Scheme
    let warnings = ResizeArray(checkFolds d target y l.Classes folds)
    let runner = Runner(d, opts)
    try
        let reports = ResizeArray<FitReport>()
        // The permuted labels (drawn before any fit: the draws depend only on the seed, the groups and y).
        let yps =
            if opts.Permutations <= 0 then [||]
            else
                let rng = Random(opts.Seed)
                let groups = opts.Scheme.GroupColumn |> Option.map (column d)
                match opts.Scheme.GroupColumn, groups with
                | Some c, Some g -> requirePermutable d.Stimuli.Source target c g y
                | _ -> ()
                Array.init opts.Permutations (fun _ -> permuteWithin rng groups y)
        // Stratified folds depend on the labels: each permutation gets its own folds (as scikit-learn's
        // permutation_test_score does; folds stratified on the true labels would handicap the null and bias p low).
        // Otherwise every fold is the same for all label vectors, so the true labels and the permutations are
        // fitted together per fold (one problem of independent blocks, each reaching its own optimum).
        let stratified = match opts.Scheme with Scheme.StratifiedKFold _ -> true | _ -> false
        let pred, permutedPreds =
            if stratified || yps.Length = 0 then runner.Predict(y, folds, reports), None
            else
                let all = runner.PredictMany(Array.append [| y |] yps, folds, reports)
                all[0], Some all[1..]
        let tested = Array.init y.Length id |> Array.filter (fun i -> pred[i] >= 0)
        let truthT, predT = tested |> Array.map (fun i -> y[i]), tested |> Array.map (fun i -> pred[i])
        let scores = Metrics.score l.Count truthT predT
        let permutation =
            if yps.Length = 0 then None
            else
                let nullOf (yp: int[]) (pp: int[]) = Metrics.accuracy (tested |> Array.map (fun i -> yp[i])) (tested |> Array.map (fun i -> pp[i]))
                let nulls =
                    match permutedPreds with
                    | Some pps -> Array.map2 nullOf yps pps
                    | None ->
                        yps |> Array.map (fun yp ->
                            nullOf yp (runner.Predict(yp, CrossValidation.folds d.Stimuli.Source (column d) yp opts.Scheme, reports)))
                Some { Count = nulls.Length; PValue = Metrics.permutationP scores.Accuracy nulls
                       NullMean = Array.average nulls; NullMax = Array.max nulls }
        let notConverged = reports |> Seq.filter (fun r -> not r.Converged) |> Seq.length
        if notConverged > 0 then
            warnings.Add(notConvergedWarning reports)
        let interval =
            if opts.Bootstrap <= 0 then None
            else
                let rng = Random(opts.Seed + 1)
                let correct = tested |> Array.map (fun i -> if pred[i] = y[i] then 1.0 else 0.0)
                let stats =
                    Array.init opts.Bootstrap (fun _ ->
                        let mutable s = 0.0
                        for _ in 1 .. correct.Length do s <- s + correct[rng.Next correct.Length]
                        s / float correct.Length)
                Some(Metrics.percentileInterval opts.Confidence stats)
        { Target = target
          Classes = l.Classes
          Scheme = opts.Scheme.Text
          Classifier = opts.Classifier.Name
          Folds = folds.Length
          Scores = scores
          Permutation = permutation
          Interval = interval
          Converged = (notConverged = 0)
          MaxIterations = (if reports.Count = 0 then 0 else reports |> Seq.map (fun r -> r.Iterations) |> Seq.max)
          Warnings = List.ofSeq warnings
          Predictions = pred }
    finally runner.Dispose()

/// Train on the rows where `column` = a, test on the rows where it = b, for every pair a ≠ b.
type CrossGeneralisation =
    { Target: string
      Column: string
      Values: string[]
      /// Accuracy[a, b]: trained on value a, tested on value b; NaN on the diagonal (no held-out rows).
      Accuracy: float[,]
      /// Mean of the off-diagonal entries.
      MeanOffDiagonal: float
      Chance: float
      /// Every iterative fit converged (always true for the closed-form classifiers); otherwise a warning says how many did not.
      Converged: bool
      Warnings: string list }

let crossGeneralise (d: Dataset) (target: string) (col: string) (opts: Options) : CrossGeneralisation =
    let l = labels d target
    let g = column d col
    let values = g |> Array.distinct |> Array.sortWith (fun a b -> String.CompareOrdinal(a, b))
    if values.Length < 2 then raise (InputException(d.Stimuli.Source, $"column '{col}' has one value: nothing to generalise across"))
    let acc = Array2D.create values.Length values.Length nan
    let runner = Runner(d, opts)
    let reports = ResizeArray<FitReport>()
    try
        values |> Array.iteri (fun a va ->
            let train = Array.init d.Rows id |> Array.filter (fun i -> g[i] = va)
            let others = values |> Array.indexed |> Array.filter (fun (b, _) -> b <> a)
            let tests = others |> Array.map (fun (_, vb) -> Array.init d.Rows id |> Array.filter (fun i -> g[i] = vb))
            let folds = tests |> Array.mapi (fun j t -> { Name = $"{col}={va}->{snd others[j]}"; Train = train; Test = t })
            let trainClasses = train |> Array.map (fun i -> l.Codes[i]) |> Array.distinct
            if trainClasses.Length < 2 then
                raise (InputException(d.Stimuli.Source, $"{col}={va}: the training rows hold fewer than two classes of '{target}'"))
            // One fit serves every test value: the folds share their training rows.
            let pred = runner.Predict(l.Codes, [| { folds[0] with Test = Array.concat tests } |], reports)
            others |> Array.iteri (fun j (b, _) ->
                acc[a, b] <- Metrics.accuracy (tests[j] |> Array.map (fun i -> l.Codes[i])) (tests[j] |> Array.map (fun i -> pred[i]))))
        let off = [| for a in 0 .. values.Length - 1 do for b in 0 .. values.Length - 1 do if a <> b then acc[a, b] |]
        let converged = reports |> Seq.forall (fun r -> r.Converged)
        { Target = target; Column = col; Values = values; Accuracy = acc; MeanOffDiagonal = Array.average off; Chance = 1.0 / float l.Count
          Converged = converged; Warnings = if converged then [] else [ notConvergedWarning reports ] }
    finally runner.Dispose()
