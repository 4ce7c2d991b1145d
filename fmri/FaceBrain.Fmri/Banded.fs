/// Banded (grouped) ridge over several feature sets at once, and variance partitioning between them.
/// The banded penalty Σ_b (α / m_b) ‖w_b‖² equals an ordinary ridge with penalty α on features whose band b
/// is scaled by sqrt(m_b); so each mix m on the simplex is one ordinary ridge problem, and every voxel takes
/// the mix and alpha with the lowest inner-CV error (a search over mixes as in himalaya's random search,
/// with the corners, the centre and seeded Dirichlet(1) samples; a band with m_b = 0 is left out).
module FaceBrain.Fmri.Banded

open System
open TorchSharp
open FaceBrain.Core
open FaceBrain.Analysis

type Tensor = torch.Tensor

/// Band mixes: each band alone (the corners), the centre, then seeded uniform samples of the simplex.
let mixes (bands: int) (count: int) (seed: int) : double[][] =
    if bands = 1 then [| [| 1.0 |] |]
    else
        let corners = Array.init bands (fun b -> Array.init bands (fun k -> if k = b then 1.0 else 0.0))
        let centre = Array.create bands (1.0 / double bands)
        let rng = Random(seed)
        let samples =
            Array.init (max 0 (count - bands - 1)) (fun _ ->
                let e = Array.init bands (fun _ -> -log (1.0 - rng.NextDouble()))
                let s = Array.sum e
                e |> Array.map (fun v -> v / s))
        Array.concat [ corners; [| centre |]; samples ]

/// The features of one mix: band b scaled by sqrt(m_b), bands with m_b = 0 left out.
let mixFeatures (bands: Tensor[]) (mix: double[]) : Tensor =
    use scope = torch.NewDisposeScope()
    let parts = Array.map2 (fun (b: Tensor) (m: double) -> if m > 0.0 then Some(b * sqrt m) else None) bands mix |> Array.choose id
    scope.MoveToOuter(torch.cat (parts, 1L))

type Result =
    { R: double[]
      R2: double[]
      RFoldMean: double[]
      Predictions: Matrix
      /// The mix (one weight per band, summing to 1) each voxel gets from inner CV over all rows.
      Mix: double[][]
      /// The alpha each voxel gets alongside its mix.
      Alphas: double[]
      Folds: int }


/// Per voxel, the (mix index, alpha) with the least summed squared error over `folds` of the given rows.
let private select (batch: int option) (bands: Tensor[]) (y: Tensor) (folds: CrossValidation.Fold[]) (grid: double[]) (mixSet: double[][]) =
    let voxels = y.shape[1]
    let device = y.device
    let grid = Array.sort grid
    use gridT = torch.tensor (grid, dtype = torch.float64, device = device)
    let mutable bestSse = torch.full (voxels, Double.PositiveInfinity, dtype = torch.float64, device = device)
    let mutable bestMix = torch.zeros ([| voxels |], dtype = torch.int64, device = device)
    let mutable bestAlpha = torch.zeros ([| voxels |], dtype = torch.float64, device = device)
    mixSet
    |> Array.iteri (fun m mix ->
        use scope = torch.NewDisposeScope()
        let x = mixFeatures bands mix
        let sse = Ridge.gridSse batch x y folds grid
        let struct (minSse, arg) = sse.min(0L, false)
        let better = minSse.lt bestSse
        let nextSse = torch.where (better, minSse, bestSse)
        let nextMix = torch.where (better, torch.full (voxels, int64 m, dtype = torch.int64, device = device), bestMix)
        let nextAlpha = torch.where (better, gridT.index_select(0L, arg), bestAlpha)
        bestSse.Dispose()
        bestMix.Dispose()
        bestAlpha.Dispose()
        bestSse <- scope.MoveToOuter nextSse
        bestMix <- scope.MoveToOuter nextMix
        bestAlpha <- scope.MoveToOuter nextAlpha)
    bestSse.Dispose()
    let mixIndex = bestMix.cpu().data<int64>().ToArray() |> Array.map int
    bestMix.Dispose()
    mixIndex, bestAlpha

/// Cross-validated banded ridge of `responses` on several feature sets (same rows); alphas from `grid`
/// and mixes chosen per voxel by the inner scheme on each outer training set.
let crossValidate (source: string) (cv: CrossValidation.Scheme) (grid: double[]) (inner: CrossValidation.Scheme) (mixCount: int) (seed: int)
                  (device: torch.Device) (batch: int option) (groups: string -> string[]) (bands: Matrix[]) (responses: Matrix) : Result =
    if bands.Length = 0 then raise (InputException(source, "banded ridge needs at least one feature set"))
    for b in bands do
        if b.Rows <> responses.Rows then
            raise (InputException(source, sprintf "a feature set has %d rows, the responses %d" b.Rows responses.Rows))
    let n = responses.Rows
    let mixSet = mixes bands.Length mixCount seed
    let folds = Folds.make source cv n groups
    let bandT = bands |> Array.map (Matrix.toTensor device)
    use y = Matrix.toTensor device responses
    let voxels = y.shape[1]
    use pooled = torch.zeros ([| int64 n; voxels |], dtype = torch.float64, device = device)
    let innerFolds (rows: int[]) = Folds.make source inner rows.Length (fun c -> let g = groups c in rows |> Array.map (fun i -> g[i]))
    for fold in folds do
        use scope = torch.NewDisposeScope()
        let tr, te = Scores.rowIndex device fold.Train, Scores.rowIndex device fold.Test
        let bandsTr = bandT |> Array.map (fun b -> b.index_select(0L, tr))
        let ytr = y.index_select(0L, tr)
        let mixIndex, alphas = select batch bandsTr ytr (innerFolds fold.Train) grid mixSet
        for m in Array.distinct mixIndex do
            use inner = torch.NewDisposeScope()
            let vox = Scores.rowIndex device [| for v in 0 .. mixIndex.Length - 1 do if mixIndex[v] = m then v |]
            let x = mixFeatures bandT mixSet[m]
            use s = Ridge.spectrum (x.index_select(0L, tr))
            let left = Ridge.project s (x.index_select(0L, te))
            let pred = Ridge.predict s left (ytr.index_select(1L, vox)) (alphas.index_select(0L, vox))
            let block = pooled.index_select(1L, vox)
            block.index_copy_(0L, te, pred) |> ignore
            pooled.index_copy_(1L, vox, block) |> ignore
    let all = Array.init n id
    let mixIndex, alphas = select batch bandT y (innerFolds all) grid mixSet
    let result =
        { R = Metrics.pearsonColumns y pooled
          R2 = Scores.r2 y pooled
          RFoldMean = Scores.foldMeanR folds y pooled
          Predictions = Matrix.ofTensor pooled
          Mix = mixIndex |> Array.map (fun m -> mixSet[m])
          Alphas = alphas.cpu().data<double>().ToArray()
          Folds = folds.Length }
    alphas.Dispose()
    for b in bandT do b.Dispose()
    result

/// Variance partitioning from cross-validated R²: the joint banded model, and each band left out in turn.
type Partition =
    { Joint: double[]
      /// Per band: R² of the joint model minus R² without that band (variance only this band explains).
      Unique: double[][]
      /// With two bands: R²(A) + R²(B) − R²(A ∪ B), the variance either explains. None otherwise.
      Shared: double[] option
      /// Per band: R² of the model without that band.
      Without: double[][] }

let partition (fit: Matrix[] -> Result) (bands: Matrix[]) : Partition =
    if bands.Length < 2 then invalidArg "bands" "variance partitioning needs at least two feature sets"
    let joint = (fit bands).R2
    let without = Array.init bands.Length (fun b -> (fit (bands |> Array.removeAt b)).R2)
    { Joint = joint
      Unique = without |> Array.map (fun w -> Array.map2 (-) joint w)
      Shared = if bands.Length = 2 then Some(Array.init joint.Length (fun v -> without[1][v] + without[0][v] - joint[v])) else None
      Without = without }
