/// The solution's one ridge solver: many targets at once on TorchSharp tensors (float64, on the tensors'
/// device). After himalaya's `solve_ridge_cv_svd`: one eigendecomposition per training set serves every alpha
/// and every target; targets go through in batches so memory stays bounded whatever their count.
/// The intercept is never penalised: features and targets are centred on the training rows.
/// Voxelwise encoding (Fmri) and the ridge classifier (Classifiers) both fit through it.
module FaceBrain.Analysis.Ridge

open System
open TorchSharp

type Fold = CrossValidation.Fold

type Tensor = torch.Tensor

/// Which Gram matrix was decomposed: features x features (n >= p) or rows x rows (n < p, the kernel form).
[<RequireQualifiedAccess>]
type Form =
    | Primal
    | Dual

/// A centred training design in spectral form. For any alpha:
///   W(alpha) = Coef · diag(1 / (Eig + alpha)) · Proj · (Y − mean Y),  intercept = mean Y − XMean · W.
/// Primal: XcᵀXc = V Λ Vᵀ, Coef = V, Proj = Vᵀ Xcᵀ.  Dual: Xc Xcᵀ = U Λ Uᵀ, Coef = Xcᵀ U, Proj = Uᵀ.
/// Both equal (XcᵀXc + αI)⁻¹ Xcᵀ Yc; r = min(n, p) spectral components either way.
type Spectrum =
    { Form: Form
      Eig: Tensor
      Coef: Tensor
      Proj: Tensor
      XMean: Tensor }

    interface IDisposable with
        member s.Dispose() =
            for t in [ s.Eig; s.Coef; s.Proj; s.XMean ] do t.Dispose()

let formFor (rows: int64) (features: int64) = if rows >= features then Form.Primal else Form.Dual

/// Decomposes a design as given: `xc` already centred (its column means `xMean`), or used without an
/// intercept (then `xMean` is zeros).
let spectrumOf (xc: Tensor) (xMean: Tensor) : Spectrum =
    use scope = torch.NewDisposeScope()
    let form = formFor xc.shape[0] xc.shape[1]
    let eig, coef, proj =
        match form with
        | Form.Primal ->
            let struct (l, v) = torch.linalg.eigh (xc.t().matmul xc)
            l, v, v.t().matmul(xc.t())
        | Form.Dual ->
            let struct (l, u) = torch.linalg.eigh (xc.matmul (xc.t()))
            l, xc.t().matmul u, u.t()
    // Round-off can leave tiny negative eigenvalues of a PSD matrix; they are zeros.
    let eig = eig.clamp_min(0.0)
    { Form = form
      Eig = scope.MoveToOuter eig
      Coef = scope.MoveToOuter coef
      Proj = scope.MoveToOuter proj
      XMean = scope.MoveToOuter(xMean.clone()) }

/// Decomposes the training features (rows x features, not yet centred).
let spectrum (x: Tensor) : Spectrum =
    use xMean = x.mean([| 0L |], true)
    use xc = x - xMean
    spectrumOf xc xMean

/// Held-out rows in the spectral basis: (X* − XMean) · Coef, rows x r.
let project (s: Spectrum) (xTest: Tensor) = (xTest - s.XMean).matmul s.Coef

/// Coefficients Coef · diag(1 / (Eig + alpha)) · Proj · yc for targets `yc` as given (one alpha per column).
let private coefficients (s: Spectrum) (yc: Tensor) (alphas: Tensor) : Tensor =
    use scope = torch.NewDisposeScope()
    let d = (s.Eig.unsqueeze 1 + alphas.unsqueeze 0).reciprocal()
    scope.MoveToOuter(s.Coef.matmul(s.Proj.matmul(yc).mul_(d)))

/// Coefficients (features x voxels) and intercepts (1 x voxels) for one alpha per voxel (`alphas`: voxels).
let weights (s: Spectrum) (yTrain: Tensor) (alphas: Tensor) : Tensor * Tensor =
    use scope = torch.NewDisposeScope()
    let yMean = yTrain.mean([| 0L |], true)
    let w = coefficients s (yTrain - yMean) alphas
    let b = yMean - s.XMean.matmul w
    scope.MoveToOuter w, scope.MoveToOuter b

/// (XᵀX + αI)⁻¹ Xᵀ Y for a design and targets taken as they are: no centring, no intercept.
let solve (alpha: float) (x: Tensor) (y: Tensor) : Tensor =
    use zeros = torch.zeros ([| 1L; x.shape[1] |], dtype = x.dtype, device = x.device)
    use s = spectrumOf x zeros
    use alphas = torch.full (y.shape[1], alpha, dtype = torch.float64, device = x.device)
    coefficients s y alphas

/// Predictions for held-out rows given as `left` = project s xTest, one alpha per voxel.
let predict (s: Spectrum) (left: Tensor) (yTrain: Tensor) (alphas: Tensor) : Tensor =
    use scope = torch.NewDisposeScope()
    let yMean = yTrain.mean([| 0L |], true)
    let z = s.Proj.matmul(yTrain - yMean)
    let d = (s.Eig.unsqueeze 1 + alphas.unsqueeze 0).reciprocal()
    scope.MoveToOuter(left.matmul(z * d) + yMean)

/// A training fold prepared for the alpha search. The held-out predictions for alpha a are
/// Left · diag(d_a) · Z with d_ak = 1 / (Eig_k + alpha_a) and Z = Proj · Yc (r x b). The grid x r matrix of the
/// d_ak is Cauchy-like, and such matrices have rapidly decaying singular values: after scaling column k by the
/// size of its contribution (|Left_k| · |Proj_k|), a few of them (measured: 9 of 25 alphas on Gaussian
/// features, 14-16 on power-law spectra in a NumPy check of the same algebra) carry it to 1e-7 of the largest, float32's own rounding level. So
///   preds(a) = Σ_m Mix_am · Basis_m · Z,   Basis_m = Left · diag(V_m / scale),   Mix = U_M · diag(σ_M),
/// and a voxel batch costs one (M·nTest) x r x b GEMM instead of one with A·nTest rows, plus a small
/// A x M x (nTest·b) mixing GEMM. Where the spectrum does not decay (M = A), Basis is the stacked
/// Left · diag(d_a) itself and there is no mixing. No temporary grows with r·A·b.
/// The search runs in float32 (half the memory traffic and twice the GEMM rate of float64): it only picks
/// the argmin over a grid whose neighbours are a factor of >= 1.2 apart, which float32's 1e-7 relative error
/// in the summed squares does not move except between alphas whose errors are equal to that precision
/// (then either is as good). Decompositions, refits and predictions stay float64.
type GridSearch =
    { Basis: Tensor
      /// grid x M mixing weights, or None when Basis holds one block per alpha.
      Mix: Tensor option
      Proj: Tensor
      Alphas: int64
      Components: int64
      TestRows: int64 }

    interface IDisposable with
        member g.Dispose() =
            g.Basis.Dispose()
            g.Mix |> Option.iter (fun m -> m.Dispose())
            g.Proj.Dispose()

/// Singular values below this fraction of the largest are dropped from the alpha factorisation.
let lowRankTolerance = 1e-7

let gridSearch (s: Spectrum) (left: Tensor) (grid: Tensor) : GridSearch =
    use scope = torch.NewDisposeScope()
    let alphas = grid.shape[0]
    let r = left.shape[1]
    let d = (s.Eig.unsqueeze 0 + grid.unsqueeze 1).reciprocal()                      // A x r
    let scale = left.square().sum(0L).sqrt_() * s.Proj.square().sum(1L).sqrt_()        // r
    // Components that contribute nothing (zero scale) get zero weight rather than a division by zero.
    let inverse = torch.where(scale.gt(torch.tensor 0.0), scale.reciprocal(), torch.zeros_like scale)
    let struct (u, sv, vt) = torch.linalg.svd (d * scale.unsqueeze 0, fullMatrices = false)
    let components = min alphas (sv.gt(sv[0] * lowRankTolerance).sum().item<int64>())
    let basisOf (rows: Tensor) = (left.unsqueeze 0 * rows.unsqueeze 1).reshape(-1L, r)    // (k·nTest) x r
    let basis, mix =
        if components < alphas then
            let v = vt.narrow(0L, 0L, components) * inverse.unsqueeze 0
            let mix = u.narrow(1L, 0L, components) * sv.narrow(0L, 0L, components).unsqueeze 0
            basisOf v, Some(scope.MoveToOuter(mix.to_type torch.float32))
        else basisOf d, None
    { Basis = scope.MoveToOuter(basis.to_type torch.float32)
      Mix = mix
      Proj = scope.MoveToOuter(s.Proj.to_type torch.float32)
      Alphas = alphas
      Components = components
      TestRows = left.shape[0] }

/// Sum of squared held-out errors for every alpha of the grid and every voxel of a batch: grid x voxels (float64).
let gridErrors (g: GridSearch) (yTrain: Tensor) (yTest: Tensor) : Tensor =
    use scope = torch.NewDisposeScope()
    let yMean = yTrain.mean([| 0L |], true)
    let z = g.Proj.matmul((yTrain - yMean).to_type torch.float32)                     // r x b
    let b = z.shape[1]
    let parts = g.Basis.matmul(z)                                                     // (M·nTest) x b
    let preds =
        match g.Mix with
        | Some mix -> mix.matmul(parts.view(g.Components, -1L)).view(g.Alphas, g.TestRows, b)
        | None -> parts.view(g.Alphas, g.TestRows, b)                                 // A x nTest x b
    preds.sub_(((yTest - yMean).to_type torch.float32).unsqueeze 0) |> ignore
    preds.mul_(preds) |> ignore
    scope.MoveToOuter(preds.sum(1L, false, torch.float64))

/// Voxels per batch so that a batch's temporaries (`perVoxelBytes` each) stay near `budgetBytes`; an explicit
/// batch size wins.
let batchSize (explicitBatch: int option) (budgetBytes: int64) (perVoxelBytes: int64) (voxels: int64) =
    match explicitBatch with
    | Some b when b < 1 -> raise (FaceBrain.Core.InputException($"voxels per batch must be at least 1, got {b}"))
    | Some b -> b
    | None -> int (max 1L (min voxels (budgetBytes / max 1L perVoxelBytes)))

let defaultBudget = 256L <<< 20

/// Voxels per batch of the alpha search: its largest temporaries are the float32 A x nTest x b prediction
/// block and the M x nTest x b parts it is mixed from (M <= A); 12 bytes per prediction entry leave room for
/// Z and the batch's response rows.
let searchBatch (explicitBatch: int option) (alphas: int) (testRows: int64) (voxels: int64) =
    batchSize explicitBatch defaultBudget (12L * int64 alphas * testRows) voxels

/// Voxels per batch when predicting or refitting from a spectrum: a batch holds its centred targets, two
/// r x b spectral blocks and its weights or predictions, 8·(rows + 2r + cols) bytes per voxel; a quarter of
/// the budget, since the full result matrix sits beside them.
let refitBatch (explicitBatch: int option) (s: Spectrum) (rows: int64) (cols: int64) (voxels: int64) =
    batchSize explicitBatch (defaultBudget / 4L) (8L * (rows + 2L * s.Eig.shape[0] + cols)) voxels

let private rowsOf (device: torch.Device) (rows: int[]) = torch.tensor (Array.map int64 rows, device = device)

/// Summed squared held-out error over the folds of (x, y) for every alpha of `grid` (ascending) and every
/// voxel: grid x voxels.
let gridSse (batch: int option) (x: Tensor) (y: Tensor) (folds: Fold[]) (grid: double[]) : Tensor =
    let device = x.device
    use gridT = torch.tensor (grid, dtype = torch.float64, device = device)
    let voxels = y.shape[1]
    let sse = torch.zeros ([| int64 grid.Length; voxels |], dtype = torch.float64, device = device)
    for fold in folds do
        use scope = torch.NewDisposeScope()
        let tr, te = rowsOf device fold.Train, rowsOf device fold.Test
        use s = spectrum (x.index_select(0L, tr))
        use g = gridSearch s (project s (x.index_select(0L, te))) gridT
        let b = searchBatch batch grid.Length (int64 fold.Test.Length) voxels
        for start in 0L .. int64 b .. voxels - 1L do
            use inner = torch.NewDisposeScope()
            let len = min (int64 b) (voxels - start)
            let yb = y.narrow(1L, start, len)
            let err = gridErrors g (yb.index_select(0L, tr)) (yb.index_select(0L, te))
            sse.narrow(1L, start, len).add_(err) |> ignore
    sse

/// Per voxel, the alpha of the grid with the lowest summed squared error over the given folds of (x, y).
/// Ties go to the smaller alpha (the grid is searched in ascending order).
let selectAlphas (batch: int option) (x: Tensor) (y: Tensor) (folds: Fold[]) (grid: double[]) : Tensor =
    let grid = Array.sort grid
    use sse = gridSse batch x y folds grid
    use best = sse.argmin(0L, false)
    use gridT = torch.tensor (grid, dtype = torch.float64, device = x.device)
    gridT.index_select(0L, best)

/// A fitted multi-target ridge model.
type Fit =
    { Weights: Tensor
      Intercept: Tensor
      Alphas: Tensor }

    interface IDisposable with
        member f.Dispose() =
            for t in [ f.Weights; f.Intercept; f.Alphas ] do t.Dispose()

/// Fits every voxel with one alpha per voxel (`alphas`: voxels), in batches written into the result
/// (no list of parts concatenated at the end: that held the weights twice).
let fitWith (batch: int option) (x: Tensor) (y: Tensor) (alphas: Tensor) : Fit =
    use s = spectrum x
    let voxels = y.shape[1]
    let b = refitBatch batch s x.shape[0] x.shape[1] voxels
    let w = torch.empty ([| x.shape[1]; voxels |], dtype = torch.float64, device = x.device)
    let c = torch.empty ([| 1L; voxels |], dtype = torch.float64, device = x.device)
    for start in 0L .. int64 b .. voxels - 1L do
        let len = min (int64 b) (voxels - start)
        let wb, cb = weights s (y.narrow(1L, start, len)) (alphas.narrow(0L, start, len))
        w.narrow(1L, start, len).copy_(wb) |> ignore
        c.narrow(1L, start, len).copy_(cb) |> ignore
        wb.Dispose()
        cb.Dispose()
    { Weights = w; Intercept = c; Alphas = alphas.clone() }

/// himalaya's `solve_ridge_cv_svd`: per-voxel alphas chosen over `folds`, then a refit on every row.
let fitCv (batch: int option) (x: Tensor) (y: Tensor) (folds: Fold[]) (grid: double[]) : Fit =
    use alphas = selectAlphas batch x y folds grid
    fitWith batch x y alphas
