/// The shared statistics of Analysis (Metrics): the one interval rule, Pearson in both forms, and the Gaussian
/// stream that replaced MathNet's.
module FaceBrain.Tests.Analysis.TestMetrics

open System
open Expecto
open FaceBrain.Analysis
open FaceBrain.Tests.Analysis.AnalysisSupport

[<Tests>]
let tests =
    testList "Analysis.Metrics" [
        testCase "gaussian draws MathNet's Normal.Samples stream exactly, for odd, even and large counts" <| fun () ->
            for seed in [ 0; 5; 7 ] do
                let ours, theirs = Random seed, Random seed
                for count in [ 0; 1; 2; 3; 18; 1000 ] do
                    let expected = Array.zeroCreate count
                    MathNet.Numerics.Distributions.Normal.Samples(theirs, expected, 0.0, 1.0)
                    Expect.equal (Metrics.gaussian ours count) expected (sprintf "seed %d, %d draws (the stream continues across calls)" seed count)

        testCase "the percentile interval cuts (1 - level) / 2 from each tail by NumPy's linear rule, unsorted input" <| fun () ->
            // numpy.percentile([1..11] shuffled, [5, 95]) = [1.5, 10.5]
            let ci = Metrics.percentileInterval 0.9 [| 7.0; 1.0; 11.0; 3.0; 9.0; 5.0; 2.0; 10.0; 4.0; 8.0; 6.0 |]
            near 1e-12 ci.Low 1.5 "low"
            near 1e-12 ci.High 10.5 "high"
            Expect.equal ci.Level 0.9 "level"

        testCase "Pearson of two vectors is the column rule on one column; constant columns give NaN" <| fun () ->
            let a, b = gaussian 3 50, gaussian 4 50
            let ma, mb = Array.average a, Array.average b
            let expected =
                Array.fold2 (fun s x y -> s + (x - ma) * (y - mb)) 0.0 a b
                / sqrt (Array.sumBy (fun x -> (x - ma) ** 2.0) a * Array.sumBy (fun y -> (y - mb) ** 2.0) b)
            near 1e-12 (Metrics.pearson a b) expected "two vectors, by hand"
            use x = Tensors.matrix cpu.Value 50 2 (Array.init 100 (fun k -> if k % 2 = 0 then a[k / 2] else 1.0))
            use y = Tensors.matrix cpu.Value 50 2 (Array.init 100 (fun k -> if k % 2 = 0 then b[k / 2] else b[k / 2]))
            let r = Metrics.pearsonColumns x y
            near 1e-12 r[0] expected "first column"
            Expect.isTrue (Double.IsNaN r[1]) "a constant column has no correlation"
    ]
