module FaceBrain.Tests.Study.TestRsaSteps

open System
open System.IO
open Expecto
open FaceBrain.Core
open FaceBrain.Core.IO
open FaceBrain.Study.Experiment
open FaceBrain.Study.Plan
open FaceBrain.Study.Report
open FaceBrain.Tests.TestSupport
open FaceBrain.Tests.Study.TestExperimentReader

/// tinyJson with face-api's expression net, two simulated subjects, the rsa step and the label step.
let private withSteps (extra: string) =
    (tinyJson "out" 20 "expression")
        .Replace("""                  "weights": "random", "layers": ["layer1", "avgpool"] } ],""",
                 """                  "weights": "random", "layers": ["layer1", "avgpool"] },
                { "name": "fe", "model": "faceapi-expression", "weights": "faceapi", "layers": ["dense1", "pool"] } ],""")
        .TrimEnd('}')
    + """, "fmri": { "simulate": { "network": "resnet50", "rois": "ffa:avgpool,null:none", "subjects": 2 } }""" + extra + " }"

let private pairs (xs: (string * string) list) : Collections.Generic.IReadOnlyList<struct (string * string)> =
    xs |> List.map (fun (a, b) -> struct (a, b)) |> ResizeArray :> _

let private parse (json: string) (dir: string) =
    ExperimentReader.Parse(json, Path.Combine(dir, "experiment.json"), catalogue, null)

[<Tests>]
let tests =
    testList "Study.RsaSteps" [
        testCase "rsa, label and simulated subjects become tasks, and the report is given their results" <| fun () ->
            use dir = new TempDir()
            let e = parse (withSteps """, "rsa": { "layers": { "fe": "dense1" }, "options": { "models": "identity,expression" } },
                                        "label": { "data": "kdef", "where": ["angle=S"] }""") dir.Path
            let plan = Planner.Plan e
            let task id = plan.Tasks |> Seq.find (fun t -> t.Id = id)
            let layout = OutLayout(e.Out)
            let argv id = List.ofSeq (task id).Argv
            // Each network's RDM at its chosen layer (default: its last listed), kept for the heatmaps.
            Expect.containsAll (argv "rsa.resnet50") [ "--layer"; "avgpool"; "--save-rdm"; layout.Rdm "resnet50"; "--models"; "identity,expression" ] "default layer"
            Expect.contains (argv "rsa.fe") "dense1" "the chosen layer"
            // Two subjects, each its own folder and seed; the neural RSA reads both, and every store.
            Expect.equal (argv "fmri.simulate" |> List.skipWhile ((<>) "--out") |> List.item 1) layout.Fmri "subject 1"
            Expect.equal (argv "fmri.simulate.sub-2" |> List.skipWhile ((<>) "--out") |> List.item 1) (layout.FmriSubject 2) "subject 2"
            Expect.notEqual (argv "fmri.simulate" |> List.skipWhile ((<>) "--seed") |> List.item 1)
                            (argv "fmri.simulate.sub-2" |> List.skipWhile ((<>) "--seed") |> List.item 1) "own seed"
            let neural = argv "fmri.rsa"
            Expect.equal (neural |> List.filter ((=) "--responses") |> List.length) 2 "both subjects"
            Expect.equal (neural |> List.filter ((=) "--store") |> List.length) 2 "every store (fe has no control)"
            Expect.containsAll (task "fmri.rsa").DependsOn [ "fmri.simulate"; "fmri.simulate.sub-2"; "extract.resnet50"; "extract.fe" ] "waits for them"
            // face-api's expression net labels the set itself.
            Expect.containsAll (argv "label.fe") [ "faces"; "label"; "--weights"; "faceapi"; "--where"; "angle=S" ] "label task"
            // The report reads all of it.
            let report = argv "report"
            for expected in [ "resnet50=" + layout.Rsa "resnet50"; "resnet50=" + layout.Store "resnet50"; layout.NeuralRsa; "fe=" + layout.Label "fe" ] do
                Expect.contains report expected $"report gets {expected}"
            Expect.containsAll (task "report").DependsOn [ "rsa.resnet50"; "rsa.fe"; "fmri.rsa"; "label.fe" ] "report waits"

        testCase "the rsa, label and subjects settings are validated with the rest, every problem at once" <| fun () ->
            use dir = new TempDir()
            let json =
                (withSteps """, "rsa": { "layers": { "resnet5": "avgpool", "fe": "dense9" }, "options": { "modles": "identity" } },
                               "label": { "data": "kdeff" }""").Replace("\"subjects\": 2", "\"subjects\": 0")
            let m =
                try parse json dir.Path |> ignore; failtest "expected the experiment to be refused"
                with :? InputException as e -> e.Message
            for fragment in [
                "rsa.layers.resnet5: no network named 'resnet5' (did you mean 'resnet50'?)"
                "rsa.layers.fe: 'dense9' is not among the layers extracted from fe"
                "rsa.options.modles: 'rsa' has no option --modles (did you mean 'models'?)"
                "label.data: no data set named 'kdeff'"
                "fmri.simulate.subjects: at least 1" ] do
                Expect.stringContains m fragment "listed"

        testCase "the report draws RDM heatmaps by identity and expression, RSA bars with the noise ceiling, and face-api's own confusion" <| fun () ->
            use dir = new TempDir()
            // A store's stimulus table (4 stimuli: 2 identities x 2 expressions, interleaved) and its RDM.
            let store = dir.File "store"
            Directory.CreateDirectory store |> ignore
            File.WriteAllText(Path.Combine(store, "stimuli.tsv"),
                "stimulus_id\tidentity\texpression\ns1\tA\tHA\ns2\tB\tHA\ns3\tA\tSA\ns4\tB\tSA\n")
            let rsa = dir.File "rsa"
            Directory.CreateDirectory rsa |> ignore
            let rdm = [| 0.0; 0.9; 0.2; 0.8;  0.9; 0.0; 0.7; 0.3;  0.2; 0.7; 0.0; 0.6;  0.8; 0.3; 0.6; 0.0 |]
            Npy.Write<double>(Path.Combine(rsa, "rdm.npy"), ReadOnlySpan rdm, 4L, 4L)
            File.WriteAllText(Path.Combine(rsa, "rsa.json"), """{ "distance": "correlation", "models": { "identity": { "spearman": 0.81 }, "expression": { "spearman": -0.2 } } }""")
            let neural = dir.File "fmri.tsv"
            File.WriteAllText(neural,
                "network\tlayer\troi\tgroup\tsubject_mean\tceiling_lower\tceiling_upper\n" +
                "net\tl1\tffa\t0.1\t0.12\t0.4\t0.6\nnet\tl2\tffa\t0.5\t0.45\t0.4\t0.6\nnet-random\tl1\tffa\t0.0\t0.02\t0.4\t0.6\nnet-random\tl2\tffa\t0.1\t0.05\t0.4\t0.6\n")
            let label = dir.File "label"
            Directory.CreateDirectory label |> ignore
            File.WriteAllText(Path.Combine(label, "label.json"),
                """{ "score": { "classes": ["HA", "SA"], "confusion": [[3, 1], [0, 4]], "accuracy": 0.875, "chance": 0.5 } }""")
            let out = dir.File "report"
            let request =
                ReportRequest(out, null, pairs [], pairs [], pairs [], pairs [], pairs [], null, "test",
                              pairs [ ("net", rsa) ], pairs [ ("net", store) ], neural, pairs [ ("fe", label) ])
            StudyReport.Write request |> ignore
            let figures = Path.Combine(out, "figures")
            for name in [ "rdm-net-by-identity"; "rdm-net-by-expression"; "rsa-roi-ffa"; "confusion-fe-labels" ] do
                for ext in [ "png"; "svg"; "tsv" ] do
                    Expect.isTrue (File.Exists(Path.Combine(figures, $"{name}.{ext}"))) $"{name}.{ext}"
            // The heatmap's data is the RDM reordered by the group: identity A's stimuli (s1, s3) first.
            let byIdentity = File.ReadAllLines(Path.Combine(figures, "rdm-net-by-identity.tsv"))
            Expect.equal (byIdentity[0].Split('\t')) [| "stimulus"; "identity"; "s1"; "s3"; "s2"; "s4" |] "ordered by identity"
            let row = byIdentity[2].Split('\t')
            Expect.equal row[0..1] [| "s3"; "A" |] "second row"
            Expect.equal (row[2..] |> Array.map float) [| 0.2; 0.0; 0.7; 0.6 |] "its cells follow the order"
            // The bars: each network at its last layer (no experiment names a layer), and the ceiling.
            let bars = File.ReadAllLines(Path.Combine(figures, "rsa-roi-ffa.tsv"))
            Expect.equal bars.Length 3 "header and two networks"
            let net = bars[1].Split('\t')
            Expect.equal net[0] "net" "first network"
            Expect.equal (float net[1]) 0.45 "at its last layer, l2"
            Expect.equal (net[4..5] |> Array.map float) [| 0.4; 0.6 |] "noise ceiling"
            let html = File.ReadAllText(Path.Combine(out, "index.html"))
            Expect.stringContains html "accuracy 87.5 %" "label accuracy in the caption"
            Expect.stringContains html "identity 0.81" "label-model correlation in the caption"

        testCase "a report whose RDM has no store to label its rows is refused, naming the folder" <| fun () ->
            use dir = new TempDir()
            let request = ReportRequest(dir.File "report", null, pairs [], pairs [], pairs [], pairs [], pairs [], null, "test",
                                        pairs [ ("net", dir.File "rsa") ], pairs [], null, pairs [])
            expectInputError [ dir.File "rsa"; "no store given for the RDM of 'net'" ] (fun () -> StudyReport.Write request |> ignore)
    ]
