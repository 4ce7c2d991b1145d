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
