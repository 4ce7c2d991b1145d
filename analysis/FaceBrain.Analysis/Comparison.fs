/// Comparing two RDMs on their upper triangles: Spearman (average ranks for ties), Pearson and
/// Kendall's tau-a, as SciPy and rsatoolbox define them.
module FaceBrain.Analysis.Comparison

open System
open FaceBrain.Analysis.Metrics // pearson, rank, spearman: the one implementation of each

[<RequireQualifiedAccess>]
type Method =
    | Spearman
    | Pearson
    | KendallTauA

    member c.Name =
        match c with
        | Spearman -> "spearman"
        | Pearson -> "pearson"
        | KendallTauA -> "kendall-tau-a"

let parse (text: string) : Method =
    match text.Trim().ToLowerInvariant() with
    | "spearman" -> Method.Spearman
    | "pearson" -> Method.Pearson
    | "kendall-tau-a" | "kendall" | "tau-a" -> Method.KendallTauA
    | other -> raise (FaceBrain.Core.InputException($"`compare`: '{other}' is not one of spearman, pearson, kendall-tau-a"))


/// Merge sort that counts exchanges (discordant orderings), for Knight's O(n log n) Kendall.
let private sortCountingSwaps (v: float[]) : int64 =
    let tmp = Array.zeroCreate v.Length
    let mutable swaps = 0L
    let rec sort lo hi =
        if hi - lo > 1 then
            let mid = (lo + hi) / 2
            sort lo mid
            sort mid hi
            let mutable i, j, k = lo, mid, lo
            while i < mid || j < hi do
                if j >= hi || (i < mid && v[i] <= v[j]) then
                    tmp[k] <- v[i]; i <- i + 1
                else
                    tmp[k] <- v[j]; swaps <- swaps + int64 (mid - i); j <- j + 1
                k <- k + 1
            Array.blit tmp lo v lo (hi - lo)
    sort 0 v.Length
    swaps

let private tiePairs (sorted: float[]) =
    let mutable total, run = 0L, 1L
    for i in 1 .. sorted.Length do
        if i < sorted.Length && sorted[i] = sorted[i - 1] then run <- run + 1L
        else
            total <- total + run * (run - 1L) / 2L
            run <- 1L
    total

/// Kendall's tau-a: (concordant − discordant) / (n(n−1)/2), ties counting as neither (Knight's algorithm).
let kendallTauA (a: float[]) (b: float[]) : float =
    let n = int64 a.Length
    let order = Array.init a.Length id |> Array.sortWith (fun i j -> let c = compare a[i] a[j] in if c <> 0 then c else compare b[i] b[j])
    let xa = order |> Array.map (fun i -> a[i])
    let yb = order |> Array.map (fun i -> b[i])
    let n0 = n * (n - 1L) / 2L
    let n1 = tiePairs xa
    // Pairs tied in both: runs of equal (a, b).
    let mutable n3, run = 0L, 1L
    for i in 1 .. xa.Length do
        if i < xa.Length && xa[i] = xa[i - 1] && yb[i] = yb[i - 1] then run <- run + 1L
        else
            n3 <- n3 + run * (run - 1L) / 2L
            run <- 1L
    let swaps = sortCountingSwaps yb
    let n2 = tiePairs yb
    float (n0 - n1 - n2 + n3 - 2L * swaps) / float n0

let compare' (c: Method) (a: float[]) (b: float[]) : float =
    match c with
    | Method.Spearman -> spearman a b
    | Method.Pearson -> pearson a b
    | Method.KendallTauA -> kendallTauA a b
