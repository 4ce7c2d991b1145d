module FaceBrain.Tests.Data.TestSynthesis

open System
open System.IO
open Expecto
open FaceBrain.Core.Domain
open FaceBrain.Core.IO
open FaceBrain.Data.Loading
open FaceBrain.Data.Synthesis
open FaceBrain.Tests.TestSupport

let private synth layout ids per size seed (dir: string) =
    FaceSynthesizer.Write(SynthOptions(Layout = layout, Identities = ids, PerIdentity = per, Size = size, Seed = seed), dir)

let private allFiles (dir: string) =
    Directory.GetFiles(dir, "*", SearchOption.AllDirectories)
    |> Array.map (fun f -> Path.GetRelativePath(dir, f))
    |> Array.sort

let private gt (dir: string) file = StimulusTable.Read(Path.Combine(dir, file))

/// Grey pixels of a rendered face.
let private grey (f: RenderedFace) =
    let px = f.Bitmap.GetPixelSpan().ToArray()
    Array.init (px.Length / 4) (fun i -> (float px.[4 * i] + float px.[4 * i + 1] + float px.[4 * i + 2]) / 3.0)

[<Tests>]
let tests =
    testList "Data.Synthesis" [
        testCase "same seed, same bytes; another seed, other faces" <| fun () ->
            use d = new TempDir()
            synth SynthLayout.Kdef 2 1 48 7 (d.File "a") |> ignore
            synth SynthLayout.Kdef 2 1 48 7 (d.File "b") |> ignore
            synth SynthLayout.Kdef 2 1 48 8 (d.File "c") |> ignore
            FaceSynthesizer.Write(SynthOptions(Layout = SynthLayout.Kdef, Identities = 2, Size = 48, Seed = 7, Parallelism = 1), d.File "serial") |> ignore
            let files = allFiles (d.File "a")
            for f in files do
                Expect.isTrue (File.ReadAllBytes(Path.Combine(d.File "a", f)) = File.ReadAllBytes(Path.Combine(d.File "serial", f))) $"{f}: one thread or many, same bytes"
            Expect.equal files (allFiles (d.File "b")) "same file names"
            for f in files do
                Expect.isTrue (File.ReadAllBytes(Path.Combine(d.File "a", f)) = File.ReadAllBytes(Path.Combine(d.File "b", f))) $"{f} identical"
            let img = "KDEF/AF01/AF01HAS.JPG"
            Expect.isFalse (File.ReadAllBytes(Path.Combine(d.File "a", img)) = File.ReadAllBytes(Path.Combine(d.File "c", img))) "seed 8 differs"

        testCase "KDEF layout: 70 images per identity, loader labels agree with the ground truth" <| fun () ->
            use d = new TempDir()
            let r = synth SynthLayout.Kdef 3 1 40 1 d.Path
            Expect.equal r.Images 210 "3 identities x 2 sessions x 7 expressions x 5 angles"
            let loaded = KdefLoader.Load d.Path
            Expect.isEmpty loaded.Bad "no bad files"
            Expect.equal (List.ofSeq loaded.Identities) [ "F01"; "F02"; "M01" ] "first half female, numbered within sex"
            let t = gt d.Path "ground_truth.tsv"
            Expect.equal (List.ofSeq t.Ids) (loaded.Stimuli |> Seq.map (fun s -> s.Id) |> List.ofSeq) "same ids, same order"
            for i in 0 .. t.Count - 1 do
                let s = loaded.Stimuli.[i]
                for col in [ "identity"; "expression"; "angle"; "session"; "sex" ] do
                    Expect.equal (s.Label col) t.[i, col] $"{s.Id} {col}"
            Expect.isTrue (t.HasColumn "expr_mouth_curve" && t.HasColumn "id_eye_spacing" && t.HasColumn "nuis_yaw_deg") "parameters recorded"
            // the ground truth is itself a manifest
            Expect.equal (ManifestLoader.Load(d.File "ground_truth.tsv")).Stimuli.Count 210 "ground_truth.tsv loads as a manifest"

        testCase "LFW layout: folders, identity-disjoint pair folds, people lists" <| fun () ->
            use d = new TempDir()
            let r = synth SynthLayout.Lfw 8 3 40 2 d.Path
            let loaded = LfwLoader.Load d.Path
            Expect.isEmpty loaded.Bad "no bad files and no pairs naming missing images"
            Expect.equal loaded.Stimuli.Count 24 "8 x 3"
            let pairs = loaded.Pairs
            Expect.equal pairs.Folds.Count 4 "min(10, identities / 2) folds"
            Expect.equal (pairs.All |> Seq.length) r.Pairs "all pairs kept"
            let who (id: string) = id.Substring(0, id.LastIndexOf '_')
            for p in pairs.All do
                Expect.equal (who p.A = who p.B) p.Same $"pair {p.A} {p.B}"
            let people = [ for f in pairs.Folds -> f |> Seq.collect (fun p -> [ who p.A; who p.B ]) |> Set.ofSeq ]
            for i in 0 .. people.Length - 1 do
                for j in i + 1 .. people.Length - 1 do
                    Expect.isEmpty (Set.intersect people.[i] people.[j]) "folds share no person"
            let dev = loaded.Stimuli |> Seq.map (fun s -> s.Label "lfw_dev") |> Seq.countBy id |> Map.ofSeq
            Expect.equal dev (Map [ "test", 6; "train", 18 ]) "70/30 people split"

        testCase "VGGFace2 layout: meta with commas and quotes, boxes, lists, test identities" <| fun () ->
            use d = new TempDir()
            synth SynthLayout.VggFace2 12 2 48 3 d.Path |> ignore
            let loaded = VggFace2Loader.Load d.Path
            Expect.isEmpty loaded.Bad "lists match the files"
            Expect.equal loaded.Stimuli.Count 24 "12 x 2"
            let name i = (loaded.Stimuli |> Seq.find (fun s -> s.Label "identity" = LayoutPlans.ClassId i)).Label "name"
            Expect.stringContains (name 3) ", Jr." "a name with a comma survives"
            Expect.stringContains (name 5) "\"Ace\"" "a name with quotes survives"
            Expect.isTrue (loaded.Stimuli |> Seq.forall (fun s -> s.Label "bb_w" <> null)) "every image has a box"
            let test = loaded.Stimuli |> Seq.filter (fun s -> s.Label "split" = "test") |> Seq.map (fun s -> s.Label "identity") |> Set.ofSeq
            Expect.equal test (set [ "n000012" ]) "the last tenth of identities (at least one) is the test split"

        testCase "missing parent folders are created; nothing appears under the name before completion" <| fun () ->
            use d = new TempDir()
            let out = Path.Combine(d.Path, "a", "b", "faces")
            FaceSynthesizer.Write(SynthOptions(Layout = SynthLayout.Kdef, Identities = 1, Size = 32, Seed = 1), out) |> ignore
            Expect.isTrue (Directory.Exists(Path.Combine(out, "KDEF"))) "written under a new nested folder"
            Expect.isEmpty (Directory.GetDirectories(Path.Combine(d.Path, "a", "b")) |> Array.filter (fun p -> Path.GetFileName(p).StartsWith ".")) "no partial folder left"

        testCase "manifest layout: every expression equally often per identity" <| fun () ->
            use d = new TempDir()
            synth SynthLayout.Manifest 3 14 40 4 d.Path |> ignore
            let loaded = ManifestLoader.Load(d.File "stimuli.tsv")
            let counts = loaded.Stimuli |> Seq.countBy (fun s -> s.Label "identity", s.Label "expression") |> Seq.map snd |> Set.ofSeq
            Expect.equal counts (set [ 2 ]) "each identity x expression twice"

        testCase "the identity-only factor is balanced, constant per identity, and not drawn" <| fun () ->
            let cast = Cast(5, 9)
            let factors = [ for i in 0 .. 8 -> (cast.Identity i).IdentityOnlyFactor ]
            Expect.equal (factors |> List.filter ((=) 1) |> List.length) 4 "half (rounded down) are +1"
            Expect.equal (factors |> List.filter ((=) -1) |> List.length) 5 "the rest -1"
            let p = cast.Identity 0
            use a = FaceRenderer.Render(p, ExpressionParams.Of(Expression.Happy, 1.0), Nuisance(), 64, 1UL)
            use b = FaceRenderer.Render(p.With(-p.IdentityOnlyFactor), ExpressionParams.Of(Expression.Happy, 1.0), Nuisance(), 64, 1UL)
            Expect.sequenceEqual (a.Bitmap.GetPixelSpan().ToArray()) (b.Bitmap.GetPixelSpan().ToArray()) "same pixels"

        testCase "strength 0 draws neutral; expressions differ from neutral" <| fun () ->
            let p = (Cast(1, 1)).Identity 0
            let render e s =
                use f = FaceRenderer.Render(p, ExpressionParams.Of(e, s), Nuisance(), 64, 1UL)
                f.Bitmap.GetPixelSpan().ToArray()
            let neutral = render Expression.Neutral 1.0
            for e in KdefCodes.AllExpressions do
                Expect.sequenceEqual (render e 0.0) neutral $"{e} at strength 0"
                if e <> Expression.Neutral then Expect.isFalse ((render e 1.0) = neutral) $"{e} at strength 1 is not neutral"

        testCase "expression is decodable from pixels across identities (nearest centroid, leave one identity out)" <| fun () ->
            // Planted truth: the deformation is shared across identities, so after removing each identity's
            // mean image, images of one expression resemble each other more than images of another.
            let cast = Cast(11, 6)
            let clean = Nuisance(Noise = 2.0)
            let feats =
                [| for i in 0 .. 5 ->
                     let imgs = [| for e in KdefCodes.AllExpressions ->
                                     use f = FaceRenderer.Render(cast.Identity i, ExpressionParams.Of(e, 1.0), clean, 48, uint64 (i * 7 + int e))
                                     grey f |]
                     let mean = Array.init imgs.[0].Length (fun k -> imgs |> Array.averageBy (fun v -> v.[k]))
                     imgs |> Array.map (Array.mapi (fun k v -> v - mean.[k])) |]
            let dist (a: float[]) (b: float[]) = Array.fold2 (fun s x y -> s + (x - y) * (x - y)) 0.0 a b
            let mutable correct = 0
            for held in 0 .. 5 do
                let centroids =
                    [| for e in 0 .. 6 ->
                         let others = [| for i in 0 .. 5 do if i <> held then yield feats.[i].[e] |]
                         Array.init others.[0].Length (fun k -> others |> Array.averageBy (fun v -> v.[k])) |]
                for e in 0 .. 6 do
                    let guess = [| 0 .. 6 |] |> Array.minBy (fun c -> dist feats.[held].[e] centroids.[c])
                    if guess = e then correct <- correct + 1
            // Identities differ in shape and placement of every feature (the face space), so even the shared
            // prototypes are no longer one pixel template: well above chance, well below ceiling. The per-pixel
            // renderer (shaded relief, not drawn lines) gives 13/42 at 48 px; 11 is about 2.2 sd above chance.
            Expect.isGreaterThanOrEqual correct 11 $"accuracy {correct}/42 (chance 6/42)"
            Expect.isLessThanOrEqual correct 36 $"accuracy {correct}/42: expression should not be a shared pixel template"

        testCase "LFW names derive from the seed: two seeds share few people, one seed names everyone once" <| fun () ->
            let names seed = [ for i in 0 .. 69 -> LayoutPlans.PersonName(seed, i) ]
            Expect.equal (names 1 |> List.distinct |> List.length) 70 "unique within a run"
            Expect.equal (names 1) (names 1) "same seed, same names"
            let shared = Set.intersect (set (names 1)) (set (names 2)) |> Set.count
            Expect.isLessThanOrEqual shared 4 $"seeds 1 and 2 share {shared} of 70 names (a few percent at most)"
            use d = new TempDir()
            synth SynthLayout.Lfw 6 2 32 2 (d.File "a") |> ignore
            synth SynthLayout.Lfw 6 2 32 3 (d.File "b") |> ignore
            let people dir = Directory.GetDirectories(Path.Combine(dir, "lfw")) |> Array.map Path.GetFileName |> Set.ofArray
            Expect.isLessThanOrEqual (Set.intersect (people (d.File "a")) (people (d.File "b")) |> Set.count) 1 "two synthetic LFW sets are mostly different people"

        testCase "landmarks: 68 points on the drawn face; face-api's crops computed from them" <| fun () ->
            let cast = Cast(3, 2)
            let id = cast.Identity 0
            use f = FaceRenderer.Render(id, ExpressionParams.Neutral, Nuisance(), 200, 1UL)
            let lm = f.Landmarks
            Expect.equal lm.Points.Count 68 "iBUG/dlib scheme"
            Expect.isTrue (lm.LeftEye.X < lm.RightEye.X) "points 36-41 are the image-left eye"
            Expect.isTrue (lm.LeftEye.Y < lm.MouthCentre.Y && lm.RightEye.Y < lm.MouthCentre.Y) "eyes above the mouth"
            let box = f.FaceBox
            for p in lm.Points do
                Expect.isTrue (p.X >= box.Left - 4.0f && p.X <= box.Right + 4.0f && p.Y >= box.Top - 4.0f && p.Y <= box.Bottom + 4.0f) $"landmark {p} inside the face box {box}"
            // the eye centre is drawn dark (iris and pupil) in a light face
            let px = f.Bitmap.GetPixel(int lm.LeftEye.X, int lm.LeftEye.Y)
            let skin = f.Bitmap.GetPixel(int lm.LeftEye.X, int lm.LeftEye.Y + 25)
            Expect.isLessThan (int px.Red + int px.Green + int px.Blue) (int skin.Red + int skin.Green + int skin.Blue) "the eye centre is darker than the cheek"
            let r = lm.RecognitionCrop(200, 200)
            Expect.equal r.Width r.Height "the dlib alignment box is square inside the image"
            let e = lm.ExpressionCrop(200, 200)
            Expect.isTrue (e.Left <= int (lm.Box.Left) && e.Right >= int (lm.Box.Right) - 1) "the expression crop holds the landmark box"
            // expressions move the landmarks: the jaw drop of surprise lowers the mouth
            use s = FaceRenderer.Render(id, ExpressionParams.Of(Expression.Surprised, 1.0), Nuisance(), 200, 1UL)
            Expect.isGreaterThan s.Landmarks.Points.[57].Y (lm.Points.[57].Y + 3.0f) "the lower lip drops"

        testCase "expressions are per person: action units vary between people, not between sessions" <| fun () ->
            let cast = Cast(4, 6)
            let au i e = (cast.ActionUnits(i, cast.Identity i, e, 1.0)).Columns() |> Seq.map (fun struct (_, v) -> v) |> List.ofSeq
            for e in KdefCodes.AllExpressions do
                if e <> Expression.Neutral then
                    Expect.equal (au 0 e) (au 0 e) $"{e}: the same person makes it the same way"
                    let distinct = [ for i in 0 .. 5 -> au i e ] |> List.distinct |> List.length
                    Expect.equal distinct 6 $"{e}: six people, six ways"
            Expect.equal (cast.ActionUnits(0, cast.Identity 0, Expression.Happy, 0.0)) ActionUnits.None "strength 0 is neutral"
            use d = new TempDir()
            synth SynthLayout.Kdef 2 1 40 9 d.Path |> ignore
            let t = gt d.Path "ground_truth.tsv"
            for col in [ "au12_lip_corner_puller"; "au16_lower_lip_depressor"; "expr_jaw_drop"; "expr_mouth_square"; "expr_lower_lip_drop"
                         "id_pc1"; "id_expressivity"; "id_lip_bow"; "id_asymmetry"; "nuis_blur"; "lmk_x0"; "eye_l_x"; "mouth_y" ] do
                Expect.isTrue (t.HasColumn col) $"{col} recorded"

        testCase "action units: the brow muscles pull against each other; tense mouths open square, relaxed ones oval" <| fun () ->
            let d e = ExpressionParams.Prototype e
            let su, af, sa, an = d Expression.Surprised, d Expression.Afraid, d Expression.Sad, d Expression.Angry
            // AU1 + AU2 raise the brow evenly; AU1 + AU4 (sadness) raise its inner end; AU1 + AU2 + AU4 (fear)
            // raise it and draw it together; AU4 alone (anger) lowers it
            Expect.isLessThan (abs su.BrowInner) 0.2 "surprise: even raise"
            Expect.isGreaterThan sa.BrowInner 0.8 "sadness: inner ends up"
            Expect.isGreaterThan af.BrowRaise 0.4 "fear: raised"
            Expect.isGreaterThan af.BrowTogether 0.4 "fear: drawn together"
            Expect.isLessThan an.BrowRaise -0.5 "anger: lowered"
            Expect.isGreaterThan af.MouthSquare 0.8 "fear's lip stretcher squares the mouth"
            Expect.equal su.MouthSquare 0.0 "surprise's dropped jaw is an oval"
            Expect.isGreaterThan (d Expression.Happy).UpperLipRaise 0.1 "an open smile draws the upper lip off the teeth"
            Expect.isGreaterThan af.LowerLipDrop 0.5 "fear pulls the lower lip down"

        testCase "face space: people are points in it; traits share its dimensions" <| fun () ->
            let cast = Cast(6, 70)
            let ids = [ for i in 0 .. 69 -> cast.Identity i ]
            Expect.isTrue (ids |> List.forall (fun p -> p.FaceSpaceCoordinates.Length = FaceSpace.Dimensions)) "coordinates recorded"
            // between-person spread of the proportions, in head units: as large as between real people (a few %)
            let sd (xs: float list) = let m = List.average xs in sqrt (xs |> List.averageBy (fun x -> (x - m) ** 2.0))
            Expect.isGreaterThan (sd [ for p in ids -> p.FaceLength ]) 0.05 "face length varies"
            Expect.isGreaterThan (sd [ for p in ids -> p.EyeSpacing ]) 0.012 "eye spacing varies"
            let m1 = List.average [ for p in ids -> p.FaceSpaceCoordinates.[0] ]
            Expect.isLessThan (abs m1) 0.4 "coordinates are standard normal (mean near 0)"

        testCase "bad options and occupied folders are input errors; nothing is left behind" <| fun () ->
            use d = new TempDir()
            expectInputError [ "at most 70" ] (fun () -> synth SynthLayout.Kdef 71 1 48 1 (d.File "k"))
            expectInputError [ "--per-identity >= 2" ] (fun () -> synth SynthLayout.Lfw 4 1 48 1 (d.File "l"))
            expectInputError [ "--size" ] (fun () -> synth SynthLayout.Manifest 2 2 8 1 (d.File "m"))
            File.WriteAllText(d.File "x.txt", "x")
            expectInputError [ d.Path; "not empty" ] (fun () -> synth SynthLayout.Manifest 2 2 48 1 d.Path)
            expectInputError [ "unknown --layout 'celeba'" ] (fun () -> SynthOptions.ParseLayout "celeba")
            Expect.equal (filesIn d.Path |> List.ofArray) [ "x.txt" ] "no partial folders"
            Expect.isEmpty (Directory.GetDirectories d.Path) "no partial folders"
    ]
