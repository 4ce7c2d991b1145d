/// Bad input the issue (#11) found accepted or silently replaced: each is now one line, exit 2, nothing on stdout.
module FaceBrain.Tests.Cli.TestBadInputCli

open System
open System.IO
open Expecto
open FaceBrain.Core.IO
open FaceBrain.Tests.TestSupport

let private expectExit2 (args: string list) (fragments: string list) =
    let code, out, err = runCli args
    Expect.equal code 2 ($"exit code for {args}; stderr: " + err)
    Expect.equal out "" "nothing on stdout"
    Expect.equal (err.Trim().Split('\n').Length) 1 ("one line: " + err)
    for f in fragments do Expect.stringContains err f "message"

/// 12 stimuli (4 identities × 3 expressions), 4 features, 3 voxels.
let private files (d: TempDir) =
    let rng = Random 5
    let lines = [ "stimulus_id\tidentity\texpression" ] @ [ for i in 0 .. 11 -> $"s{i}\tp{i / 3}\te{i % 3}" ]
    File.WriteAllText(d.File "s.tsv", String.concat "\n" lines + "\n")
    Npy.Write<float>(d.File "f.npy", ReadOnlySpan(Array.init 48 (fun _ -> rng.NextDouble())), 12L, 4L)
    Npy.Write<float>(d.File "r.npy", ReadOnlySpan(Array.init 36 (fun _ -> rng.NextDouble())), 12L, 3L)

[<Tests>]
let tests =
    testSequenced <| testList "Cli.BadInput" [
        testCase "extract --width 0 and --input-size 0 are refused (they ran at 64 and 224)" <| fun () ->
            use d = new TempDir()
            let extract extra = [ "extract"; "--model"; "resnet50"; "--weights"; "random"; "--data"; "images:" + d.Path; "--out"; d.File "store" ] @ extra
            expectExit2 (extract [ "--width"; "0" ]) [ "--width 0: must be a positive integer" ]
            expectExit2 (extract [ "--input-size"; "0" ]) [ "--input-size 0: must be a positive integer" ]
            Expect.isFalse (Directory.Exists(d.File "store")) "no output"

        testCase "encode --batch-voxels 0 is refused" <| fun () ->
            use d = new TempDir()
            files d
            expectExit2 [ "encode"; "--features"; d.File "f.npy"; "--responses"; d.File "r.npy"; "--alpha"; "1"; "--cv"; "kfold:3"; "--batch-voxels"; "0" ]
                        [ "voxels per batch must be at least 1, got 0" ]

        testCase "an asymmetric square model RDM is refused, naming the first asymmetric pair" <| fun () ->
            use d = new TempDir()
            files d
            let m = Array.init 144 (fun k -> let i, j = k / 12, k % 12 in if i = j then 0.0 else float (abs (i - j)))
            m[1 * 12 + 5] <- 9.0
            Npy.Write<float>(d.File "m.npy", ReadOnlySpan m, 12L, 12L)
            expectExit2 [ "rsa"; "--features"; d.File "f.npy"; "--stimuli"; d.File "s.tsv"; "--model-rdm"; "m=" + d.File "m.npy" ]
                        [ "m.npy"; "not symmetric"; "[1, 5] = 9 but [5, 1] = 4" ]

        testCase "a 280×0 feature matrix is refused" <| fun () ->
            use d = new TempDir()
            let lines = [ "stimulus_id\tidentity\texpression" ] @ [ for i in 0 .. 279 -> $"s{i}\tp{i / 7}\te{i % 7}" ]
            File.WriteAllText(d.File "s.tsv", String.concat "\n" lines + "\n")
            Npy.Write<float>(d.File "z.npy", ReadOnlySpan(Array.empty<float>), 280L, 0L)
            expectExit2 [ "decode"; "--features"; d.File "z.npy"; "--stimuli"; d.File "s.tsv"; "--target"; "expression" ] [ "z.npy"; "has no features (280×0 matrix)" ]
    ]
