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

        testCase "every verb's --help prints (descriptions are Spectre markup: a stray bracket broke three)" <| fun () ->
            // The names under COMMANDS: lines indented by exactly four spaces (wrapped descriptions go deeper).
            let commands (path: string list) =
                let code, out, err = runCli (path @ [ "--help" ])
                Expect.equal code 0 $"{path} --help exits 0 ({err})"
                Expect.isFalse (err.Contains "error") $"{path} --help: {err}"
                let lines = out.Replace("\r", "").Split('\n')
                // An option line (indented 4 or 8; wrapped descriptions go deeper) with nothing after the option
                // and its value name has no description.
                let bare = System.Text.RegularExpressions.Regex(@"^ {4}(-\w, | {4})--[\w-]+( <[^>]+>)?\s*$")
                for l in lines do
                    Expect.isFalse (bare.IsMatch l) $"{path}: option without a description: {l.Trim()}"
                match Array.tryFindIndex (fun (l: string) -> l.StartsWith "COMMANDS") lines with
                | None -> []
                | Some i ->
                    lines[i + 1 ..]
                    |> Array.filter (fun l -> l.StartsWith "    " && l.Length > 4 && l[4] <> ' ')
                    |> Array.map (fun l -> l.Trim().Split(' ')[0])
                    |> Array.toList
            let mutable visited = 0
            let rec walk path =
                visited <- visited + 1
                for c in commands path do walk (path @ [ c ])
            walk []
            Expect.isGreaterThan visited 25 "every verb and branch was visited"

        testCase "a misspelt option exits 2 instead of being ignored" <| fun () ->
            let code, _, err = runCli [ "models"; "layers"; "--widht"; "8" ]
            Expect.equal code 2 "exit code"
            Expect.stringContains err "Unknown option 'widht'" "names the option"
    ]
