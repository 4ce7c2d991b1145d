module FaceBrain.Tests.Analysis.TestDisentanglement

open System
open Expecto
open TorchSharp
open FaceBrain.Analysis
open FaceBrain.Analysis.Tensors
open FaceBrain.Tests.Analysis.AnalysisSupport

/// ids × exprs × reps stimuli; identity patterns live on features [0, p/2), expression patterns on
/// [p/2, p) when `orthogonal`, else expression e reuses identity e's pattern (entangled).
let private faces (orthogonal: bool) =
    let ids, exprs, reps, p = 6, 3, 3, 24
    let rng = Random 21
    let idPat = Array.init ids (fun _ -> Array.append (Metrics.gaussian rng (p / 2)) (Array.zeroCreate (p / 2)))
    let exPat =
        if orthogonal then Array.init exprs (fun _ -> Array.append (Array.zeroCreate (p / 2)) (Metrics.gaussian rng (p / 2)))
        else Array.init exprs (fun e -> idPat[e])
    let n = ids * exprs * reps
    let identity = Array.init n (fun r -> $"id{r / (exprs * reps)}")
    let expression = Array.init n (fun r -> $"e{(r / reps) % exprs}")
    let noise = Metrics.gaussian rng (n * p)
    let x = Array.init (n * p) (fun idx ->
        let r, j = idx / p, idx % p
        2.0 * idPat[r / (exprs * reps)][j] + 2.0 * exPat[(r / reps) % exprs][j] + 0.3 * noise[idx])
    datasetOf [ "identity", identity; "expression", expression ] n p x

let private opts perms : Disentanglement.Options =
    { IdentityColumn = "identity"; ExpressionColumn = "expression"; Permutations = perms; Seed = 0
      Classifier = Classifiers.Classifier.Ridge 1.0; Device = cpu.Value }

[<Tests>]
let tests =
    testSequenced <| testList "Analysis.Disentanglement" [
        testCase "Tucker's congruence worked by hand" <| fun () ->
            near 1e-15 (Disentanglement.congruence [| 1.0; 0.0; 1.0 |] [| 1.0; 1.0; 0.0 |]) 0.5 "1 / (√2·√2)"
            near 1e-15 (Disentanglement.congruence [| 1.0; 2.0 |] [| 2.0; 4.0 |]) 1.0 "proportional"
            near 1e-15 (Disentanglement.congruence [| 1.0; 2.0 |] [| -2.0; -4.0 |]) -1.0 "opposite"
            near 1e-15 (Disentanglement.congruence [| 1.0; 0.0 |] [| 0.0; 3.0 |]) 0.0 "orthogonal"
            // unlike a correlation, no centring: (1, 2, 3) and (3, 2, 1) are far from -1
            near 1e-15 (Disentanglement.congruence [| 1.0; 2.0; 3.0 |] [| 3.0; 2.0; 1.0 |]) (10.0 / 14.0) "10 / 14"
            use a = matrix cpu.Value 2 3 [| 1.0; 0.0; 1.0; 1.0; 2.0; 3.0 |]
            use b = matrix cpu.Value 2 3 [| 1.0; 1.0; 0.0; 3.0; 2.0; 1.0 |]
            use m = Disentanglement.congruenceMatrix a b
            let v = toArray m
            near 1e-12 v[0] 0.5 "[0,0]"
            near 1e-12 v[3] (10.0 / 14.0) "[1,1]"

        testCase "Σ⁻¹ through Woodbury (p > n) equals the direct solve" <| fun () ->
            use x = matrix cpu.Value 6 10 (gaussian 31 60)
            use v = matrix cpu.Value 10 2 (gaussian 32 20)
            use viaWoodbury = Disentanglement.shrunkInverseApply x v
            use sigma = Shrinkage.shrunkCovariance x
            use direct = torch.linalg.solve(sigma, v)
            Array.iter2 (fun a b -> near 1e-8 a b "entry") (toArray viaWoodbury) (toArray direct)

        testCase "factorisation: a subspace inside scores 0, an orthogonal one 1" <| fun () ->
            use ids = matrix cpu.Value 2 3 [| 1.0; 0.0; 0.0; 0.0; 1.0; 0.0 |]
            use inside = matrix cpu.Value 1 3 [| 2.0; -1.0; 0.0 |]
            use outside = matrix cpu.Value 1 3 [| 0.0; 0.0; 5.0 |]
            use half = matrix cpu.Value 1 3 [| 1.0; 0.0; 1.0 |]
            near 1e-12 (fst (Disentanglement.factorisation ids inside)) 0.0 "inside"
            near 1e-12 (fst (Disentanglement.factorisation ids outside)) 1.0 "outside"
            near 1e-12 (fst (Disentanglement.factorisation ids half)) 0.5 "half"
            Expect.equal (snd (Disentanglement.factorisation ids half)) 2 "rank"

        testCase "planted orthogonal factors: small congruence, factorisation near 1, identity generalises" <| fun () ->
            let r = Disentanglement.analyse (faces true) (opts 0)
            Expect.equal (Array2D.length1 r.Congruence, Array2D.length2 r.Congruence) (6, 3) "identity × expression"
            Expect.isLessThan r.MeanAbsCongruence 0.15 "near-orthogonal directions"
            Expect.isGreaterThan r.Factorisation 0.95 "expression variance outside the identity subspace"
            Expect.isGreaterThan r.CrossExpressionIdentity 0.9 "identity decoders carry across expressions"

        testCase "planted entangled factors: large congruence, beyond the permutation null" <| fun () ->
            let r = Disentanglement.analyse (faces false) (opts 19)
            Expect.isGreaterThan r.MaxAbsCongruence 0.6 "expression e shares identity e's direction (orthogonal case: < 0.15 on average)"
            Expect.isLessThan r.Factorisation 0.2 "expression variance inside the identity subspace"
            Expect.isGreaterThan r.MeanAbsCongruence r.NullMeanAbs.Value "above the null"
            Expect.equal r.PValueOrthogonal.Value 1.0 "not more orthogonal than chance"
    ]
