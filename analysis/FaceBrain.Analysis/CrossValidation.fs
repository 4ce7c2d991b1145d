/// Cross-validation schemes and their folds. Folds are computed once from the stimulus table and held
/// fixed; permutation tests permute labels inside them (within groups for grouped schemes).
module FaceBrain.Analysis.CrossValidation

open System
open FaceBrain.Core
open FaceBrain.Core.IO
open FaceBrain.Analysis.Tensors

/// How to split stimuli into training and test sets. This is the solution's one fold module: decode,
/// analyse, probe, encode and the fMRI verbs all split with it, in one grammar (see `parse`). A shuffled
/// scheme carries its seed (`:shuffle=S`) and shuffles with Core's Rng, whose stream is fixed by FaceBrain's
/// code, so the same spec gives the same folds on every machine and .NET version.
[<RequireQualifiedAccess>]
type Scheme =
    /// Leave one group out: one fold per value of the column (scikit-learn's LeaveOneGroupOut).
    | LeaveOneGroupOut of column: string
    /// K folds of whole groups, largest groups first into the emptiest fold (scikit-learn's GroupKFold).
    | GroupKFold of k: int * column: string
    /// K folds with class proportions kept, allocated exactly as scikit-learn's StratifiedKFold(K);
    /// with a shuffle seed, each class's fold labels are shuffled with it (not NumPy's generator).
    | StratifiedKFold of k: int * shuffle: int option
    /// K contiguous folds in row order (scikit-learn's KFold: the first n mod K folds one row larger);
    /// with a shuffle seed, over a seeded permutation of the rows.
    | KFold of k: int * shuffle: int option
    /// One fold: train where the column takes one of `train`, test where it takes one of `test`
    /// (all other values when `test` is empty).
    | Split of column: string * train: string list * test: string list

    member s.Text =
        let shuffled = function Some seed -> $":shuffle={seed}" | None -> ""
        match s with
        | LeaveOneGroupOut c -> $"logo:{c}"
        | GroupKFold (k, c) -> $"groupkfold:{k}:{c}"
        | StratifiedKFold (k, seed) -> $"stratkfold:{k}{shuffled seed}"
        | KFold (k, seed) -> $"kfold:{k}{shuffled seed}"
        | Split (c, tr, []) -> $"split:{c}:{(commaList tr)}"
        | Split (c, tr, te) -> $"split:{c}:{(commaList tr)}:{(commaList te)}"

    /// The column whose values define groups, if any (permutations stay within its groups).
    member s.GroupColumn =
        match s with
        | LeaveOneGroupOut c | GroupKFold (_, c) -> Some c
        | StratifiedKFold _ | KFold _ | Split _ -> None

/// Parses `logo:COL`, `groupkfold:K:COL`, `stratkfold:K`, `kfold:K`, `split:COL:TRAIN[:TEST]` (comma-separated
/// values); `stratkfold` and `kfold` take `:shuffle=S` to shuffle with seed S. `option` names the flag in errors.
let parseFor (option: string) (text: string) : Scheme =
    let grammar = "logo:COLUMN, groupkfold:K:COLUMN, stratkfold:K[:shuffle=SEED], kfold:K[:shuffle=SEED], split:COLUMN:TRAIN[,..][:TEST[,..]]"
    let bad () = raise (InputException($"{option}: '{text}' is not one of {grammar}"))
    let k (s: string) =
        match Int32.TryParse s with
        | true, v when v >= 2 -> v
        | _ -> raise (InputException($"{option}: '{text}': K must be an integer of at least 2"))
    let seed (s: string) =
        match s.StartsWith "shuffle=", Int32.TryParse(s.Substring(min s.Length 8)) with
        | true, (true, v) -> v
        | _ -> bad ()
    let values (s: string) = s.Split(',', StringSplitOptions.RemoveEmptyEntries) |> List.ofArray
    match text.Split(':') |> List.ofArray with
    | [ "logo"; c ] when c <> "" -> Scheme.LeaveOneGroupOut c
    | [ "groupkfold"; n; c ] when c <> "" -> Scheme.GroupKFold(k n, c)
    | [ "stratkfold"; n ] -> Scheme.StratifiedKFold(k n, None)
    | [ "stratkfold"; n; s ] -> Scheme.StratifiedKFold(k n, Some(seed s))
    | [ "kfold"; n ] -> Scheme.KFold(k n, None)
    | [ "kfold"; n; s ] -> Scheme.KFold(k n, Some(seed s))
    | [ "split"; c; tr ] when c <> "" && not (values tr).IsEmpty -> Scheme.Split(c, values tr, [])
    | [ "split"; c; tr; te ] when c <> "" && not (values tr).IsEmpty && not (values te).IsEmpty -> Scheme.Split(c, values tr, values te)
    | _ -> bad ()

/// `parseFor "`cv`"`.
let parse (text: string) : Scheme = parseFor "`cv`" text

/// The scheme every verb uses when none is given. A target other than identity is tested on identities
/// never seen in training (leave one identity out) whenever the table has an identity column, so that a
/// decoder cannot score by recognising the person; otherwise (identity itself, or no identity column)
/// stratified 5-fold. The result names the scheme used.
let defaultScheme (table: StimulusTable) (identityColumn: string) (target: string) : Scheme =
    if target <> identityColumn && table.HasColumn identityColumn then Scheme.LeaveOneGroupOut identityColumn
    else Scheme.StratifiedKFold(5, None)

/// One fold: the rows to train on and the rows to test on, ascending.
type Fold = { Name: string; Train: int[]; Test: int[] }

let private ordinal (a: string) (b: string) = String.CompareOrdinal(a, b)

/// A seeded permutation of 0..n-1 (Core's Rng: the same on every runtime).
let permutation (seed: int) (n: int) : int[] =
    let p = Array.init n id
    let mutable rng = Rng.For(seed, ReadOnlySpan<int64>([| 0xF01DL |]))
    rng.Shuffle p
    p

/// The folds of a scheme. `column` reads a label column (refusing a missing one); `y` is the target's
/// class codes (for stratification; any constant array where there are none). Refuses a scheme that leaves
/// a fold with no training or test rows.
let folds (source: string) (column: string -> string[]) (y: int[]) (scheme: Scheme) : Fold[] =
    let n = y.Length
    let all = Array.init n id
    let byValue (values: string[]) (keep: string -> bool) = all |> Array.filter (fun i -> keep values[i])
    let result =
        match scheme with
        | Scheme.LeaveOneGroupOut col ->
            let g = column col
            let groups = g |> Array.distinct |> Array.sortWith ordinal
            if g.Length <> n then raise (InputException(source, $"`cv` {scheme.Text}: column '{col}' has {g.Length} values for {n} rows"))
            if groups.Length < 2 then raise (InputException(source, $"`cv` {scheme.Text}: column '{col}' has only one value, so leaving it out leaves nothing to train on (it needs at least 2 groups)"))
            groups |> Array.map (fun v -> { Name = $"{col}={v}"; Train = byValue g ((<>) v); Test = byValue g ((=) v) })
        | Scheme.GroupKFold (k, col) ->
            let g = column col
            let groups = g |> Array.distinct |> Array.sortWith ordinal
            if groups.Length < k then raise (InputException(source, $"`cv` {scheme.Text}: column '{col}' has {groups.Length} groups, fewer than {k} folds"))
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
        | Scheme.KFold (k, shuffle) ->
            if k > n then raise (InputException(source, $"`cv` {scheme.Text}: {k} folds need at least {k} rows, there are {n}"))
            let order = match shuffle with Some seed -> permutation seed n | None -> all
            let foldOf = Array.zeroCreate n
            let mutable start = 0
            for f in 0 .. k - 1 do
                let size = n / k + (if f < n % k then 1 else 0)
                for j in start .. start + size - 1 do foldOf[order[j]] <- f
                start <- start + size
            Array.init k (fun f ->
                { Name = $"fold{f}"
                  Train = all |> Array.filter (fun i -> foldOf[i] <> f)
                  Test = all |> Array.filter (fun i -> foldOf[i] = f) })
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
                    raise (InputException(source, $"`cv` {scheme.Text}: a class has only {counts[c]} row(s), fewer than the {k} folds"))
            let sorted = Array.sort enc
            let allocation = Array2D.zeroCreate k nc
            sorted |> Array.iteri (fun i c -> allocation[i % k, c] <- allocation[i % k, c] + 1)
            let mutable rng = Rng.For(defaultArg shuffle 0, ReadOnlySpan<int64>([| 0x57A7L |]))
            let foldOf = Array.zeroCreate n
            for c in 0 .. nc - 1 do
                let labels = [| for f in 0 .. k - 1 do for _ in 1 .. allocation[f, c] -> f |]
                if shuffle.IsSome then rng.Shuffle labels
                all |> Array.filter (fun i -> enc[i] = c) |> Array.iteri (fun j i -> foldOf[i] <- labels[j])
            Array.init k (fun f ->
                { Name = $"fold{f}"
                  Train = all |> Array.filter (fun i -> foldOf[i] <> f)
                  Test = all |> Array.filter (fun i -> foldOf[i] = f) })
        | Scheme.Split (col, train, test) ->
            let g = column col
            let present = set g
            for v in train @ test do
                if not (present.Contains v) then raise (InputException(source, $"`cv` {scheme.Text}: column '{col}' has no value '{v}'"))
            let trainSet = set train
            let testSet = if test.IsEmpty then Set.difference present trainSet else set test
            if not (Set.intersect trainSet testSet).IsEmpty then
                raise (InputException(source, $"`cv` {scheme.Text}: a value is in both the training and the test set"))
            [| { Name = scheme.Text; Train = byValue g trainSet.Contains; Test = byValue g testSet.Contains } |]
    for f in result do
        if f.Train.Length = 0 then raise (InputException(source, $"`cv` {scheme.Text}: fold '{f.Name}' has an empty training set"))
        if f.Test.Length = 0 then raise (InputException(source, $"`cv` {scheme.Text}: fold '{f.Name}' has an empty test set"))
    result
