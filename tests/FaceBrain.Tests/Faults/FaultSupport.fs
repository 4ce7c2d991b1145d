/// The fault-injection suite's machinery (docs/reliability.md): a case builds its hostile input in code inside a
/// fresh folder, runs one `facebrain` command, and asserts the exit code, a single error line naming the file,
/// no stack trace, and the exact set of files left behind. Verbs run in-process through the CLI's own entry
/// point (same parsing, same error mapping, same exit code) unless a case is about signals or processes.
module FaceBrain.Tests.Faults.FaultSupport

open System
open System.IO
open Expecto
open FaceBrain.Tests.TestSupport

/// Every file and folder under `dir`, as sorted relative paths ('/' separators).
let tree (dir: string) =
    if not (Directory.Exists dir) then []
    else
        Directory.EnumerateFileSystemEntries(dir, "*", SearchOption.AllDirectories)
        |> Seq.map (fun p -> Path.GetRelativePath(dir, p).Replace('\\', '/'))
        |> Seq.sort
        |> List.ofSeq

/// Runs `facebrain args` in this process; returns the exit code and what it wrote as its error line(s).
let runInProcess (args: string list) =
    use err = new StringWriter()
    let code = FaceBrain.Cli.FaceBrainApp.Run(Array.ofList args, err)
    code, err.ToString()

/// One hostile case: `setup dir` writes its inputs into `dir` and returns the command line; the run must exit
/// with `code`, print one error line containing every fragment of `names`, and leave exactly the files that
/// existed after setup plus `created`.
type Case =
    { Name: string
      Setup: string -> string list
      Code: int
      Names: string -> string list
      Created: string list }

let case name code (names: string -> string list) setup =
    { Name = name; Setup = setup; Code = code; Names = names; Created = [] }

/// Asserts the error output: exactly one line, "facebrain: error: ...", holding each fragment, no stack trace.
let expectOneLine (err: string) (fragments: string list) =
    let lines = err.Split('\n', StringSplitOptions.RemoveEmptyEntries) |> Array.map (fun l -> l.TrimEnd '\r')
    Expect.equal lines.Length 1 $"one error line, got: {err}"
    Expect.stringStarts lines[0] "facebrain: error: " "the error prefix"
    Expect.isFalse (lines[0].Contains "   at ") "no stack trace"
    // An error the CLI did not expect prints "TypeName: message" (and a second line); a handled one never starts so.
    Expect.isFalse (Text.RegularExpressions.Regex.IsMatch(lines[0], @"^facebrain: error: [\w.]*Exception:")) $"an unhandled exception: {lines[0]}"
    Expect.isFalse (lines[0].Contains ".tmp") $"no temporary file is named: {lines[0]}"
    for f in fragments do
        Expect.stringContains lines[0] f "the error names it"

/// The entries that appeared must be exactly `created` ('*' matches within one path segment); nothing may vanish.
let expectLeft (name: string) (before: string list) (created: string list) (after: string list) =
    let missing = before |> List.filter (fun p -> not (List.contains p after))
    Expect.isEmpty missing $"{name}: inputs removed"
    let fresh = after |> List.filter (fun p -> not (List.contains p before))
    let matches (pattern: string) (p: string) =
        Text.RegularExpressions.Regex.IsMatch(p, "^" + Text.RegularExpressions.Regex.Escape(pattern).Replace("\\*", "[^/]*") + "$")
    let unmatched = fresh |> List.filter (fun p -> not (created |> List.exists (fun c -> matches c p)))
    let absent = created |> List.filter (fun c -> fresh |> List.filter (matches c) |> List.length <> 1)
    Expect.isEmpty unmatched $"{name}: files left behind that should not be (after: {after})"
    Expect.isEmpty absent $"{name}: expected outputs missing (after: {after})"

let run (c: Case) =
    use d = new TempDir()
    let args = c.Setup d.Path
    let before = tree d.Path
    let code, err = runInProcess args
    Expect.equal code c.Code $"{c.Name}: exit code (stderr: {err})"
    if c.Code <> 0 then expectOneLine err (c.Names d.Path)
    expectLeft c.Name before c.Created (tree d.Path)

let toTests (name: string) (cases: Case list) =
    let dup = cases |> List.countBy (fun c -> c.Name) |> List.filter (fun (_, n) -> n > 1)
    if not dup.IsEmpty then failwithf "duplicate fault case names: %A" dup
    testList name [ for c in cases -> testCase c.Name (fun () -> run c) ]

/// Writes bytes, creating the folder.
let bytesAt (path: string) (b: byte[]) =
    Directory.CreateDirectory(Path.GetDirectoryName path) |> ignore
    File.WriteAllBytes(path, b)
    path

let textAt (path: string) (t: string) =
    Directory.CreateDirectory(Path.GetDirectoryName path) |> ignore
    File.WriteAllText(path, t)
    path
