module FaceBrain.Tests.Fmri.TestBanded

open System
open Expecto
open TorchSharp
open FaceBrain.Core.Torch
open FaceBrain.Fmri
open FaceBrain.Analysis
open FaceBrain.Tests.Fmri
open FaceBrain.Tests.Fmri.TestRidge
open FaceBrain.Tests.TestSupport
open System.Text.Json

[<Tests>]
let tests =
    testSequenced <| testList "Fmri.Banded" [
        testCase "a mix of scaled bands equals the closed form with one penalty per band" <| fun () ->
            let dev = DeviceSpec.Cpu.Resolve()
            let a, b = randomMatrix 31 25 3, randomMatrix 32 25 2
            let y = responsesFor 33 (Matrix.hconcat [ a; b ]) 1 0.5
            let mix, alpha = [| 0.25; 0.75 |], 2.0
            use at = Matrix.toTensor dev a
            use bt = Matrix.toTensor dev b
            use x = Banded.mixFeatures [| at; bt |] mix
            use yt = Matrix.toTensor dev y
            use alphas = torch.full (1L, alpha, dtype = torch.float64)
            use fit = Ridge.fitWith None x yt alphas
            let scaledW = (Matrix.ofTensor fit.Weights).Data
            // back to the original units: w_b = w'_b * sqrt(m_b)
            let w = Array.init 5 (fun j -> scaledW[j] * sqrt (if j < 3 then mix[0] else mix[1]))
            let penalties = Array.init 5 (fun j -> alpha / (if j < 3 then mix[0] else mix[1]))
            closeArrays 1e-9 w (Oracle.fitPenalised (rowsOf (Matrix.hconcat [ a; b ])) (Matrix.column y 0) penalties) "banded weights"

        testCase "mixes: corners, centre, seeded simplex samples" <| fun () ->
            let m = Banded.mixes 3 8 1
            Expect.equal m.Length 8 "count"
            Expect.equal m[0] [| 1.0; 0.0; 0.0 |] "corner"
            for v in m do Expect.floatClose Accuracy.high (Array.sum v) 1.0 "on the simplex"
            Expect.equal (Banded.mixes 3 8 1) m "seeded"

        testCase "variance partitioning recovers which band drives which voxel" <| fun () ->
            let n = 120
            let a, b = randomMatrix 41 n 4, randomMatrix 42 n 4
            let rng = Random(43)
            let wa, wb = Array.init 4 (fun _ -> rng.NextDouble() - 0.5), Array.init 4 (fun _ -> rng.NextDouble() - 0.5)
            let sa = Array.init n (fun i -> Array.fold2 (fun s x w -> s + x * w) 0.0 (Array.init 4 (Matrix.get a i)) wa)
            let sb = Array.init n (fun i -> Array.fold2 (fun s x w -> s + x * w) 0.0 (Array.init 4 (Matrix.get b i)) wb)
            // voxels 0-3 from A, 4-7 from B, 8-11 from both, 12-15 nothing
            let y = Matrix.init n 16 (fun i v -> (match v / 4 with 0 -> sa[i] | 1 -> sb[i] | 2 -> sa[i] + sb[i] | _ -> 0.0) + 0.1 * (rng.NextDouble() - 0.5))
            let fit bands =
                Banded.crossValidate "t" (CrossValidation.Scheme.KFold(5, None)) (AlphaGrid.parse "--alphas" "1e-2..1e3:6") (CrossValidation.Scheme.KFold(4, None)) 5 1
                    (DeviceSpec.Cpu.Resolve()) None (fun _ -> [||]) bands y
            let joint = fit [| a; b |]
            let p = Banded.partition fit [| a; b |]
            let mean (xs: double[]) (vs: int list) = vs |> List.averageBy (fun v -> xs[v])
            Expect.isGreaterThan (mean p.Unique[0] [ 0 .. 3 ]) 0.8 "A's voxels: unique to A"
            Expect.isLessThan (abs (mean p.Unique[0] [ 4 .. 7 ])) 0.05 "B's voxels: nothing unique to A"
            Expect.isGreaterThan (mean p.Unique[1] [ 4 .. 7 ]) 0.8 "B's voxels: unique to B"
            Expect.isGreaterThan (mean p.Joint [ 8 .. 11 ]) 0.9 "both: the joint model explains them"
            Expect.isLessThan (abs (mean p.Shared.Value [ 0 .. 11 ])) 0.05 "independent bands share nothing"
            Expect.isLessThan (mean p.Joint [ 12 .. 15 ]) 0.05 "noise voxels: nothing"
            for v in 0 .. 3 do Expect.isGreaterThan (joint.Mix[v][0]) 0.5 "A's voxels weight band A"
            for v in 4 .. 7 do Expect.isGreaterThan (joint.Mix[v][1]) 0.5 "B's voxels weight band B"
    
        testCase "fmri partition prints unique and shared R2 per band; needs two feature sets" <| fun () ->
            use d = new TempDir()
            let n = 60
            let a, b = randomMatrix 61 n 3, randomMatrix 62 n 3
            let y = Matrix.init n 2 (fun i v -> (if v = 0 then Matrix.get a i 0 else Matrix.get b i 1) + 0.01 * double ((i * 7 + v) % 5))
            Matrix.writeNpy (d.File "A.npy") a
            Matrix.writeNpy (d.File "B.npy") b
            Matrix.writeNpy (d.File "R.npy") y
            let code, out, err = runCli [ "fmri"; "partition"; "--features"; d.File "A.npy"; "--features"; d.File "B.npy"; "--responses"; d.File "R.npy"; "--alphas"; "1e-2..1e2:5"; "--mixes"; "4" ]
            Expect.equal code 0 ("exit code; stderr: " + err)
            use doc = JsonDocument.Parse out
            let get (k: string) = [| for x in doc.RootElement.GetProperty(k).EnumerateArray() -> x.GetDouble() |]
            let uniqueA, uniqueB = get "r2_unique_A", get "r2_unique_B"
            Expect.isGreaterThan uniqueA[0] 0.8 "voxel 0 is A's"
            Expect.isGreaterThan uniqueB[1] 0.8 "voxel 1 is B's"
            Expect.isLessThan (abs uniqueA[1]) 0.05 "voxel 1 owes nothing to A"
            let code, _, err = runCli [ "fmri"; "partition"; "--features"; d.File "A.npy"; "--responses"; d.File "R.npy" ]
            Expect.equal code 2 "one feature set"
            Expect.stringContains err "at least two" "message"
    ]
