module FaceBrain.Tests.Fmri.TestEncodeCli

open System
open System.IO
open System.Text.Json
open Expecto
open FaceBrain.Fmri
open FaceBrain.Analysis
open FaceBrain.Tests.TestSupport
open FaceBrain.Tests.Fmri
open FaceBrain.Tests.Fmri.TestRidge

let doubles (e: JsonElement) =
    [| for x in e.EnumerateArray() -> if x.ValueKind = JsonValueKind.Null then nan else x.GetDouble() |]

let writeTsv (path: string) (lines: string list) = File.WriteAllText(path, String.concat "\n" lines + "\n")

[<Tests>]
let tests =
    testSequenced <| testList "Fmri.EncodeCli" [
        testCase "every fmri verb prints its help (descriptions are valid console markup)" <| fun () ->
            for verb in [ [ "encode" ]; [ "fmri" ]; [ "fmri"; "roi" ]; [ "fmri"; "simulate" ]; [ "fmri"; "profile" ]; [ "fmri"; "partition" ]; [ "fmri"; "rsa" ]; [ "bench"; "encode" ] ] do
                // Spectre writes help to the console it captured at start-up, so only the outcome is checked:
                // a bad markup tag in a description throws, which exits 1 with a message.
                let code, _, err = runCli (verb @ [ "--help" ])
                Expect.equal code 0 (sprintf "%A --help; stderr: %s" verb err)
                Expect.equal err "" "no error"

        testCase "encode --cv kfold:5 --alpha 100 --json prints r and r2 equal to the naive oracle" <| fun () ->
            use d = new TempDir()
            let xm = randomMatrix 21 37 6
            let ym = responsesFor 22 xm 4 2.0
            Matrix.writeNpy (d.File "F.npy") xm
            Matrix.writeNpy (d.File "R.npy") ym
            let code, out, err = runCli [ "encode"; "--features"; d.File "F.npy"; "--responses"; d.File "R.npy"; "--cv"; "kfold:5"; "--alpha"; "100"; "--json" ]
            Expect.equal code 0 ("exit code; stderr: " + err)
            use doc = JsonDocument.Parse out
            let root = doc.RootElement
            let r, r2 = doubles (root.GetProperty "r"), doubles (root.GetProperty "r2")
            let folds = Folds.make "t" (CrossValidation.Scheme.KFold(5, None)) 37 (fun _ -> [||])
            let xs = rowsOf xm
            for v in 0 .. 3 do
                let y = Matrix.column ym v
                let pooled = Array.zeroCreate 37
                for f in folds do
                    let m = Oracle.fit (f.Train |> Array.map (fun i -> xs[i])) (f.Train |> Array.map (fun i -> y[i])) 100.0
                    Array.iter2 (fun i p -> pooled[i] <- p) f.Test (Oracle.predict m (f.Test |> Array.map (fun i -> xs[i])))
                closeArrays 1e-9 [| r[v]; r2[v] |] [| Oracle.pearson y pooled; Oracle.r2 y pooled |] (sprintf "voxel %d" v)
            let mutable alphas = Unchecked.defaultof<JsonElement>
            Expect.isFalse (root.TryGetProperty("alphas", &alphas)) "no alphas with a fixed alpha"

        testCase "without --alpha, per-voxel alphas are reported" <| fun () ->
            use d = new TempDir()
            let xm = randomMatrix 23 30 4
            Matrix.writeNpy (d.File "F.npy") xm
            Matrix.writeNpy (d.File "R.npy") (responsesFor 24 xm 3 1.0)
            let code, out, err = runCli [ "encode"; "--features"; d.File "F.npy"; "--responses"; d.File "R.npy"; "--alphas"; "1e-2..1e6:25"; "--json"; "--out"; d.File "scores.tsv" ]
            Expect.equal code 0 ("exit code; stderr: " + err)
            use doc = JsonDocument.Parse out
            Expect.equal (doubles (doc.RootElement.GetProperty "alphas")).Length 3 "one alpha per voxel"
            Expect.equal (File.ReadAllLines(d.File "scores.tsv")).Length 4 "header + one line per voxel"

        testCase "a NaN voxel and a constant voxel: exit 2 naming both; --drop-bad-voxels excludes and lists them" <| fun () ->
            use d = new TempDir()
            let xm = randomMatrix 25 20 3
            let good = responsesFor 26 xm 2 1.0
            let data = Matrix.init 20 4 (fun i j -> match j with 0 -> Matrix.get good i 0 | 1 -> (if i = 3 then nan else 1.0) | 2 -> 5.0 | _ -> Matrix.get good i 1)
            Matrix.writeNpy (d.File "F.npy") xm
            Matrix.writeNpy (d.File "R.npy") data
            let args = [ "encode"; "--features"; d.File "F.npy"; "--responses"; d.File "R.npy"; "--alpha"; "1"; "--json"; "--out"; d.File "s.tsv" ]
            let code, _, err = runCli args
            Expect.equal code 2 "exit code"
            Expect.stringContains err "1 (NaN or infinite)" "names the NaN voxel"
            Expect.stringContains err "2 (constant)" "names the constant voxel"
            Expect.isFalse (File.Exists(d.File "s.tsv")) "nothing written"
            let code, out, err = runCli (args @ [ "--drop-bad-voxels" ])
            Expect.equal code 0 ("exit code; stderr: " + err)
            use doc = JsonDocument.Parse out
            let r = doubles (doc.RootElement.GetProperty "r")
            Expect.isTrue (Double.IsNaN r[1] && Double.IsNaN r[2]) "excluded voxels have no score"
            Expect.isFalse (Double.IsNaN r[0] || Double.IsNaN r[3]) "the others do"
            Expect.equal (doc.RootElement.GetProperty("excluded").GetArrayLength()) 2 "listed"

        testCase "mismatched rows, missing files and bad options exit 2 with one line" <| fun () ->
            use d = new TempDir()
            Matrix.writeNpy (d.File "F.npy") (randomMatrix 1 10 3)
            Matrix.writeNpy (d.File "R.npy") (randomMatrix 2 12 3)
            for args, fragment in
                [ [ "--features"; d.File "F.npy"; "--responses"; d.File "R.npy" ], "has 12 rows but the features have 10"
                  [ "--features"; d.File "nope.npy"; "--responses"; d.File "R.npy" ], "file not found"
                  [ "--features"; d.File "F.npy"; "--responses"; d.File "R.npy"; "--cv"; "kfold:0" ], "--cv"
                  [ "--features"; d.File "F.npy"; "--responses"; d.File "R.npy"; "--alpha"; "-1" ], "--alpha" ] do
                let code, _, err = runCli ("encode" :: args)
                Expect.equal code 2 (sprintf "exit code for %A" args)
                Expect.stringContains err fragment "message"
                Expect.equal (err.Trim().Split('\n').Length) 1 "one line"

        testCase "trials: repeats averaged per stimulus, ceilings reported, trial count checked" <| fun () ->
            use d = new TempDir()
            let xm = randomMatrix 27 12 3
            let signal = responsesFor 28 xm 2 0.0
            let rng = Random(29)
            // 3 presentations of each of the 12 stimuli, in shuffled order
            let order = Array.init 36 (fun t -> t % 12) |> Array.sortBy (fun _ -> rng.Next())
            let trials = Matrix.init 36 2 (fun t v -> Matrix.get signal order[t] v + 0.3 * (rng.NextDouble() - 0.5))
            Matrix.writeNpy (d.File "F.npy") xm
            Matrix.writeNpy (d.File "R.npy") trials
            writeTsv (d.File "S.tsv") ("stimulus_id" :: [ for s in 0 .. 11 -> sprintf "s%02d" s ])
            writeTsv (d.File "T.tsv") ("stimulus_id\trun" :: [ for t in 0 .. 35 -> sprintf "s%02d\t%d" order[t] (t / 12) ])
            let code, out, err = runCli [ "encode"; "--features"; d.File "F.npy"; "--stimuli"; d.File "S.tsv"; "--responses"; d.File "R.npy"; "--trials"; d.File "T.tsv"; "--alpha"; "1"; "--cv"; "kfold:4"; "--json" ]
            Expect.equal code 0 ("exit code; stderr: " + err)
            use doc = JsonDocument.Parse out
            Expect.equal (doc.RootElement.GetProperty("rows").GetInt32()) 12 "one row per stimulus after averaging"
            for c in doubles (doc.RootElement.GetProperty "ceiling_r") do Expect.isGreaterThan c 0.9 "reliable voxels"
            // one trial fewer in the table than rows in the matrix
            writeTsv (d.File "T2.tsv") ("stimulus_id" :: [ for t in 0 .. 34 -> sprintf "s%02d" order[t] ])
            let code, _, err = runCli [ "encode"; "--features"; d.File "F.npy"; "--stimuli"; d.File "S.tsv"; "--responses"; d.File "R.npy"; "--trials"; d.File "T2.tsv"; "--alpha"; "1" ]
            Expect.equal code 2 "exit code"
            Expect.stringContains err "has 36 rows but the trial table" "names the mismatch"
            writeTsv (d.File "T3.tsv") ("stimulus_id" :: [ for t in 0 .. 35 -> if t = 5 then "zz" else sprintf "s%02d" order[t] ])
            let code, _, err = runCli [ "encode"; "--features"; d.File "F.npy"; "--stimuli"; d.File "S.tsv"; "--responses"; d.File "R.npy"; "--trials"; d.File "T3.tsv"; "--alpha"; "1" ]
            Expect.equal code 2 "exit code"
            Expect.stringContains err "'zz', which is not in the stimulus table" "names the unknown stimulus"
    ]
