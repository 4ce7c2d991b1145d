/// Per-voxel scores of predictions against responses (columns are voxels).
module FaceBrain.Fmri.Scores

open TorchSharp

/// Pearson correlation per column (NaN where either column is constant, as numpy.corrcoef).
let pearson (y: torch.Tensor) (p: torch.Tensor) : double[] =
    use scope = torch.NewDisposeScope()
    let yc = y - y.mean([| 0L |], true)
    let pc = p - p.mean([| 0L |], true)
    let r = (yc * pc).sum(0L, false) / ((yc.square().sum(0L, false) * pc.square().sum(0L, false)).sqrt())
    r.cpu().data<double>().ToArray()

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
