/// Helpers for the analysis tests: the CPU device, small tables and datasets built in memory.
module FaceBrain.Tests.Analysis.AnalysisSupport

open System
open FaceBrain.Core.IO
open FaceBrain.Analysis

/// The CPU device. The analysis tests work on tiny matrices while Expecto runs tests in parallel on a
/// shared 2-core machine: libtorch's OpenMP threads then spin-wait on each other and a 50 ms fit takes
/// seconds. One intra-op thread keeps them fast and steady (benchmarks use the default).
let cpu =
    lazy
        (let d = FaceBrain.Core.Torch.DeviceSpec.Cpu.Resolve()
         TorchSharp.torch.set_num_threads 1
         d)

/// A stimulus table from named columns (stimulus_id is made up as s0, s1, ...).
let tableOf (columns: (string * string[]) list) : StimulusTable =
    let n = (snd columns.Head).Length
    let names = "stimulus_id" :: (columns |> List.map fst)
    let rows = [ for i in 0 .. n - 1 -> (sprintf "s%d" i :: (columns |> List.map (fun (_, v) -> v[i]))) |> Array.ofList :> Collections.Generic.IReadOnlyList<string> ]
    StimulusTable(Array.ofList names, rows, "<test table>")

let datasetOf (columns: (string * string[]) list) (rows: int) (cols: int) (data: float[]) =
    Dataset.make "<test features>" (tableOf columns) rows cols data

let gaussian (seed: int) (count: int) = Metrics.gaussian (Random seed) count

let near (tol: float) (actual: float) (expected: float) (what: string) =
    if not (abs (actual - expected) <= tol) then
        Expecto.Tests.failtestf "%s: expected %.12g, got %.12g (tolerance %g)" what expected actual tol
