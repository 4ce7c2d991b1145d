/// Representational dissimilarity matrices. An RDM is kept as its upper triangle (i < j) in SciPy's
/// `pdist` order: (0,1), (0,2), ..., (0,n-1), (1,2), ... Distances are computed on float64 tensors.
module FaceBrain.Analysis.Rdm

open System
open TorchSharp
open FaceBrain.Core
open FaceBrain.Analysis.Tensors

/// Cross-validated Mahalanobis distance between condition means estimated in independent folds.
type CrossnobisOptions =
    { /// Column whose values are the independent partitions (runs, sessions).
      FoldColumn: string
      /// Noise covariance [p, p]; None for the identity (cross-validated squared Euclidean).
      NoiseCovariance: float[] option
      /// Features processed per block when there is no noise covariance (bounds memory).
      BlockColumns: int }

[<RequireQualifiedAccess>]
type Distance =
    /// 1 − Pearson r between two patterns (SciPy's 'correlation').
    | Correlation
    /// √Σ(u − v)² (SciPy's 'euclidean').
    | Euclidean
    /// 1 − u·v / (‖u‖‖v‖) (SciPy's 'cosine').
    | Cosine
    /// Σ over ordered fold pairs a ≠ b of (μᵢᵃ − μⱼᵃ)ᵀ Σ⁻¹ (μᵢᵇ − μⱼᵇ), divided by the number of pairs and by p.
    | Crossnobis of CrossnobisOptions

    member d.Name =
        match d with
        | Correlation -> "correlation"
        | Euclidean -> "euclidean"
        | Cosine -> "cosine"
        | Crossnobis _ -> "crossnobis"

/// An RDM over named items (stimuli or conditions).
type Rdm =
    { Items: string[]
      /// Upper triangle, pdist order; length n(n−1)/2.
      Values: float[] }
    member r.Size = r.Items.Length

let condensedLength (n: int) = n * (n - 1) / 2

/// Index of pair (i, j), i < j, in pdist order.
let condensedIndex (n: int) (i: int) (j: int) = n * i - i * (i + 1) / 2 + (j - i - 1)

/// Upper triangle of a square tensor [n, n] in pdist order.
let upper (square: Tensor) : float[] =
    let n = int square.shape[0]
    use s = square.cpu()
    let a = toArray s
    let out = Array.zeroCreate (condensedLength n)
    let mutable k = 0
    for i in 0 .. n - 1 do
        for j in i + 1 .. n - 1 do
            out[k] <- a[i * n + j]
            k <- k + 1
    out

/// The square symmetric form of a condensed RDM (zero diagonal).
let square (n: int) (values: float[]) : float[] =
    let out = Array.zeroCreate (n * n)
    let mutable k = 0
    for i in 0 .. n - 1 do
        for j in i + 1 .. n - 1 do
            out[i * n + j] <- values[k]
            out[j * n + i] <- values[k]
            k <- k + 1
    out

/// Sets the diagonal of a square tensor to exactly 0 (in place) and returns it.
let private zeroDiagonal (t: Tensor) : Tensor =
    use d = t.diagonal()
    d.zero_() |> ignore
    t

let private refuseZeroRows (source: string) (items: string[]) (norms: Tensor) (what: string) =
    let v = toArray norms
    match v |> Array.tryFindIndex (fun x -> x <= 1e-300) with
    | Some i -> raise (InputException(source, $"item {i} ({items[i]}) is {what}: the distance is undefined for it"))
    | None -> ()

/// Square distance matrix [n, n] between the rows of `x` for the plain (non cross-validated) distances.
let pairwise (source: string) (items: string[]) (distance: Distance) (x: Tensor) : Tensor =
    use scope = torch.NewDisposeScope()
    let result =
        match distance with
        | Distance.Euclidean ->
            let sq = (x * x).sum([| 1L |], keepdim = true)
            let d2 = sq + sq.t() - x.matmul(x.t()) * sc 2.0
            let d = d2.clamp_min(sc 0.0).sqrt()
            zeroDiagonal d
        | Distance.Cosine ->
            let norms = (x * x).sum([| 1L |]).sqrt()
            refuseZeroRows source items norms "all zeros"
            let u = x / norms.unsqueeze(1L)
            zeroDiagonal (torch.ones_like(u.matmul(u.t())) - u.matmul(u.t()))
        | Distance.Correlation ->
            let c = x - x.mean([| 1L |], keepdim = true)
            let norms = (c * c).sum([| 1L |]).sqrt()
            refuseZeroRows source items norms "constant"
            let u = c / norms.unsqueeze(1L)
            let g = u.matmul(u.t())
            zeroDiagonal (torch.ones_like(g) - g)
        | Distance.Crossnobis _ -> invalidArg "distance" "crossnobis needs folds: use crossnobis"
    scope.MoveToOuter(result)

/// Condition means: rows of `d` averaged per value of `column`, in ordinal order of the values.
let averageBy (d: Dataset.Dataset) (column: string) : string[] * float[] =
    let g = Dataset.column d column
    let conditions = g |> Array.distinct |> Array.sortWith (fun a b -> String.CompareOrdinal(a, b))
    let p = d.Columns
    let means = Array.zeroCreate (conditions.Length * p)
    conditions |> Array.iteri (fun c v ->
        let members = Array.init d.Rows id |> Array.filter (fun i -> g[i] = v)
        for i in members do
            for j in 0 .. p - 1 do
                means[c * p + j] <- means[c * p + j] + d.Features[i * p + j]
        for j in 0 .. p - 1 do
            means[c * p + j] <- means[c * p + j] / float members.Length)
    conditions, means

/// Crossnobis RDM over the conditions of `conditionColumn`, with folds from the options' column.
/// Memory stays O(c·block + c²) without a noise covariance and O(c·p + p² + c²) with one, whatever the
/// number of rows and folds: condition means are summed fold by fold (index_add over that fold's rows),
/// and Σ_{a≠b} M_a M_bᵀ = (Σ_a M_a)(Σ_b M_b)ᵀ − Σ_a M_a M_aᵀ is accumulated as the folds go by.
let crossnobis (device: torch.Device) (d: Dataset.Dataset) (conditionColumn: string) (o: CrossnobisOptions) : Rdm =
    let cond = Dataset.column d conditionColumn
    let fold = Dataset.column d o.FoldColumn
    let conditions = cond |> Array.distinct |> Array.sortWith (fun a b -> String.CompareOrdinal(a, b))
    let folds = fold |> Array.distinct |> Array.sortWith (fun a b -> String.CompareOrdinal(a, b))
    if folds.Length < 2 then
        raise (InputException(d.Stimuli.Source, $"crossnobis: column '{o.FoldColumn}' has one value; it needs at least two independent folds"))
    if conditions.Length < 2 then
        raise (InputException(d.Stimuli.Source, $"crossnobis: column '{conditionColumn}' has one condition"))
    let c, f, p = conditions.Length, folds.Length, d.Columns
    let condIndex = cond |> Array.map (fun v -> Array.BinarySearch(conditions, v, StringComparer.Ordinal))
    // Per fold: its rows, their conditions, and the reciprocal row count of each condition.
    let foldRows =
        folds |> Array.map (fun fv ->
            let rows = Array.init d.Rows id |> Array.filter (fun r -> fold[r] = fv)
            let counts = Array.zeroCreate c
            for r in rows do counts[condIndex[r]] <- counts[condIndex[r]] + 1
            match counts |> Array.tryFindIndex (fun k -> k = 0) with
            | Some i -> raise (InputException(d.Stimuli.Source, $"crossnobis: condition '{conditions[i]}' has no rows in fold '{fv}' of '{o.FoldColumn}'"))
            | None -> rows, rows |> Array.map (fun r -> condIndex[r]), counts |> Array.map (fun k -> 1.0 / float k))
    use scope = torch.NewDisposeScope()
    // Condition means [c, w] of fold a over feature columns start .. start + w − 1.
    let means (a: int) (start: int) (w: int) =
        let rows, conds, inverse = foldRows[a]
        let chunk = Array.zeroCreate (rows.Length * w)
        rows |> Array.iteri (fun k r -> Array.blit d.Features (r * p + start) chunk (k * w) w)
        use x = matrix device rows.Length w chunk
        use ci = indices device conds
        use inv = vector device inverse
        torch.zeros([| int64 c; int64 w |], dtype = torch.ScalarType.Float64, device = device).index_add_(0L, ci, x, sc 1.0).mul_(inv.unsqueeze(1L))
    let gram = torch.zeros([| int64 c; int64 c |], dtype = torch.ScalarType.Float64, device = device)
    match o.NoiseCovariance with
    | None ->
        let block = max 1 o.BlockColumns
        let mutable start = 0
        while start < p do
            use inner = torch.NewDisposeScope()
            let w = min block (p - start)
            let s = torch.zeros([| int64 c; int64 w |], dtype = torch.ScalarType.Float64, device = device)
            for a in 0 .. f - 1 do
                use m : Tensor = means a start w
                s.add_(m) |> ignore
                gram.addmm_(m, m.t(), 1.0f, -1.0f) |> ignore
            gram.addmm_(s, s.t(), 1.0f, 1.0f) |> ignore
            start <- start + w
    | Some noise ->
        if noise.Length <> p * p then
            raise (InputException($"crossnobis: the noise covariance has {noise.Length} values, expected {p}x{p}"))
        // U_a = M_a Σ⁻¹ (Σ symmetric, so Σ⁻¹ is too): one inverse serves every fold.
        let sigmaInv = torch.linalg.inv(matrix device p p noise)
        let su = torch.zeros([| int64 c; int64 p |], dtype = torch.ScalarType.Float64, device = device)
        let sm = torch.zeros([| int64 c; int64 p |], dtype = torch.ScalarType.Float64, device = device)
        for a in 0 .. f - 1 do
            use m : Tensor = means a 0 p
            use u : Tensor = m.matmul(sigmaInv)
            su.add_(u) |> ignore
            sm.add_(m) |> ignore
            gram.addmm_(u, m.t(), 1.0f, -1.0f) |> ignore
        gram.addmm_(su, sm.t(), 1.0f, 1.0f) |> ignore
    let g = toArray gram
    let scale = 1.0 / (float (f * (f - 1)) * float p)
    let values =
        [| for i in 0 .. c - 1 do
             for j in i + 1 .. c - 1 ->
                 (g[i * c + i] + g[j * c + j] - g[i * c + j] - g[j * c + i]) * scale |]
    { Items = conditions; Values = values }

/// The RDM of `d` (or of its condition means when `averageColumn` is given).
let compute (device: torch.Device) (d: Dataset.Dataset) (averageColumn: string option) (distance: Distance) : Rdm =
    match distance, averageColumn with
    | Distance.Crossnobis o, Some col -> crossnobis device d col o
    | Distance.Crossnobis _, None ->
        raise (InputException("crossnobis needs `average-by` COLUMN (the conditions whose distances are estimated across folds)"))
    | _ ->
        let items, rows, data =
            match averageColumn with
            | Some col ->
                let conditions, means = averageBy d col
                conditions, conditions.Length, means
            | None -> Seq.toArray d.Stimuli.Ids, d.Rows, d.Features
        if rows < 2 then raise (InputException(d.Source, "an RDM needs at least two items"))
        use x = matrix device rows d.Columns data
        use sq = pairwise d.Source items distance x
        { Items = items; Values = upper sq }

/// The `--distance` option; crossnobis takes its folds column and an optional noise covariance .npy.
let parseDistance (name: string) (foldColumn: string) (noiseCovariance: string) : Distance =
    match name.Trim().ToLowerInvariant() with
    | "correlation" -> Distance.Correlation
    | "euclidean" -> Distance.Euclidean
    | "cosine" -> Distance.Cosine
    | "crossnobis" ->
        if String.IsNullOrWhiteSpace foldColumn then
            raise (InputException("`distance` crossnobis needs `crossnobis-folds` COLUMN (the independent runs or sessions)"))
        let noise =
            if String.IsNullOrWhiteSpace noiseCovariance then None
            else
                let a = FaceBrain.Core.IO.Npy.ReadAsDouble noiseCovariance
                if a.Shape.Length <> 2 || a.Shape[0] <> a.Shape[1] then
                    raise (InputException(noiseCovariance, $"a noise covariance must be a square matrix, found shape ({commas a.Shape})"))
                Some a.Data
        Distance.Crossnobis { FoldColumn = foldColumn; NoiseCovariance = noise; BlockColumns = 4096 }
    | other -> raise (InputException($"`distance`: '{other}' is not one of correlation, euclidean, cosine, crossnobis"))
