/// The LFW protocol of `train siamese` as a library (VerificationProtocol): what is held out, and the share of
/// training identities the exclusion drops (reported; a second evaluation set should drop almost none).
module FaceBrain.Tests.Training.TestVerificationProtocol

open System.IO
open Expecto
open FaceBrain.Data.Loading
open FaceBrain.Data.Synthesis
open FaceBrain.Training.Siamese
open FaceBrain.Tests.TestSupport

let private lfw (dir: string) (identities: int) (seed: int) =
    // 6 images each: the synthetic pairs.txt then leaves some images of every person out of the pairs.
    FaceSynthesizer.Write(SynthOptions(Layout = SynthLayout.Lfw, Identities = identities, PerIdentity = 6, Size = 32, Seed = seed), dir) |> ignore
    DataSpec.Load("lfw:" + dir)

[<Tests>]
let tests =
    testList "Training.VerificationProtocol" [
        testCase "own pairs.txt, excluding images: no evaluation image trains, and identities left without images are reported" <| fun () ->
            use d = new TempDir()
            let data = lfw (d.File "a") 20 1
            let s = VerificationProtocol.Split(data, data, false, 1L, "lfw:a")
            let ids = data.Stimuli |> Seq.map (fun st -> st.Label Labels.Identity) |> Array.ofSeq
            Expect.isEmpty (Set.intersect (Set.ofArray s.Eval) (Set.ofArray s.Train)) "no evaluation image in training"
            let trainIds = s.Train |> Array.map (fun r -> ids[r]) |> Set.ofArray
            Expect.equal s.TrainingIdentities 20 "identities of the training set"
            Expect.equal s.DroppedIdentities (20 - trainIds.Count) "dropped = identities no longer in training"
            Expect.equal s.Pairs.Count (data.Pairs.All |> Seq.length) "every pair evaluated"
            // Excluding identities on the set's own pairs leaves nothing here: every synthetic person is in a pair.
            expectInputError [ "no training images left" ] (fun () -> VerificationProtocol.Split(data, data, true, 1L, "lfw:a"))

        testCase "a second set whose identity names coincide drops them, and the share says how many" <| fun () ->
            use d = new TempDir()
            let a = lfw (d.File "a") 20 1
            let b = lfw (d.File "b") 8 2
            let s = VerificationProtocol.Split(a, b, true, 1L, "lfw:a")
            let namesA = a.Stimuli |> Seq.map (fun st -> st.Label Labels.Identity) |> Set.ofSeq
            let pairNames = s.Eval |> Array.map (fun r -> b.Stimuli[r].Label Labels.Identity) |> Set.ofArray
            Expect.equal s.DroppedIdentities (Set.intersect namesA pairNames).Count "dropped = shared names"
            Expect.floatClose Accuracy.high s.DroppedShare (float s.DroppedIdentities / 20.0) "share of the training identities"

        testCase "no pairs file: a seeded fifth of the identities is held out, nothing counts as dropped" <| fun () ->
            use d = new TempDir()
            FaceSynthesizer.Write(SynthOptions(Layout = SynthLayout.VggFace2, Identities = 20, PerIdentity = 4, Size = 32, Seed = 1), d.Path) |> ignore
            let noPairs = DataSpec.Load("vggface2:" + d.Path)
            Expect.isNull noPairs.Pairs "no pairs file"
            let s = VerificationProtocol.Split(noPairs, noPairs, true, 3L, "vggface2:d")
            Expect.equal s.DroppedIdentities 0 "held out by design"
            Expect.equal s.Pairs.Count 600 "600 pairs"
            Expect.equal s.TrainingIdentities 16 "four of twenty held out"
    ]
