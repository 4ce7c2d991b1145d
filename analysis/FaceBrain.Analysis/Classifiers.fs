/// Linear classifiers in scikit-learn's conventions, fitted on float64 tensors. Every model scores
/// classes as X·W + b and predicts the arg-max; W has one column per class of the training set.
module FaceBrain.Analysis.Classifiers

open System
open TorchSharp
open FaceBrain.Analysis.Tensors

/// Options of the L2-penalised multinomial logistic regression.
type LogisticOptions =
    { C: float
      /// Stop when max |gradient| of the objective divided by (C·n) (scikit-learn's scaling) is below this.
      Tolerance: float
      MaxIterations: int }

let defaultLogistic = { C = 1.0; Tolerance = 1e-6; MaxIterations = 2000 }

[<RequireQualifiedAccess>]
type Classifier =
    /// Minimise C·Σ log-loss + ½‖W‖², intercept unpenalised (LogisticRegression(C)): multinomial for
    /// three or more classes, one binomial coefficient vector for two (as scikit-learn does).
    | Logistic of LogisticOptions
    /// LinearDiscriminantAnalysis(solver='lsqr', shrinkage='auto'): Ledoit-Wolf per class on standardised data.
    | Lda
    /// RidgeClassifier(alpha): ridge regression on ±1 targets with an intercept, arg-max of the scores.
    | Ridge of alpha: float

    member c.Name =
        match c with
        | Logistic _ -> "logistic"
        | Lda -> "lda"
        | Ridge _ -> "ridge"

/// How the fit went (iterations only for the iterative solver).
type FitReport = { Iterations: int; Evaluations: int; Converged: bool; GradientMax: float }

/// A fitted model: scores = X·Weights + Bias over `Classes` (codes of the full label set).
type Model =
    { Weights: Tensor
      Bias: Tensor
      Classes: int[]
      Report: FitReport }
    interface IDisposable with
        member m.Dispose() = m.Weights.Dispose(); m.Bias.Dispose()

/// Class scores [n, k] for rows `x`.
let scores (m: Model) (x: Tensor) : Tensor = x.matmul(m.Weights) + m.Bias

/// Predicted class codes for rows `x`.
let predict (m: Model) (x: Tensor) : int[] =
    use s = scores m x
    use a = s.argmax(1L)
    let idx = a.cpu().data<int64>().ToArray()
    idx |> Array.map (fun i -> m.Classes[int i])

/// Re-codes labels to 0..k-1 over the classes present, ascending.
let private localCodes (y: int[]) =
    let classes = Array.distinct y |> Array.sort
    let index = classes |> Array.mapi (fun i c -> c, i) |> dict
    classes, y |> Array.map (fun v -> index[v])

// ---------------------------------------------------------------- logistic regression

/// A·x for x with a few columns, from Aᵀ stored row-major: (xᵀ·Aᵀ)ᵀ. libtorch's (MKL's) GEMM runs this form 2-2.5x
/// faster than A·x at these shapes (966-square A, 7 columns: 0.72 against 1.74 ms), and products with a transposed
/// view or a LAPACK (column-major) result take slower paths still; so every factor is kept row-major as the
/// transpose of what it multiplies.
let private times (aT: Tensor) (x: Tensor) : Tensor =
    use xt = x.t().contiguous()
    use p = xt.matmul(aT)
    p.t().contiguous()

/// A preconditioner P (θ = P v): none, P = L⁻ᵀ from the Cholesky factor L of an SPD matrix H (so that PᵀHP = I),
/// or diagonal. Apply (P·), Inverse (P⁻¹·) and Transposed (Pᵀ·, the gradient's map) always return a new tensor (an
/// alias for none), which the caller owns. The factors are kept row-major as the transposes of what they multiply
/// (see times): Apply multiplies by L⁻ᵀ, so L⁻¹ is kept, and so on.
type private Precond =
    | NoPrecond
    | Cholesky of l: Tensor * lInverse: Tensor * lInverseT: Tensor
    | Diagonal of scale: Tensor
    member this.Apply(x: Tensor) = match this with NoPrecond -> x.alias() | Cholesky(_, li, _) -> times li x | Diagonal s -> x * s
    member this.Inverse(x: Tensor) = match this with NoPrecond -> x.alias() | Cholesky(l, _, _) -> times l x | Diagonal s -> x / s
    member this.Transposed(x: Tensor) = match this with NoPrecond -> x.alias() | Cholesky(_, _, lit) -> times lit x | Diagonal s -> x * s
    member this.Dispose() = match this with NoPrecond -> () | Cholesky(a, b, c) -> a.Dispose(); b.Dispose(); c.Dispose() | Diagonal s -> s.Dispose()

/// The row space of training rows X [n, p] with p > n, for a fit that runs on n columns instead of p: the optimal
/// weights lie in it (a component outside leaves every score unchanged and only adds penalty), so W = Q·B with Q an
/// orthonormal basis of the rows. Q = Xᵀ L⁻ᵀ, L the Cholesky factor of the rows' Gram XXᵀ = LLᵀ (QᵀQ = I), is never
/// formed: the reduced design X·Q is L itself, and Q·b, Qᵀ·w are a triangular solve and a product with X. The Gram is
/// the caller's when it has one (Decoding computes all rows' Gram once, and its folds, fitted together, share the
/// row space of all rows), so the reduction costs one n-square Cholesky instead of a 2pn² QR.
type private RowSpace(x: Tensor, l: Tensor) =
    // Xᵀ row-major too: Project multiplies by X (see times).
    let xt = x.t().contiguous()
    /// X·Q.
    member _.Design = l
    /// Q·b: reduced weights [n, c] to full [p, c].
    member _.Lift(b: Tensor) = use t = torch.linalg.solve_triangular(l.t(), b, true) in times x t
    /// Xᵀ·r [p, c] for rows' values r [n, c].
    member _.TransposeTimes(r: Tensor) = times x r
    /// Qᵀ·w: full weights [p, c] to reduced [n, c].
    member _.Project(w: Tensor) = use xw = times xt w in torch.linalg.solve_triangular(l, xw, false).contiguous()
    member _.Dispose() = l.Dispose(); xt.Dispose()
    /// The row space of `x` from its Gram, or None where the Gram is not safely positive definite (rows linearly
    /// dependent, or nearly: then Q would lose its orthonormality and the fit runs on the p columns).
    static member TryOf(x: Tensor, gram: Tensor) : RowSpace option =
        let factor =
            use scope = torch.NewDisposeScope()
            let struct (l, info) = torch.linalg.cholesky_ex(gram)
            if info.item<int>() <> 0 then None
            else
                let diag = l.diagonal()
                if item (diag.min()) <= 1e-6 * item (diag.max()) then None
                else Some(scope.MoveToOuter(l.contiguous()))
        factor |> Option.map (fun l -> RowSpace(x, l))

/// The objective and its gradient, both divided by C·n: f = mean log-loss + ‖W‖²/(2Cn), summed over `problems`
/// label vectors fitted at once on the same rows (y [n, problems]): the sum of independent objectives, so its
/// optimum is each problem's own optimum, and max |gradient| ≤ tol holds for the sum exactly when it holds for each.
/// θ is [(p+1), problems·m] (last row the intercept; problem j in columns j·m ..); m = k for multinomial, 1 for
/// binomial (class 0's logit fixed at 0). With a row space `full`, xa is the reduced design [L, 1] and convergence is
/// judged on the full problem's gradient, so the stopping rule means the same.
/// θ [(p+1), ·] with its weight rows (all but the last, the intercept) replaced by f of them.
let private mapWeightRows (f: Tensor -> Tensor) (theta: Tensor) : Tensor =
    let k = theta.shape[0] - 1L
    use w = f (theta.narrow(0L, 0L, k))
    torch.cat([| w; theta.narrow(0L, k, 1L) |], 0L)

type private LogisticProblem(xa: Tensor, y: Tensor, k: int, c: float, weights: Tensor option, full: RowSpace option) =
    let n = float xa.shape[0]
    let rowsN = xa.shape[0]
    let problems = y.shape[1]
    let binary = k = 2
    let cols = if binary then 1L else int64 k
    // Each problem's rows: all, or those with weight 1 in its column of `weights` [n, problems] (a fold's training
    // rows, the folds fitted together on all rows). Problem j's objective is its mean log-loss over its n_j rows +
    // ‖W_j‖²/(2C·n_j), exactly the objective of fitting those rows alone; rowScale = weight / n_j, penalty 1/(C·n_j).
    let rowScale, penalty =
        use scope = torch.NewDisposeScope()
        let counts = match weights with Some w -> w.sum([| 0L |], true) | None -> torch.full([| 1L; problems |], sc n, dtype = torch.float64, device = xa.device)
        let scale = match weights with Some w -> w / counts | None -> torch.ones([| rowsN; problems |], dtype = torch.float64, device = xa.device) / counts
        let pen = (sc 1.0 / (counts * sc c)).repeat_interleave(cols, 1L)   // [1, problems·m]
        scope.MoveToOuter(scale), scope.MoveToOuter(pen)
    /// The mean over problems of 1/(C·n_j): the preconditioner's penalty.
    let meanPenalty = item (penalty.mean())
    // Xᵀ stored row-major too: the objective multiplies by both (see times).
    let xat = xa.t().contiguous()
    /// Scores [n, problems, k] (class 0's logit 0 for binomial).
    let logits (theta: Tensor) =
        let z = (times xat theta).reshape(rowsN, problems, cols)
        if binary then torch.cat([| torch.zeros_like(z); z |], 2L) else z
    let mask =
        let m = Array.create (int xa.shape[1]) 1.0
        m[m.Length - 1] <- 0.0
        matrix xa.device m.Length 1 m
    let onehot = torch.nn.functional.one_hot(y, int64 k).to_type(torch.ScalarType.Float64)   // [n, problems, k]
    let labels = y.unsqueeze(2L)                                                                 // [n, problems, 1]
    // Preconditioner: the solver works on v with θ = P v, P = L⁻ᵀ (H = LLᵀ), H = XᵀDX/n + penalty an approximation of
    // the objective's Hessian at the current θ (D: each row's softmax curvature). The optimum θ is the same (a
    // change of variables, not of the objective). Easy fits converge unpreconditioned within 20 iterations (more
    // where P is expensive, see FirstRefresh) and never pay for it; a fit still running then gets P, built near the
    // optimum, where its curvature is what the slow tail needs, and rebuilt every 50 iterations (see lbfgs): on the
    // hard benchmark (490 x 1024, 7 classes, fold by fold) the folds then converged about 7 iterations later, against
    // about 50 with P first at iteration 50. On correlated,
    // unscaled network features plain L-BFGS needed thousands of iterations; with P, about a hundred. Above 2,048
    // columns only diag(H) is used. A Cholesky factor, not H^(-1/2) from an eigendecomposition: the same PᵀHP = I
    // for about a tenth of the flops (an eigh of a 1,025-square H cost more than the fit's 50 iterations).
    let build (curvature: Tensor) =
        use s = torch.NewDisposeScope()
        if xa.shape[1] <= 2048L then
            // H is SPD: the penalty on every weight row, and the intercept's row the (floored) mean curvature.
            let h = xat.matmul(xa * curvature) + torch.diag(mask.squeeze(1L)) * sc meanPenalty
            let l = torch.linalg.cholesky(h)
            let eye = torch.eye(h.shape[0], dtype = torch.ScalarType.Float64, device = h.device)
            let li = torch.linalg.solve_triangular(l, eye, false)
            Cholesky(s.MoveToOuter(l.contiguous()), s.MoveToOuter(li.contiguous()), s.MoveToOuter(li.t().contiguous()))
        else
            let h = (xa * xa * curvature).sum([| 0L |]).unsqueeze(1L) + mask * sc meanPenalty
            Diagonal(s.MoveToOuter(h.rsqrt()))
    let mutable pre = NoPrecond
    /// max |full gradient| / its upper bound at the last exact evaluation (see GradientMax).
    let mutable ratio = nan
    let thetaRows = xa.shape[1]
    /// (the problems' summed mean log-losses, (softmax − one-hot)·rowScale [n, problems·m]) at θ.
    /// In place on the logits after the loss (each full-size temporary is a fresh allocation, page-faulted in).
    let residual (theta: Tensor) : float * Tensor =
        let logp = logits theta
        logp.sub_(logp.logsumexp(2L, keepdim = true)) |> ignore
        let loss = -(item ((logp.gather(2L, labels).squeeze(2L) * rowScale).sum ()))
        let resid = logp.exp_().sub_(onehot).mul_(rowScale.unsqueeze(2L))
        loss, (if binary then resid.narrow(2L, 1L, 1L) else resid).reshape(rowsN, problems * cols)
    /// (f, ∂f/∂θ) at θ; the gradient belongs to the caller.
    let evaluate (theta: Tensor) : float * Tensor =
        use scope = torch.NewDisposeScope()
        let loss, r = residual theta
        let wt = theta * mask
        let f = loss + item ((wt * wt * penalty).sum ()) / 2.0
        f, scope.MoveToOuter(times xa r + wt * penalty)
    member _.Columns = int (problems * cols)
    /// Columns of θ per label vector (each problem's block of columns).
    member _.BlockColumns = int cols
    /// The iteration of the first preconditioning: 20, or later where building P costs more than 60 evaluations
    /// of the objective (an evaluation is two n·r·columns products; P an r-square H from n rows, its Cholesky
    /// factor and inverse, about 2r²n + 2r³ flops at roughly three times the skinny products' rate), so that a fit
    /// that converges unpreconditioned by then never pays for it (a single fold of 966 rows in a 967-column row
    /// space, 7 classes: P costs about 45 evaluations, and such folds converged in about 20 iterations).
    member _.FirstRefresh =
        let r, rows = float thetaRows, float rowsN
        let evaluation = 4.0 * rows * r * float (problems * cols)
        let build = if thetaRows <= 2048L then 2.0 * r * r * rows + 2.0 * r * r * r else 2.0 * r * rows
        max 20 (int (build / (3.0 * evaluation)))
    member _.Rows = thetaRows
    /// θ → the solver's variables v (row-major [Rows, Columns]), and back.
    member _.ToSolver(theta: Tensor) : float[] = use v = pre.Inverse theta in toArray v
    member _.FromSolver(v: float[]) : Tensor = use t = matrix xa.device (int thetaRows) (int (problems * cols)) v in pre.Apply t
    /// Full θ [(p+1), ·] of a reduced one (itself without a row space).
    member _.Lift(theta: Tensor) : Tensor =
        match full with
        | None -> theta.alias()
        | Some rs -> mapWeightRows rs.Lift theta
    /// Reduced θ of a full one (itself without a row space).
    member _.Project(theta: Tensor) : Tensor =
        match full with
        | None -> theta.alias()
        | Some rs -> mapWeightRows rs.Project theta
    /// max |∂f/∂θ| of the full problem at solver variables v, given this problem's ∂f/∂θ (convergence is judged on
    /// the full θ, as scikit-learn does). In the row space the full weights' gradient is Q·(reduced gradient), a
    /// product with X per call; so only where the estimate (the bound below, times the ratio found at the last exact
    /// value) is within 4·`bound` is it computed, and otherwise the estimate is returned: it can only keep the solver
    /// iterating, never stop it. With `bound` infinite, the full gradient at the lifted θ, Xᵀ·residual/n + W/(Cn) (the
    /// residual is the reduced problem's: X·W = L·B), for the report.
    member this.GradientMax(v: float[], gTheta: float[], bound: float) : float =
        let width = int (problems * cols)
        let mutable worst = 0.0
        match full with
        | None ->
            for x in gTheta do worst <- max worst (abs x)
            worst
        | Some rs ->
            // max |Q·g| ≤ max over columns of ‖g‖ (Q's rows have norm ≤ 1).
            let r = int thetaRows - 1
            let norms = Array.zeroCreate width
            for i in 0 .. r - 1 do
                for j in 0 .. width - 1 do norms[j] <- norms[j] + gTheta[i * width + j] * gTheta[i * width + j]
            let mutable intercept = 0.0
            for j in 0 .. width - 1 do intercept <- max intercept (abs gTheta[r * width + j])
            let upper = max intercept (sqrt (Array.max norms))
            if Double.IsPositiveInfinity bound then
                use scope = torch.NewDisposeScope()
                let theta = this.FromSolver v
                let _, r = residual theta
                let w = rs.Lift(theta.narrow(0L, 0L, int64 thetaRows - 1L))
                let gw = rs.TransposeTimes(r) + w * penalty
                let gb = r.sum([| 0L |])
                max (item (gw.abs().max ())) (item (gb.abs().max ()))
            elif not (Double.IsNaN ratio) && ratio * upper > 4.0 * bound then ratio * upper
            else
                use scope = torch.NewDisposeScope()
                use gt = matrix xa.device (int thetaRows) width gTheta
                let exact = max intercept (item (rs.Lift(gt.narrow(0L, 0L, int64 r)).abs().max ()))
                ratio <- (if upper > 0.0 then exact / upper else 1.0)
                exact
    /// f at v, writing ∂f/∂v into `gv` and ∂f/∂θ into `gTheta` (the solver's buffers: no array per evaluation).
    member _.Evaluate(v: float[], gv: float[], gTheta: float[]) : float =
        use scope = torch.NewDisposeScope()
        use vt = matrix xa.device (int thetaRows) (int (problems * cols)) v
        let f, g = evaluate (pre.Apply vt)
        let copyOut (t: Tensor) (dst: float[]) = use c = t.cpu().contiguous() in c.data<float>().CopyTo(dst, 0, 0L)
        copyOut g gTheta
        match pre with
        | NoPrecond -> Array.blit gTheta 0 gv 0 gv.Length
        | _ -> copyOut (pre.Transposed g) gv
        f
    /// Rebuilds P from the rows' curvature at θ (the mean over classes of p(1 − p), scaled by each problem's
    /// rowScale and averaged over the problems, which share one P; floored so that a row never drops out entirely).
    member _.Refresh(theta: Tensor) =
        let curvature =
            use scope = torch.NewDisposeScope()
            let prob = torch.nn.functional.softmax(logits theta, 2L)
            let perRow = (prob * (sc 1.0 - prob)).sum([| 2L |]) / sc (if binary then 1.0 else float k)   // [n, problems]
            let d = (perRow * rowScale).mean([| 1L |]).unsqueeze(1L)
            scope.MoveToOuter(d.clamp_min(sc (1e-6 / n)))
        let fresh = build curvature
        curvature.Dispose()
        pre.Dispose()
        pre <- fresh
    member _.Dispose() =
        mask.Dispose(); onehot.Dispose(); labels.Dispose(); xat.Dispose(); rowScale.Dispose(); penalty.Dispose(); pre.Dispose()
        full |> Option.iter (fun rs -> rs.Dispose())

// The solver's vector algebra runs on .NET arrays: θ has (p+1)·k entries (a few thousand), so each of the
// two-loop recursion's ~80 dot products and updates costs microseconds here, against tens of microseconds of
// dispatch and allocation as a tensor operation; only the objective's products with X run in TorchSharp.
// The two-loop recursion's dot products and updates (four passes per curvature pair) in SIMD lanes.
let private dot (a: float[]) (b: float[]) =
    let w = Numerics.Vector<float>.Count
    let mutable acc = Numerics.Vector<float>.Zero
    let mutable i = 0
    while i <= a.Length - w do
        acc <- acc + Numerics.Vector<float>(a, i) * Numerics.Vector<float>(b, i)
        i <- i + w
    let mutable s = Numerics.Vector.Sum acc
    while i < a.Length do
        s <- s + a[i] * b[i]
        i <- i + 1
    s
/// y ← y + t·x.
let private addScaled (y: float[]) (t: float) (x: float[]) =
    let w = Numerics.Vector<float>.Count
    let vt = Numerics.Vector<float>(t)
    let mutable i = 0
    while i <= y.Length - w do
        (Numerics.Vector<float>(y, i) + vt * Numerics.Vector<float>(x, i)).CopyTo(y, i)
        i <- i + w
    while i < y.Length do
        y[i] <- y[i] + t * x[i]
        i <- i + 1
let private sumAbs (a: float[]) = Array.sumBy abs a
let private maxAbs (a: float[]) = Array.fold (fun m x -> max m (abs x)) 0.0 a

/// The solver's vectors as blocks: row-major [rows, width], columns c·m .. c·m+m-1 of every row one problem's block.
/// The problems fitted together are independent, so the two-loop recursion runs per block (each problem its own
/// curvature scalars, as if fitted alone) while the line search and the stopping rule stay joint; with one block
/// it is the plain recursion, operation for operation.
type private Blocks(width: int, m: int) =
    let count = width / m
    let perColumn = Array.zeroCreate<float> width
    member _.Count = count
    /// out[b] = Σ a·b over block b.
    member _.Dots(a: float[], b: float[], out: float[]) =
        if count = 1 then out[0] <- dot a b
        else
            Array.Clear perColumn
            let w = Numerics.Vector<float>.Count
            for o in 0 .. width .. a.Length - 1 do
                let mutable c = 0
                while c <= width - w do
                    (Numerics.Vector<float>(perColumn, c) + Numerics.Vector<float>(a, o + c) * Numerics.Vector<float>(b, o + c)).CopyTo(perColumn, c)
                    c <- c + w
                while c < width do
                    perColumn[c] <- perColumn[c] + a[o + c] * b[o + c]
                    c <- c + 1
            Array.Clear out
            for c in 0 .. width - 1 do out[c / m] <- out[c / m] + perColumn[c]
    /// y ← y + t[b]·x on block b.
    member _.AddScaled(y: float[], t: float[], x: float[]) =
        if count = 1 then addScaled y t[0] x
        else
            for c in 0 .. width - 1 do perColumn[c] <- t[c / m]
            let w = Numerics.Vector<float>.Count
            for o in 0 .. width .. y.Length - 1 do
                let mutable c = 0
                while c <= width - w do
                    (Numerics.Vector<float>(y, o + c) + Numerics.Vector<float>(perColumn, c) * Numerics.Vector<float>(x, o + c)).CopyTo(y, o + c)
                    c <- c + w
                while c < width do
                    y[o + c] <- y[o + c] + perColumn[c] * x[o + c]
                    c <- c + 1
    /// x ← t[b]·x on block b.
    member _.Scale(x: float[], t: float[]) =
        if count = 1 then (for j in 0 .. x.Length - 1 do x[j] <- x[j] * t[0])
        else for j in 0 .. x.Length - 1 do x[j] <- x[j] * t[(j % width) / m]

/// L-BFGS (20 pairs) with a backtracking Armijo line search. Returns θ and the fit report. Its vectors are a fixed
/// set of buffers (the current and the candidate point, their gradients, the direction, and the curvature pairs,
/// the oldest pair's reused for the newest): with θ of a few hundred thousand entries (analyse's joint folds), an
/// array per operation made the garbage collector hold hundreds of MB. The recursion runs per problem (Blocks).
let private lbfgs (problem: LogisticProblem) (theta0: Tensor) (first: int) (tol: float) (maxIter: int) : Tensor * FitReport =
    let blocks = Blocks(problem.Columns, problem.BlockColumns)
    let nb = blocks.Count
    /// (s, y, per block: 1/(s·y) or 0 where the pair has no positive curvature there, s·y / y·y or NaN).
    let history = Collections.Generic.List<float[] * float[] * float[] * float[]>()
    let size = int problem.Rows * problem.Columns
    let buffer () : float[] = Array.zeroCreate size
    let mutable v = problem.ToSolver theta0
    let mutable g, gTheta = buffer (), buffer ()
    let mutable cv, cg, cgTheta = buffer (), buffer (), buffer ()
    let q = buffer ()
    /// Where the next curvature pair is written (the oldest pair's arrays once 20 are held).
    let mutable sNew, yNew = buffer (), buffer ()
    let dots, dots2 = Array.zeroCreate<float> nb, Array.zeroCreate<float> nb
    let mutable f = problem.Evaluate(v, g, gTheta)
    let mutable evaluations = 1
    let mutable iter = 0
    let mutable converged = problem.GradientMax(v, gTheta, tol) <= tol
    let mutable stalled = false
    while not converged && not stalled && iter < maxIter do
        iter <- iter + 1
        if iter = first || (iter > first && (iter - first) % 50 = 0) then
            // Re-precondition at the current θ (the curvature has moved away from its starting value): new
            // variables, so the curvature pairs of the old ones are dropped.
            use thetaNow = problem.FromSolver v
            problem.Refresh thetaNow
            v <- problem.ToSolver thetaNow
            f <- problem.Evaluate(v, g, gTheta)
            evaluations <- evaluations + 1
            history.Clear()
        // Two-loop recursion: q = -H·g, the search direction.
        Array.blit g 0 q 0 size
        let alphas = Array.init history.Count (fun _ -> Array.zeroCreate<float> nb)
        for i in history.Count - 1 .. -1 .. 0 do
            let s, yv, rho, _ = history[i]
            blocks.Dots(s, q, dots)
            let a = alphas[i]
            for b in 0 .. nb - 1 do
                a[b] <- rho[b] * dots[b]
                dots2[b] <- -a[b]
            blocks.AddScaled(q, dots2, yv)
        let fallback = lazy (min 1.0 (1.0 / sumAbs g))
        let gamma =
            if history.Count > 0 then
                let _, _, _, scale = history[history.Count - 1]
                scale |> Array.map (fun x -> if Double.IsNaN x then fallback.Value else x)
            else Array.create nb fallback.Value
        blocks.Scale(q, gamma)
        for i in 0 .. history.Count - 1 do
            let s, yv, rho, _ = history[i]
            blocks.Dots(yv, q, dots)
            for b in 0 .. nb - 1 do dots2[b] <- alphas[i].[b] - rho[b] * dots[b]
            blocks.AddScaled(q, dots2, s)
        for j in 0 .. size - 1 do q[j] <- -q[j]
        let mutable slope = dot g q
        if slope >= 0.0 then
            // Not a descent direction (can follow a poor curvature pair): restart from steepest descent.
            history.Clear()
            let scale = 1.0 / sumAbs g
            for j in 0 .. size - 1 do q[j] <- -g[j] * scale
            slope <- dot g q
        let mutable step = 1.0
        let mutable accepted = false
        let mutable tries = 0
        while not accepted && tries < 60 do
            for j in 0 .. size - 1 do cv[j] <- v[j] + step * q[j]
            let fc = problem.Evaluate(cv, cg, cgTheta)
            evaluations <- evaluations + 1
            // Armijo; near the optimum f changes below its rounding error, so a step that keeps f
            // within rounding and shrinks the gradient is accepted too (otherwise the gradient could
            // not be driven below about sqrt(machine epsilon)).
            let withinRounding = abs (fc - f) <= 1e-13 * max 1.0 (abs f) && maxAbs cg < maxAbs g
            if fc <= f + 1e-4 * step * slope || withinRounding then
                let s, yv = sNew, yNew
                for j in 0 .. size - 1 do
                    s[j] <- cv[j] - v[j]
                    yv[j] <- cg[j] - g[j]
                blocks.Dots(s, yv, dots)
                blocks.Dots(yv, yv, dots2)
                let good = Array.init nb (fun b -> dots[b] > 1e-12 * dots2[b])
                if Array.exists id good then
                    let rho = Array.init nb (fun b -> if good[b] then 1.0 / dots[b] else 0.0)
                    let scale = Array.init nb (fun b -> if good[b] then dots[b] / dots2[b] else nan)
                    history.Add((s, yv, rho, scale))
                    if history.Count > 20 then
                        let s0, y0, _, _ = history[0]
                        history.RemoveAt 0
                        sNew <- s0; yNew <- y0
                    else
                        sNew <- buffer (); yNew <- buffer ()
                let v0, g0, gt0 = v, g, gTheta
                v <- cv; g <- cg; gTheta <- cgTheta
                cv <- v0; cg <- g0; cgTheta <- gt0
                f <- fc
                accepted <- true
                converged <- problem.GradientMax(v, gTheta, tol) <= tol
            else
                step <- step * 0.5
                tries <- tries + 1
        if not accepted then stalled <- true
    let gmax = problem.GradientMax(v, gTheta, infinity)
    problem.FromSolver v, { Iterations = iter; Evaluations = evaluations; Converged = converged || gmax <= tol; GradientMax = gmax }

/// The gradient of the (C·n)-scaled logistic objective at a model: zero at the optimum (for tests).
let logisticGradient (c: float) (x: Tensor) (y: int[]) (m: Model) : float =
    use scope = torch.NewDisposeScope()
    let _, codes = localCodes y
    let k = m.Classes.Length
    let xa = torch.cat([| x; torch.ones([| x.shape[0]; 1L |], dtype = torch.ScalarType.Float64, device = x.device) |], 1L)
    let yt = torch.tensor(Array.map int64 codes, device = x.device).unsqueeze(1L)
    let problem = LogisticProblem(xa, yt, k, c, None, None)
    let theta =
        if k = 2 then torch.cat([| m.Weights.narrow(1L, 1L, 1L); m.Bias.narrow(0L, 1L, 1L).unsqueeze(0L) |], 0L)
        else torch.cat([| m.Weights; m.Bias.unsqueeze(0L) |], 0L)
    let v = problem.ToSolver theta
    let gv, g = Array.zeroCreate v.Length, Array.zeroCreate v.Length
    problem.Evaluate(v, gv, g) |> ignore
    let r = problem.GradientMax(v, g, infinity)
    problem.Dispose()
    r

/// Logistic fits of several label vectors with the same classes on the same rows, as one problem (see
/// LogisticProblem: the same optima as fitting each alone). `warm` is a joint θ from a previous call; `gram` the rows'
/// Gram x·xᵀ if the caller has it (with more features than rows the fit runs in their row space, see RowSpace).
/// With `trains`, problem j is fitted on the rows trains[j] only (see LogisticProblem's weights): the folds of a
/// cross-validation on the same rows, fitted together.
let private fitLogisticBatch (o: LogisticOptions) (x: Tensor) (gram: Tensor option) (classes: int[]) (codes: int[][]) (trains: int[][] option) (warm: Tensor option) : Model[] =
    let k = classes.Length
    let m = codes.Length
    use scope = torch.NewDisposeScope()
    let n, p = x.shape[0], x.shape[1]
    let cols = if k = 2 then 1L else int64 k
    let withOnes (a: Tensor) = torch.cat([| a; torch.ones([| n; 1L |], dtype = torch.ScalarType.Float64, device = x.device) |], 1L)
    let yt = torch.tensor(Array.init (int n * m) (fun idx -> int64 (codes[idx % m]).[idx / m]), device = x.device).reshape(n, int64 m)
    let weights =
        trains |> Option.map (fun t ->
            let w = Array.zeroCreate (int n * m)
            t |> Array.iteri (fun j rows -> for i in rows do w[i * m + j] <- 1.0)
            matrix x.device (int n) m w)
    let rowSpace =
        if p <= n then None
        else RowSpace.TryOf(x, match gram with Some g -> g | None -> x.matmul(x.t()))
    let problem =
        match rowSpace with
        | None -> LogisticProblem(withOnes x, yt, k, o.C, weights, None)
        | Some rs -> LogisticProblem(withOnes rs.Design, yt, k, o.C, weights, Some rs)
    // A warm start (the previous fold's optimum: same labels, mostly the same rows) carries the curvature the slow
    // tail needs, so P is built from it before the first step; a cold fit waits for FirstRefresh. On the probe's
    // standardised folds (672 x 512, 7 classes, 10 permutations together) this took the folds after the first
    // from 90-139 iterations to 80-85.
    let theta0, first =
        match warm with
        | Some w when w.shape[0] = p + 1L && w.shape[1] = int64 problem.Columns -> problem.Project w, 1
        | _ -> torch.zeros([| problem.Rows; int64 problem.Columns |], dtype = torch.ScalarType.Float64, device = x.device), problem.FirstRefresh
    let reduced, report = lbfgs problem theta0 first o.Tolerance o.MaxIterations
    let theta = problem.Lift reduced
    problem.Dispose()
    Array.init m (fun j ->
        let tj = theta.narrow(1L, int64 j * cols, cols)
        let w = tj.narrow(0L, 0L, p)
        let b = tj[-1L]
        let weights, bias =
            if k = 2 then torch.cat([| torch.zeros_like(w); w |], 1L), torch.cat([| torch.zeros_like(b); b |], 0L)
            else w, b
        { Weights = scope.MoveToOuter(weights.contiguous()); Bias = scope.MoveToOuter(bias.contiguous()); Classes = classes; Report = report })

let private fitLogistic (o: LogisticOptions) (x: Tensor) (y: int[]) (warm: Tensor option) : Model =
    let classes, codes = localCodes y
    (fitLogisticBatch o x None classes [| codes |] None warm)[0]

/// θ of a logistic model, for warm-starting the next fit on similar data.
let warmStart (m: Model) : Tensor =
    if m.Classes.Length = 2 then torch.cat([| m.Weights.narrow(1L, 1L, 1L); m.Bias.narrow(0L, 1L, 1L).unsqueeze(0L) |], 0L)
    else torch.cat([| m.Weights; m.Bias.unsqueeze(0L) |], 0L)

// ---------------------------------------------------------------- shrinkage LDA

let private fitLda (x: Tensor) (y: int[]) : Model =
    let classes, codes = localCodes y
    let k = classes.Length
    use scope = torch.NewDisposeScope()
    let n = float y.Length
    let p = x.shape[1]
    let dev = x.device
    let cov = torch.zeros([| p; p |], dtype = torch.ScalarType.Float64, device = dev)
    let means = Array.zeroCreate k
    let priors = Array.zeroCreate k
    for c in 0 .. k - 1 do
        let members = codes |> Array.indexed |> Array.filter (fun (_, v) -> v = c) |> Array.map fst
        let xc = rows dev members x
        priors[c] <- float members.Length / n
        let mean = xc.mean([| 0L |], keepdim = true)
        means[c] <- mean
        // scikit-learn's _cov(X, 'auto'): Ledoit-Wolf on standardised data, scaled back.
        let centred = xc - mean
        let std = (centred * centred).mean([| 0L |], keepdim = true).sqrt()
        let scale = torch.where(std.lt(sc (10.0 * Double.Epsilon)), torch.ones_like(std), std)
        let z = centred / scale
        let shrunk = Shrinkage.shrunkCovariance z
        cov.add_(shrunk * scale.t() * scale * sc priors[c]) |> ignore
    let m = torch.cat(means, 0L)                                    // [k, p]
    let struct (coef, _, _, _) = torch.linalg.lstsq(cov, m.t())     // coef [p, k]
    let logPriors = torch.tensor(priors |> Array.map log, dtype = torch.ScalarType.Float64, device = dev)
    let intercept = (m * coef.t()).sum([| 1L |]) * sc -0.5 + logPriors
    { Weights = scope.MoveToOuter(coef.contiguous()); Bias = scope.MoveToOuter(intercept)
      Classes = classes; Report = { Iterations = 0; Evaluations = 0; Converged = true; GradientMax = 0.0 } }

// ---------------------------------------------------------------- ridge classifier

/// ±1 targets as scikit-learn's LabelBinarizer(neg_label=-1) gives them: one column for two classes.
let ridgeTargets (dev: torch.Device) (k: int) (codes: int[]) : Tensor =
    let cols = if k = 2 then 1 else k
    let data = Array.init (codes.Length * cols) (fun idx ->
        let i, j = idx / cols, idx % cols
        let cls = if k = 2 then 1 else j
        if codes[i] = cls then 1.0 else -1.0)
    matrix dev codes.Length cols data

let private fitRidge (alpha: float) (x: Tensor) (y: int[]) : Model =
    let classes, codes = localCodes y
    let k = classes.Length
    use scope = torch.NewDisposeScope()
    let yt = ridgeTargets x.device k codes
    // The one ridge solver (Ridge): centred design, unpenalised intercept, one alpha for every column.
    let fit = Ridge.fitWith None x yt (torch.full (yt.shape[1], alpha, dtype = torch.float64, device = x.device))
    let w = fit.Weights
    let b = fit.Intercept.squeeze(0L)
    let weights, bias =
        if k = 2 then torch.cat([| torch.zeros_like(w); w |], 1L), torch.cat([| torch.zeros_like(b); b |], 0L)
        else w, b
    { Weights = scope.MoveToOuter(weights.contiguous()); Bias = scope.MoveToOuter(bias.contiguous())
      Classes = classes; Report = { Iterations = 0; Evaluations = 0; Converged = true; GradientMax = 0.0 } }

/// Fits a classifier on rows `x` [n, p] with class codes `y` (at least two distinct); `warm` is a
/// previous logistic θ to start from (ignored by the closed-form classifiers).
let fit (classifier: Classifier) (x: Tensor) (y: int[]) (warm: Tensor option) : Model =
    if Array.distinct y |> Array.length < 2 then invalidArg "y" "a classifier needs at least two classes"
    match classifier with
    | Classifier.Logistic o -> fitLogistic o x y warm
    | Classifier.Lda -> fitLda x y
    | Classifier.Ridge alpha -> fitRidge alpha x y

/// θ of several logistic models side by side (the joint θ of a batch, to warm-start the next batch).
let warmStartMany (models: Model[]) : Tensor =
    use scope = torch.NewDisposeScope()
    scope.MoveToOuter(torch.cat(models |> Array.map warmStart, 1L))

/// Fits one model per label vector on the same rows `x`. Logistic fits whose label vectors have the same classes
/// (e.g. permutations of one label) run as one problem of independent blocks, at most about a million θ entries
/// at a time (the joint iterations share every GEMM with X); the optima are each fit's own. `warm` is a joint θ
/// (warmStartMany) of a previous call with as many label vectors and the same classes, or None; `gram` is x·xᵀ if
/// the caller has it (a block of a Gram computed once for all folds), or None.
let fitMany (classifier: Classifier) (x: Tensor) (gram: Tensor option) (ys: int[][]) (warm: Tensor option) : Model[] =
    for y in ys do
        if Array.distinct y |> Array.length < 2 then invalidArg "ys" "a classifier needs at least two classes"
    match classifier with
    | Classifier.Logistic o when ys.Length > 0 ->
        let coded = ys |> Array.map localCodes
        let classes = fst coded[0]
        if coded |> Array.forall (fun (c, _) -> c = classes) then
            let cols = if classes.Length = 2 then 1L else int64 classes.Length
            let chunk = int (max 1L (1_000_000L / ((x.shape[1] + 1L) * cols)))
            let codes = coded |> Array.map snd
            let chunks = codes |> Array.chunkBySize chunk
            let warmFor i (c: int[][]) =
                // A joint warm start only serves the batch it came from: same chunking, so slice it.
                warm |> Option.bind (fun w ->
                    let from, width = int64 (i * chunk) * cols, int64 c.Length * cols
                    if w.shape[1] = int64 codes.Length * cols then Some(w.narrow(1L, from, width)) else None)
            chunks |> Array.mapi (fun i c -> fitLogisticBatch o x gram classes c None (warmFor i c)) |> Array.concat
        else ys |> Array.map (fun y -> let classes, codes = localCodes y in (fitLogisticBatch o x gram classes [| codes |] None None)[0])
    | _ -> ys |> Array.map (fun y -> fit classifier x y None)

/// One model per fold, fold j trained on the rows trains[j] of `x` with the labels `y` (codes for every row; the test
/// rows' are never read). Logistic fits whose folds all hold every class run as one problem on all rows, fold j's
/// rows weighted in (the same optimum as fitting the fold's rows alone, see LogisticProblem), at most about a million
/// θ entries at a time: every iteration's products with X then serve all folds, and the row space, where there are
/// more features than rows, is that of all rows (`gram` x·xᵀ if the caller has it), one Cholesky for every fold.
/// Other classifiers, and folds missing a class, are fitted fold by fold.
let fitFolds (classifier: Classifier) (x: Tensor) (gram: Tensor option) (y: int[]) (trains: int[][]) : Model[] =
    let trainLabels = trains |> Array.map (fun t -> t |> Array.map (fun i -> y[i]))
    for l in trainLabels do
        if Array.distinct l |> Array.length < 2 then invalidArg "trains" "a classifier needs at least two classes"
    let classes = Array.distinct y |> Array.sort
    let alone () =
        Array.map2 (fun (t: int[]) l -> use xt = rows x.device t x in fit classifier xt l None) trains trainLabels
    match classifier with
    | Classifier.Logistic o when trainLabels |> Array.forall (fun l -> (Array.distinct l |> Array.sort) = classes) ->
        let _, codes = localCodes y
        let cols = if classes.Length = 2 then 1L else int64 classes.Length
        let width = (min x.shape[1] x.shape[0]) + 1L
        let chunk = int (max 1L (1_000_000L / (width * cols)))
        Array.chunkBySize chunk (Array.indexed trains)
        |> Array.collect (fun part ->
            fitLogisticBatch o x gram classes (Array.create part.Length codes) (Some(Array.map snd part)) None)
    | _ -> alone ()
