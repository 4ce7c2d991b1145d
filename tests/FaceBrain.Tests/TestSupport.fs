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
        for frag in fragments do
            Expect.stringContains e.Message frag "error message"
        Expect.isFalse (e.Message.Contains '\n') "the message is one line"

let private consoleGate = obj ()

/// Runs `facebrain args` in-process; returns (exit code, stdout, stderr).
let runCli (args: string list) =
    lock consoleGate (fun () ->
        let out, err = new StringWriter(), new StringWriter()
        let oldOut, oldErr = Console.Out, Console.Error
        Console.SetOut out
        Console.SetError err
        try
            let code = FaceBrain.Cli.FaceBrainApp.Run(Array.ofList args)
            code, out.ToString(), err.ToString()
        finally
            Console.SetOut oldOut
            Console.SetError oldErr)
