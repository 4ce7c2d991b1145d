module FaceBrain.Tests.Study.TestExperimentReader

open System.IO
open Expecto
open FaceBrain.Core
open FaceBrain.Study
open FaceBrain.Study.Experiment
open FaceBrain.Tests.TestSupport

let catalogue = FaceBrain.Cli.Commands.Study.VerbOptions.Catalogue

let private parse (json: string) (dir: string) =
    ExperimentReader.Parse(json, Path.Combine(dir, "experiment.json"), catalogue, null)

let private problemsOf (json: string) (dir: string) =
    try
        parse json dir |> ignore
        failtest "expected the experiment to be refused"
    with :? InputException as e -> e.Message

/// The smallest valid experiment: one random network probed on synthetic KDEF.
let tinyJson (out: string) (iterations: int) (target: string) =
    $$"""{
  "name": "tiny", "out": "{{out}}", "seed": 3, "device": "cpu",
  "data": { "kdef": { "layout": "kdef", "synth": { "identities": 3, "size": 32, "nuisance": 0 } } },
  "networks": [ { "name": "resnet50", "model": "resnet50", "options": { "width": 4, "input_size": 32 },
                  "weights": "random", "layers": ["layer1", "avgpool"] } ],
  "probe": { "data": "kdef", "where": ["angle=S"], "targets": ["{{target}}"],
             "options": { "permutations": 1, "bootstrap": 20, "max_iter": {{iterations}}, "folds": 3 } },
  "extract": { "data": "kdef", "where": ["angle=S"] }
}"""

[<Tests>]
let tests =
    testList "Study.ExperimentReader" [
        testCase "a valid experiment parses, with paths made absolute" <| fun () ->
            use dir = new TempDir()
            let e = parse (tinyJson "out" 20 "expression") dir.Path
            Expect.equal e.Out (Path.Combine(dir.Path, "out")) "out is relative to the file"
            Expect.equal e.Networks.Count 1 "one network"
            Expect.equal (List.ofSeq e.Probe.Targets) [ "expression" ] "targets"
            Expect.isTrue e.Synthetic "synthetic data"

        testCase "every problem is listed at once, with the nearest valid names" <| fun () ->
            use dir = new TempDir()
            let json = """{
  "out": "o", "seeed": 2,
  "data": { "kdef": { "layout": "kdef", "path": "no/such/KDEF" },
            "lfw": { "layout": "lfw", "synth": { "identitees": 4 } } },
  "networks": [
    { "name": "vgg", "model": "resnet50", "preset": "vggface2-caffe", "weights": "missing.pth" },
    { "name": "siam", "model": "siamese", "train": { "task": "siamese", "data": "kdef", "options": { "epochz": 2 } } },
    { "name": "r", "model": "resnet5", "weights": "random", "control": true }
  ],
  "probe": { "data": "kdeff", "targets": ["expression"] },
  "report": { "publishd": [] }
}"""
            let m = problemsOf json dir.Path
            for fragment in [
                "seeed: unknown key (did you mean 'seed'?)"
                "data.kdef.path:"; "no/such/KDEF does not exist"
                "data.lfw.synth.identitees: 'faces synth' has no option --identitees (did you mean 'identities'?)"
                "networks[0].preset: 'vggface2-caffe' is for resnet50-vggface2; it does not fit resnet50"
                "missing.pth does not exist"
                "networks[1].train.data: 'train siamese' needs LFW-layout pairs"
                "networks[1].train.options.epochz: 'train siamese' has no option --epochz (did you mean 'epochs'?)"
                "networks[2].model: 'resnet5' is not one of"; "(did you mean 'resnet50'?)"
                "probe.data: no data set named 'kdeff' (did you mean 'kdef'?)"
                "report.publishd: unknown key (did you mean 'published'?)" ] do
                Expect.stringContains m fragment "listed"
            Expect.isFalse (m.Contains '\n') "one line"

        testCase "options the runner sets itself are refused where they would be ignored" <| fun () ->
            use dir = new TempDir()
            let json = (tinyJson "out" 20 "expression").Replace("\"folds\": 3", "\"folds\": 3, \"out\": \"x\", \"target\": \"identity\"")
            let m = problemsOf json dir.Path
            Expect.stringContains m "probe.options.out: set by the runner" "out"
            Expect.stringContains m "probe.options.target: set by the runner" "target"

        testCase "an fmri ROI tuned to a layer that is not extracted is refused" <| fun () ->
            use dir = new TempDir()
            let json = (tinyJson "out" 20 "expression").TrimEnd('}') + """, "fmri": { "simulate": { "network": "resnet50", "rois": "ffa:layer4,null:none" } } }"""
            let m = problemsOf json dir.Path
            Expect.stringContains m "fmri.simulate.rois: 'ffa:layer4': 'layer4' is not among the layers extracted from resnet50" "roi layer"

        testCase "run refuses an invalid file with exit 2 and creates no output folder" <| fun () ->
            use dir = new TempDir()
            let file = dir.File "bad.json"
            File.WriteAllText(file, (tinyJson "out" 20 "expression").Replace("\"probe\"", "\"prob\""))
            let code, _, err = runCli [ "run"; file ]
            Expect.equal code 2 "exit code"
            Expect.stringContains err "prob: unknown key (did you mean 'probe'?)" "names the key"
            Expect.isFalse (Directory.Exists(dir.File "out")) "no output folder"

        testCase "the demo is configs/demo.json: the same task list as 'run configs/demo.json' with the same seed" <| fun () ->
            use dir = new TempDir()
            let out = dir.File "demo"
            for quick, config in [ false, "demo.json"; true, "demo-quick.json" ] do
                let demoArgs = [ "demo"; "--out"; out; "--seed"; "7"; "--plan" ] @ (if quick then [ "--quick" ] else [])
                let code, demoPlan, err = runCli demoArgs
                Expect.equal code 0 err
                // The same file with the seed set, as a user would edit it.
                let edited = dir.File config
                let json = File.ReadAllText(Path.Combine(System.AppContext.BaseDirectory, "configs", config))
                File.WriteAllText(edited, json.Replace("\"seed\": 1,", "\"seed\": 7,"))
                let code, runPlan, err = runCli [ "run"; edited; "--out"; out; "--plan" ]
                Expect.equal code 0 err
                Expect.equal runPlan demoPlan $"{config}: the same tasks"
                Expect.stringContains demoPlan "\"7\"" "the seed reaches the tasks"
            Expect.isFalse (Directory.Exists out) "--plan writes nothing"

        testCase "the demo's experiment file is the embedded config with seed and device applied" <| fun () ->
            let json = StudyRun.DemoJson(false, System.Nullable 5L, "cpu")
            Expect.stringContains json "\"seed\": 5" "seed"
            let config = File.ReadAllText(Path.Combine(System.AppContext.BaseDirectory, "configs", "demo.json"))
            let strip (s: string) = System.Text.RegularExpressions.Regex.Replace(s, @"\s+", "")
            Expect.equal (strip json) (strip (config.Replace("\"seed\": 1,", "\"seed\": 5,"))) "same content"
    
        testCase "configs/poster.json is valid but for the real data's paths, which this machine lacks" <| fun () ->
            let file = Path.Combine(System.AppContext.BaseDirectory, "configs", "poster.json")
            try
                ExperimentReader.Read(file, catalogue) |> ignore
                // Where the real data sits at those paths, the file is simply valid.
                ()
            with :? InputException as e ->
                let m = e.Message
                let problems = m.Substring(m.IndexOf(": ", m.IndexOf(" problem")) + 2).Split("; ")
                for p in problems do
                    Expect.stringContains p "does not exist" $"only missing paths: {p}"
    ]
