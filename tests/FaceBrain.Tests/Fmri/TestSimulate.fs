module FaceBrain.Tests.Fmri.TestSimulate

open System
open System.IO
open System.Text.Json
open Expecto
open FaceBrain.Core.IO
open FaceBrain.Core.Torch
open FaceBrain.Fmri
open FaceBrain.Analysis
open FaceBrain.Tests.TestSupport
open FaceBrain.Tests.Fmri.TestEncodeCli

/// A manifest in the activation-store contract for float64 layers of 48 x 12 (what the tests here write).
let writeManifest (dir: string) (layers: string list) (complete: bool) =
    let entries =
        layers |> List.map (fun l -> sprintf "{\"name\": \"%s\", \"file\": \"layers/%s.npy\", \"reduction\": \"none\", \"shape\": [48, 12], \"dtype\": \"float64\"}" l l)
    File.WriteAllText(Path.Combine(dir, "manifest.json"),
        sprintf "{\"format\": \"facebrain-activations\", \"format_version\": 1, \"complete\": %b, \"n_stimuli\": 48, \"layers\": [%s]}" complete (String.concat ", " entries))

/// A tiny activation store: 8 identities x 6 expressions; `id_layer` carries identity only and
/// `ex_layer` expression only (random codes of the labels plus a little noise).
let makeStore (dir: string) =
    let rng = Random(5)
    let nId, nEx = 8, 6
    let n = nId * nEx
    let idCode = Array.init nId (fun _ -> Array.init 12 (fun _ -> rng.NextDouble() - 0.5))
    let exCode = Array.init nEx (fun _ -> Array.init 12 (fun _ -> rng.NextDouble() - 0.5))
    Directory.CreateDirectory(Path.Combine(dir, "layers")) |> ignore
    File.WriteAllText(Path.Combine(dir, "stimuli.tsv"),
        "stimulus_id\tidentity\texpression\n" + String.concat "" [ for i in 0 .. n - 1 -> sprintf "f%02d\tid%d\tex%d\n" i (i % nId) (i / nId) ])
    let layer (code: double[][]) (label: int -> int) =
        Matrix.init n 12 (fun i j -> code[label i][j] + 0.05 * (rng.NextDouble() - 0.5))
    Matrix.writeNpy (Path.Combine(dir, "layers", "id_layer.npy")) (layer idCode (fun i -> i % nId))
    Matrix.writeNpy (Path.Combine(dir, "layers", "ex_layer.npy")) (layer exCode (fun i -> i / nId))
    writeManifest dir [ "id_layer"; "ex_layer" ] true

let request store rois =
    { Simulate.Request.Store = Option.ofObj store; Simulate.Request.Layer = None; Simulate.Request.Features = None
      Simulate.Request.Stimuli = None; Simulate.Request.Rois = rois; Simulate.Request.Voxels = 30
      Simulate.Request.Repeats = 4; Simulate.Request.Snr = 0.5; Simulate.Request.Seed = 11
      Simulate.Request.WriteNifti = false }

let pearson (a: double[]) (b: double[]) = FaceBrain.Analysis.Metrics.pearson a b

[<Tests>]
let tests =
    testSequenced <| testList "Fmri.Simulate" [
        testCase "statistical honesty: planted ROI-to-layer mapping, null voxels, ceilings" <| fun () ->
            use d = new TempDir()
            makeStore d.Path
            let sim = Simulate.run (request d.Path "ffa:id_layer,psts:ex_layer,null:none")
            let ids = Array.ofSeq sim.Stimuli.Ids
            let groups = Responses.trialsPerStimulus "sim" sim.Trials.StimulusIds ids
            let averaged = Responses.averageRepeats groups sim.Responses
            let options =
                { Encoding.Options.Cv = CrossValidation.Scheme.KFold(6, Some 1)
                  Encoding.Options.Alpha = Encoding.AlphaSpec.PerVoxel(AlphaGrid.parse "--alphas" "1e-2..1e4:7", CrossValidation.Scheme.KFold(4, None))
                  Encoding.Options.Device = DeviceSpec.Cpu.Resolve()
                  Encoding.Options.BatchVoxels = None }
            let encode layer = Encoding.crossValidate "sim" options (fun _ -> [||]) (FeatureSource.readStoreLayer d.Path layer).Matrix averaged
            let byLayer = dict [ for l in [ "id_layer"; "ex_layer" ] -> l, encode l ]
            let roiVoxels roi = [| 0 .. 89 |] |> Array.filter (fun v -> sim.Truth.Roi[v] = roi)
            let medianR layer roi = FaceBrain.Analysis.Metrics.median (roiVoxels roi |> Array.map (fun v -> byLayer[layer].R[v]))
            // the planted mapping: each ROI peaks at its own layer
            Expect.isGreaterThan (medianR "id_layer" "ffa") (medianR "ex_layer" "ffa" + 0.3) "ffa prefers the identity layer"
            Expect.isGreaterThan (medianR "ex_layer" "psts") (medianR "id_layer" "psts" + 0.3) "psts prefers the expression layer"
            // no signal, no score
            // No signal, no score. The pooled r of a null voxel is biased below 0 (predictions that fall back
            // to the training mean are anti-correlated with the held-out fold's mean), never above: no false
            // positives. The mean within-fold r and the pooled R² are about 0.
            let nulls = roiVoxels "null"
            for l in [ "id_layer"; "ex_layer" ] do
                let res = byLayer[l]
                Expect.isLessThan (abs (FaceBrain.Analysis.Metrics.median (nulls |> Array.map (fun v -> res.RFoldMean[v])))) 0.1 (sprintf "null voxels: within-fold r about 0 with %s" l)
                Expect.isLessThan (FaceBrain.Analysis.Metrics.median (nulls |> Array.map (fun v -> res.R[v]))) 0.05 (sprintf "null voxels: pooled r not above 0 with %s" l)
                let r2 = FaceBrain.Analysis.Metrics.median (nulls |> Array.map (fun v -> res.R2[v]))
                Expect.isTrue (r2 < 0.02 && r2 > -0.2) (sprintf "null voxels: R2 about 0 (slightly negative) with %s: %g" l r2)
            // scores stay below the true ceiling (a little sampling slack per voxel)
            for roi, layer in [ "ffa", "id_layer"; "psts", "ex_layer" ] do
                let over = roiVoxels roi |> Array.filter (fun v -> byLayer[layer].R[v] > sim.Truth.CeilingR[v] + 0.05)
                Expect.isLessThanOrEqual over.Length 2 (sprintf "%s voxels above their true ceiling: %A" roi over)
                Expect.isLessThan (medianR layer roi) (FaceBrain.Analysis.Metrics.median (roiVoxels roi |> Array.map (fun v -> sim.Truth.CeilingR[v]))) "median below the median ceiling"
            // the estimated ceiling tracks the true one
            let est = Reliability.splitHalf "sim" groups ids sim.Responses
            let tuned = [| 0 .. 59 |]
            let e, t = tuned |> Array.map (fun v -> est.Reliability[v]), tuned |> Array.map (fun v -> sim.Truth.CeilingR2[v])
            Expect.isGreaterThan (pearson e t) 0.7 "estimated and true ceilings correlate"
            Expect.isLessThan (FaceBrain.Analysis.Metrics.median (Array.map2 (fun a b -> abs (a - b)) e t)) 0.1 "and agree in size"
            Expect.isLessThan (abs (FaceBrain.Analysis.Metrics.median (Array.init 30 (fun k -> est.Reliability[60 + k])))) 0.15 "null voxels have no reliability"
            let ev = tuned |> Array.map (fun v -> est.VarianceCeilingR2[v])
            Expect.isGreaterThan (pearson ev t) 0.7 "the variance-component ceiling tracks the true one too"
            Expect.isLessThan (FaceBrain.Analysis.Metrics.median (Array.map2 (fun a b -> abs (a - b)) ev t)) 0.1 "and agrees in size"

        testCase "same seed, same data; the true ceiling follows from SNR and repeats" <| fun () ->
            use d = new TempDir()
            makeStore d.Path
            let a = Simulate.run (request d.Path "ffa:id_layer")
            let b = Simulate.run (request d.Path "ffa:id_layer")
            Expect.equal a.Responses.Data b.Responses.Data "deterministic"
            Expect.notEqual (Simulate.run { request d.Path "ffa:id_layer" with Seed = 12 }).Responses.Data a.Responses.Data "seeded"
            for v in 0 .. 29 do
                Expect.floatClose Accuracy.veryHigh a.Truth.CeilingR2[v] (a.Truth.Snr[v] / (a.Truth.Snr[v] + 1.0 / 4.0)) "signal / (signal + noise / repeats)"
            Expect.equal a.Trials.Count (48 * 4) "every stimulus 4 times"

        testCase "fmri simulate (label tuning) -> fmri roi -> encode end to end" <| fun () ->
            use d = new TempDir()
            makeStore d.Path
            let out = d.File "sim"
            let code, _, err = runCli [ "fmri"; "simulate"; "--stimuli"; Path.Combine(d.Path, "stimuli.tsv"); "--rois"; "ffa:identity,psts:expression"; "--voxels"; "6"; "--repeats"; "3"; "--snr"; "2"; "--seed"; "3"; "--out"; out ]
            Expect.equal code 0 ("simulate; stderr: " + err)
            for f in [ "responses.npy"; "trials.tsv"; "stimuli.tsv"; "truth.tsv"; "signal.npy"; "bold.nii.gz"; "rois.nii.gz"; "rois.tsv"; "labels_identity.npy" ] do
                Expect.isTrue (File.Exists(Path.Combine(out, f))) f
            let code, _, err = runCli [ "fmri"; "roi"; "--bold"; Path.Combine(out, "bold.nii.gz"); "--mask"; Path.Combine(out, "rois.nii.gz"); "--label"; "1"; "--trials"; Path.Combine(out, "trials.tsv"); "--out"; d.File "ffa.npy" ]
            Expect.equal code 0 ("roi; stderr: " + err)
            let roi = Matrix.readNpy (d.File "ffa.npy")
            let responses = Matrix.readNpy (Path.Combine(out, "responses.npy"))
            Expect.equal (roi.Rows, roi.Cols) (responses.Rows, 6) "trials x ffa voxels"
            for t in 0 .. roi.Rows - 1 do
                for v in 0 .. 5 do
                    let a, b = Matrix.get roi t v, Matrix.get responses t v
                    if abs (a - b) > 1e-5 * (1.0 + abs b) then failtestf "trial %d voxel %d: %g vs %g (float32 NIfTI)" t v a b
            let code, json, err =
                runCli [ "encode"; "--features"; Path.Combine(out, "labels_identity.npy"); "--stimuli"; Path.Combine(out, "stimuli.tsv")
                         "--responses"; d.File "ffa.npy"; "--trials"; Path.Combine(out, "trials.tsv"); "--cv"; "kfold:6:shuffle=2"; "--alphas"; "1e-2..1e3:6"; "--json" ]
            Expect.equal code 0 ("encode; stderr: " + err)
            use doc = JsonDocument.Parse json
            let r = doubles (doc.RootElement.GetProperty "r")
            let ceiling = doubles (doc.RootElement.GetProperty "ceiling_r")
            Expect.isGreaterThan (FaceBrain.Analysis.Metrics.median r) 0.6 "identity labels predict the identity-tuned ROI"
            Expect.equal ceiling.Length 6 "estimated ceilings per voxel"

        testCase "fmri profile: the best layer per ROI and network, with bootstrap CIs" <| fun () ->
            use d = new TempDir()
            let trained, untrained = d.File "trained", d.File "untrained"
            makeStore trained
            // an "untrained control": the same stimuli, layers of pure noise
            Directory.CreateDirectory(Path.Combine(untrained, "layers")) |> ignore
            File.Copy(Path.Combine(trained, "stimuli.tsv"), Path.Combine(untrained, "stimuli.tsv"))
            writeManifest untrained [ "conv"; "fc" ] true
            Matrix.writeNpy (Path.Combine(untrained, "layers", "conv.npy")) (TestRidge.randomMatrix 51 48 12)
            Matrix.writeNpy (Path.Combine(untrained, "layers", "fc.npy")) (TestRidge.randomMatrix 52 48 12)
            let sim = Simulate.run { request trained "ffa:id_layer,psts:ex_layer" with Voxels = 15; Snr = 1.0 }
            Simulate.write (d.File "sim") false 11 sim |> ignore
            let code, json, err =
                runCli [ "fmri"; "profile"; "--store"; trained; "--store"; untrained; "--responses"; d.File "sim/responses.npy"
                         "--trials"; d.File "sim/trials.tsv"; "--rois"; d.File "sim/truth.tsv"; "--cv"; "kfold:6:shuffle=1"; "--alphas"; "1e-2..1e4:7"; "--json" ]
            Expect.equal code 0 ("profile; stderr: " + err)
            use doc = JsonDocument.Parse json
            let best =
                [ for b in doc.RootElement.GetProperty("best").EnumerateArray() ->
                      (b.GetProperty("network").GetString(), b.GetProperty("roi").GetString()), (b.GetProperty("layer").GetString(), b.GetProperty("median_r").GetDouble()) ]
                |> dict
            Expect.equal (fst best[("trained", "ffa")]) "id_layer" "ffa peaks at the identity layer"
            Expect.equal (fst best[("trained", "psts")]) "ex_layer" "psts peaks at the expression layer"
            for roi in [ "ffa"; "psts" ] do
                Expect.isGreaterThan (snd best[("trained", roi)]) (snd best[("untrained", roi)] + 0.3) (sprintf "%s: trained beats the untrained control" roi)
            for sc in doc.RootElement.GetProperty("scores").EnumerateArray() do
                let m, lo, hi = sc.GetProperty("median_r").GetDouble(), sc.GetProperty("ci_low").GetDouble(), sc.GetProperty("ci_high").GetDouble()
                Expect.isTrue (lo <= m && m <= hi) "the CI holds the median"
            Expect.equal (doc.RootElement.GetProperty("scores").GetArrayLength()) 8 "2 networks x 2 layers x 2 ROIs"

        testCase "fmri profile: a null ROI gets no best layer; a tuned ROI's best layer beats the other" <| fun () ->
            use d = new TempDir()
            makeStore d.Path
            let sim = Simulate.run { request d.Path "ffa:id_layer,null:none" with Voxels = 15; Snr = 1.0 }
            Simulate.write (d.File "sim") false 11 sim |> ignore
            let req =
                { ProfileWorkflow.request [| d.Path |] (d.File "sim/responses.npy") (d.File "sim/truth.tsv") with
                    Trials = Some(d.File "sim/trials.tsv")
                    Cv = CrossValidation.Scheme.KFold(6, Some 1)
                    Alphas = AlphaGrid.parse "--alphas" "1e-2..1e4:7"
                    Resamples = 300 }
            let result = ProfileWorkflow.run req (DeviceSpec.Cpu.Resolve())
            let best roi = result.Best |> Array.find (fun b -> b.Roi = roi)
            Expect.equal (best "ffa").Layer (Some "id_layer") "the identity layer beats the expression layer for ffa"
            Expect.isGreaterThan (best "ffa").DifferenceCi.Value.Low 0.0 "with a difference CI above 0"
            Expect.equal (best "null").Layer None "no layer is best for the null ROI"
            Expect.isTrue ((best "null").DifferenceCi.Value.Low <= 0.0) "its difference CI reaches 0"
            Expect.stringContains (best "null").Verdict "no layer is best for null" "and the report says so"
            Expect.stringContains (best "ffa").Verdict "best layer for ffa in " "the tuned ROI's line names its layer"

        testCase "simulate from a feature file; encode from a store layer; a corrupt NIfTI through the CLI" <| fun () ->
            use d = new TempDir()
            makeStore d.Path
            let f = TestRidge.randomMatrix 71 48 5
            Matrix.writeNpy (d.File "F.npy") f
            let sim =
                Simulate.run { request null "v1" with Features = Some (d.File "F.npy"); Stimuli = Some (Path.Combine(d.Path, "stimuli.tsv")); Voxels = 4 }
            Expect.equal sim.Truth.Source (Array.create 4 "features:F.npy") "tuned to the feature file"
            Expect.equal (sim.Signal.Rows, sim.Signal.Cols) (48, 4) "stimuli x voxels"
            // encode straight from a store layer (the one store-reading function)
            Matrix.writeNpy (d.File "R.npy") (Matrix.selectCols [| 0; 1; 2 |] (Matrix.readNpy (Path.Combine(d.Path, "layers", "id_layer.npy"))))
            let code, out, err = runCli [ "encode"; "--store"; d.Path; "--layer"; "id_layer"; "--responses"; d.File "R.npy"; "--cv"; "kfold:4:shuffle=1"; "--alpha"; "0.01"; "--json" ]
            Expect.equal code 0 ("encode --store; stderr: " + err)
            use doc = JsonDocument.Parse out
            for r in doubles (doc.RootElement.GetProperty "r") do Expect.isGreaterThan r 0.99 "a layer predicts its own columns"
            File.WriteAllBytes(d.File "bad.nii.gz", [| 0x1fuy; 0x8buy; 8uy; 0uy; 1uy; 2uy; 3uy; 4uy; 5uy; 6uy; 7uy; 8uy; 9uy |])
            let code, _, err = runCli [ "fmri"; "roi"; "--bold"; d.File "bad.nii.gz"; "--mask"; d.File "bad.nii.gz"; "--out"; d.File "x.npy" ]
            Expect.equal code 2 "exit code"
            Expect.stringContains err "bad.nii.gz" "names the file"
            Expect.isFalse (File.Exists(d.File "x.npy")) "nothing written"

        testCase "bad simulate requests exit 2 and write nothing" <| fun () ->
            use d = new TempDir()
            makeStore d.Path
            File.WriteAllText(d.File "incomplete.json", "")
            let out = d.File "out"
            for args, fragment in
                [ [ "--store"; d.Path; "--rois"; "ffa:nonsense" ], "'nonsense' is not none, a store layer"
                  [ "--store"; d.Path; "--rois"; "ffa:id_layer"; "--snr"; "0" ], "--snr"
                  [ "--store"; d.Path; "--rois"; "a:id_layer,a:ex_layer" ], "appears twice"
                  [ "--store"; d.File "nowhere"; "--rois"; "ffa:id_layer" ], "not found" ] do
                let code, _, err = runCli ([ "fmri"; "simulate"; "--out"; out ] @ args)
                Expect.equal code 2 (sprintf "%A: %s" args err)
                Expect.stringContains err fragment "message"
            Expect.isFalse (Directory.Exists out) "nothing written"
            let code, _, err = runCli [ "fmri"; "simulate"; "--out"; d.File "no/such/out"; "--store"; d.Path; "--rois"; "ffa:id_layer"; "--voxels"; "2" ]
            Expect.equal code 2 err
            Expect.stringContains err "does not exist" "a missing parent folder"
            Expect.equal (Directory.GetDirectories d.Path |> Array.map Path.GetFileName |> Array.filter (fun n -> n.StartsWith ".")) [||] "no temporary folder left"
            writeManifest d.Path [ "id_layer"; "ex_layer" ] false
            let code, _, err = runCli [ "fmri"; "simulate"; "--out"; out; "--store"; d.Path; "--rois"; "ffa:id_layer" ]
            Expect.equal code 2 err
            Expect.stringContains err "store is incomplete" "an interrupted store is refused"
    ]
