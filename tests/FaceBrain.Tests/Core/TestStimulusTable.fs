module FaceBrain.Tests.Core.TestStimulusTable

open System.IO
open Expecto
open FaceBrain.Core.IO
open FaceBrain.Tests.TestSupport

let private write (d: TempDir) name (text: string) =
    let p = d.File name
    File.WriteAllText(p, text)
    p

[<Tests>]
let tests =
    testList "StimulusTable" [
        testCase "reads columns and rows in order" <| fun () ->
            use d = new TempDir()
            let p = write d "s.tsv" "stimulus_id\tidentity\texpression\na\tF01\tHA\nb\tF01\tSA\nc\tM02\tHA\n"
            let t = StimulusTable.Read p
            Expect.equal (List.ofSeq t.Columns) [ "stimulus_id"; "identity"; "expression" ] "columns"
            Expect.equal (List.ofSeq t.Ids) [ "a"; "b"; "c" ] "ids in file order"
            Expect.equal (List.ofSeq (t.Column "expression")) [ "HA"; "SA"; "HA" ] "a column"
            Expect.equal t.[2, "identity"] "M02" "a cell"

        testCase "accepts CRLF, a BOM and no trailing newline" <| fun () ->
            use d = new TempDir()
            let p = write d "s.tsv" "\uFEFFstimulus_id\tx\r\na\t1\r\nb\t2"
            let t = StimulusTable.Read p
            Expect.equal (List.ofSeq t.Ids) [ "a"; "b" ] "ids"
            Expect.equal (List.ofSeq (t.Column "x")) [ "1"; "2" ] "no stray carriage returns"

        testCase "round-trips through a file" <| fun () ->
            use d = new TempDir()
            let rows: System.Collections.Generic.IReadOnlyList<string> list = [ [| "x"; "img/x.png" |]; [| "y"; "img/y.png" |] ]
            let t = StimulusTable([ "stimulus_id"; "path" ], rows)
            let p = d.File "out.tsv"
            t.Write p
            let back = StimulusTable.Read p
            Expect.equal (back.ToTsv()) (t.ToTsv()) "same table"

        testCase "duplicate stimulus_id names both rows" <| fun () ->
            use d = new TempDir()
            let p = write d "dup.tsv" "stimulus_id\tx\na\t1\nb\t2\na\t3\n"
            expectInputError [ "dup.tsv"; "duplicate stimulus_id 'a'"; "rows 1 and 3" ] (fun () -> StimulusTable.Read p)

        testCase "ragged rows name the line" <| fun () ->
            use d = new TempDir()
            let p = write d "ragged.tsv" "stimulus_id\tx\na\t1\nb\n"
            expectInputError [ "ragged.tsv"; "line 3"; "1 fields"; "header has 2" ] (fun () -> StimulusTable.Read p)

        testCase "missing id column, empty file, missing file" <| fun () ->
            use d = new TempDir()
            let noId = write d "noid.tsv" "name\tx\na\t1\n"
            expectInputError [ "noid.tsv"; "stimulus_id" ] (fun () -> StimulusTable.Read noId)
            let empty = write d "empty.tsv" ""
            expectInputError [ "empty.tsv"; "empty" ] (fun () -> StimulusTable.Read empty)
            expectInputError [ "absent.tsv"; "not found" ] (fun () -> StimulusTable.Read(d.File "absent.tsv"))

        testCase "an unknown column lists the known ones" <| fun () ->
            use d = new TempDir()
            let t = StimulusTable.Read(write d "s.tsv" "stimulus_id\tidentity\na\tx\n")
            expectInputError [ "s.tsv"; "no column 'expression'"; "identity" ] (fun () -> t.Column "expression")

        testCase "row counts must agree with a matrix" <| fun () ->
            use d = new TempDir()
            let t = StimulusTable.Read(write d "s.tsv" "stimulus_id\na\nb\n")
            t.RequireRows(2L, "m.npy")
            expectInputError [ "m.npy"; "3 rows"; "has 2" ] (fun () -> t.RequireRows(3L, "m.npy"))
    ]
