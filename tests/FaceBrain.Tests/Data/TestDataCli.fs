module FaceBrain.Tests.Data.TestDataCli

open System.IO
open System.Text.Json
open Expecto
open FaceBrain.Data.Loading
open FaceBrain.Tests.TestSupport
open FaceBrain.Tests.Data.DataFixtures

let private json (out: string) = JsonDocument.Parse(out).RootElement
let private int' (e: JsonElement) (name: string) = e.GetProperty(name).GetInt32()

[<Tests>]
let tests =
    testSequenced <| testList "Data.Cli" [
        testCase "faces synth then data inspect reports what was asked, for every layout" <| fun () ->
            use d = new TempDir()
            let cases =
                [ "kdef", [ "--identities"; "2" ], [ "--data"; "kdef:" + d.File "kdef" ], 140, 2
                  "lfw", [ "--identities"; "4"; "--per-identity"; "3" ], [ "--data"; "lfw:" + d.File "lfw" ], 12, 4
                  "vggface2", [ "--identities"; "3"; "--per-identity"; "2" ], [ "--data"; "vggface2:" + d.File "vggface2" ], 6, 3
                  "manifest", [ "--identities"; "2"; "--per-identity"; "7" ], [ "--data"; "manifest:" + d.File "manifest/stimuli.tsv" ], 14, 2 ]
            for layout, opts, source, images, identities in cases do
                let code, out, err = runCli ([ "faces"; "synth"; "--layout"; layout; "--size"; "40"; "--out"; d.File layout ] @ opts)
                Expect.equal code 0 $"synth {layout}: {err}"
                Expect.stringContains out $"wrote {images} images" "summary line"
                let code, out, err = runCli ([ "data"; "inspect"; "--json" ] @ source)
                Expect.equal code 0 $"inspect {layout}: {err}"
                let j = json out
                Expect.equal (int' j "images") images $"{layout} images"
                Expect.equal (int' j "identities") identities $"{layout} identities"
                Expect.equal (j.GetProperty("bad").GetArrayLength()) 0 $"{layout} bad"
                if layout = "kdef" then
                    let by = j.GetProperty "by_expression"
                    for c in [ "AF"; "AN"; "DI"; "HA"; "NE"; "SA"; "SU" ] do
                        Expect.equal (by.GetProperty(c).GetInt32()) 20 $"KDEF {c}: 2 ids x 2 sessions x 5 angles"
                if layout = "manifest" then
                    Expect.equal (j.GetProperty("by_expression").GetProperty("HA").GetInt32()) 2 "one happy image per person"

        testCase "inspect lists bad files with reasons; exit 0 with a usable image, 2 without" <| fun () ->
            use d = new TempDir()
            jpeg (d.File "KDEF/AF01/AF01ANS.JPG") |> ignore
            zeroByte (d.File "KDEF/AF01/AF01HAS.JPG") |> ignore
            truncatedJpeg (d.File "KDEF/AF01/AF01SAS.JPG") |> ignore
            writeText (d.File "KDEF/AF01/AF01DIS.JPG") "text" |> ignore
            jpeg (d.File "KDEF/AF01/AF01ZZS.JPG") |> ignore
            let code, out, err = runCli [ "data"; "inspect"; "--data"; "kdef:" + d.Path; "--json" ]
            Expect.equal code 0 ("one usable image: " + err)
            let j = json out
            Expect.equal (int' j "images") 1 "images"
            let bad = [ for b in j.GetProperty("bad").EnumerateArray() -> Path.GetFileName(b.GetProperty("path").GetString()), b.GetProperty("reason").GetString() ] |> Map.ofList
            Expect.equal (bad.Count) 4 "four bad files"
            Expect.stringContains bad.["AF01HAS.JPG"] "zero-byte" "zero-byte"
            Expect.stringContains bad.["AF01SAS.JPG"] "truncated" "truncated"
            Expect.stringContains bad.["AF01DIS.JPG"] "not an image" "non-image"
            Expect.stringContains bad.["AF01ZZS.JPG"] "unknown KDEF expression code" "unknown code"
            let code, out, _ = runCli [ "data"; "inspect"; "--data"; "kdef:" + d.Path; "--json"; "--full" ]
            Expect.equal code 0 "--full: still one usable image"
            Expect.equal ((json out).GetProperty("bad").GetArrayLength()) 4 "--full finds the same four"
            File.Delete(d.File "KDEF/AF01/AF01ANS.JPG")
            let code, out, _ = runCli [ "data"; "inspect"; "--data"; "kdef:" + d.Path; "--json" ]
            Expect.equal code 2 "nothing usable"
            Expect.equal (int' (json out) "images") 0 "still reports"

        testCase "inspect: empty folder, wrong layout, no source, two sources are one-line errors with exit 2" <| fun () ->
            use d = new TempDir()
            let check args (fragment: string) =
                let code, _, err = runCli ([ "data"; "inspect" ] @ args)
                Expect.equal code 2 $"exit code for {args}"
                Expect.stringContains err fragment "message"
                Expect.equal (err.Trim().Split('\n').Length) 1 "one line"
            check [ "--data"; "kdef:" + d.Path ] "empty folder"
            check [ "--data"; "lfw:" + d.Path ] "empty folder"
            jpeg (d.File "lfw/Ann_Lee/Ann_Lee_0001.jpg") |> ignore
            check [ "--data"; "kdef:" + d.Path ] "not a KDEF folder"
            check [ "--data"; "vggface2:" + d.Path ] "neither train/ nor test/"
            check [] "--data is required"
            check [ "--data"; d.Path ] "expected kdef:DIR, lfw:DIR"
            check [ "--data"; "images:" + d.Path; "--where"; "angle=S" ] "no stimulus has a 'angle' label"
            check [ "--data"; "images:" + d.Path; "--where"; "identity=XX" ] "no stimulus matches"

        testCase "export writes a manifest that loads back; refuses bad files unless --skip-bad" <| fun () ->
            use d = new TempDir()
            let code, _, err = runCli [ "faces"; "synth"; "--layout"; "kdef"; "--identities"; "1"; "--size"; "32"; "--out"; d.File "k" ]
            Expect.equal code 0 err
            let code, _, err = runCli [ "data"; "export"; "--data"; "kdef:" + d.File "k"; "--where"; "angle=S"; "--out"; d.File "s.tsv" ]
            Expect.equal code 0 err
            let back = ManifestLoader.Load(d.File "s.tsv")
            Expect.equal back.Stimuli.Count 14 "frontal only: 2 sessions x 7 expressions"
            let direct = KdefLoader.Load(d.File "k", LoadOptions(Angles = System.Collections.Generic.HashSet [ "S" ]))
            Expect.equal (back.Stimuli |> Seq.map (fun s -> s.Id, s.Path, s.Label "expression") |> List.ofSeq)
                         (direct.Stimuli |> Seq.map (fun s -> s.Id, s.Path, s.Label "expression") |> List.ofSeq) "same stimuli"
            Expect.isFalse ((File.ReadAllText(d.File "s.tsv")).Contains d.Path) "paths are relative to the TSV"
            zeroByte (d.File "k/KDEF/AF01/AF01HAS.JPG") |> ignore
            let code, _, err = runCli [ "data"; "export"; "--data"; "kdef:" + d.File "k"; "--out"; d.File "t.tsv" ]
            Expect.equal code 2 "refused"
            Expect.stringContains err "AF01HAS.JPG" "names the bad file"
            Expect.isFalse (File.Exists(d.File "t.tsv")) "nothing written"
            let code, _, err = runCli [ "data"; "export"; "--data"; "kdef:" + d.File "k"; "--out"; d.File "t.tsv"; "--skip-bad" ]
            Expect.equal code 0 "skipped"
            Expect.stringContains err "AF01HAS.JPG" "lists what it skipped"
            Expect.equal (ManifestLoader.Load(d.File "t.tsv")).Stimuli.Count 69 "one left out"

        testCase "faces synth: unknown layout and missing --out are exit 2" <| fun () ->
            use d = new TempDir()
            let code, _, err = runCli [ "faces"; "synth"; "--layout"; "celeba"; "--out"; d.File "x" ]
            Expect.equal code 2 "exit"
            Expect.stringContains err "unknown --layout" "message"
            let code, _, _ = runCli [ "faces"; "synth" ]
            Expect.equal code 2 "no --out"
            let code, _, err = runCli [ "faces"; "synth"; "--layout"; "kdef"; "--per-identity"; "3"; "--out"; d.File "k" ]
            Expect.equal code 2 "KDEF has a fixed design"
            Expect.stringContains err "does not apply to KDEF" "message"
            Expect.isFalse (Directory.Exists(d.File "k")) "nothing written"
    ]
