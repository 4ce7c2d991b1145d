module FaceBrain.Tests.Core.TestAtomicFile

open System.IO
open Expecto
open FaceBrain.Core
open FaceBrain.Core.IO
open FaceBrain.Tests.TestSupport

[<Tests>]
let tests =
    testList "AtomicFile" [
        testCase "nothing appears under the final name before commit" <| fun () ->
            use d = new TempDir()
            let p = d.File "result.json"
            use f = AtomicFile.Create p
            f.Stream.Write([| 1uy; 2uy |], 0, 2)
            Expect.isFalse (File.Exists p) "not yet"
            f.Commit()
            Expect.equal (File.ReadAllBytes p) [| 1uy; 2uy |] "committed bytes"
            Expect.equal (filesIn d.Path) [| "result.json" |] "no temporary file left"

        testCase "an interrupted write keeps the previous file intact" <| fun () ->
            use d = new TempDir()
            let p = d.File "table.tsv"
            File.WriteAllText(p, "old")
            try
                AtomicFile.Write(p, fun s ->
                    s.Write([| 65uy |], 0, 1)
                    failwith "interrupted")
            with _ -> ()
            Expect.equal (File.ReadAllText p) "old" "old content survives"
            Expect.equal (filesIn d.Path) [| "table.tsv" |] "temporary file removed"

        testCase "replaces an existing file whole" <| fun () ->
            use d = new TempDir()
            let p = d.File "x.txt"
            File.WriteAllText(p, "a much longer previous content")
            AtomicFile.WriteAllText(p, "new")
            Expect.equal (File.ReadAllText p) "new" "replaced"

        testCase "a missing folder is an input error naming the path" <| fun () ->
            use d = new TempDir()
            let p = Path.Combine(d.Path, "no", "such", "out.npy")
            expectInputError [ "out.npy"; "does not exist" ] (fun () -> AtomicFile.WriteAllText(p, "x"))
    
        testCase "taking a folder's lock removes temporaries of dead writers, not of live ones" <| fun () ->
            use d = new TempDir()
            // A pid above the kernel's pid_max (4194304 at most) names no process.
            let dead = d.File ".metrics.tsv.99999999.0123456789abcdef0123456789abcdef.tmp"
            let live = d.File (sprintf ".metrics.tsv.%d.fedcba9876543210fedcba9876543210.tmp" System.Environment.ProcessId)
            let notOurs = d.File ".notes.tmp"
            for p in [ dead; live; notOurs ] do File.WriteAllText(p, "half")
            using (FolderLock.Acquire d.Path) ignore
            Expect.isFalse (File.Exists dead) "a dead writer's temporary goes"
            Expect.isTrue (File.Exists live) "a running writer's temporary stays"
            Expect.isTrue (File.Exists notOurs) "a file that is not a FaceBrain temporary stays"

        testCase "a live process is alive, a pid past pid_max is not" <| fun () ->
            Expect.isTrue (StaleTemporaries.IsAlive System.Environment.ProcessId) "this process"
            Expect.isFalse (StaleTemporaries.IsAlive 99999999) "no such process"
    ]
