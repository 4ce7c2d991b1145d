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

/// A preconditioner P (θ = P v): none, P = L⁻ᵀ from the Cholesky factor L of an SPD matrix H (so that PᵀHP = I),
/// or diagonal. Apply (P·), Inverse (P⁻¹·), Transposed (Pᵀ·, the gradient's map) and InverseTransposed (P⁻ᵀ·) always
/// return a new tensor (an alias for none), which the caller owns.
type private Precond =
    | NoPrecond
    | Cholesky of l: Tensor * lInverse: Tensor
    | Diagonal of scale: Tensor
    member this.Apply(x: Tensor) = match this with NoPrecond -> x.alias() | Cholesky(_, li) -> li.t().matmul(x) | Diagonal s -> x * s
    member this.Inverse(x: Tensor) = match this with NoPrecond -> x.alias() | Cholesky(l, _) -> l.t().matmul(x) | Diagonal s -> x / s
    member this.Transposed(x: Tensor) = match this with NoPrecond -> x.alias() | Cholesky(_, li) -> li.matmul(x) | Diagonal s -> x * s
    member this.InverseTransposed(x: Tensor) = match this with NoPrecond -> x.alias() | Cholesky(l, _) -> l.matmul(x) | Diagonal s -> x / s
    member this.Dispose() = match this with NoPrecond -> () | Cholesky(l, li) -> l.Dispose(); li.Dispose() | Diagonal s -> s.Dispose()

/// The objective and its gradient, both divided by C·n: f = mean log-loss + ‖W‖²/(2Cn), summed over `problems`
/// label vectors fitted at once on the same rows (y [n, problems]): the sum of independent objectives, so its
/// optimum is each problem's own optimum, and max |gradient| ≤ tol holds for the sum exactly when it holds for each.
/// θ is [(p+1), problems·m] (last row the intercept; problem j in columns j·m ..); m = k for multinomial, 1 for
/// binomial (class 0's logit fixed at 0).
type private LogisticProblem(xa: Tensor, y: Tensor, k: int, c: float, basis: Tensor option) =
    let n = float xa.shape[0]
    let rowsN = xa.shape[0]
    let problems = y.shape[1]
    let binary = k = 2
    let cols = if binary then 1L else int64 k
    /// Scores [n, problems, k] (class 0's logit 0 for binomial).
    let logits (theta: Tensor) =
        let z = xa.matmul(theta).reshape(rowsN, problems, cols)
        if binary then torch.cat([| torch.zeros_like(z); z |], 2L) else z
    let mask =
        let m = Array.create (int xa.shape[1]) 1.0
        m[m.Length - 1] <- 0.0
        matrix xa.device m.Length 1 m
    let onehot = torch.nn.functional.one_hot(y, int64 k).to_type(torch.ScalarType.Float64)   // [n, problems, k]
    // Preconditioner: the solver works on v with θ = P v, P = L⁻ᵀ (H = LLᵀ), H = XᵀDX/n + penalty an approximation of
    // the objective's Hessian at the current θ (D: each row's softmax curvature). The optimum θ is the same (a
    // change of variables, not of the objective). Easy fits converge unpreconditioned within 50 iterations and
    // never pay for it; a fit still running then gets P, rebuilt every 50 iterations (see lbfgs). On correlated,
    // unscaled network features plain L-BFGS needed thousands of iterations; with P, about a hundred. Above 2,048
    // columns only diag(H) is used. A Cholesky factor, not H^(-1/2) from an eigendecomposition: the same PᵀHP = I
    // for about a tenth of the flops (an eigh of a 1,025-square H cost more than the fit's 50 iterations).
    let build (curvature: Tensor) =
        use s = torch.NewDisposeScope()
        if xa.shape[1] <= 2048L then
            // H is SPD: the penalty on every weight row, and the intercept's row the (floored) mean curvature.
            let h = xa.t().matmul(xa * curvature) / sc n + torch.diag(mask.squeeze(1L)) / sc (c * n)
            let l = torch.linalg.cholesky(h)
            let eye = torch.eye(h.shape[0], dtype = torch.ScalarType.Float64, device = h.device)
            let li = torch.linalg.solve_triangular(l, eye, false)
            Cholesky(s.MoveToOuter(l), s.MoveToOuter(li))
        else
            let h = (xa * xa * curvature).mean([| 0L |]).unsqueeze(1L) + mask / sc (c * n)
            Diagonal(s.MoveToOuter(h.rsqrt()))
    let mutable pre = NoPrecond
    member _.Columns = int (problems * cols)
    member _.Rows = xa.shape[1]
    /// θ → the solver's variables v, and back.
    member _.ToSolver(theta: Tensor) = pre.Inverse theta
    member _.FromSolver(v: Tensor) = pre.Apply v
    /// max |∂f/∂θ| from the solver's gradient ∂f/∂v = Pᵀ∂f/∂θ (convergence is judged on θ, as scikit-learn does).
    /// With a basis Q (the fit runs on X·Q, see fitLogistic) the weights' gradient is lifted back to Q·∂f/∂B, so the
    /// stopping rule means the same as without.
    member _.ThetaGradientMax(gv: Tensor) =
        use scope = torch.NewDisposeScope()
        let g = pre.InverseTransposed gv
        let full =
            match basis with
            | None -> g
            | Some q -> let r = q.shape[1] in torch.cat([| q.matmul(g.narrow(0L, 0L, r)); g.narrow(0L, r, 1L) |], 0L)
        item (full.abs().max ())
    /// (f, ∂f/∂v) at v; the returned gradient tensor belongs to the caller.
    member _.Evaluate(v: Tensor) : float * Tensor =
        use scope = torch.NewDisposeScope()
        let theta = pre.Apply v
        let zfull = logits theta
        let lse = zfull.logsumexp(2L, keepdim = true)
        let logp = zfull - lse
        let loss = -(item ((logp * onehot).sum ())) / n
        let wt = theta * mask
        let f = loss + item ((wt * wt).sum ()) / (2.0 * c * n)
        let resid = logp.exp() - onehot
        let r = (if binary then resid.narrow(2L, 1L, 1L) else resid).reshape(rowsN, problems * cols)
        let g = xa.t().matmul(r) / sc n + wt / sc (c * n)
        f, scope.MoveToOuter(pre.Transposed g)
    /// Rebuilds P from the rows' curvature at θ (the mean over classes, and over the problems, which share one P,
    /// of p(1 − p), floored so that a row never drops out entirely).
    member _.Refresh(theta: Tensor) =
        let curvature =
            use scope = torch.NewDisposeScope()
            let prob = torch.nn.functional.softmax(logits theta, 2L)
            let d = (prob * (sc 1.0 - prob)).sum([| 1L; 2L |]).unsqueeze(1L) / sc ((if binary then 1.0 else float k) * float problems)
            scope.MoveToOuter(d.clamp_min(sc 1e-6))
        let fresh = build curvature
        curvature.Dispose()
        pre.Dispose()
        pre <- fresh
    member _.Dispose() = mask.Dispose(); onehot.Dispose(); pre.Dispose()

let private dot (a: Tensor) (b: Tensor) = item ((a * b).sum ())
let private maxAbs (a: Tensor) = item (a.abs().max ())

/// L-BFGS (20 pairs) with a backtracking Armijo line search. Returns θ and the fit report.
let private lbfgs (problem: LogisticProblem) (theta0: Tensor) (tol: float) (maxIter: int) : Tensor * FitReport =
    let history = Collections.Generic.List<Tensor * Tensor * float>()
    let mutable theta = problem.ToSolver theta0
    let mutable f, g = problem.Evaluate theta
    let mutable evaluations = 1
    let mutable iter = 0
    let mutable converged = problem.ThetaGradientMax g <= tol
    let mutable stalled = false
    while not converged && not stalled && iter < maxIter do
        iter <- iter + 1
        if iter % 50 = 0 then
            // Re-precondition at the current θ (the curvature has moved away from its starting value): new
            // variables, so the curvature pairs of the old ones are dropped.
            let thetaNow = problem.FromSolver theta
            problem.Refresh thetaNow
            theta.Dispose(); g.Dispose()
            theta <- problem.ToSolver thetaNow
            thetaNow.Dispose()
            let fNew, gNew = problem.Evaluate theta
            f <- fNew
            g <- gNew
            evaluations <- evaluations + 1
            for (s, yv, _) in history do s.Dispose(); yv.Dispose()
            history.Clear()
        // Each iteration's temporaries (scaled copies in the two-loop recursion, the dot products) are freed
        // at its end; only the accepted θ, its gradient and the new curvature pair move out. Without this a
        // 70-class fit of 1,300 iterations held 8.7 GB until the fit returned.
        use iterScope = torch.NewDisposeScope()
        // Two-loop recursion: d = -H·g.
        let q = g.clone()
        let alphas = Array.zeroCreate history.Count
        for i in history.Count - 1 .. -1 .. 0 do
            let s, yv, rho = history[i]
            let a = rho * dot s q
            alphas[i] <- a
            q.sub_(yv * sc a) |> ignore
        if history.Count > 0 then
            let s, yv, _ = history[history.Count - 1]
            q.mul_(sc (dot s yv / dot yv yv)) |> ignore
        else
            q.mul_(sc (min 1.0 (1.0 / item (g.abs().sum ())))) |> ignore
        for i in 0 .. history.Count - 1 do
            let s, yv, rho = history[i]
            let b = rho * dot yv q
            q.add_(s * sc (alphas[i] - b)) |> ignore
        let d = q.neg()
        q.Dispose()
        let mutable slope = dot g d
        if slope >= 0.0 then
            // Not a descent direction (can follow a poor curvature pair): restart from steepest descent.
            for (s, yv, _) in history do s.Dispose(); yv.Dispose()
            history.Clear()
            d.copy_(g.neg() * sc (1.0 / item (g.abs().sum ()))) |> ignore
            slope <- dot g d
        let mutable step = 1.0
        let mutable accepted = false
        let mutable tries = 0
        while not accepted && tries < 60 do
            let candidate = theta + d * sc step
            let fc, gc = problem.Evaluate candidate
            evaluations <- evaluations + 1
            // Armijo; near the optimum f changes below its rounding error, so a step that keeps f
            // within rounding and shrinks the gradient is accepted too (otherwise the gradient could
            // not be driven below about sqrt(machine epsilon)).
            let withinRounding = abs (fc - f) <= 1e-13 * max 1.0 (abs f) && maxAbs gc < maxAbs g
            if fc <= f + 1e-4 * step * slope || withinRounding then
                iterScope.MoveToOuter(candidate, gc) |> ignore
                let s = candidate - theta
                let yv = gc - g
                let sy = dot s yv
                if sy > 1e-12 * dot yv yv then
                    iterScope.MoveToOuter(s, yv) |> ignore
                    history.Add((s, yv, 1.0 / sy))
                    if history.Count > 20 then
                        let s0, y0, _ = history[0]
                        s0.Dispose(); y0.Dispose()
                        history.RemoveAt 0
                else s.Dispose(); yv.Dispose()
                theta.Dispose(); g.Dispose()
                theta <- candidate
                g <- gc
                let fOld = f
                f <- fc
                accepted <- true
                converged <- problem.ThetaGradientMax g <= tol
                ignore fOld
            else
                candidate.Dispose(); gc.Dispose()
                step <- step * 0.5
                tries <- tries + 1
        d.Dispose()
        if not accepted then stalled <- true
    let gmax = problem.ThetaGradientMax g
    for (s, yv, _) in history do s.Dispose(); yv.Dispose()
    g.Dispose()
    let v = theta
    let theta = problem.FromSolver v
    v.Dispose()
    theta, { Iterations = iter; Evaluations = evaluations; Converged = converged || gmax <= tol; GradientMax = gmax }

/// The gradient of the (C·n)-scaled logistic objective at a model: zero at the optimum (for tests).
let logisticGradient (c: float) (x: Tensor) (y: int[]) (m: Model) : float =
    use scope = torch.NewDisposeScope()
    let _, codes = localCodes y
    let k = m.Classes.Length
    let xa = torch.cat([| x; torch.ones([| x.shape[0]; 1L |], dtype = torch.ScalarType.Float64, device = x.device) |], 1L)
    let yt = torch.tensor(Array.map int64 codes, device = x.device).unsqueeze(1L)
    let problem = LogisticProblem(xa, yt, k, c, None)
    let theta =
        if k = 2 then torch.cat([| m.Weights.narrow(1L, 1L, 1L); m.Bias.narrow(0L, 1L, 1L).unsqueeze(0L) |], 0L)
        else torch.cat([| m.Weights; m.Bias.unsqueeze(0L) |], 0L)
    let _, g = problem.Evaluate(problem.ToSolver theta)
    let r = problem.ThetaGradientMax g
    problem.Dispose()
    r

/// Logistic fits of several label vectors with the same classes on the same rows, as one problem (see
/// LogisticProblem: the same optima as fitting each alone). `warm` is a joint θ from a previous call.
let private fitLogisticBatch (o: LogisticOptions) (x: Tensor) (classes: int[]) (codes: int[][]) (warm: Tensor option) : Model[] =
    let k = classes.Length
    let m = codes.Length
    use scope = torch.NewDisposeScope()
    let n, p = x.shape[0], x.shape[1]
    // With more features than rows the optimal weights lie in the row space of X (a component outside it leaves
    // every score unchanged and only adds penalty), so the fit runs on X·Q, Q an orthonormal basis of that space,
    // and W = Q·B: the same optimum with n columns instead of p. The QR costs about 2pn² and each iteration saves
    // about 4n(p − n)k, so it is done only where it pays back within 50 iterations (few classes and p near n: not).
    let cols = if k = 2 then 1L else int64 k
    let pays = p > n && float p * float n / (2.0 * float (p - n) * float (cols * int64 m)) < 50.0
    let basis = if pays then (let struct (q, _) = torch.linalg.qr(x.t()) in Some q) else None
    let xr = match basis with Some q -> x.matmul(q) | None -> x
    let xa = torch.cat([| xr; torch.ones([| n; 1L |], dtype = torch.ScalarType.Float64, device = x.device) |], 1L)
    let yt = torch.tensor(Array.init (int n * m) (fun idx -> int64 (codes[idx % m]).[idx / m]), device = x.device).reshape(n, int64 m)
    let problem = LogisticProblem(xa, yt, k, o.C, basis)
    let theta0 =
        match warm, basis with
        | Some w, None when w.shape[0] = p + 1L && w.shape[1] = int64 problem.Columns -> w
        | Some w, Some q when w.shape[0] = p + 1L && w.shape[1] = int64 problem.Columns ->
            torch.cat([| q.t().matmul(w.narrow(0L, 0L, p)); w.narrow(0L, p, 1L) |], 0L)
        | _ -> torch.zeros([| problem.Rows; int64 problem.Columns |], dtype = torch.ScalarType.Float64, device = x.device)
    let reduced, report = lbfgs problem theta0 o.Tolerance o.MaxIterations
    problem.Dispose()
    let theta =
        match basis with
        | None -> reduced
        | Some q -> let r = q.shape[1] in torch.cat([| q.matmul(reduced.narrow(0L, 0L, r)); reduced.narrow(0L, r, 1L) |], 0L)
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
    (fitLogisticBatch o x classes [| codes |] warm)[0]

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
/// (warmStartMany) of a previous call with as many label vectors and the same classes, or None.
let fitMany (classifier: Classifier) (x: Tensor) (ys: int[][]) (warm: Tensor option) : Model[] =
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
            chunks |> Array.mapi (fun i c -> fitLogisticBatch o x classes c (warmFor i c)) |> Array.concat
        else ys |> Array.map (fun y -> fitLogistic o x y None)
    | _ -> ys |> Array.map (fun y -> fit classifier x y None)
