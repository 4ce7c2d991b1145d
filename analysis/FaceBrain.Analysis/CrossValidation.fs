/// Cross-validation schemes and their folds. Folds are computed once from the stimulus table and held
/// fixed; permutation tests permute labels inside them (within groups for grouped schemes).
module FaceBrain.Analysis.CrossValidation

open System
open FaceBrain.Core
open FaceBrain.Core.IO
open FaceBrain.Analysis.Tensors

/// How to split stimuli into training and test sets.
[<RequireQualifiedAccess>]
type Scheme =
    /// Leave one group out: one fold per value of the column (scikit-learn's LeaveOneGroupOut).
    | LeaveOneGroupOut of column: string
    /// K folds of whole groups, largest groups first into the emptiest fold (scikit-learn's GroupKFold).
    | GroupKFold of k: int * column: string
    /// K folds with class proportions kept, allocated exactly as scikit-learn's StratifiedKFold(K);
    /// with `shuffle`, each class's fold labels are shuffled with the seed (not NumPy's generator).
    | StratifiedKFold of k: int * shuffle: bool
    /// One fold: train where the column takes one of `train`, test where it takes one of `test`
    /// (all other values when `test` is empty).
    | Split of column: string * train: string list * test: string list

    member s.Text =
        match s with
        | LeaveOneGroupOut c -> $"logo:{c}"
        | GroupKFold (k, c) -> $"groupkfold:{k}:{c}"
        | StratifiedKFold (k, false) -> $"stratkfold:{k}"
        | StratifiedKFold (k, true) -> $"stratkfold:{k}:shuffle"
        | Split (c, tr, []) -> $"split:{c}:{(commaList tr)}"
        | Split (c, tr, te) -> $"split:{c}:{(commaList tr)}:{(commaList te)}"

    /// The column whose values define groups, if any (permutations stay within its groups).
    member s.GroupColumn =
        match s with
        | LeaveOneGroupOut c | GroupKFold (_, c) -> Some c
        | StratifiedKFold _ | Split _ -> None

/// Parses `logo:COL`, `groupkfold:K:COL`, `stratkfold:K[:shuffle]`, `split:COL:TRAIN[:TEST]` (comma-separated values).
let parse (text: string) : Scheme =
    let bad () = raise (InputException($"--cv: '{text}' is not one of logo:COLUMN, groupkfold:K:COLUMN, stratkfold:K[:shuffle], split:COLUMN:TRAIN[,..][:TEST[,..]]"))
    let k (s: string) =
        match Int32.TryParse s with
        | true, v when v >= 2 -> v
        | _ -> raise (InputException($"--cv: '{text}': K must be an integer of at least 2"))
    let values (s: string) = s.Split(',', StringSplitOptions.RemoveEmptyEntries) |> List.ofArray
    match text.Split(':') |> List.ofArray with
    | [ "logo"; c ] when c <> "" -> Scheme.LeaveOneGroupOut c
    | [ "groupkfold"; n; c ] when c <> "" -> Scheme.GroupKFold(k n, c)
    | [ "stratkfold"; n ] -> Scheme.StratifiedKFold(k n, false)
    | [ "stratkfold"; n; "shuffle" ] -> Scheme.StratifiedKFold(k n, true)
    | [ "split"; c; tr ] when c <> "" && not (values tr).IsEmpty -> Scheme.Split(c, values tr, [])
    | [ "split"; c; tr; te ] when c <> "" && not (values tr).IsEmpty && not (values te).IsEmpty -> Scheme.Split(c, values tr, values te)
    | _ -> bad ()

/// The scheme every verb uses when none is given. A target other than identity is tested on identities
/// never seen in training (leave one identity out) whenever the table has an identity column, so that a
/// decoder cannot score by recognising the person; otherwise (identity itself, or no identity column)
/// stratified 5-fold. The result names the scheme used.
let defaultScheme (table: StimulusTable) (identityColumn: string) (target: string) : Scheme =
    if target <> identityColumn && table.HasColumn identityColumn then Scheme.LeaveOneGroupOut identityColumn
    else Scheme.StratifiedKFold(5, false)

/// One fold: the rows to train on and the rows to test on, ascending.
type Fold = { Name: string; Train: int[]; Test: int[] }

let private ordinal (a: string) (b: string) = String.CompareOrdinal(a, b)

/// The folds of a scheme. `column` reads a label column (refusing a missing one); `y` is the target's
/// class codes (for stratification). Refuses a scheme that leaves a fold with no training or test rows.
let folds (source: string) (column: string -> string[]) (y: int[]) (seed: int) (scheme: Scheme) : Fold[] =
    let n = y.Length
    let all = Array.init n id
    let byValue (values: string[]) (keep: string -> bool) = all |> Array.filter (fun i -> keep values[i])
    let result =
        match scheme with
        | Scheme.LeaveOneGroupOut col ->
            let g = column col
            let groups = g |> Array.distinct |> Array.sortWith ordinal
            if groups.Length < 2 then raise (InputException(source, $"--cv {scheme.Text}: column '{col}' has only one value, so leaving it out leaves nothing to train on"))
            groups |> Array.map (fun v -> { Name = $"{col}={v}"; Train = byValue g ((<>) v); Test = byValue g ((=) v) })
        | Scheme.GroupKFold (k, col) ->
            let g = column col
            let groups = g |> Array.distinct |> Array.sortWith ordinal
            if groups.Length < k then raise (InputException(source, $"--cv {scheme.Text}: column '{col}' has {groups.Length} groups, fewer than {k} folds"))
            let sizes = groups |> Array.map (fun v -> g |> Array.filter ((=) v) |> Array.length)
            let foldOf = Collections.Generic.Dictionary<string, int>()
            let load = Array.zeroCreate k
            // scikit-learn's greedy rule: largest group first, into the fold holding the fewest rows.
            for gi in Array.init groups.Length id |> Array.sortBy (fun i -> -sizes[i]) do
                let f = Array.IndexOf(load, Array.min load)
                foldOf[groups[gi]] <- f
                load[f] <- load[f] + sizes[gi]
            Array.init k (fun f ->
                { Name = $"fold{f}"
                  Train = all |> Array.filter (fun i -> foldOf[g[i]] <> f)
                  Test = all |> Array.filter (fun i -> foldOf[g[i]] = f) })
        | Scheme.StratifiedKFold (k, shuffle) ->
            // scikit-learn's allocation: classes numbered by first appearance; the sorted class codes are
            // dealt to folds round-robin to fix how many of each class every fold gets; each class's rows,
            // in order, take fold labels 0,0,..,1,1,.. by those counts (shuffled when asked).
            let firstSeen = Array.distinct y
            let order = firstSeen |> Array.mapi (fun i c -> c, i) |> dict
            let enc = y |> Array.map (fun c -> order[c])
            let nc = firstSeen.Length
            let counts = Array.zeroCreate nc
            for e in enc do counts[e] <- counts[e] + 1
            for c in 0 .. nc - 1 do
                if counts[c] < k then
                    raise (InputException(source, $"--cv {scheme.Text}: a class has only {counts[c]} row(s), fewer than the {k} folds"))
            let sorted = Array.sort enc
            let allocation = Array2D.zeroCreate k nc
            sorted |> Array.iteri (fun i c -> allocation[i % k, c] <- allocation[i % k, c] + 1)
            let rng = Random(seed)
            let foldOf = Array.zeroCreate n
            for c in 0 .. nc - 1 do
                let labels = [| for f in 0 .. k - 1 do for _ in 1 .. allocation[f, c] -> f |]
                if shuffle then rng.Shuffle labels
                all |> Array.filter (fun i -> enc[i] = c) |> Array.iteri (fun j i -> foldOf[i] <- labels[j])
            Array.init k (fun f ->
                { Name = $"fold{f}"
                  Train = all |> Array.filter (fun i -> foldOf[i] <> f)
                  Test = all |> Array.filter (fun i -> foldOf[i] = f) })
        | Scheme.Split (col, train, test) ->
            let g = column col
            let present = set g
            for v in train @ test do
                if not (present.Contains v) then raise (InputException(source, $"--cv {scheme.Text}: column '{col}' has no value '{v}'"))
            let trainSet = set train
            let testSet = if test.IsEmpty then Set.difference present trainSet else set test
            if not (Set.intersect trainSet testSet).IsEmpty then
                raise (InputException(source, $"--cv {scheme.Text}: a value is in both the training and the test set"))
            [| { Name = scheme.Text; Train = byValue g trainSet.Contains; Test = byValue g testSet.Contains } |]
    for f in result do
        if f.Train.Length = 0 then raise (InputException(source, $"--cv {scheme.Text}: fold '{f.Name}' has an empty training set"))
        if f.Test.Length = 0 then raise (InputException(source, $"--cv {scheme.Text}: fold '{f.Name}' has an empty test set"))
    result
