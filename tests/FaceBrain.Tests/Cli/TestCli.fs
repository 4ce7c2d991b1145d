module FaceBrain.Tests.Cli.TestCli

open System.Text.Json
open Expecto
open FaceBrain.Tests.TestSupport

[<Tests>]
let tests =
    testSequenced <| testList "Cli" [
        testCase "doctor --json reports torch loaded" <| fun () ->
            let code, out, err = runCli [ "doctor"; "--json" ]
            Expect.equal code 0 ("exit code; stderr: " + err)
            use doc = JsonDocument.Parse out
            let root = doc.RootElement
            Expect.isTrue (root.GetProperty("torch_loaded").GetBoolean()) "torch loaded"
            Expect.equal (root.GetProperty("torchsharp").GetString().Substring(0, 7)) "0.107.0" "TorchSharp version"
            Expect.isGreaterThan (root.GetProperty("threads").GetInt32()) 0 "threads"
            let has = root.GetProperty("libstdcxx_has_glibcxx_3_4_32").GetBoolean()
            let applied = root.GetProperty("libstdcxx_fix_applied").GetBoolean()
            Expect.isTrue (has <> applied) "exactly one holds: the system provides GLIBCXX_3.4.32, or the fix was applied"

        testCase "an unknown verb exits 2 with one line" <| fun () ->
            let code, _, err = runCli [ "frobnicate" ]
            Expect.equal code 2 "exit code"
            Expect.stringContains err "frobnicate" "names the verb"

        testCase "a misspelt option exits 2 instead of being ignored" <| fun () ->
            let code, _, err = runCli [ "models"; "layers"; "--widht"; "8" ]
            Expect.equal code 2 "exit code"
            Expect.stringContains err "Unknown option 'widht'" "names the option"
    ]
