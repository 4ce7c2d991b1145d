module FaceBrain.Tests.Analysis.TestDataset

open System.IO
open Expecto
open FaceBrain.Core.IO
open FaceBrain.Analysis
open FaceBrain.Tests.TestSupport
open FaceBrain.Tests.Analysis.AnalysisSupport

[<Tests>]
let tests =
    testList "Analysis.Dataset" [
        testCase "rows of features and table that disagree are refused" <| fun () ->
            use tmp = new TempDir()
            (tableOf [ "identity", [| "a"; "b"; "c" |] ]).Write(tmp.File "s.tsv")
            Npy.Write<float>(tmp.File "f.npy", System.ReadOnlySpan [| 1.0; 2.0 |], 2L, 1L)
            expectInputError [ "f.npy"; "2 rows"; "3" ] (fun () -> Dataset.load (tmp.File "f.npy") (tmp.File "s.tsv"))

        testCase "NaN and Inf are refused naming rows, stimulus ids and columns" <| fun () ->
            expectInputError [ "2 non-finite"; "row 1 (s1) column 0: NaN"; "row 2 (s2) column 1: Inf" ] (fun () ->
                datasetOf [ "identity", [| "a"; "b"; "c" |] ] 3 2 [| 1.0; 2.0; nan; 0.0; 1.0; infinity |])

        testCase "labels are coded in sorted order" <| fun () ->
            let l = Dataset.encode [| "b"; "a"; "c"; "a" |]
            Expect.equal l.Classes [| "a"; "b"; "c" |] "classes"
            Expect.equal l.Codes [| 1; 0; 2; 0 |] "codes"

        testCase "a missing column is refused, listing the columns" <| fun () ->
            let d = datasetOf [ "identity", [| "a"; "b" |] ] 2 1 [| 1.0; 2.0 |]
            expectInputError [ "no column 'session'"; "identity" ] (fun () -> Dataset.column d "session")
    ]
