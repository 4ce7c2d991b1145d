/// How separable identity and expression are within one representation.
///
/// Directions (documented choice): for each class k of a factor, the one-vs-rest LDA direction
/// w_k = Σ⁻¹(μ_k − μ̄), with Σ the Ledoit-Wolf shrunk covariance of all stimuli (the same metric for
/// both factors, so congruences compare them in one space; with the total rather than the within-class
/// covariance the directions for permuted labels cost one averaging, not one solve). Tucker's
/// congruence φ = Σxy / √(Σx²·Σy²) between every identity and every expression direction; |φ| near 0
/// means orthogonal (disentangled). Null: expression labels permuted within each identity.
module FaceBrain.Analysis.Disentanglement

open System
open TorchSharp
open FaceBrain.Core
open FaceBrain.Analysis.Tensors

/// Tucker's congruence coefficient of two vectors (undefined, NaN, when either is all zeros).
let congruence (x: float[]) (y: float[]) : float =
    let mutable xy, xx, yy = 0.0, 0.0, 0.0
    for i in 0 .. x.Length - 1 do
        xy <- xy + x[i] * y[i]
        xx <- xx + x[i] * x[i]
        yy <- yy + y[i] * y[i]
    xy / sqrt (xx * yy)

/// Congruence between the rows of `a` [k1, p] and of `b` [k2, p], as a [k1, k2] tensor.
let congruenceMatrix (a: Tensor) (b: Tensor) : Tensor =
    use scope = torch.NewDisposeScope()
    let na = a / (a * a).sum([| 1L |], keepdim = true).sqrt()
    let nb = b / (b * b).sum([| 1L |], keepdim = true).sqrt()
    scope.MoveToOuter(na.matmul(nb.t()))

/// Applies Σ⁻¹ (shrunk covariance of `x`) to the columns of `v` [p, m]; through the n×n system
/// (Woodbury) when p > n, which gives the same result for less work.
let shrunkInverseApply (x: Tensor) (v: Tensor) : Tensor =
    let lw = Shrinkage.ledoitWolf x
    use scope = torch.NewDisposeScope()
    let n, p = x.shape[0], x.shape[1]
    let xc = x - x.mean([| 0L |], keepdim = true)
    let lambda = lw.Shrinkage * lw.Mu
    let result =
        if p <= n || lambda <= 0.0 then
            let s = xc.t().matmul(xc) / sc (float n) * sc (1.0 - lw.Shrinkage)
            let sigma = s + torch.eye(p, dtype = torch.ScalarType.Float64, device = x.device) * sc lambda
            let struct (sol, _, _, _) = torch.linalg.lstsq(sigma, v)
            sol
        else
            // Σ = λI + c·XcᵀXc with c = (1 − s)/n:  Σ⁻¹v = (v − Xcᵀ (λ/c·I + XcXcᵀ)⁻¹ Xc v) / λ
            let c = (1.0 - lw.Shrinkage) / float n
            let k = xc.matmul(xc.t()) + torch.eye(n, dtype = torch.ScalarType.Float64, device = x.device) * sc (lambda / c)
            (v - xc.t().matmul(torch.linalg.solve(k, xc.matmul(v)))) / sc lambda
    scope.MoveToOuter(result)

/// Class-mean deviations [k, p] of `x` for class codes `y` (k classes), from the grand mean.
let private meanDeviations (device: torch.Device) (x: Tensor) (y: int[]) (k: int) : Tensor =
    use scope = torch.NewDisposeScope()
    let n = y.Length
    let counts = Array.zeroCreate k
    for c in y do counts[c] <- counts[c] + 1
    let avg = Array.init (k * n) (fun idx -> let c, i = idx / n, idx % n in if y[i] = c then 1.0 / float counts[c] else 0.0)
    let means = (matrix device k n avg).matmul(x)
    scope.MoveToOuter(means - x.mean([| 0L |], keepdim = true))

type Options =
    { IdentityColumn: string
      ExpressionColumn: string
      Permutations: int
      Seed: int
      /// Classifier for the cross-expression identity generalisation.
      Classifier: Classifiers.Classifier
      Device: torch.Device }

type Result =
    { IdentityClasses: string[]
      ExpressionClasses: string[]
      /// φ[i, e] between identity direction i and expression direction e.
      Congruence: float[,]
      MeanAbsCongruence: float
      MaxAbsCongruence: float
      /// Mean |φ| with expression labels permuted within identity (None without permutations).
      NullMeanAbs: float option
      /// (1 + #{null mean |φ| ≤ observed}) / (1 + N): small when the factors are more orthogonal than chance.
      PValueOrthogonal: float option
      /// Identity decoders trained on one expression, tested on each other: mean accuracy.
      CrossExpressionIdentity: float
      CrossExpressionChance: float
      /// Every fit of the cross-expression identity decoders converged.
      CrossExpressionConverged: bool
      /// Share of the expression-mean variance outside the identity-mean subspace (1: fully outside).
      Factorisation: float
      /// What a randomly oriented expression subspace would score: 1 − rank(identity subspace) / p.
      FactorisationBaseline: float }

/// Share of the rows of `e` [k, p] (squared norm) outside the row space of `idMeans` [r, p].
let factorisation (idMeans: Tensor) (e: Tensor) : float * int =
    use scope = torch.NewDisposeScope()
    let struct (_, s, vh) = torch.linalg.svd(idMeans, fullMatrices = false)
    let sv = toArray s
    let tol = (if sv.Length = 0 then 0.0 else sv[0]) * 1e-10 * float (max idMeans.shape[0] idMeans.shape[1])
    let rank = sv |> Array.filter (fun v -> v > tol) |> Array.length
    let basis = vh.narrow(0L, 0L, int64 rank)                 // [r, p], orthonormal rows
    let inside = e.matmul(basis.t())
    let total = item ((e * e).sum ())
    1.0 - item ((inside * inside).sum ()) / total, rank

let analyse (d: Dataset.Dataset) (o: Options) : Result =
    let idl = Decoding.labels d o.IdentityColumn
    let exl = Decoding.labels d o.ExpressionColumn
    let identity = Dataset.column d o.IdentityColumn
    use scope = torch.NewDisposeScope()
    let x = matrix o.Device d.Rows d.Columns d.Features
    // Σ⁻¹ applied once to the centred data: any class-mean deviation of it is then a direction.
    let xc = x - x.mean([| 0L |], keepdim = true)
    let xw = (shrunkInverseApply x (xc.t())).t()                  // [n, p] = (Σ⁻¹ Xcᵀ)ᵀ
    let idDirs = meanDeviations o.Device xw idl.Codes idl.Count
    let exDirs = meanDeviations o.Device xw exl.Codes exl.Count
    let phi = congruenceMatrix idDirs exDirs
    let meanAbs = item (phi.abs().mean ())
    let nulls =
        if o.Permutations <= 0 then None
        else
            Decoding.requirePermutable d.Stimuli.Source o.ExpressionColumn o.IdentityColumn identity exl.Codes
            let rng = Random(o.Seed)
            Some(Array.init o.Permutations (fun _ ->
                use inner = torch.NewDisposeScope()
                let yp = Decoding.permuteWithin rng (Some identity) exl.Codes
                item ((congruenceMatrix idDirs (meanDeviations o.Device xw yp exl.Count)).abs().mean ())))
    let cross =
        let opts = { Decoding.defaults o.Device with Classifier = o.Classifier; Seed = o.Seed }
        Decoding.crossGeneralise d o.IdentityColumn o.ExpressionColumn opts
    let idMeans = meanDeviations o.Device x idl.Codes idl.Count
    let exMeans = meanDeviations o.Device x exl.Codes exl.Count
    let fact, rank = factorisation idMeans exMeans
    { IdentityClasses = idl.Classes
      ExpressionClasses = exl.Classes
      Congruence = toArray2D phi
      MeanAbsCongruence = meanAbs
      MaxAbsCongruence = item (phi.abs().max ())
      NullMeanAbs = nulls |> Option.map Array.average
      PValueOrthogonal =
        nulls |> Option.map (fun ns -> float (1 + (ns |> Array.filter (fun v -> v <= meanAbs + 1e-12) |> Array.length)) / float (1 + ns.Length))
      CrossExpressionIdentity = cross.MeanOffDiagonal
      CrossExpressionChance = cross.Chance
      CrossExpressionConverged = cross.Converged
      Factorisation = fact
      FactorisationBaseline = 1.0 - float rank / float d.Columns }
