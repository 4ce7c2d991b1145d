/// Voxelwise encoding models: outer cross-validation around ridge, scores on the pooled out-of-fold
/// predictions (every row predicted exactly once, by a model that never saw it).
module FaceBrain.Fmri.Encoding

open System
open TorchSharp
open FaceBrain.Core
open FaceBrain.Analysis

[<RequireQualifiedAccess>]
type AlphaSpec =
    | Fixed of alpha: double
    /// One alpha per voxel, chosen from the grid by inner cross-validation on each outer training set.
    | PerVoxel of grid: double[] * inner: CrossValidation.Scheme

type Options =
    { Cv: CrossValidation.Scheme
      Alpha: AlphaSpec
      Device: torch.Device
      /// Voxels per batch; None sizes batches from a memory budget.
      BatchVoxels: int option }

type Result =
    { /// Pearson r of the pooled out-of-fold predictions, per voxel.
      R: double[]
      /// R² (scikit-learn's r2_score) of the pooled out-of-fold predictions, per voxel.
      R2: double[]
      /// Mean over folds of the Pearson r within each test fold (folds of at least 3 rows). Unlike the
      /// pooled r, it carries no negative bias for voxels without signal: pooled predictions that fall back
      /// to the training mean are anti-correlated with the held-out fold's mean.
      RFoldMean: double[]
      /// [rows, voxels], each row predicted by the fold that held it out.
      Predictions: Matrix
      /// With PerVoxel: the alpha each voxel gets from inner CV over all rows (the final model's).
      Alphas: double[] option
      /// With PerVoxel: the alphas chosen on each outer training set, [fold][voxel].
      FoldAlphas: double[][] option
      Folds: int }

/// Folds of the inner scheme over a subset of rows (indices into the subset).
let private innerFolds source scheme (rows: int[]) (groups: string -> string[]) =
    Folds.make source scheme rows.Length (fun c -> let g = groups c in rows |> Array.map (fun i -> g[i]))


/// Cross-validated encoding of `responses` (rows x voxels) from `features` (rows x features).
/// `groups` returns a column of the row table (for logo:COLUMN); `source` names the data in errors.
let crossValidate (source: string) (options: Options) (groups: string -> string[]) (features: Matrix) (responses: Matrix) : Result =
    if features.Rows <> responses.Rows then
        raise (InputException(source, sprintf "%d response rows but %d feature rows" responses.Rows features.Rows))
    let n = features.Rows
    let device = options.Device
    let folds = Folds.make source options.Cv n groups
    use x = Matrix.toTensor device features
    use y = Matrix.toTensor device responses
    let voxels = y.shape[1]
    use pooled = torch.zeros ([| int64 n; voxels |], dtype = torch.float64, device = device)
    let foldAlphas = ResizeArray<double[]>()
    for fold in folds do
        use scope = torch.NewDisposeScope()
        let tr, te = Scores.rowIndex device fold.Train, Scores.rowIndex device fold.Test
        let xtr, ytr = x.index_select(0L, tr), y.index_select(0L, tr)
        let alphas =
            match options.Alpha with
            | AlphaSpec.Fixed a -> torch.full (voxels, a, dtype = torch.float64, device = device)
            | AlphaSpec.PerVoxel (grid, inner) ->
                let innerF = innerFolds source inner fold.Train groups
                let a = Ridge.selectAlphas options.BatchVoxels xtr ytr innerF grid
                foldAlphas.Add(a.cpu().data<double>().ToArray())
                a
        use s = Ridge.spectrum xtr
        let left = Ridge.project s (x.index_select(0L, te))
        let b = Ridge.refitBatch options.BatchVoxels s (int64 n) (int64 fold.Test.Length) voxels
        for start in 0L .. int64 b .. voxels - 1L do
            use inner = torch.NewDisposeScope()
            let len = min (int64 b) (voxels - start)
            let pred = Ridge.predict s left (ytr.narrow(1L, start, len)) (alphas.narrow(0L, start, len))
            pooled.narrow(1L, start, len).index_copy_(0L, te, pred) |> ignore
    let finalAlphas =
        match options.Alpha with
        | AlphaSpec.Fixed _ -> None
        | AlphaSpec.PerVoxel (grid, inner) ->
            let all = Array.init n id
            use a = Ridge.selectAlphas options.BatchVoxels x y (innerFolds source inner all groups) grid
            Some(a.cpu().data<double>().ToArray())
    { R = Metrics.pearsonColumns y pooled
      R2 = Scores.r2 y pooled
      RFoldMean = Scores.foldMeanR folds y pooled
      Predictions = Matrix.ofTensor pooled
      Alphas = finalAlphas
      FoldAlphas = if foldAlphas.Count > 0 then Some(foldAlphas.ToArray()) else None
      Folds = folds.Length }
