module FaceBrain.Tests.Analysis.TestClassifiers

open System
open Expecto
open TorchSharp
open FaceBrain.Analysis
open FaceBrain.Analysis.Tensors
open FaceBrain.Analysis.Classifiers
open FaceBrain.Tests.Analysis.AnalysisSupport

/// Class-structured data: k classes with random means in p dimensions plus unit noise.
let private blobs seed n p k (separation: float) =
    let rng = Random(seed : int)
    let means = Array.init k (fun _ -> Metrics.gaussian rng p)
    let y = Array.init n (fun i -> i % k)
    let x = Array.init (n * p) (fun idx -> let i, j = idx / p, idx % p in separation * means[y[i]][j])
    let noise = Metrics.gaussian rng (n * p)
    Array.map2 (+) x noise, y

/// The logistic objective written out in plain F# (independent of the tensor code):
/// C·Σ (log Σ_k exp z_ik − z_i,y_i) + ½‖W‖², z = x·W + b.
let private objective (c: float) (x: float[]) (n: int) (p: int) (y: int[]) (w: float[]) (b: float[]) (k: int) =
    let mutable loss = 0.0
    for i in 0 .. n - 1 do
        let z = Array.init k (fun cl -> b[cl] + Seq.sum (seq { for j in 0 .. p - 1 -> x[i * p + j] * w[j * k + cl] }))
        let m = Array.max z
        let lse = m + log (z |> Array.sumBy (fun v -> exp (v - m)))
        loss <- loss + lse - z[y[i]]
    c * loss + 0.5 * (w |> Array.sumBy (fun v -> v * v))

let private checkOptimal (c: float) n p k sep seed =
    let x, y = blobs seed n p k sep
    use xt = matrix cpu.Value n p x
    use m = fit (Classifier.Logistic { defaultLogistic with C = c; Tolerance = 1e-9 }) xt y None
    Expect.isTrue m.Report.Converged "converged"
    Expect.isLessThan (logisticGradient c xt y m) 1e-8 "scaled gradient ≈ 0 at the solution"
    let w, b = toArray m.Weights, toArray m.Bias
    let f0 = objective c x n p y w b k
    // Independent check: the plain objective's directional derivatives vanish and nudges do not lower it.
    let rng = Random(seed + 99)
    for _ in 1 .. 5 do
        let dw = Metrics.gaussian rng w.Length
        let db = Metrics.gaussian rng b.Length
        if k = 2 then (for j in 0 .. p - 1 do dw[j * k] <- 0.0); db[0] <- 0.0   // class 0 fixed in the binomial form
        let at (e: float) = objective c x n p y (Array.map2 (fun a d -> a + e * d) w dw) (Array.map2 (fun a d -> a + e * d) b db) k
        let eps = 1e-4
        let deriv = (at eps - at -eps) / (2.0 * eps)
        Expect.isLessThan (abs deriv) (1e-5 * c * float n) "directional derivative ≈ 0"
        Expect.isGreaterThanOrEqual (at 1e-2) (f0 - 1e-9) "a step away does not lower the objective"

[<Tests>]
let tests =
    testSequenced <| testList "Analysis.Classifiers" [
        testCase "multinomial logistic: the optimum (n > p, three classes)" <| fun () -> checkOptimal 1.0 60 5 3 1.0 1
        testCase "multinomial logistic: the optimum on separable data with p > n" <| fun () -> checkOptimal 0.5 24 40 4 2.0 2
        testCase "binomial logistic: the optimum (two classes)" <| fun () -> checkOptimal 2.0 40 6 2 1.0 3

        testCase "logistic on badly scaled, correlated features (like network layers) converges in few iterations" <| fun () ->
            // Columns mixed and rescaled over five orders of magnitude: the Hessian is badly conditioned, which
            // took the unpreconditioned L-BFGS thousands of iterations on real layers.
            let n, p, k = 150, 30, 5
            let x0, y = blobs 11 n p k 1.5
            let rng = Random 12
            let mix = Array.init (p * p) (fun _ -> rng.NextDouble() - 0.5)
            let scale = Array.init p (fun j -> 10.0 ** (float (j % 6) - 2.0))
            let x = Array.init (n * p) (fun idx ->
                let i, j = idx / p, idx % p
                scale[j] * (x0[i * p + j] + Seq.sum (seq { for l in 0 .. p - 1 -> 0.8 * mix[j * p + l] * x0[i * p + l] })))
            use xt = matrix cpu.Value n p x
            use m = fit (Classifier.Logistic { defaultLogistic with C = 1.0 }) xt y None
            Expect.isTrue m.Report.Converged "converged"
            Expect.isLessThan m.Report.Iterations 300 $"iterations (gradient {m.Report.GradientMax})"
            Expect.isLessThan (logisticGradient 1.0 xt y m) defaultLogistic.Tolerance "scaled gradient below the tolerance at the solution"

        testCase "two classes use one binomial coefficient vector (scikit-learn), not a symmetric softmax" <| fun () ->
            // x = -1 (class 0), +1 (class 1), C = 1: by symmetry b = 0 and w solves w = 2/(1+e^w),
            // from minimising 2·log(1+e^-w) + w²/2. (The symmetric softmax would give another w.)
            let mutable lo, hi = 0.0, 2.0
            for _ in 1 .. 100 do
                let mid = (lo + hi) / 2.0
                if mid * (1.0 + exp mid) - 2.0 > 0.0 then hi <- mid else lo <- mid
            use xt = matrix cpu.Value 2 1 [| -1.0; 1.0 |]
            use m = fit (Classifier.Logistic { defaultLogistic with Tolerance = 1e-10 }) xt [| 0; 1 |] None
            let w, b = toArray m.Weights, toArray m.Bias
            near 1e-8 (w[1] - w[0]) lo "w"
            near 1e-8 (b[1] - b[0]) 0.0 "b"

        testTheory "folds fitted together on all rows reach each fold's own optimum" [ (3, 12, 40); (2, 12, 40); (5, 60, 30) ] <| fun (k, p, n) ->
            // (5, 60, 30): p > n, so the folds run in the row space of all rows. Every fold holds every class.
            let x, y = blobs (k + p + 1) n p k 1.0
            let trains = Array.init 4 (fun f -> Array.init n id |> Array.filter (fun i -> i % 4 <> f))
            use xt = matrix cpu.Value n p x
            let o = Classifier.Logistic { defaultLogistic with Tolerance = 1e-9 }
            let together = fitFolds o xt None y trains
            trains |> Array.iteri (fun j t ->
                use xf = rows cpu.Value t xt
                let yf = t |> Array.map (fun i -> y[i])
                use alone = fit o xf yf None
                let m = together[j]
                Expect.isTrue m.Report.Converged "the joint fit converged"
                Expect.isLessThan (logisticGradient 1.0 xf yf m) 1e-8 "each fold is at its own optimum"
                Array.iter2 (fun a b -> near 1e-6 a b "weights as fitted alone") (toArray m.Weights) (toArray alone.Weights)
                Array.iter2 (fun a b -> near 1e-6 a b "bias as fitted alone") (toArray m.Bias) (toArray alone.Bias)
                Expect.equal (predict m xt) (predict alone xt) "same predictions")
            for m in together do (m :> IDisposable).Dispose()

        testTheory "label vectors fitted together reach each one's own optimum" [ (3, 12, 40); (2, 12, 40); (5, 60, 30) ] <| fun (k, p, n) ->
            // (5, 60, 30): p > n, so the batch runs in X's row space. Shuffled labels keep the classes, as permutations do.
            let x, y = blobs (k + p) n p k 1.0
            let rng = Random(k)
            let ys = Array.init 4 (fun i -> if i = 0 then y else (let v = Array.copy y in rng.Shuffle v; v))
            use xt = matrix cpu.Value n p x
            let o = Classifier.Logistic { defaultLogistic with Tolerance = 1e-9 }
            let together = fitMany o xt None ys None
            for j in 0 .. ys.Length - 1 do
                use alone = fit o xt ys[j] None
                let m = together[j]
                Expect.isTrue m.Report.Converged "the joint fit converged"
                Expect.isLessThan (logisticGradient 1.0 xt ys[j] m) 1e-8 "each block is at its own optimum"
                Array.iter2 (fun a b -> near 1e-6 a b "weights as fitted alone") (toArray m.Weights) (toArray alone.Weights)
                Array.iter2 (fun a b -> near 1e-6 a b "bias as fitted alone") (toArray m.Bias) (toArray alone.Bias)
                Expect.equal (predict m xt) (predict alone xt) "same predictions"
            for m in together do (m :> IDisposable).Dispose()

        testCase "a hopeless iteration budget is reported as not converged" <| fun () ->
            let x, y = blobs 4 40 10 3 3.0
            use xt = matrix cpu.Value 40 10 x
            use m = fit (Classifier.Logistic { defaultLogistic with MaxIterations = 2; Tolerance = 1e-12 }) xt y None
            Expect.isFalse m.Report.Converged "not converged"
            Expect.equal m.Report.Iterations 2 "stopped at the budget"

        testTheory "Ledoit-Wolf matches scikit-learn's formula written out in loops" [ (7, 4, 5); (3, 5, 6) ] <| fun (n, p, seed) ->
            // (3, 5) takes the n < p branch (Gram of rows), which must give the same number.
            let x = gaussian seed (n * p)
            let mean = Array.init p (fun j -> Seq.average (seq { for i in 0 .. n - 1 -> x[i * p + j] }))
            let xc = Array.init (n * p) (fun idx -> x[idx] - mean[idx % p])
            let s = Array2D.init p p (fun a b -> Seq.sum (seq { for i in 0 .. n - 1 -> xc[i * p + a] * xc[i * p + b] }) / float n)
            let mu = Seq.sum (seq { for j in 0 .. p - 1 -> s[j, j] }) / float p
            let delta_ = Seq.sum (seq { for a in 0 .. p - 1 do for b in 0 .. p - 1 -> (s[a, b] * float n) ** 2.0 }) / float (n * n)
            let beta_ = Seq.sum (seq { for a in 0 .. p - 1 do for b in 0 .. p - 1 -> Seq.sum (seq { for i in 0 .. n - 1 -> xc[i * p + a] ** 2.0 * xc[i * p + b] ** 2.0 }) })
            let beta = 1.0 / float (p * n) * (beta_ / float n - delta_)
            let delta = (delta_ - 2.0 * mu * (mu * float p) + float p * mu * mu) / float p
            let expected = (min beta delta) / delta
            use xt = matrix cpu.Value n p x
            let lw = Shrinkage.ledoitWolf xt
            near 1e-12 lw.Shrinkage expected "shrinkage"
            near 1e-12 lw.Mu mu "mu"

        testCase "ridge: primal and dual solutions agree and match a 2x2 worked case" <| fun () ->
            // X = [[1,0],[0,2]] (already centred for the test), y = [1,1], alpha = 1:
            // (XᵀX + I) w = Xᵀy  ->  [[2,0],[0,5]] w = [1,2]  ->  w = [0.5, 0.4].
            use x = matrix cpu.Value 2 2 [| 1.0; 0.0; 0.0; 2.0 |]
            use y = matrix cpu.Value 2 1 [| 1.0; 1.0 |]
            use w = Ridge.solve 1.0 x y
            Expect.sequenceEqual (toArray w |> Array.map (fun v -> Math.Round(v, 12))) [| 0.5; 0.4 |] "w"
            use wide = matrix cpu.Value 3 6 (gaussian 7 18)
            use yw = matrix cpu.Value 3 2 (gaussian 8 6)
            use dual = Ridge.solve 0.7 wide yw
            // primal on the same problem: solve (XᵀX + αI) w = Xᵀy directly
            use k = wide.t().matmul(wide) + torch.eye(6L, dtype = torch.ScalarType.Float64) * sc 0.7
            use primal = torch.linalg.solve(k, wide.t().matmul(yw))
            Array.iter2 (fun a b -> near 1e-10 a b "dual = primal") (toArray dual) (toArray primal)

        testTheory "every classifier recovers well separated classes" [ "logistic"; "lda"; "ridge" ] <| fun name ->
            let c = match name with "logistic" -> Classifier.Logistic defaultLogistic | "lda" -> Classifier.Lda | _ -> Classifier.Ridge 1.0
            let x, y = blobs 9 90 8 3 3.0
            use xt = matrix cpu.Value 90 8 x
            use m = fit c xt y None
            let acc = Metrics.accuracy y (predict m xt)
            Expect.isGreaterThan acc 0.95 "training accuracy"
    ]
