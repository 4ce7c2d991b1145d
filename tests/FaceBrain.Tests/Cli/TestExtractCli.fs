module FaceBrain.Tests.Cli.TestExtractCli

open System.IO
open Expecto
open FaceBrain.Core.IO
open FaceBrain.Extraction
open FaceBrain.Core.Store
open FaceBrain.Tests.TestSupport
open FaceBrain.Tests.Data.DataFixtures

/// A plain folder of six 32×32 images, each a different noise pattern.
let private imageFolder (d: TempDir) =
    let dir = d.File "imgs"
    for i in 0 .. 5 do
        let p = Path.Combine(dir, sprintf "face%d.png" i)
        ensureDir p
        writePng p (image 32 32 (noise i)) |> ignore
    dir

let private tiny = [ "--model"; "resnet50"; "--width"; "4"; "--input-size"; "32"; "--weights"; "random"; "--device"; "cpu"; "--batch"; "4" ]

[<Tests>]
let tests =
    testList "ExtractCli" [
        testCase "extract writes a complete store a reader can use" <| fun () ->
            use d = new TempDir()
            let imgs = imageFolder d
            let out = d.File "store"
            let code, _, err = runCli ([ "extract"; "--data"; "images:" + imgs; "--layers"; "conv1,layer1,layer4,avgpool,fc"; "--reduce"; "gap,layer4=grid:1"; "--out"; out ] @ tiny)
            Expect.equal code 0 ("exit code; stderr: " + err)
            let m = StoreManifest.Read(Path.Combine(out, "manifest.json"))
            Expect.isTrue m.Complete "complete"
            Expect.equal m.NStimuli 6 "six images"
            Expect.equal m.Weights.Source "random" "random control recorded"
            let avg = Npy.Read<float32>(Path.Combine(out, "layers", "avgpool.npy"))
            let l4 = Npy.Read<float32>(Path.Combine(out, "layers", "layer4.npy"))
            Expect.equal avg.Shape.[0] 6L "rows"
            // grid:1 of layer4 is its global average, which is what avgpool computes.
            for i in 0 .. avg.Data.Length - 1 do
                Expect.floatClose Accuracy.medium (float l4.Data.[i]) (float avg.Data.[i]) "layer4 grid:1 = avgpool"
            let table = StimulusTable.Read(Path.Combine(out, "stimuli.tsv"))
            Expect.equal table.Count 6 "stimulus rows"

        testCase "same seed, same bytes" <| fun () ->
            use d = new TempDir()
            let imgs = imageFolder d
            for o in [ "a"; "b" ] do
                let code, _, err = runCli ([ "extract"; "--data"; "images:" + imgs; "--layers"; "layer2"; "--reduce"; "rp:16"; "--out"; d.File o ] @ tiny)
                Expect.equal code 0 err
            Expect.equal (File.ReadAllBytes(Path.Combine(d.File "a", "layers", "layer2.npy"))) (File.ReadAllBytes(Path.Combine(d.File "b", "layers", "layer2.npy"))) "identical"

        testCase "bad input: unknown layer, grid larger than the map, existing folder" <| fun () ->
            use d = new TempDir()
            let imgs = imageFolder d
            let code, _, err = runCli ([ "extract"; "--data"; "images:" + imgs; "--layers"; "layer9"; "--out"; d.File "x" ] @ tiny)
            Expect.equal code 2 "unknown layer exits 2"
            Expect.stringContains err "unknown layer 'layer9'" "names it"
            Expect.stringContains err "layer4.2" "lists the valid ones"
            Expect.isFalse (Directory.Exists(d.File "x")) "nothing written"
            let code, _, err = runCli ([ "extract"; "--data"; "images:" + imgs; "--layers"; "layer4"; "--reduce"; "grid:4"; "--out"; d.File "y" ] @ tiny)
            Expect.equal code 2 "grid too large exits 2"
            Expect.stringContains err "smaller than the 4×4 grid" "says why"
            Expect.isFalse (Directory.Exists(d.File "y")) "nothing written"
            let code, _, _ = runCli ([ "extract"; "--data"; "images:" + imgs; "--layers"; "fc"; "--out"; d.File "z" ] @ tiny)
            Expect.equal code 0 "first run"
            let code, _, err = runCli ([ "extract"; "--data"; "images:" + imgs; "--layers"; "fc"; "--out"; d.File "z" ] @ tiny)
            Expect.equal code 2 "existing store refused"
            Expect.stringContains err "--overwrite" "suggests --overwrite"
    
        testCase "--skip-bad leaves unusable images out and lists them; without it the run stops naming the file" <| fun () ->
            use d = new TempDir()
            let imgs = imageFolder d
            zeroByte (Path.Combine(imgs, "broken.png"))
            let code, _, err = runCli ([ "extract"; "--data"; "images:" + imgs; "--layers"; "fc"; "--out"; d.File "strict" ] @ tiny)
            Expect.equal code 2 "a bad file stops the run"
            Expect.stringContains err "broken.png" "names it"
            Expect.isFalse (Directory.Exists(d.File "strict")) "nothing written"
            let code, _, err = runCli ([ "extract"; "--data"; "images:" + imgs; "--layers"; "fc"; "--skip-bad"; "--out"; d.File "lenient" ] @ tiny)
            Expect.equal code 0 err
            let m = StoreManifest.Read(Path.Combine(d.File "lenient", "manifest.json"))
            Expect.equal m.NStimuli 6 "the six good images"
            Expect.exists m.Skipped (fun s -> s.Path.EndsWith "broken.png") "the bad one is listed"
    ]
