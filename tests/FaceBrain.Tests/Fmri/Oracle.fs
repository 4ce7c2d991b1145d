/// An independent, deliberately naive ridge implementation (plain arrays, Gaussian elimination on the
/// normal equations, one voxel at a time): the oracle the tensor solvers are checked against.
module FaceBrain.Tests.Fmri.Oracle

/// Solves A w = b by Gaussian elimination with partial pivoting (A is copied).
let solve (a: double[,]) (b: double[]) =
    let n = b.Length
    let m = Array2D.init n (n + 1) (fun i j -> if j < n then a[i, j] else b[i])
    for c in 0 .. n - 1 do
        let p = [ c .. n - 1 ] |> List.maxBy (fun i -> abs m[i, c])
        for j in 0 .. n do
            let t = m[c, j]
            m[c, j] <- m[p, j]
            m[p, j] <- t
        for i in c + 1 .. n - 1 do
            let f = m[i, c] / m[c, c]
            for j in c .. n do m[i, j] <- m[i, j] - f * m[c, j]
    let w = Array.zeroCreate n
    for i in n - 1 .. -1 .. 0 do
        let s = Seq.sum (seq { for j in i + 1 .. n - 1 -> m[i, j] * w[j] })
        w[i] <- (m[i, n] - s) / m[i, i]
    w

let colMeans (x: double[][]) = Array.init x[0].Length (fun j -> x |> Array.averageBy (fun r -> r[j]))

/// Ridge with an unpenalised intercept for one target: (w, b) from (XcᵀXc + αI) w = Xcᵀ yc.
let fit (x: double[][]) (y: double[]) (alpha: double) =
    let p = x[0].Length
    let mx = colMeans x
    let my = Array.average y
    let xc = x |> Array.map (fun r -> Array.mapi (fun j v -> v - mx[j]) r)
    let a = Array2D.init p p (fun i j -> (xc |> Array.sumBy (fun r -> r[i] * r[j])) + (if i = j then alpha else 0.0))
    let rhs = Array.init p (fun j -> Array.fold2 (fun s (r: double[]) yi -> s + r[j] * (yi - my)) 0.0 xc y)
    let w = solve a rhs
    w, my - Array.fold2 (fun s m wj -> s + m * wj) 0.0 mx w

let predict (w: double[], b: double) (x: double[][]) = x |> Array.map (fun r -> b + Array.fold2 (fun s v wj -> s + v * wj) 0.0 r w)

/// Summed squared held-out error over the folds for one target and one alpha.
let foldSse (x: double[][]) (y: double[]) (folds: (int[] * int[])[]) (alpha: double) =
    folds
    |> Array.sumBy (fun (tr, te) ->
        let model = fit (tr |> Array.map (fun i -> x[i])) (tr |> Array.map (fun i -> y[i])) alpha
        let pred = predict model (te |> Array.map (fun i -> x[i]))
        Array.fold2 (fun s p i -> s + (y[i] - p) ** 2.0) 0.0 pred te)

/// Per target: the alpha with the least summed squared error over the folds (first of equals).
let selectAlpha (x: double[][]) (y: double[]) (folds: (int[] * int[])[]) (grid: double[]) =
    let errors = grid |> Array.map (foldSse x y folds)
    grid[Array.findIndex (fun e -> e = Array.min errors) errors]

let pearson (a: double[]) (b: double[]) =
    let ma, mb = Array.average a, Array.average b
    let sab = Array.fold2 (fun s x y -> s + (x - ma) * (y - mb)) 0.0 a b
    let saa = a |> Array.sumBy (fun x -> (x - ma) ** 2.0)
    let sbb = b |> Array.sumBy (fun y -> (y - mb) ** 2.0)
    sab / sqrt (saa * sbb)

/// scikit-learn's r2_score for one target.
let r2 (y: double[]) (p: double[]) =
    let my = Array.average y
    1.0 - (Array.fold2 (fun s a b -> s + (a - b) ** 2.0) 0.0 y p) / (y |> Array.sumBy (fun a -> (a - my) ** 2.0))

/// Ridge with a separate penalty per feature (the banded penalty): (XcᵀXc + diag(penalties)) w = Xcᵀ yc.
let fitPenalised (x: double[][]) (y: double[]) (penalties: double[]) =
    let p = x[0].Length
    let mx = colMeans x
    let my = Array.average y
    let xc = x |> Array.map (fun r -> Array.mapi (fun j v -> v - mx[j]) r)
    let a = Array2D.init p p (fun i j -> (xc |> Array.sumBy (fun r -> r[i] * r[j])) + (if i = j then penalties[i] else 0.0))
    let rhs = Array.init p (fun j -> Array.fold2 (fun s (r: double[]) yi -> s + r[j] * (yi - my)) 0.0 xc y)
    solve a rhs
