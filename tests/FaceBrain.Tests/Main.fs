module FaceBrain.Tests.Main

open Expecto
open Expecto.Impl

/// CI reads a plain closing line, "N passed, N failed"; Expecto's own summary is not recognised.
let private plainSummary (s: TestRunSummary) =
    let failed = s.failed.Length + s.errored.Length
    printfn "%d passed, %d failed" s.passed.Length failed

[<EntryPoint>]
let main argv =
    runTestsInAssemblyWithCLIArgs [ Append_Summary_Handler(SummaryHandler plainSummary); No_Spinner ] argv
