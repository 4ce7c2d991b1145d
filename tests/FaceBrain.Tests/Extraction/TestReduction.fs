module FaceBrain.Tests.Extraction.TestReduction

open Expecto
open TorchSharp
open FaceBrain.Extraction
open FaceBrain.Tests.TestSupport

/// [1, 2, 4, 4]: channel 0 holds 0..15 row-major, channel 1 holds 100 everywhere.
let private known () =
    let values = Array.append [| for i in 0 .. 15 -> float32 i |] (Array.create 16 100.f)
    torch.tensor(values).reshape(1L, 2L, 4L, 4L)

let private rowOf (t: torch.Tensor) = t.data<float32>().ToArray()

[<Tests>]
let tests =
    testList "Reduction" [
        testCase "none flattens channel-major" <| fun () ->
            use x = known ()
            use r = (Reduction.Parse("none", 0L)).Apply x
            Expect.equal (r.shape) [| 1L; 32L |] "shape"
            Expect.equal (rowOf r).[0 .. 3] [| 0.f; 1.f; 2.f; 3.f |] "first values"

        testCase "gap averages each channel over space" <| fun () ->
            use x = known ()
            use r = (Reduction.Parse("gap", 0L)).Apply x
            Expect.equal (rowOf r) [| 7.5f; 100.f |] "means by hand: (0+...+15)/16 = 7.5"

        testCase "gap leaves a layer without spatial axes unchanged" <| fun () ->
            use x = torch.tensor([| 1.f; 2.f; 3.f |]).reshape(1L, 3L)
            use r = (Reduction.Parse("gap", 0L)).Apply x
            Expect.equal (rowOf r) [| 1.f; 2.f; 3.f |] "fc output"

        testCase "grid:2 averages 2x2 cells" <| fun () ->
            use x = known ()
            use r = (Reduction.Parse("grid:2", 0L)).Apply x
            // channel 0 cells: top-left {0,1,4,5} -> 2.5, top-right {2,3,6,7} -> 4.5, bottom-left 10.5, bottom-right 12.5
            Expect.equal (rowOf r) [| 2.5f; 4.5f; 10.5f; 12.5f; 100.f; 100.f; 100.f; 100.f |] "cells by hand"

        testCase "grid larger than the map, and grid on a vector, are refused" <| fun () ->
            expectInputError [ "grid:8"; "layer4"; "4×4" ] (fun () -> (Reduction.Parse("grid:8", 0L)).OutputFeatures("layer4", [| 2L; 4L; 4L |]))
            expectInputError [ "grid:2"; "fc"; "no 2-D map" ] (fun () -> (Reduction.Parse("grid:2", 0L)).OutputFeatures("fc", [| 10L |]))

        testCase "unknown reductions are refused" <| fun () ->
            for bad in [ "mean"; "grid:0"; "rp:"; "pca:x" ] do
                expectInputError [ "--reduce"; bad ] (fun () -> Reduction.Parse(bad, 0L))

        testCase "rp is seeded, sparse and preserves squared norms on average" <| fun () ->
            let rp () = Reduction.Parse("rp:256", 3L) :?> Reduction.RandomProjection
            torch.manual_seed 11L |> ignore
            use x = torch.randn(64L, 4096L)
            use a = (rp ()).ApplyFor("layer3", x)
            use b = (rp ()).ApplyFor("layer3", x)
            use c = (rp ()).ApplyFor("layer4", x)
            Expect.equal (a.shape) [| 64L; 256L |] "shape"
            Expect.isTrue (a.allclose(b, 0.0, 0.0)) "same seed and layer: identical"
            Expect.isFalse (a.allclose(c, 0.0, 0.0)) "another layer draws another matrix"
            use projected = a.square().sum([| 1L |])
            use original = x.square().sum([| 1L |])
            use ratio = projected.div(original).mean()
            let r = ratio.item<float32>()
            Expect.isTrue (abs (r - 1.f) < 0.1f) (sprintf "E|Rx|^2 / |x|^2 = %f, within 10%% of 1 (Johnson-Lindenstrauss)" r)
    ]

[<Tests>]
let pcaTests =
    testList "IncrementalPca" [
        testCase "batched fit equals a full PCA (eigenvectors of the covariance)" <| fun () ->
            torch.manual_seed 4L |> ignore
            // 60 samples in 12 dimensions with three dominant directions of distinct variance.
            use basis = torch.linalg.qr(torch.randn(12L, 12L, dtype = torch.float64)) |> fun struct (q, _) -> q
            use scales = torch.tensor([| 10.0; 5.0; 2.0; 0.3; 0.3; 0.2; 0.2; 0.1; 0.1; 0.1; 0.05; 0.05 |])
            use x = torch.randn(60L, 12L, dtype = torch.float64).mul(scales).matmul(basis.t()).add(torch.tensor 3.0)
            use pca = new IncrementalPca(3)
            for b in 0 .. 5 do pca.PartialFit(x.narrow(0L, int64 (b * 10), 10L))
            pca.Finish()
            Expect.equal pca.SamplesSeen 60L "all samples"
            use centred = x.sub(x.mean([| 0L |]))
            use cov = centred.t().matmul(centred)
            let struct (evals, evecs) = torch.linalg.eigh cov
            use top = evecs.narrow(1L, 9L, 3L).flip([| 1L |]).t()   // eigh sorts ascending
            use comps = pca.ComponentsMatrix()
            use overlap = comps.matmul(top.t()).abs()
            for i in 0 .. 2 do
                Expect.floatClose Accuracy.medium (overlap.[int64 i, int64 i].item<float>()) 1.0 (sprintf "component %d matches up to sign" i)
            use sv = pca.SingularValues()
            Expect.floatClose Accuracy.medium (sv.[0L].item<float>() ** 2.0) (evals.[11L].item<float>()) "explained variance"

        testCase "transform centres and projects; too few fit images is an error" <| fun () ->
            use x = torch.tensor([| 1.0; 2.0; 3.0; 5.0; 5.0; 9.0 |]).reshape(3L, 2L)
            use pca = new IncrementalPca(1)
            pca.PartialFit x
            pca.Finish()
            use z = pca.Transform x
            Expect.floatClose Accuracy.medium (z.sum().item<float32>() |> float) 0.0 "scores of the fit set are centred"
            use pca5 = new IncrementalPca(5)
            pca5.PartialFit x
            expectInputError [ "pca:5"; "only 3 images" ] (fun () -> pca5.Finish())
    ]
