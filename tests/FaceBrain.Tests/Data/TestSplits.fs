module FaceBrain.Tests.Data.TestSplits

open System.Collections.Generic
open Expecto
open FaceBrain.Core.Domain
open FaceBrain.Data
open FaceBrain.Tests.TestSupport

/// 10 identities with 3..7 images each, 7 expressions cycling.
let private stimuli =
    [| for i in 0 .. 9 do
         for k in 0 .. 2 + i % 5 ->
             Stimulus($"p{i}_{k}", null, Dictionary(dict [ "identity", $"p{i}"; "expression", string "ABCDEFG".[(i + k) % 7] ])) |]

let private ids (rows: IReadOnlyList<int>) = rows |> Seq.map (fun i -> stimuli.[i].Label "identity") |> Set.ofSeq

[<Tests>]
let tests =
    testList "Data.Splits" [
        testCase "identity-disjoint: no person on both sides, everyone somewhere, deterministic" <| fun () ->
            let s = Splits.IdentityDisjoint(stimuli, 0.3, 42)
            Expect.isEmpty (Set.intersect (ids s.Train) (ids s.Test)) "disjoint"
            Expect.equal (s.Train.Count + s.Test.Count) stimuli.Length "a partition"
            Expect.equal (ids s.Test).Count 3 "30% of 10 identities"
            let again = Splits.IdentityDisjoint(stimuli, 0.3, 42)
            Expect.equal (List.ofSeq again.Test, List.ofSeq again.Train) (List.ofSeq s.Test, List.ofSeq s.Train) "same seed, same split"
            let others = [ for seed in 1 .. 5 -> ids (Splits.IdentityDisjoint(stimuli, 0.3, seed)).Test ] |> Set.ofList
            Expect.isGreaterThan others.Count 1 "seeds change the split"

        testCase "identity-disjoint does not depend on the order of the stimuli" <| fun () ->
            let reversed = Array.rev stimuli
            let a = ids (Splits.IdentityDisjoint(stimuli, 0.5, 7)).Test
            let b = (Splits.IdentityDisjoint(reversed, 0.5, 7)).Test |> Seq.map (fun i -> reversed.[i].Label "identity") |> Set.ofSeq
            Expect.equal b a "same people in test"

        testCase "stratified: each class keeps its proportion" <| fun () ->
            let s = Splits.Stratified(stimuli, "expression", 0.25, 3)
            let count (rows: IReadOnlyList<int>) = rows |> Seq.countBy (fun i -> stimuli.[i].Label "expression") |> Map.ofSeq
            let all = stimuli |> Array.countBy (fun x -> x.Label "expression") |> Map.ofArray
            let test = count s.Test
            for KeyValue(c, n) in all do
                Expect.equal (test.TryFind c |> Option.defaultValue 0) (int (System.Math.Round(float n * 0.25))) $"class {c}"
            Expect.equal (s.Train.Count + s.Test.Count) stimuli.Length "a partition"
            expectInputError [ "no 'emotion' label" ] (fun () -> Splits.Stratified(stimuli, "emotion", 0.25, 3))

        testCase "stratified over class codes: at least one held out of a class of two or more, none of a singleton" <| fun () ->
            let s = Splits.Stratified([| 0L; 0L; 1L; 2L; 2L; 2L; 2L; 2L; 2L; 2L; 2L; 2L; 2L |], 0.1, 5)
            let held = s.Test |> Seq.countBy (fun i -> [| 0; 0; 1; 2; 2; 2; 2; 2; 2; 2; 2; 2; 2 |].[i]) |> Map.ofSeq
            Expect.equal held (Map [ 0, 1; 2, 1 ]) "one of the pair, none of the singleton, round(10 × 0.1) of ten"
            let tests () = List.ofSeq (Splits.Stratified([| 3L; 3L; 4L; 4L |], 0.5, 9)).Test
            Expect.equal (tests ()) (tests ()) "deterministic"
    ]
