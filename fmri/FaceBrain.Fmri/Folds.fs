/// Cross-validation schemes: which rows train and which test in each fold.
module FaceBrain.Fmri.Folds

open System
open FaceBrain.Core

[<RequireQualifiedAccess>]
type CvScheme =
    /// Contiguous folds in row order, as scikit-learn's KFold without shuffling.
    | KFold of folds: int
    /// KFold over a seeded random permutation of the rows.
    | ShuffledKFold of folds: int * seed: int
    /// One fold per distinct value of a trial/stimulus-table column.
    | LeaveOneGroupOut of column: string

type Fold = { Train: int[]; Test: int[] }

let describe =
    function
    | CvScheme.KFold k -> sprintf "kfold:%d" k
    | CvScheme.ShuffledKFold (k, s) -> sprintf "shuffle:%d:%d" k s
    | CvScheme.LeaveOneGroupOut c -> sprintf "logo:%s" c

/// Parses `kfold:K`, `shuffle:K:SEED` or `logo:COLUMN`; `option` names the flag in the error.
let parse (option: string) (text: string) =
    let bad () =
        raise (InputException(sprintf "%s: '%s' is not kfold:K, shuffle:K:SEED or logo:COLUMN" option text))
    let count (s: string) =
        match Int32.TryParse s with
        | true, k when k >= 2 -> k
        | _ -> raise (InputException(sprintf "%s: '%s' needs at least 2 folds" option text))
    match text.Split(':') |> List.ofArray with
    | [ "kfold"; k ] -> CvScheme.KFold(count k)
    | [ "shuffle"; k; seed ] ->
        match Int32.TryParse seed with
        | true, s -> CvScheme.ShuffledKFold(count k, s)
        | _ -> bad ()
    | [ "logo"; column ] when column <> "" -> CvScheme.LeaveOneGroupOut column
    | _ -> bad ()

/// Test blocks of scikit-learn's KFold over `order`: the first n mod k folds hold one extra row.
let private contiguous (k: int) (order: int[]) =
    let n = order.Length
    let mutable start = 0
    [| for f in 0 .. k - 1 do
           let size = n / k + (if f < n % k then 1 else 0)
           yield Array.sort order[start .. start + size - 1]
           start <- start + size |]

let private complement n (test: int[]) =
    let inTest = Array.zeroCreate n
    for t in test do inTest[t] <- true
    [| 0 .. n - 1 |] |> Array.filter (fun i -> not inTest[i])

/// Seeded Fisher-Yates permutation (System.Random with a seed is stable across .NET versions).
let permutation (seed: int) (n: int) =
    let rng = Random(seed)
    let p = Array.init n id
    for i in n - 1 .. -1 .. 1 do
        let j = rng.Next(i + 1)
        let t = p[i]
        p[i] <- p[j]
        p[j] <- t
    p

/// The folds of a scheme over n rows; `groups` supplies a column's values when the scheme needs one.
let make (source: string) (scheme: CvScheme) (n: int) (groups: string -> string[]) : Fold[] =
    let tests =
        match scheme with
        | CvScheme.KFold k | CvScheme.ShuffledKFold (k, _) when k > n ->
            raise (InputException(source, sprintf "%s needs at least %d rows, there are %d" (describe scheme) k n))
        | CvScheme.KFold k -> contiguous k (Array.init n id)
        | CvScheme.ShuffledKFold (k, seed) -> contiguous k (permutation seed n)
        | CvScheme.LeaveOneGroupOut column ->
            let g = groups column
            if g.Length <> n then
                raise (InputException(source, sprintf "column '%s' has %d values for %d rows" column g.Length n))
            let distinct = g |> Array.distinct |> Array.sortWith (fun a b -> String.CompareOrdinal(a, b))
            if distinct.Length < 2 then
                raise (InputException(source, sprintf "logo:%s needs at least 2 groups, found %d" column distinct.Length))
            distinct |> Array.map (fun v -> [| for i in 0 .. n - 1 do if g[i] = v then yield i |])
    tests |> Array.map (fun t -> { Train = complement n t; Test = t })
