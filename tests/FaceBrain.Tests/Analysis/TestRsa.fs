module FaceBrain.Tests.Analysis.TestRsa

open System
open Expecto
open MathNet.Numerics.Distributions
open FaceBrain.Analysis
open FaceBrain.Analysis.Rdm
open FaceBrain.Analysis.Comparison
open FaceBrain.Tests.TestSupport
open FaceBrain.Tests.Analysis.AnalysisSupport

let private rdmOf distance rows cols data =
    let d = datasetOf [ "c", Array.init rows string ] rows cols data
    (Rdm.compute cpu.Value d None distance).Values

let private expectValues (tol: float) (actual: float[]) (expected: float[]) =
    Expect.equal actual.Length expected.Length "length"
    Array.iteri2 (fun i a e -> near tol a e $"entry {i}") actual expected

let private rsaOpts comps perms boots : Rsa.Options =
    { Comparisons = comps; Permutations = perms; Bootstrap = boots; Confidence = 0.95; Seed = 0; Device = cpu.Value }

/// O(n²) tau-a straight from the definition, the oracle for Knight's algorithm.
let private tauBrute (a: float[]) (b: float[]) =
    let mutable s = 0.0
    for i in 0 .. a.Length - 1 do
        for j in i + 1 .. a.Length - 1 do
            s <- s + float (sign (a[i] - a[j]) * sign (b[i] - b[j]))
    s / float (a.Length * (a.Length - 1) / 2)

[<Tests>]
let tests =
    testSequenced <| testList "Analysis.Rsa" [
        testCase "euclidean and cosine RDMs worked by hand, in pdist order" <| fun () ->
            // x0 = (1,0), x1 = (0,1), x2 = (1,1)
            let x = [| 1.0; 0.0; 0.0; 1.0; 1.0; 1.0 |]
            expectValues 1e-12 (rdmOf Distance.Euclidean 3 2 x) [| sqrt 2.0; 1.0; 1.0 |]
            expectValues 1e-12 (rdmOf Distance.Cosine 3 2 x) [| 1.0; 1.0 - 1.0 / sqrt 2.0; 1.0 - 1.0 / sqrt 2.0 |]

        testCase "correlation RDM worked by hand" <| fun () ->
            // centred: (-1,0,1), (1,0,-1), (-1,1,0): r01 = -1, r02 = 1/2, r12 = -1/2
            expectValues 1e-12 (rdmOf Distance.Correlation 3 3 [| 1.0; 2.0; 3.0; 3.0; 2.0; 1.0; 1.0; 3.0; 2.0 |]) [| 2.0; 0.5; 1.5 |]

        testCase "a constant pattern is refused for correlation, a zero one for cosine" <| fun () ->
            expectInputError [ "item 1 (s1) is constant" ] (fun () -> rdmOf Distance.Correlation 2 2 [| 1.0; 2.0; 3.0; 3.0 |])
            expectInputError [ "item 0 (s0) is all zeros" ] (fun () -> rdmOf Distance.Cosine 2 2 [| 0.0; 0.0; 3.0; 3.0 |])

        testCase "averaging by a column gives condition means" <| fun () ->
            let d = datasetOf [ "cond", [| "b"; "a"; "b"; "a" |] ] 4 1 [| 1.0; 10.0; 3.0; 20.0 |]
            let r = Rdm.compute cpu.Value d (Some "cond") Distance.Euclidean
            Expect.equal r.Items [| "a"; "b" |] "conditions sorted"
            expectValues 1e-12 r.Values [| 13.0 |]

        testCase "crossnobis worked by hand: identity noise, blocks, and a diagonal noise covariance" <| fun () ->
            // fold A: c1 = (1, 0), c2 = (3, 0); fold B: c1 = (2, 1), c2 = (5, 1).
            // Σ_{a≠b} (μ1ᵃ−μ2ᵃ)·(μ1ᵇ−μ2ᵇ) = 2·((−2)(−3) + 0) = 12; / 2 ordered pairs / p = 2  ->  3.
            let d = datasetOf [ "cond", [| "c1"; "c2"; "c1"; "c2" |]; "run", [| "A"; "A"; "B"; "B" |] ] 4 2 [| 1.0; 0.0; 3.0; 0.0; 2.0; 1.0; 5.0; 1.0 |]
            let o = { FoldColumn = "run"; NoiseCovariance = None; BlockColumns = 1 }
            expectValues 1e-12 (Rdm.compute cpu.Value d (Some "cond") (Distance.Crossnobis o)).Values [| 3.0 |]
            expectValues 1e-12 (Rdm.compute cpu.Value d (Some "cond") (Distance.Crossnobis { o with BlockColumns = 4096 })).Values [| 3.0 |]
            // Σ = diag(2, 1): the first feature's term halves: 12·0.5 / 2 / 2 = 1.5
            expectValues 1e-12 (Rdm.compute cpu.Value d (Some "cond") (Distance.Crossnobis { o with NoiseCovariance = Some [| 2.0; 0.0; 0.0; 1.0 |] })).Values [| 1.5 |]
            expectInputError [ "crossnobis needs --average-by" ] (fun () -> Rdm.compute cpu.Value d None (Distance.Crossnobis o))
            let d1 = datasetOf [ "cond", [| "c1"; "c2" |]; "run", [| "A"; "A" |] ] 2 1 [| 1.0; 2.0 |]
            expectInputError [ "one value"; "two independent folds" ] (fun () -> Rdm.compute cpu.Value d1 (Some "cond") (Distance.Crossnobis o))

        testCase "crossnobis equals its definition on 3 folds with unequal repeats, blocked and with a noise covariance" <| fun () ->
            // 4 conditions x 3 folds, 1-2 repeats per cell, 5 features; the oracle averages the ordered fold
            // pairs of (μiᵃ − μjᵃ)ᵀ Σ⁻¹ (μiᵇ − μjᵇ) directly.
            let rng = Random(7)
            let cells = [ for f in 0 .. 2 do for c in 0 .. 3 do for _ in 0 .. (f + c) % 2 -> c, f ]
            let n, p = cells.Length, 5
            let x = Array.init (n * p) (fun _ -> rng.NextDouble() * 2.0 - 1.0)
            let d = datasetOf [ "cond", cells |> List.map (fst >> sprintf "c%d") |> List.toArray; "run", cells |> List.map (snd >> sprintf "r%d") |> List.toArray ] n p x
            let mean c f =
                let rows = cells |> List.indexed |> List.filter (fun (_, cell) -> cell = (c, f)) |> List.map fst
                Array.init p (fun j -> rows |> List.averageBy (fun r -> x[r * p + j]))
            let sigma = Array.init (p * p) (fun k -> let i, j = k / p, k % p in if i = j then 2.0 + float i else 0.3 / float (1 + abs (i - j)))
            let sigmaInv = MathNet.Numerics.LinearAlgebra.Double.DenseMatrix.OfRowArrays(Array.init p (fun i -> sigma[i * p .. i * p + p - 1])).Inverse()
            let oracle (inv: MathNet.Numerics.LinearAlgebra.Matrix<float> option) =
                [| for i in 0 .. 3 do
                     for j in i + 1 .. 3 ->
                         let terms =
                             [ for a in 0 .. 2 do
                                 for b in 0 .. 2 do
                                     if a <> b then
                                         let da = MathNet.Numerics.LinearAlgebra.Double.DenseVector.OfArray(Array.map2 (-) (mean i a) (mean j a))
                                         let db = MathNet.Numerics.LinearAlgebra.Double.DenseVector.OfArray(Array.map2 (-) (mean i b) (mean j b))
                                         yield (match inv with Some m -> (m * db).DotProduct(da) | None -> da.DotProduct(db)) ]
                         List.average terms / float p |]
            let o = { FoldColumn = "run"; NoiseCovariance = None; BlockColumns = 2 }
            expectValues 1e-12 (Rdm.compute cpu.Value d (Some "cond") (Distance.Crossnobis o)).Values (oracle None)
            expectValues 1e-12 (Rdm.compute cpu.Value d (Some "cond") (Distance.Crossnobis { o with NoiseCovariance = Some sigma })).Values (oracle (Some sigmaInv))

        testCase "crossnobis is unbiased: pure noise gives distances around zero, euclidean does not" <| fun () ->
            let conds, runs, p = 6, 4, 50
            let n = conds * runs
            let d = datasetOf [ "cond", Array.init n (fun i -> $"c{i % conds}"); "run", Array.init n (fun i -> $"r{i / conds}") ] n p (gaussian 11 (n * p))
            let cn = (Rdm.compute cpu.Value d (Some "cond") (Distance.Crossnobis { FoldColumn = "run"; NoiseCovariance = None; BlockColumns = 16 })).Values
            near 0.1 (Array.average cn) 0.0 "mean crossnobis on noise"
            Expect.isGreaterThan (Array.average (Rdm.compute cpu.Value d (Some "cond") Distance.Euclidean).Values) 1.0 "euclidean is biased upwards"

        testCase "comparisons worked by hand, ties included" <| fun () ->
            let a, b = [| 1.0; 2.0; 3.0; 4.0 |], [| 1.0; 3.0; 2.0; 4.0 |]
            near 1e-12 (Metrics.pearson a b) 0.8 "pearson"
            near 1e-12 (Metrics.spearman a b) 0.8 "spearman"
            near 1e-12 (kendallTauA a b) (4.0 / 6.0) "tau-a"
            let a, b = [| 1.0; 1.0; 2.0; 3.0 |], [| 1.0; 2.0; 2.0; 3.0 |]
            Expect.equal (Metrics.rank a) [| 1.5; 1.5; 3.0; 4.0 |] "average ranks"
            near 1e-12 (Metrics.spearman a b) (3.75 / 4.5) "spearman with ties"
            near 1e-12 (kendallTauA a b) (4.0 / 6.0) "tau-a with ties: tied pairs count as neither"

        testCase "Knight's tau-a equals the O(n²) definition on data with many ties" <| fun () ->
            let rng = Random 4
            for _ in 1 .. 20 do
                let n = 2 + rng.Next 60
                let a = Array.init n (fun _ -> float (rng.Next 5))
                let b = Array.init n (fun _ -> float (rng.Next 4))
                near 1e-12 (kendallTauA a b) (tauBrute a b) "tau-a"

        testCase "linear CKA: known answers" <| fun () ->
            use x = Tensors.matrix cpu.Value 3 1 [| 1.0; 2.0; 3.0 |]
            use y = Tensors.matrix cpu.Value 3 1 [| 1.0; 3.0; 2.0 |]
            near 1e-12 (Cka.linear x y) 0.25 "one feature each: CKA = r² = 0.5²"
            use y2 = Tensors.matrix cpu.Value 3 2 [| 3.0; -1.0; 5.0; -2.0; 7.0; -3.0 |]
            near 1e-12 (Cka.linear x y2) 1.0 "a linear map of x (invariant to scale and translation)"
            use a = Tensors.matrix cpu.Value 4 1 [| 1.0; -1.0; 0.0; 0.0 |]
            use b = Tensors.matrix cpu.Value 4 1 [| 0.0; 0.0; 1.0; -1.0 |]
            near 1e-12 (Cka.linear a b) 0.0 "orthogonal"
            // invariance to an orthogonal rotation of the features
            use r = Tensors.matrix cpu.Value 2 2 [| 0.6; -0.8; 0.8; 0.6 |]
            use z = Tensors.matrix cpu.Value 5 2 (gaussian 3 10)
            near 1e-12 (Cka.linear z (z.matmul r)) 1.0 "rotation"

        testCase "batched permutation correlations equal the direct computation" <| fun () ->
            let n = 7
            let data = gaussian 5 (condensedLength n)
            let model = Array.init (condensedLength n) (fun k -> float (k % 3))
            let r = Rsa.evaluate { Items = Array.init n string; Values = data } [ { Name = "m"; Values = model } ] (rsaOpts [ Method.Pearson; Method.Spearman ] 30 0)
            // Recompute the null by hand with the same seeded permutations.
            let rng = Random 0
            let perms = Array.init 30 (fun _ -> let p = Array.init n id in rng.Shuffle p; p)
            for res in r do
                let nulls = perms |> Array.map (fun p -> compare' res.Comparison data (Rsa.permuteModel n model p))
                near 1e-10 res.NullMean.Value (Array.average nulls) $"{res.Comparison.Name} null mean"
                near 1e-12 res.PValue.Value (Metrics.permutationP res.Value nulls) $"{res.Comparison.Name} p"

        testCase "a planted identity structure is found; null RDMs give uniform p-values" <| fun () ->
            let d = Synthetic.dataset { Synthetic.kdefLike with Identities = 5; Expressions = 3; Repeats = 1; Features = 20; IdentitySignal = 2.0; ExpressionSignal = 0.0; Seed = 8 }
            let data = Rdm.compute cpu.Value d None Distance.Correlation
            let models = [ Rsa.labelModel d None data.Items "identity"; Rsa.labelModel d None data.Items "expression" ]
            let r = Rsa.evaluate data models (rsaOpts [ Method.Spearman ] 99 200)
            let idr = r |> List.find (fun m -> m.Model = "identity")
            Expect.isGreaterThan idr.Value 0.5 "identity model fits"
            Expect.equal idr.PValue.Value 0.01 "p = 1/100"
            Expect.isTrue (idr.Interval.Value.Low > 0.0) "bootstrap interval above 0"
            // null: random data against a random label model, 19 permutations each
            let sims = 100
            let ps =
                Array.init sims (fun s ->
                    let n = 10
                    let dd = datasetOf [ "lab", Array.init n (fun i -> string (i % 3)) ] n 5 (gaussian (500 + s) (n * 5))
                    let rd = Rdm.compute cpu.Value dd None Distance.Euclidean
                    (Rsa.evaluate rd [ Rsa.labelModel dd None rd.Items "lab" ] { rsaOpts [ Method.Spearman ] 19 0 with Seed = s }).Head.PValue.Value)
            let bound = Seq.initInfinite id |> Seq.find (fun c -> Binomial.CDF(0.05, sims, float c) >= 0.999)
            Expect.isLessThanOrEqual (ps |> Array.filter (fun p -> p <= 0.05) |> Array.length) bound "false positives within the binomial bound"

        testCase "bad models: constant, a condition with two labels, a file of the wrong size" <| fun () ->
            let d = datasetOf [ "lab", [| "a"; "a"; "a" |]; "cond", [| "x"; "x"; "y" |]; "mix", [| "p"; "q"; "q" |] ] 3 2 (gaussian 1 6)
            let data = Rdm.compute cpu.Value d None Distance.Euclidean
            expectInputError [ "model 'lab'"; "constant" ] (fun () -> Rsa.evaluate data [ Rsa.labelModel d None data.Items "lab" ] (rsaOpts [ Method.Spearman ] 0 0))
            expectInputError [ "condition 'x'"; "2 values of 'mix'" ] (fun () -> Rsa.labelModel d (Some "cond") [| "x"; "y" |] "mix")
            use tmp = new TempDir()
            FaceBrain.Core.IO.Npy.Write<float>(tmp.File "m.npy", ReadOnlySpan [| 1.0; 2.0 |], 2L)
            expectInputError [ "m.npy"; "fits neither" ] (fun () -> Rsa.fileModel "m" (tmp.File "m.npy") 3)
    ]
