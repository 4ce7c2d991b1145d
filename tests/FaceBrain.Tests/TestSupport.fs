/// Helpers shared by the test files: temporary folders, fixture paths, running the CLI in-process.
module FaceBrain.Tests.TestSupport

open System
open System.IO
open Expecto

let fixture (relative: string) = Path.Combine(AppContext.BaseDirectory, "fixtures", relative)

/// A fresh folder that is removed when disposed.
type TempDir() =
    let path = Path.Combine(Path.GetTempPath(), "facebrain-test-" + Guid.NewGuid().ToString("N"))
    do Directory.CreateDirectory path |> ignore
    member _.Path = path
    member _.File(name: string) = Path.Combine(path, name)
    interface IDisposable with
        member _.Dispose() = try Directory.Delete(path, true) with _ -> ()

/// Files in a folder, by name, ignoring nothing (temp files included).
let filesIn (dir: string) =
    Directory.GetFiles dir |> Array.map Path.GetFileName |> Array.sort

/// Expects an InputException whose message contains every given fragment.
let expectInputError (fragments: string list) (f: unit -> 'a) =
    try
        f () |> ignore
        failtestf "expected an input error mentioning %A" fragments
    with
    | :? FaceBrain.Core.InputException as e ->
        // Fragments are what a user of the CLI reads: the library's `setting` names rendered as its flags.
        Expect.isFalse (e.Message.Contains " --") $"a library message names a setting, not a CLI flag: {e.Message}"
        for frag in fragments do
            Expect.stringContains (FaceBrain.Cli.CliErrors.Flags e.Message) frag "error message"
        Expect.isFalse (e.Message.Contains '\n') "the message is one line"

/// Expects a runtime failure of type 'E (an output that cannot be written, a diverged loss) whose one-line
/// message contains every given fragment.
let expectFailure<'E when 'E :> FaceBrain.Core.RunFailure> (fragments: string list) (f: unit -> 'a) =
    try
        f () |> ignore
        failtestf "expected a %s mentioning %A" typeof<'E>.Name fragments
    with
    | :? 'E as e ->
        for frag in fragments do
            Expect.stringContains (FaceBrain.Cli.CliErrors.Flags e.Message) frag "error message"
        Expect.isFalse (e.Message.Contains '\n') "the message is one line"

/// Runs `facebrain args` as its own process (the CLI built beside this runner), so exit codes, stdout and stderr
/// are the real ones and parallel tests cannot mix their console output. Returns (exit code, stdout, stderr).
/// With extra environment variables for the child process (e.g. FACEBRAIN_CACHE) as runCliEnv.
let runCliEnv (env: (string * string) list) (args: string list) =
    let psi = Diagnostics.ProcessStartInfo("dotnet")
    for k, v in env do psi.Environment[k] <- v
    psi.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "facebrain.dll"))
    for a in args do psi.ArgumentList.Add a
    psi.RedirectStandardOutput <- true
    psi.RedirectStandardError <- true
    psi.UseShellExecute <- false
    use p = Diagnostics.Process.Start psi
    let out = p.StandardOutput.ReadToEndAsync()
    let err = p.StandardError.ReadToEndAsync()
    p.WaitForExit()
    p.ExitCode, out.Result, err.Result

let runCli (args: string list) = runCliEnv [] args
