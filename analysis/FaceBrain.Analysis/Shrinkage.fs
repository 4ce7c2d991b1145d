/// Ledoit-Wolf covariance shrinkage, exactly as scikit-learn's `ledoit_wolf` (covariance/_shrunk_covariance.py):
/// shrunk = (1 - s)·S + s·μ·I with S = XcᵀXc/n and μ = tr(S)/p. The Frobenius term is computed through
/// the n×n Gram matrix when n < p, which gives the same number for less work.
module FaceBrain.Analysis.Shrinkage

open TorchSharp
open FaceBrain.Analysis.Tensors

/// The shrinkage intensity s in [0, 1] and the target scale μ for data whose rows are observations.
type LedoitWolf = { Shrinkage: float; Mu: float }

/// Ledoit-Wolf for `x` [n, p] (centred here, as scikit-learn does with assume_centered=False).
let ledoitWolf (x: Tensor) : LedoitWolf =
    use scope = torch.NewDisposeScope()
    let n, p = float x.shape[0], float x.shape[1]
    let xc = x - x.mean([| 0L |], keepdim = true)
    let x2 = xc * xc
    let traceTerms = x2.sum([| 0L |]) / sc n          // diagonal of S
    let trace = item (traceTerms.sum ())
    let mu = trace / p
    if x.shape[1] = 1L then { Shrinkage = 0.0; Mu = mu }
    else
        let gram = if x.shape[0] < x.shape[1] then xc.matmul(xc.t()) else xc.t().matmul(xc)
        let delta_ = item ((gram * gram).sum ()) / (n * n)
        let rowSq = x2.sum([| 1L |])
        let beta_ = item ((rowSq * rowSq).sum ())
        let beta = 1.0 / (p * n) * (beta_ / n - delta_)
        let delta = (delta_ - 2.0 * mu * trace + p * mu * mu) / p
        let beta = min beta delta
        { Shrinkage = (if beta = 0.0 then 0.0 else beta / delta); Mu = mu }

/// The shrunk covariance matrix [p, p] of `x` [n, p].
let shrunkCovariance (x: Tensor) : Tensor =
    let lw = ledoitWolf x
    use scope = torch.NewDisposeScope()
    let n = float x.shape[0]
    let xc = x - x.mean([| 0L |], keepdim = true)
    let s = xc.t().matmul(xc) / sc n
    let eye = torch.eye(x.shape[1], dtype = torch.ScalarType.Float64, device = x.device)
    scope.MoveToOuter(s * sc (1.0 - lw.Shrinkage) + eye * sc (lw.Shrinkage * lw.Mu))
