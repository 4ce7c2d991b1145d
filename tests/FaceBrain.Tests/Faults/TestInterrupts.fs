/// Signals and killed processes, with the built CLI as a child process (the one place a subprocess is the point):
/// SIGTERM and SIGINT stop a verb within a second with nothing partial left, an extraction or training run stays
/// resumable (and resumes to the bytes of an uninterrupted run), kill -9 leaves nothing a later run trips on,
/// and a second writer into a running extraction's folder is refused naming the first one's pid.
module FaceBrain.Tests.Faults.TestInterrupts

open System
open System.Diagnostics
open System.IO
open System.Threading
open Expecto
open FaceBrain.Core.Store
open FaceBrain.Tests.TestSupport
open FaceBrain.Tests.Faults.FaultSupport

/// How to start `facebrain args` as a child process: the CLI built beside this runner, its output redirected.
let private cliProcess (args: string list) =
    let psi = ProcessStartInfo("dotnet")
    psi.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "facebrain.dll"))
    for a in args do psi.ArgumentList.Add a
    psi.RedirectStandardOutput <- true
    psi.RedirectStandardError <- true
    psi.UseShellExecute <- false
    psi

let private start (args: string list) =
    let p = Process.Start(cliProcess args)
    let err = p.StandardError.ReadToEndAsync()
    p.StandardOutput.ReadToEndAsync() |> ignore
    p, err

let private signal (p: Process) (name: string) =
    use k = Process.Start("kill", $"-{name} {p.Id}")
    k.WaitForExit()

/// Waits until `ready ()` holds (polling), failing if the process ends first or after `seconds`.
let private waitFor (p: Process) (seconds: float) (what: string) (ready: unit -> bool) =
    let sw = Stopwatch.StartNew()
    while not (ready ()) do
        if p.HasExited then failtestf "the process ended (exit %d) before %s" p.ExitCode what
        if sw.Elapsed.TotalSeconds > seconds then
            p.Kill true
            failtestf "no %s after %.0f s" what seconds
        Thread.Sleep 10

let private rowsDone (store: string) =
    try (StoreManifest.Read(Path.Combine(store, "manifest.json"))).RowsDone with _ -> 0

let private images (d: string) n =
    let dir = Path.Combine(d, "imgs")
    for i in 0 .. n - 1 do
        FaceBrain.Tests.Data.DataFixtures.writePng (Path.Combine(dir, $"f{i:D3}.png")) (FaceBrain.Tests.Data.DataFixtures.image 40 40 (FaceBrain.Tests.Data.DataFixtures.noise i)) |> ignore
    dir

/// A slow enough extraction (150 images through a width-16 ResNet at 96 px, two at a time) to stop in the middle.
let private extractArgs imgs out =
    [ "extract"; "--data"; "images:" + imgs; "--model"; "resnet50"; "--width"; "16"; "--input-size"; "96"; "--weights"; "random"
      "--layers"; "layer3,avgpool"; "--batch"; "2"; "--device"; "cpu"; "--out"; out ]

let private layers (store: string) = [ for l in [ "layer3"; "avgpool" ] -> File.ReadAllBytes(Path.Combine(store, "layers", l + ".npy")) ]

let private noTemporaries (dir: string) =
    // An interrupted store's own layers/<layer>.npy.partial files are its resumable state, not leftovers.
    let partialLayer (p: string) = p.StartsWith "layers/" && p.EndsWith ".npy.partial"
    let left = tree dir |> List.filter (fun p -> p.EndsWith ".tmp" || (p.Contains ".partial" && not (partialLayer p)) || p.EndsWith ".lock" || p.EndsWith ".lock.pid")
    Expect.isEmpty left $"no temporary, partial or lock file left: {left}"

/// True when this process ignores SIGINT (a job started in the background by a non-interactive shell, `cmd &`,
/// ignores SIGINT and SIGQUIT): a child inherits that, and .NET leaves an inherited SIG_IGN in place, so the CLI
/// rightly never sees the signal. Bit 1 of /proc/self/status's SigIgn mask is SIGINT.
let private sigintIgnored () =
    File.ReadLines "/proc/self/status"
    |> Seq.tryFind (fun l -> l.StartsWith "SigIgn:")
    |> Option.exists (fun l -> (System.Convert.ToUInt64(l.Substring(7).Trim(), 16) &&& 2UL) <> 0UL)

let private extractStopped (how: string) =
    testCase $"extract stopped by {how}: resumable, and --resume gives the bytes of an uninterrupted run" <| fun () ->
        if how = "INT" && sigintIgnored () then
            skiptest "SIGINT is ignored in this test process (started in the background), so the CLI it starts inherits that and cannot be interrupted with it"
        use d = new TempDir()
        let imgs = images d.Path 150
        let whole, cut = d.File "whole", d.File "cut"
        let code, _, err = runCli (extractArgs imgs whole)
        Expect.equal code 0 err
        let p, err = start (extractArgs imgs cut)
        waitFor p 120.0 "a first batch" (fun () -> rowsDone cut > 0)
        let sw = Stopwatch.StartNew()
        signal p how
        Expect.isTrue (p.WaitForExit 5000) "stopped"
        let seconds = sw.Elapsed.TotalSeconds
        match how with
        | "TERM" | "INT" ->
            Expect.equal p.ExitCode (if how = "TERM" then 143 else 130) $"exit code (stderr: {err.Result})"
            Expect.stringContains err.Result "interrupted" "says so"
            Expect.isLessThan seconds 3.0 "stops within about a second"
            noTemporaries cut
        | _ -> Expect.equal p.ExitCode 137 "killed"
        let m = StoreManifest.Read(Path.Combine(cut, "manifest.json"))
        Expect.isFalse m.Complete "incomplete"
        Expect.isLessThan m.RowsDone 150 "stopped before the end"
        let code, _, err = runCli (extractArgs imgs cut @ [ "--resume" ])
        Expect.equal code 0 $"resumed (stderr: {err})"
        Expect.equal (layers cut) (layers whole) "byte-identical to the uninterrupted run"
        noTemporaries cut

/// `facebrain args` as a child process whose stderr is collected line by line while it runs.
let private startWatched (args: string list) =
    let err = Text.StringBuilder()
    let p = new Process(StartInfo = cliProcess args)
    p.ErrorDataReceived.Add(fun e -> if not (isNull e.Data) then lock err (fun () -> err.AppendLine e.Data |> ignore))
    p.OutputDataReceived.Add ignore
    p.Start() |> ignore
    p.BeginErrorReadLine()
    p.BeginOutputReadLine()
    p, (fun () -> lock err (fun () -> err.ToString()))

/// The model weights and batch-norm statistics of a checkpoint, tensor by tensor: what a resumed run must
/// reproduce byte for byte (model.pt itself is a zip whose entries carry the time they were written).
let private weightsOf (ckpt: string) =
    let info = FaceBrain.Training.Checkpoints.Checkpoint.ReadInfo ckpt
    use net = FaceBrain.Models.Network.Create(info.Model, TorchSharp.torch.CPU, Nullable 0L)
    FaceBrain.Training.Checkpoints.Checkpoint.LoadModel(ckpt, net.Module) |> ignore
    FaceBrain.Tests.Training.TrainingTestSupport.stateBytes net.Module

/// Processes whose command line mentions `fragment` (a task process writing under an output folder).
let private processesWith (fragment: string) =
    Directory.GetDirectories "/proc"
    |> Array.choose (fun d ->
        try
            let cmd = File.ReadAllText(Path.Combine(d, "cmdline")).Replace('\000', ' ')
            if cmd.Contains fragment && cmd.Contains "facebrain.dll" then Some (Path.GetFileName d) else None
        with _ -> None)

let private waitGone (fragment: string) (seconds: float) =
    let sw = Stopwatch.StartNew()
    while (processesWith fragment).Length > 0 && sw.Elapsed.TotalSeconds < seconds do Thread.Sleep 50
    processesWith fragment

/// A small experiment whose tasks each take a few seconds: synthetic KDEF, one random ResNet, a probe, the report.
let private experiment (out: string) =
    $$"""{
  "name": "interrupted", "out": "{{out}}", "seed": 5, "device": "cpu",
  "data": { "kdef": { "layout": "kdef", "synth": { "identities": 4, "size": 48, "nuisance": 0 } } },
  "networks": [ { "name": "resnet50", "model": "resnet50", "options": { "width": 8, "input_size": 48 },
                  "weights": "random", "layers": ["layer1", "layer3", "avgpool"] } ],
  "probe": { "data": "kdef", "where": ["angle=S"], "targets": ["expression"],
             "options": { "permutations": 2, "bootstrap": 20, "max_iter": 100, "folds": 4 } },
  "extract": { "data": "kdef", "where": ["angle=S"] }
}"""

let private runStopped (how: string) =
    testCase $"run stopped by {how} while a task runs: its task process stops too, and a rerun resumes to the same study.tsv" <| fun () ->
        use d = new TempDir()
        let reference = d.File "reference.json"
        File.WriteAllText(reference, experiment "whole")
        let code, _, err = runCli [ "run"; reference ]
        Expect.equal code 0 err
        let table = File.ReadAllBytes(d.File "whole/report/study.tsv")

        let file = d.File "cut.json"
        File.WriteAllText(file, experiment "cut")
        let out = d.File "cut"
        let p, err = startWatched [ "run"; file ]
        // The data task has finished and the extraction's process is running.
        let extracting () = (err ()).Contains "extract: " && (processesWith (Path.Combine(out, "stores"))).Length > 0
        waitFor p 180.0 "a running extraction task" extracting
        signal p how
        Expect.isTrue (p.WaitForExit 5000) "the run stopped"
        match how with
        | "TERM" ->
            Expect.equal p.ExitCode 143 $"exit code (stderr: {err ()})"
            Expect.stringContains (err ()) "interrupted" "says so"
        | _ -> Expect.equal p.ExitCode 137 "killed"
        // SIGTERM is passed on to the task; after kill -9 the task notices its parent is gone.
        let left = waitGone out 10.0
        Expect.isEmpty left $"no task process left running under {out}"
        Expect.isTrue (File.Exists(Path.Combine(out, ".tasks", "data.kdef.json"))) "the finished data task is recorded"
        Expect.isFalse (File.Exists(Path.Combine(out, ".tasks", "extract.resnet50.json"))) "the interrupted task is not"
        let code, _, err = runCli [ "run"; file ]
        Expect.equal code 0 $"resumed (stderr: {err})"
        Expect.isFalse (err.Contains "data.kdef done in") "the finished task did not run again"
        Expect.equal (File.ReadAllBytes(Path.Combine(out, "report", "study.tsv"))) table "byte-identical to the uninterrupted run"

let private siameseArgs (data: string) run epochs =
    [ "train"; "siamese"; "--data"; "lfw:" + Path.Combine(data, "train"); "--eval"; "lfw:" + Path.Combine(data, "eval"); "--model"; "siamese"; "--width"; "4"; "--blocks"; "2"; "--input-size"; "32"
      "--epochs"; string epochs; "--pairs"; "32"; "--batch"; "8"; "--device"; "cpu"; "--seed"; "4"; "--out"; run ]

let private synthArgs out = [ "faces"; "synth"; "--layout"; "kdef"; "--identities"; "8"; "--size"; "96"; "--seed"; "3"; "--out"; out ]

let private partials (d: string) = Directory.GetDirectories(d, ".faces.partial-*")

[<Tests>]
let tests =
    testSequenced <| testList "Faults.Interrupts" [
        extractStopped "TERM"
        extractStopped "INT"
        extractStopped "KILL"

        testCase "a second extraction into a running one's folder is refused at once, naming its pid" <| fun () ->
            use d = new TempDir()
            let imgs = images d.Path 150
            let out = d.File "store"
            let p, _ = start (extractArgs imgs out)
            try
                waitFor p 120.0 "a first batch" (fun () -> rowsDone out > 0)
                for extra in [ [ "--overwrite" ]; [ "--resume" ] ] do
                    let sw = Stopwatch.StartNew()
                    let code, err = runInProcess (extractArgs imgs out @ extra)
                    Expect.equal code 2 $"refused ({extra}): {err}"
                    expectOneLine err [ "store"; $"pid {p.Id}" ]
                    Expect.isLessThan sw.Elapsed.TotalSeconds 30.0 "at once, not after the work"
            finally
                if not p.HasExited then p.Kill true
                p.WaitForExit()

        testCase "faces synth stopped by SIGTERM leaves no partial folder" <| fun () ->
            use d = new TempDir()
            let p, err = start (synthArgs (d.File "faces"))
            waitFor p 120.0 "a partial folder" (fun () -> (partials d.Path).Length > 0)
            signal p "TERM"
            Expect.isTrue (p.WaitForExit 5000) "stopped"
            Expect.equal p.ExitCode 143 $"exit code (stderr: {err.Result})"
            Expect.isEmpty (tree d.Path) $"nothing left: no partial folder, no output ({tree d.Path})"

        testCase "faces synth killed with -9: the next run removes the stale partial folder" <| fun () ->
            use d = new TempDir()
            let p, _ = start (synthArgs (d.File "faces"))
            waitFor p 120.0 "a partial folder" (fun () -> (partials d.Path).Length > 0)
            signal p "KILL"
            p.WaitForExit()
            Expect.isNonEmpty (partials d.Path) "kill -9 cannot clean up"
            let code, _, err = runCli [ "faces"; "synth"; "--layout"; "manifest"; "--identities"; "2"; "--per-identity"; "2"; "--size"; "32"; "--out"; d.File "faces" ]
            Expect.equal code 0 err
            Expect.isEmpty (partials d.Path) "the stale partial folder is gone"

        testCase "train identity stopped by SIGTERM keeps its last checkpoint and resumes" <| fun () ->
            use d = new TempDir()
            let dir = d.File "set"
            let code, _, err = runCli [ "faces"; "synth"; "--layout"; "manifest"; "--identities"; "4"; "--per-identity"; "8"; "--size"; "48"; "--seed"; "2"; "--out"; dir ]
            Expect.equal code 0 err
            let run = d.File "run"
            let args = [ "train"; "identity"; "--data"; "manifest:" + Path.Combine(dir, "stimuli.tsv"); "--model"; "resnet50"; "--width"; "8"; "--input-size"; "48"
                         "--epochs"; "40"; "--batch"; "4"; "--device"; "cpu"; "--out"; run ]
            let p, err = start args
            waitFor p 180.0 "a first checkpoint" (fun () -> File.Exists(Path.Combine(run, "checkpoint.ckpt")))
            signal p "TERM"
            Expect.isTrue (p.WaitForExit 5000) "stopped"
            Expect.equal p.ExitCode 143 $"exit code (stderr: {err.Result})"
            noTemporaries run
            let info = FaceBrain.Training.Checkpoints.Checkpoint.ReadInfo(Path.Combine(run, "checkpoint.ckpt"))
            Expect.isLessThan info.Epoch 40 "stopped early"
            let code, _, err = runCli (args |> List.map (fun a -> if a = "40" then string (info.Epoch + 1) else a) |> fun a -> a @ [ "--resume" ])
            Expect.equal code 2 "another --epochs is another run: refused"
            Expect.stringContains err "other options" "says why"

        testCase "train identity killed with -9: --resume gives the weights of an uninterrupted run" <| fun () ->
            use d = new TempDir()
            let dir = d.File "set"
            let code, _, err = runCli [ "faces"; "synth"; "--layout"; "manifest"; "--identities"; "4"; "--per-identity"; "6"; "--size"; "32"; "--seed"; "2"; "--out"; dir ]
            Expect.equal code 0 err
            let args run = [ "train"; "identity"; "--data"; "manifest:" + Path.Combine(dir, "stimuli.tsv"); "--model"; "resnet50"; "--width"; "4"; "--input-size"; "32"
                             "--epochs"; "8"; "--batch"; "4"; "--device"; "cpu"; "--seed"; "6"; "--out"; run ]
            let code, _, err = runCli (args (d.File "whole"))
            Expect.equal code 0 err
            let run = d.File "run"
            let p, _ = start (args run)
            waitFor p 180.0 "a first checkpoint" (fun () -> File.Exists(Path.Combine(run, "checkpoint.ckpt")))
            signal p "KILL"
            p.WaitForExit()
            let info = FaceBrain.Training.Checkpoints.Checkpoint.ReadInfo(Path.Combine(run, "checkpoint.ckpt"))
            Expect.isLessThan info.Epoch 8 "killed before the end"
            let code, _, err = runCli (args run @ [ "--resume" ])
            Expect.equal code 0 $"resumed (stderr: {err})"
            Expect.equal (weightsOf (Path.Combine(run, "checkpoint.ckpt"))) (weightsOf (d.File "whole/checkpoint.ckpt")) "byte-identical weights"
            noTemporaries run

        testCase "train siamese stopped by SIGTERM: resumable to the same weights; other settings refused" <| fun () ->
            use d = new TempDir()
            let data = d.File "lfw"
            for part, seed in [ "train", "3"; "eval", "4" ] do
                let code, _, err = runCli [ "faces"; "synth"; "--layout"; "lfw"; "--identities"; "8"; "--per-identity"; "4"; "--size"; "32"; "--seed"; seed; "--out"; Path.Combine(data, part) ]
                Expect.equal code 0 err
            let code, _, err = runCli (siameseArgs data (d.File "whole") 10)
            Expect.equal code 0 err
            let run = d.File "run"
            let p, err = start (siameseArgs data run 10)
            waitFor p 180.0 "a first checkpoint" (fun () -> File.Exists(Path.Combine(run, "checkpoint.ckpt")))
            signal p "TERM"
            Expect.isTrue (p.WaitForExit 5000) "stopped"
            Expect.equal p.ExitCode 143 $"exit code (stderr: {err.Result})"
            Expect.stringContains err.Result "interrupted" "says so"
            noTemporaries run
            let info = FaceBrain.Training.Checkpoints.Checkpoint.ReadInfo(Path.Combine(run, "checkpoint.ckpt"))
            Expect.isLessThan info.Epoch 10 "stopped early"
            let code, _, err = runCli (siameseArgs data run 11 @ [ "--resume" ])
            Expect.equal code 2 "another --epochs is another run: refused"
            Expect.stringContains err "other options" "says why"
            let code, _, err = runCli (siameseArgs data run 10 @ [ "--resume" ])
            Expect.equal code 0 $"resumed (stderr: {err})"
            Expect.equal (weightsOf (Path.Combine(run, "checkpoint.ckpt"))) (weightsOf (d.File "whole/checkpoint.ckpt")) "byte-identical weights"

        runStopped "TERM"
        runStopped "KILL"
    ]
