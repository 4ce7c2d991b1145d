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

/// A symmetric preconditioner P (θ = P v): none, dense with its inverse, or diagonal. Apply and Inverse
/// always return a new tensor (an alias for none), which the caller owns.
type private Precond =
    | NoPrecond
    | Dense of p: Tensor * inverse: Tensor
    | Diagonal of scale: Tensor
    member this.Apply(x: Tensor) = match this with NoPrecond -> x.alias() | Dense(p, _) -> p.matmul(x) | Diagonal s -> x * s
    member this.Inverse(x: Tensor) = match this with NoPrecond -> x.alias() | Dense(_, pi) -> pi.matmul(x) | Diagonal s -> x / s
    member this.Dispose() = match this with NoPrecond -> () | Dense(p, pi) -> p.Dispose(); pi.Dispose() | Diagonal s -> s.Dispose()

/// The objective and its gradient, both divided by C·n: f = mean log-loss + ‖W‖²/(2Cn).
/// θ is [(p+1), m] (last row the intercept); m = k for multinomial, 1 for binomial (class 0's logit fixed at 0).
type private LogisticProblem(xa: Tensor, y: Tensor, k: int, c: float, basis: Tensor option) =
    let n = float xa.shape[0]
    let binary = k = 2
    let mask =
        let m = Array.create (int xa.shape[1]) 1.0
        m[m.Length - 1] <- 0.0
        matrix xa.device m.Length 1 m
    let onehot = torch.nn.functional.one_hot(y, int64 k).to_type(torch.ScalarType.Float64)
    // Preconditioner: the solver works on v with θ = P v, P = H^(-1/2), H = XᵀDX/n + penalty an approximation of
    // the objective's Hessian at the current θ (D: each row's softmax curvature). The optimum θ is the same (a
    // change of variables, not of the objective). Easy fits converge unpreconditioned within 50 iterations and
    // never pay for it; a fit still running then gets P, rebuilt every 50 iterations (see lbfgs). On correlated,
    // unscaled network features plain L-BFGS needed thousands of iterations; with P, about a hundred. Above 2,048
    // columns only diag(H) is used.
    let build (curvature: Tensor) =
        use s = torch.NewDisposeScope()
        if xa.shape[1] <= 2048L then
            let h = xa.t().matmul(xa * curvature) / sc n + torch.diag(mask.squeeze(1L)) / sc (c * n)
            let struct (lam, q) = torch.linalg.eigh(h)
            let lam = lam.clamp_min(sc (1e-12 * item (lam.max ())))
            // Q·diag(λ^∓½)·Qᵀ with the diagonal applied by broadcasting (one GEMM each, not two).
            let pm = (q * lam.rsqrt().unsqueeze(0L)).matmul(q.t())
            let pinv = (q * lam.sqrt().unsqueeze(0L)).matmul(q.t())
            Dense(s.MoveToOuter(pm), s.MoveToOuter(pinv))
        else
            let h = (xa * xa * curvature).mean([| 0L |]).unsqueeze(1L) + mask / sc (c * n)
            Diagonal(s.MoveToOuter(h.rsqrt()))
    let mutable pre = NoPrecond
    member _.Columns = if binary then 1 else k
    member _.Rows = xa.shape[1]
    /// θ → the solver's variables v, and back.
    member _.ToSolver(theta: Tensor) = pre.Inverse theta
    member _.FromSolver(v: Tensor) = pre.Apply v
    /// max |∂f/∂θ| from the solver's gradient ∂f/∂v = Pᵀ∂f/∂θ (convergence is judged on θ, as scikit-learn does).
    /// With a basis Q (the fit runs on X·Q, see fitLogistic) the weights' gradient is lifted back to Q·∂f/∂B, so the
    /// stopping rule means the same as without.
    member _.ThetaGradientMax(gv: Tensor) =
        use scope = torch.NewDisposeScope()
        let g = pre.Inverse gv
        let full =
            match basis with
            | None -> g
            | Some q -> let r = q.shape[1] in torch.cat([| q.matmul(g.narrow(0L, 0L, r)); g.narrow(0L, r, 1L) |], 0L)
        item (full.abs().max ())
    /// (f, ∂f/∂v) at v; the returned gradient tensor belongs to the caller.
    member _.Evaluate(v: Tensor) : float * Tensor =
        use scope = torch.NewDisposeScope()
        let theta = pre.Apply v
        let z = xa.matmul(theta)
        let zfull = if binary then torch.cat([| torch.zeros_like(z); z |], 1L) else z
        let lse = zfull.logsumexp(1L, keepdim = true)
        let logp = zfull - lse
        let loss = -(item ((logp * onehot).sum ())) / n
        let wt = theta * mask
        let f = loss + item ((wt * wt).sum ()) / (2.0 * c * n)
        let resid = logp.exp() - onehot
        let r = if binary then resid.narrow(1L, 1L, 1L) else resid
        let g = xa.t().matmul(r) / sc n + wt / sc (c * n)
        f, scope.MoveToOuter(pre.Apply g)
    /// Rebuilds P from the rows' curvature at θ (the mean over classes of p(1 − p), floored so that a row never
    /// drops out entirely).
    member _.Refresh(theta: Tensor) =
        let curvature =
            use scope = torch.NewDisposeScope()
            let z = xa.matmul(theta)
            let zfull = if binary then torch.cat([| torch.zeros_like(z); z |], 1L) else z
            let prob = torch.nn.functional.softmax(zfull, 1L)
            let d = (prob * (sc 1.0 - prob)).sum([| 1L |], keepdim = true) / sc (if binary then 1.0 else float k)
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
    let yt = torch.tensor(Array.map int64 codes, device = x.device)
    let problem = LogisticProblem(xa, yt, k, c, None)
    let theta =
        if k = 2 then torch.cat([| m.Weights.narrow(1L, 1L, 1L); m.Bias.narrow(0L, 1L, 1L).unsqueeze(0L) |], 0L)
        else torch.cat([| m.Weights; m.Bias.unsqueeze(0L) |], 0L)
    let _, g = problem.Evaluate(problem.ToSolver theta)
    let r = problem.ThetaGradientMax g
    problem.Dispose()
    r

let private fitLogistic (o: LogisticOptions) (x: Tensor) (y: int[]) (warm: Tensor option) : Model =
    let classes, codes = localCodes y
    let k = classes.Length
    use scope = torch.NewDisposeScope()
    let n, p = x.shape[0], x.shape[1]
    // With more features than rows the optimal weights lie in the row space of X (a component outside it leaves
    // every score unchanged and only adds penalty), so the fit runs on X·Q, Q an orthonormal basis of that space,
    // and W = Q·B: the same optimum with n columns instead of p. The QR costs about 2pn² and each iteration saves
    // about 4n(p − n)k, so it is done only where it pays back within 50 iterations (few classes and p near n: not).
    let cols = if k = 2 then 1L else int64 k
    let pays = p > n && float p * float n / (2.0 * float (p - n) * float cols) < 50.0
    let basis = if pays then (let struct (q, _) = torch.linalg.qr(x.t()) in Some q) else None
    let xr = match basis with Some q -> x.matmul(q) | None -> x
    let xa = torch.cat([| xr; torch.ones([| n; 1L |], dtype = torch.ScalarType.Float64, device = x.device) |], 1L)
    let yt = torch.tensor(Array.map int64 codes, device = x.device)
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
    let w = theta.narrow(0L, 0L, p)
    let b = theta[-1L]
    let weights, bias =
        if k = 2 then torch.cat([| torch.zeros_like(w); w |], 1L), torch.cat([| torch.zeros_like(b); b |], 0L)
        else w, b
    { Weights = scope.MoveToOuter(weights.contiguous()); Bias = scope.MoveToOuter(bias.contiguous()); Classes = classes; Report = report }

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
