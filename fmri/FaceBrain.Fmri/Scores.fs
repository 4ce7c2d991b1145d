/// Per-voxel scores of predictions against responses (columns are voxels); Pearson r is Metrics.pearsonColumns.
module FaceBrain.Fmri.Scores

open TorchSharp
open FaceBrain.Analysis

/// Coefficient of determination per column, as scikit-learn's r2_score with multioutput='raw_values':
/// 1 − Σ(y − p)² / Σ(y − ȳ)².
let r2 (y: torch.Tensor) (p: torch.Tensor) : double[] =
    use scope = torch.NewDisposeScope()
    let ssRes = (y - p).square().sum(0L, false)
    let ssTot = (y - y.mean([| 0L |], true)).square().sum(0L, false)
    (1.0 - ssRes / ssTot).cpu().data<double>().ToArray()

/// Score divided by the voxel's ceiling; NaN where the ceiling is not positive.
let normalize (score: double[]) (ceiling: double[]) =
    Array.map2 (fun s c -> if c > 0.0 then s / c else nan) score ceiling

/// Row indices as an int64 tensor on `device` (for index_select over stimuli).
let rowIndex (device: torch.Device) (rows: int[]) = torch.tensor (Array.map int64 rows, device = device)

/// Per voxel, the mean over folds of Pearson r between the responses and the pooled out-of-fold predictions on
/// each fold's test rows (folds with fewer than 3 test rows have no r; NaN where no fold has one).
let foldMeanR (folds: CrossValidation.Fold[]) (y: torch.Tensor) (pooled: torch.Tensor) : double[] =
    let foldR =
        folds
        |> Array.filter (fun f -> f.Test.Length >= 3)
        |> Array.map (fun f ->
            use te = rowIndex y.device f.Test
            use yt = y.index_select(0L, te)
            use pt = pooled.index_select(0L, te)
            Metrics.pearsonColumns yt pt)
    Array.init (int (y.shape[1])) (fun v ->
        let rs = foldR |> Array.map (fun r -> r[v]) |> Array.filter (System.Double.IsNaN >> not)
        if rs.Length = 0 then nan else Array.average rs)
