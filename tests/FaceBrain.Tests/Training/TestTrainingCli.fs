module FaceBrain.Tests.Training.TestTrainingCli

open System.IO
open Expecto
open FaceBrain.Data.Synthesis
open FaceBrain.Models
open FaceBrain.Models.Weights
open FaceBrain.Tests.TestSupport
open FaceBrain.Tests.Models.ModelTestSupport

/// A tiny synthetic KDEF set (4 identities × 70 images, 32 px), written once for this file's tests.
let private kdef =
    lazy (
        let dir = Path.Combine(Path.GetTempPath(), "facebrain-test-kdef-" + System.Guid.NewGuid().ToString("N"))
        FaceSynthesizer.Write(SynthOptions(Layout = SynthLayout.Kdef, Identities = 4, Size = 32, Seed = 3), dir) |> ignore
        System.AppDomain.CurrentDomain.ProcessExit.Add(fun _ -> try Directory.Delete(dir, true) with _ -> ())
        dir)

let private tiny = [ "--width"; "2"; "--input-size"; "32"; "--device"; "cpu" ]

[<Tests>]
let tests =
    testSequencedGroup "torch-global-state" <| testList "Training.Cli" [
        testCase "probe: expression from a frozen random tiny ResNet, with control, writes probe.json" <| fun () ->
            use out = new TempDir()
            let code, stdout, err =
                runCli ([ "probe"; "--model"; "resnet50"; "--data"; "kdef:" + kdef.Value; "--target"; "expression"; "--folds"; "2"
                          "--permutations"; "2"; "--max-iter"; "100"; "--control"; "--out"; out.Path ] @ tiny)
            Expect.equal code 0 $"exit code ({err})"
            Expect.stringContains stdout "chance 14.3 %" "seven expressions"
            Expect.stringContains stdout "control" "the random-network control is reported"
            Expect.equal (filesIn out.Path) [| "confusion.tsv"; "probe.json" |] "results written"
            Expect.stringContains stdout "time: features" "where the time went is printed"
            Expect.isFalse ((File.ReadAllText(Path.Combine(out.Path, "probe.json"))).Contains "seconds" ) "timings stay out of probe.json (its bytes are compared across executors)"

        testCase "probe: identity is held out by session (A vs B)" <| fun () ->
            let code, stdout, err =
                runCli ([ "probe"; "--model"; "resnet50"; "--data"; "kdef:" + kdef.Value; "--target"; "identity"; "--permutations"; "0"; "--max-iter"; "100" ] @ tiny)
            Expect.equal code 0 $"exit code ({err})"
            Expect.stringContains stdout "folds: session=A, session=B" "session folds"
            Expect.stringContains stdout "chance 25.0 %" "four identities"

        testCase "probe --where angle=S reads the frontal photographs only; an unknown column is bad input" <| fun () ->
            let code, stdout, err =
                runCli ([ "probe"; "--model"; "resnet50"; "--data"; "kdef:" + kdef.Value; "--where"; "angle=S"; "--target"; "expression"
                          "--folds"; "2"; "--permutations"; "0"; "--max-iter"; "100" ] @ tiny)
            Expect.equal code 0 $"exit code ({err})"
            Expect.stringContains stdout "56 images" "4 identities × 2 sessions × 7 expressions, frontal only"
            let code, _, err =
                runCli ([ "probe"; "--model"; "resnet50"; "--data"; "kdef:" + kdef.Value; "--where"; "pose=S"; "--permutations"; "0" ] @ tiny)
            Expect.equal code 2 "unknown column"
            Expect.stringContains err "no stimulus has a 'pose' label" "message"

        testCase "probe and extract + decode of the same layer, classifier, C and folds give the same accuracy" <| fun () ->
            use out = new TempDir()
            let code, _, err =
                runCli ([ "probe"; "--model"; "resnet50"; "--data"; "kdef:" + kdef.Value; "--where"; "angle=S"; "--target"; "expression"; "--folds"; "2"
                          "--permutations"; "0"; "--bootstrap"; "0"; "--C"; "0.5"; "--seed"; "1"; "--out"; out.Path ] @ tiny)
            Expect.equal code 0 $"probe ({err})"
            use probe = System.Text.Json.JsonDocument.Parse(File.ReadAllText(out.File "probe.json"))
            let p = probe.RootElement.GetProperty("result").GetProperty("decoding")
            Expect.equal (p.GetProperty("cv").GetString()) "groupkfold:2:identity" "the probe's folds"
            let code, _, err =
                runCli ([ "extract"; "--model"; "resnet50"; "--weights"; "random"; "--seed"; "1"; "--data"; "kdef:" + kdef.Value; "--where"; "angle=S"
                          "--layers"; "avgpool"; "--reduce"; "none"; "--out"; out.File "store" ] @ tiny)
            Expect.equal code 0 $"extract ({err})"
            let code, stdout, err =
                runCli [ "decode"; "--store"; out.File "store"; "--layer"; "avgpool"; "--target"; "expression"; "--cv"; "groupkfold:2:identity"
                         "--standardize"; "--C"; "0.5"; "--seed"; "1"; "--json"; "--device"; "cpu" ]
            Expect.equal code 0 $"decode ({err})"
            use decode = System.Text.Json.JsonDocument.Parse stdout
            let d = decode.RootElement
            Expect.equal (p.GetProperty("accuracy").GetDouble()) (d.GetProperty("accuracy").GetDouble()) "same accuracy"
            Expect.equal (p.GetProperty("balanced_accuracy").GetDouble()) (d.GetProperty("balanced_accuracy").GetDouble()) "same balanced accuracy"
            let compact (e: System.Text.Json.JsonElement) = System.Text.Json.JsonSerializer.Serialize e
            Expect.equal (compact (p.GetProperty "confusion")) (compact (d.GetProperty "confusion")) "same confusion matrix"

        testCase "probe refuses --folds 100 with 4 identities and --max-iter 0 (one line, exit 2)" <| fun () ->
            let code, stdout, err = runCli ([ "probe"; "--model"; "resnet50"; "--data"; "kdef:" + kdef.Value; "--folds"; "100" ] @ tiny)
            Expect.equal code 2 $"exit code ({err})"
            Expect.equal stdout "" "nothing on stdout"
            Expect.stringContains err "100 folds of identities asked for, but the data has only 4 identities" "message"
            Expect.equal (err.Trim().Split('\n').Length) 1 "one line"
            let code, _, err = runCli ([ "probe"; "--model"; "resnet50"; "--data"; "kdef:" + kdef.Value; "--max-iter"; "0" ] @ tiny)
            Expect.equal code 2 $"exit code ({err})"
            Expect.stringContains err "--max-iter: must be at least 1" "message"

        testCase "probe bad input: unknown layer, missing target column, weights of another architecture" <| fun () ->
            let code, _, err = runCli ([ "probe"; "--model"; "resnet50"; "--layer"; "layer9"; "--data"; "kdef:" + kdef.Value ] @ tiny)
            Expect.equal code 2 "unknown layer"
            Expect.stringContains err "--layer layer9: no such layer in resnet50" "message"
            let code, _, err = runCli ([ "probe"; "--model"; "resnet50"; "--data"; "kdef:" + kdef.Value; "--target"; "age" ] @ tiny)
            Expect.equal code 2 "missing column"
            Expect.stringContains err "has no 'age' label" "message"
            use dir = new TempDir()
            use s = Network.Create(ModelSpec(ModelKind.Siamese, Width = 2, InputSize = 32, SiameseBlocks = 2), cpu ())
            StateDictFile.Write(dir.File "siamese.pt", s.Module)
            let code, _, err = runCli ([ "probe"; "--model"; "resnet50"; "--weights"; dir.File "siamese.pt"; "--data"; "kdef:" + kdef.Value ] @ tiny)
            Expect.equal code 2 "wrong architecture"
            Expect.stringContains err "does not fit resnet50" "message"

        testCase "train identity then probe its checkpoint; train siamese on held-out identities" <| fun () ->
            use out = new TempDir()
            let run = out.File "id"
            let code, stdout, err =
                runCli ([ "train"; "identity"; "--data"; "kdef:" + kdef.Value; "--epochs"; "1"; "--batch"; "32"; "--out"; run; "--flip"; "--crop-pad"; "2" ] @ tiny)
            Expect.equal code 0 $"train identity exit code ({err})"
            Expect.stringContains stdout "4 identities" "identities found"
            Expect.isTrue (File.Exists(Path.Combine(run, "checkpoint.ckpt"))) "checkpoint"
            let code, stdout, err =
                runCli [ "probe"; "--backbone"; Path.Combine(run, "checkpoint.ckpt"); "--data"; "kdef:" + kdef.Value; "--target"; "expression"
                         "--folds"; "2"; "--permutations"; "0"; "--max-iter"; "100"; "--device"; "cpu" ]
            Expect.equal code 0 $"probe of a checkpoint ({err})"
            Expect.stringContains stdout "expression from avgpool (64 features" "pooled features of the width-2 net"
            let code, _, err = runCli ([ "train"; "identity"; "--data"; "kdef:" + kdef.Value; "--epochs"; "1"; "--out"; run ] @ tiny)
            Expect.equal code 2 "refuses to overwrite"
            Expect.stringContains err "already exists" "message"
            let code, stdout, err =
                runCli [ "train"; "siamese"; "--data"; "kdef:" + kdef.Value; "--width"; "2"; "--blocks"; "2"; "--input-size"; "32"; "--pairs"; "32"
                         "--epochs"; "2"; "--batch"; "16"; "--hard-negatives"; "0.5"; "--out"; out.File "siam"; "--device"; "cpu" ]
            Expect.equal code 0 $"train siamese ({err})"
            Expect.stringContains stdout "10-fold verification: accuracy" "LFW-protocol result"
            Expect.isTrue (File.Exists(out.File "siam/verification.json")) "verification.json"
    ]
