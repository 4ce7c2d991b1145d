module FaceBrain.Tests.Analysis.TestStore

open System.IO
open System.Text.Json
open Expecto
open FaceBrain.Core.IO
open FaceBrain.Analysis
open FaceBrain.Tests.TestSupport
open FaceBrain.Tests.Analysis.AnalysisSupport

let private table3 = tableOf [ "identity", [| "a"; "a"; "b" |] ]
let private layerA : Store.LayerData = { LayerName = "layer1.0"; Rows = 3; Columns = 2; Values = [| 1f; 2f; 3f; 4f; 5f; 6f |] }
let private layerB : Store.LayerData = { LayerName = "avgpool"; Rows = 3; Columns = 1; Values = [| 7f; 8f; 9f |] }

let private editManifest (dir: string) (edit: string -> string) =
    let path = Path.Combine(dir, "manifest.json")
    File.WriteAllText(path, edit (File.ReadAllText path))

[<Tests>]
let tests =
    testList "Analysis.Store" [
        testCase "a written store opens and gives each layer and the table" <| fun () ->
            use tmp = new TempDir()
            Store.write tmp.Path table3 [ layerA; layerB ] true
            let s = Store.openStore tmp.Path
            Expect.equal (Store.layerNames s) [ "layer1.0"; "avgpool" ] "layers in manifest order"
            let d = Store.layer s "layer1.0"
            Expect.equal (d.Rows, d.Columns) (3, 2) "shape"
            Expect.equal d.Features [| 1.0; 2.0; 3.0; 4.0; 5.0; 6.0 |] "values"
            Expect.equal (s.Stimuli.Column "identity" |> List.ofSeq) [ "a"; "a"; "b" ] "table column"

        testCase "float16 layers are read" <| fun () ->
            use tmp = new TempDir()
            Store.write tmp.Path table3 [ layerB ] true
            // Rewrite the layer as '<f2' by hand: header from Core with the descr replaced, then half data.
            let path = Path.Combine(tmp.Path, "layers", "avgpool.npy")
            let header = System.Text.Encoding.Latin1.GetString(Npy.EncodeHeader(NpyDType.Float32, [| 3L; 1L |])).Replace("<f4", "<f2")
            let data = [| 7.0; 8.5; -9.25 |] |> Array.collect (fun v -> System.BitConverter.GetBytes(System.Half.op_Explicit v))
            File.WriteAllBytes(path, Array.append (System.Text.Encoding.Latin1.GetBytes header) data)
            editManifest tmp.Path (fun s -> s.Replace("\"float32\"", "\"float16\""))
            let d = Store.layer (Store.openStore tmp.Path) "avgpool"
            Expect.equal d.Features [| 7.0; 8.5; -9.25 |] "half values"

        testCase "an incomplete store is refused" <| fun () ->
            use tmp = new TempDir()
            Store.write tmp.Path table3 [ layerA ] false
            expectInputError [ "manifest.json"; "incomplete" ] (fun () -> Store.openStore tmp.Path)

        testCase "a missing layer file is refused, naming it" <| fun () ->
            use tmp = new TempDir()
            Store.write tmp.Path table3 [ layerA; layerB ] true
            File.Delete(Path.Combine(tmp.Path, "layers", "avgpool.npy"))
            expectInputError [ "avgpool.npy"; "missing" ] (fun () -> Store.openStore tmp.Path)

        testCase "a layer whose shape disagrees with the manifest is refused" <| fun () ->
            use tmp = new TempDir()
            Store.write tmp.Path table3 [ layerA ] true
            Npy.Write<float32>(Path.Combine(tmp.Path, "layers", "layer1.0.npy"), System.ReadOnlySpan [| 1f; 2f; 3f |], 3L, 1L)
            expectInputError [ "layer1.0.npy"; "does not match" ] (fun () -> Store.openStore tmp.Path)

        testCase "a stimulus table with another row count is refused" <| fun () ->
            use tmp = new TempDir()
            Store.write tmp.Path table3 [ layerA ] true
            (tableOf [ "identity", [| "a"; "b" |] ]).Write(Path.Combine(tmp.Path, "stimuli.tsv"))
            expectInputError [ "stimuli.tsv"; "n_stimuli" ] (fun () -> Store.openStore tmp.Path)

        testCase "another format, a missing manifest and a missing folder are refused" <| fun () ->
            use tmp = new TempDir()
            Store.write tmp.Path table3 [ layerA ] true
            editManifest tmp.Path (fun s -> s.Replace("facebrain-activations", "something-else"))
            expectInputError [ "format" ] (fun () -> Store.openStore tmp.Path)
            File.Delete(Path.Combine(tmp.Path, "manifest.json"))
            expectInputError [ "manifest.json"; "not found" ] (fun () -> Store.openStore tmp.Path)
            expectInputError [ "not found" ] (fun () -> Store.openStore (Path.Combine(tmp.Path, "nope")))

        testCase "an unknown layer lists the known ones" <| fun () ->
            use tmp = new TempDir()
            Store.write tmp.Path table3 [ layerA ] true
            expectInputError [ "no layer 'conv9'"; "layer1.0" ] (fun () -> Store.layer (Store.openStore tmp.Path) "conv9")

        testCase "the manifest the writer makes follows the contract" <| fun () ->
            use tmp = new TempDir()
            Store.write tmp.Path table3 [ layerA ] true
            use doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(tmp.Path, "manifest.json")))
            let r = doc.RootElement
            Expect.equal (r.GetProperty("format").GetString()) "facebrain-activations" "format"
            Expect.equal (r.GetProperty("format_version").GetInt32()) 1 "version"
            let l = (r.GetProperty "layers")[0]
            Expect.equal (l.GetProperty("file").GetString()) "layers/layer1.0.npy" "file"
            let shape = l.GetProperty "shape"
            Expect.equal (shape[1].GetInt32()) 2 "features"
    ]
