module FaceBrain.Tests.Fmri.TestRidge

open System
open Expecto
open TorchSharp
open FaceBrain.Core.Torch
open FaceBrain.Fmri
open FaceBrain.Analysis
open FaceBrain.Tests.Fmri

let cpu () = DeviceSpec.Cpu.Resolve()

let randomMatrix (seed: int) rows cols =
    let rng = Random(seed)
    Matrix.init rows cols (fun _ _ -> rng.NextDouble() * 2.0 - 1.0)

let rowsOf (m: Matrix) = Array.init m.Rows (fun i -> Array.init m.Cols (fun j -> Matrix.get m i j))

/// Responses with some signal from the features plus noise, so the alphas matter.
let responsesFor (seed: int) (x: Matrix) voxels noise =
    let rng = Random(seed)
    let w = Array.init (x.Cols * voxels) (fun _ -> rng.NextDouble() - 0.5)
    Matrix.init x.Rows voxels (fun i v ->
        let s = Seq.sum (seq { for j in 0 .. x.Cols - 1 -> Matrix.get x i j * w[j * voxels + v] })
        s + 3.0 + noise * (rng.NextDouble() * 2.0 - 1.0))

let closeArrays (tol: float) (actual: double[]) (expected: double[]) msg =
    Expect.equal actual.Length expected.Length (msg + ": length")
    Array.iteri2 (fun i a e ->
        if abs (a - e) > tol * (1.0 + abs e) then failtestf "%s[%d]: %.12g vs %.12g" msg i a e) actual expected

let closedFormCase rows cols (alpha: double) expectedForm =
    let dev = cpu ()
    let xm = randomMatrix 1 rows cols
    let ym = responsesFor 2 xm 3 0.5
    use x = Matrix.toTensor dev xm
    use y = Matrix.toTensor dev ym
    use alphas = torch.full (3L, alpha, dtype = torch.float64)
    use fit = Ridge.fitWith None x y alphas
    Expect.equal (Ridge.formFor (int64 rows) (int64 cols)) expectedForm "form chosen by shape"
    let w = Matrix.ofTensor fit.Weights
    let b = Matrix.ofTensor fit.Intercept
    for v in 0 .. 2 do
        let ow, ob = Oracle.fit (rowsOf xm) (Matrix.column ym v) alpha
        closeArrays 1e-8 (Matrix.column w v) ow (sprintf "weights of voxel %d" v)
        closeArrays 1e-8 [| Matrix.get b 0 v |] [| ob |] (sprintf "intercept of voxel %d" v)

/// One fold's alpha search as `Ridge.gridSse` prepares it.
let foldSearch (x: torch.Tensor) (f: CrossValidation.Fold) (grid: double[]) =
    use s = Ridge.spectrum (x.index_select(0L, torch.tensor (Array.map int64 f.Train)))
    use left = Ridge.project s (x.index_select(0L, torch.tensor (Array.map int64 f.Test)))
    use gridT = torch.tensor (grid, dtype = torch.float64)
    Ridge.gridSearch s left gridT

/// Every entry of a grid x voxels SSE matrix within 1e-5 (relative) of the oracle's summed held-out error.
let expectOracleSse (xm: Matrix) (ym: Matrix) (folds: CrossValidation.Fold[]) (grid: double[]) (sse: torch.Tensor) =
    let oracleFolds = folds |> Array.map (fun f -> f.Train, f.Test)
    let xs = rowsOf xm
    for v in 0 .. ym.Cols - 1 do
        grid |> Array.iteri (fun a alpha ->
            let expected = Oracle.foldSse xs (Matrix.column ym v) oracleFolds alpha
            let actual = sse[int64 a, int64 v].item<double>()
            if abs (actual - expected) > 1e-5 * expected then
                failtestf "voxel %d, alpha %g: %.9g vs oracle %.9g" v alpha actual expected)

[<Tests>]
let tests =
    testSequenced <| testList "Fmri.Ridge" [
        testCase "hand-worked 1-feature case: w = Σxy / (Σx² + α), intercept unpenalised" <| fun () ->
            // x = 0,1,2 and y = 10,11,12: centred both are -1,0,1, so w = 2 / (2 + α); α = 2 gives 0.5
            // and the intercept 11 - 1 * 0.5 = 10.5 (an intercept that were penalised would shrink).
            let dev = cpu ()
            use x = Matrix.toTensor dev (Matrix.make 3 1 [| 0.0; 1.0; 2.0 |])
            use y = Matrix.toTensor dev (Matrix.make 3 1 [| 10.0; 11.0; 12.0 |])
            use a = torch.full (1L, 2.0, dtype = torch.float64)
            use fit = Ridge.fitWith None x y a
            closeArrays 1e-12 (Matrix.ofTensor fit.Weights).Data [| 0.5 |] "w"
            closeArrays 1e-12 (Matrix.ofTensor fit.Intercept).Data [| 10.5 |] "intercept"

        testCase "primal solution (n > p) equals the closed form" <| fun () -> closedFormCase 30 5 3.0 Ridge.Form.Primal
        testCase "dual solution (n < p) equals the closed form" <| fun () -> closedFormCase 8 20 0.7 Ridge.Form.Dual
        testCase "dual with a tiny alpha (n < p, nearly interpolating) equals the closed form" <| fun () ->
            closedFormCase 6 15 1e-2 Ridge.Form.Dual

        testCase "batched fits equal one big batch" <| fun () ->
            let dev = cpu ()
            let xm = randomMatrix 3 20 6
            let ym = responsesFor 4 xm 7 1.0
            use x = Matrix.toTensor dev xm
            use y = Matrix.toTensor dev ym
            use a = torch.tensor ([| 0.1; 1.0; 10.0; 100.0; 0.5; 3.0; 7.0 |], dtype = torch.float64)
            use whole = Ridge.fitWith None x y a
            use batched = Ridge.fitWith (Some 2) x y a
            closeArrays 1e-12 (Matrix.ofTensor batched.Weights).Data (Matrix.ofTensor whole.Weights).Data "weights"

        testCase "per-voxel alphas equal a naive grid search over the same folds" <| fun () ->
            let dev = cpu ()
            for rows, cols in [ 40, 6; 12, 30 ] do
                let xm = randomMatrix 5 rows cols
                // voxels from clean to pure noise, so different alphas win
                let ym =
                    Matrix.hconcat [ responsesFor 6 xm 2 0.05; responsesFor 7 xm 2 2.0; randomMatrix 8 rows 2 ]
                let grid = AlphaGrid.parse "--alphas" "1e-2..1e4:13"
                let folds = Folds.make "test" (CrossValidation.Scheme.KFold(4, None)) rows (fun _ -> [||])
                use x = Matrix.toTensor dev xm
                use y = Matrix.toTensor dev ym
                use chosen = Ridge.selectAlphas (Some 3) x y folds grid
                let actual = chosen.data<double>().ToArray()
                let expected =
                    Array.init ym.Cols (fun v ->
                        Oracle.selectAlpha (rowsOf xm) (Matrix.column ym v) (folds |> Array.map (fun f -> f.Train, f.Test)) grid)
                closeArrays 1e-12 actual expected (sprintf "alphas (%d x %d)" rows cols)
                Expect.isGreaterThan (Array.max actual) (Array.min actual) "the grid search is not degenerate"

        testCase "the alpha search's summed squared errors equal the oracle's through the low-rank alpha factorisation" <| fun () ->
            // A power-law spectrum (column j scaled by j^-1.5), as network features have, and the default
            // 25-alpha grid; r = 16 spectral components < 25 alphas, so the mixed path is the one checked.
            let dev = cpu ()
            let rows, cols = 48, 16
            let raw = randomMatrix 21 rows cols
            let xm = Matrix.init rows cols (fun i j -> Matrix.get raw i j * float (j + 1) ** -1.5)
            let ym = Matrix.hconcat [ responsesFor 22 xm 3 0.05; responsesFor 23 xm 2 1.0; randomMatrix 24 rows 2 ]
            let grid = AlphaGrid.parse "--alphas" "1e-2..1e6:25"
            let folds = Folds.make "test" (CrossValidation.Scheme.KFold(4, None)) rows (fun _ -> [||])
            use x = Matrix.toTensor dev xm
            use y = Matrix.toTensor dev ym
            for f in folds do
                use g = foldSearch x f grid
                Expect.isLessThan g.Components g.Alphas "fewer components than alphas"
                Expect.isSome g.Mix "mixed from the components"
            use sse = Ridge.gridSse (Some 3) x y folds grid
            expectOracleSse xm ym folds grid sse

        testCase "a grid with as many components as alphas searches the stacked predictions unmixed" <| fun () ->
            // Column scales from 1e2 to 1e-2 (eigenvalues over eight decades) and three alphas inside that range:
            // each alpha shrinks a different set of components, so no singular value is negligible.
            let dev = cpu ()
            let raw = randomMatrix 25 30 8
            let xm = Matrix.init 30 8 (fun i j -> Matrix.get raw i j * 10.0 ** (2.0 - 4.0 * float j / 7.0))
            let ym = responsesFor 26 xm 2 0.5
            let grid = [| 1e-2; 1.0; 1e2 |]
            let folds = Folds.make "test" (CrossValidation.Scheme.KFold(3, None)) 30 (fun _ -> [||])
            use x = Matrix.toTensor dev xm
            use y = Matrix.toTensor dev ym
            use g = foldSearch x folds[0] grid
            Expect.equal g.Components g.Alphas "one component per alpha"
            Expect.isNone g.Mix "no mixing"
            use sse = Ridge.gridSse None x y folds grid
            expectOracleSse xm ym folds grid sse

        testCase "encoding with a fixed alpha: pooled out-of-fold r and R² equal the naive oracle" <| fun () ->
            let xm = randomMatrix 9 23 4
            let ym = responsesFor 10 xm 3 1.0
            let options =
                { Encoding.Options.Cv = CrossValidation.Scheme.KFold(5, None)
                  Encoding.Options.Alpha = Encoding.AlphaSpec.Fixed 2.5
                  Encoding.Options.Device = cpu ()
                  Encoding.Options.BatchVoxels = Some 2 }
            let result = Encoding.crossValidate "test" options (fun _ -> [||]) xm ym
            let folds = Folds.make "test" (CrossValidation.Scheme.KFold(5, None)) 23 (fun _ -> [||])
            let xs = rowsOf xm
            for v in 0 .. 2 do
                let y = Matrix.column ym v
                let pooled = Array.zeroCreate 23
                for f in folds do
                    let model = Oracle.fit (f.Train |> Array.map (fun i -> xs[i])) (f.Train |> Array.map (fun i -> y[i])) 2.5
                    Array.iter2 (fun i p -> pooled[i] <- p) f.Test (Oracle.predict model (f.Test |> Array.map (fun i -> xs[i])))
                closeArrays 1e-9 (Matrix.column result.Predictions v) pooled "pooled predictions"
                closeArrays 1e-9 [| result.R[v] |] [| Oracle.pearson y pooled |] "r"
                closeArrays 1e-9 [| result.R2[v] |] [| Oracle.r2 y pooled |] "r2"
            Expect.isNone result.Alphas "no alphas with a fixed alpha"

        testCase "encoding with per-voxel alphas reports one alpha per voxel from the grid" <| fun () ->
            let xm = randomMatrix 11 30 5
            let ym = Matrix.hconcat [ responsesFor 12 xm 2 0.1; randomMatrix 13 30 1 ]
            let grid = AlphaGrid.parse "--alphas" "1e-2..1e6:25"
            let options =
                { Encoding.Options.Cv = CrossValidation.Scheme.KFold(3, None)
                  Encoding.Options.Alpha = Encoding.AlphaSpec.PerVoxel(grid, CrossValidation.Scheme.KFold(4, None))
                  Encoding.Options.Device = cpu ()
                  Encoding.Options.BatchVoxels = None }
            let result = Encoding.crossValidate "test" options (fun _ -> [||]) xm ym
            let alphas = result.Alphas.Value
            Expect.equal alphas.Length 3 "one per voxel"
            for a in alphas do Expect.isTrue (grid |> Array.exists (fun g -> abs (g - a) < 1e-9 * g)) "from the grid"
            // the oracle's choice on all rows with the same inner folds
            let folds = Folds.make "test" (CrossValidation.Scheme.KFold(4, None)) 30 (fun _ -> [||]) |> Array.map (fun f -> f.Train, f.Test)
            closeArrays 1e-12 alphas (Array.init 3 (fun v -> Oracle.selectAlpha (rowsOf xm) (Matrix.column ym v) folds grid)) "final alphas"
            Expect.equal result.FoldAlphas.Value.Length 3 "alphas per outer fold"
            Expect.isGreaterThan result.R[0] 0.9 "a clean voxel is predicted"
    ]
