module FaceBrain.Tests.Data.TestLoaders

open System.IO
open Expecto
open FaceBrain.Data.Loading
open FaceBrain.Tests.TestSupport
open FaceBrain.Tests.Data.DataFixtures

let private ids (r: LoadResult) = r.Stimuli |> Seq.map (fun s -> s.Id) |> List.ofSeq
let private badFor (r: LoadResult) (fileName: string) =
    r.Bad |> Seq.tryFind (fun b -> Path.GetFileName(b.Path: string) = fileName || b.Path.EndsWith fileName)
let private expectBad (r: LoadResult) fileName (fragment: string) =
    match badFor r fileName with
    | Some b -> Expect.stringContains b.Reason fragment $"reason for {fileName}"
    | None -> failtestf "expected %s among the bad files, got %A" fileName (r.Bad |> Seq.map string |> List.ofSeq)

let private kdefFixture (d: TempDir) =
    let k = Path.Combine(d.Path, "KDEF")
    for f in [ "AF01/AF01ANS.JPG"; "AF01/AF01HAS.JPG"; "AF01/AF01HAHL.JPG"; "BM02/bm02sufr.jpg"; "AM35/AM35NES.JPEG" ] do
        jpeg (Path.Combine(k, f)) |> ignore
    // irregular names and bad files, each for its own reason
    jpeg (Path.Combine(k, "AF01/AF01XXS.JPG")) |> ignore          // unknown expression code
    jpeg (Path.Combine(k, "AF01/AF01ANQ.JPG")) |> ignore          // unknown angle code
    jpeg (Path.Combine(k, "AF01/AF01AN.JPG")) |> ignore           // no angle
    jpeg (Path.Combine(k, "AM35/AM36NES.JPG")) |> ignore          // actor 36 (and wrong folder)
    jpeg (Path.Combine(k, "AF01/AF02SAS.JPG")) |> ignore          // wrong folder
    zeroByte (Path.Combine(k, "AF01/AF01SAS.JPG")) |> ignore
    writeText (Path.Combine(k, "AF01/AF01DIS.JPG")) "this is not a jpeg" |> ignore
    writeText (Path.Combine(k, "AF01/Thumbs.db")) "x" |> ignore
    k

[<Tests>]
let tests =
    testList "Data.Loaders" [
        testCase "--where keeps rows matching every term (values without regard to case), in order; bad terms are refused" <| fun () ->
            let stim id angle session =
                FaceBrain.Core.Domain.Stimulus(id, null, dict [ "angle", angle; "session", session ] |> System.Collections.Generic.Dictionary)
            let rows = [| stim "a" "S" "A"; stim "b" "HL" "A"; stim "c" "S" "B"; stim "d" "FR" "B" |]
            let ids (f: StimulusFilter) = f.Apply(rows, "set") |> Seq.map (fun s -> s.Id) |> Seq.toList
            Expect.equal (ids (StimulusFilter.Parse [| "angle=s" |])) [ "a"; "c" ] "frontal"
            Expect.equal (ids (StimulusFilter.Parse [| "angle=S,FR"; "session=B" |])) [ "c"; "d" ] "both terms"
            Expect.isNull (StimulusFilter.Parse [||]) "no term, no filter"
            expectInputError [ "--where 'angle'"; "COLUMN=VALUE" ] (fun () -> StimulusFilter.Parse [| "angle" |])
            expectInputError [ "set"; "no stimulus has a 'pose' label" ] (fun () -> (StimulusFilter.Parse [| "pose=S" |]).Apply(rows, "set"))
            expectInputError [ "set"; "no stimulus matches" ] (fun () -> (StimulusFilter.Parse [| "angle=HR" |]).Apply(rows, "set"))

        testCase "KDEF: parses names into identity, expression, angle, session, sex" <| fun () ->
            use d = new TempDir()
            kdefFixture d |> ignore
            let r = KdefLoader.Load d.Path
            Expect.equal (ids r) [ "AF01ANS"; "AF01HAHL"; "AF01HAS"; "AM35NES"; "BM02SUFR" ] "usable stimuli, sorted, canonical stems"
            let s = r.Stimuli |> Seq.find (fun s -> s.Id = "BM02SUFR")
            Expect.equal (s.Label("identity")) "M02" "identity = sex + actor"
            Expect.equal (s.Label("expression")) "SU" "expression"
            Expect.equal (s.Label("angle")) "FR" "angle"
            Expect.equal (s.Label("session")) "B" "session"
            Expect.equal (s.Label("sex")) "M" "sex"
            Expect.isTrue (File.Exists s.Path) "path points at the file"
            Expect.equal (List.ofSeq r.Identities) [ "F01"; "M02"; "M35" ] "identities"

        testCase "KDEF: irregular names and bad files are listed with reasons, not guessed" <| fun () ->
            use d = new TempDir()
            kdefFixture d |> ignore
            let r = KdefLoader.Load d.Path
            expectBad r "AF01XXS.JPG" "unknown KDEF expression code 'XX'"
            expectBad r "AF01ANQ.JPG" "unknown KDEF angle code 'Q'"
            expectBad r "AF01AN.JPG" "not a KDEF name"
            expectBad r "AM36NES.JPG" "outside 01..35"
            expectBad r "AF02SAS.JPG" "is in folder AF01"
            expectBad r "AF01SAS.JPG" "zero-byte"
            expectBad r "AF01DIS.JPG" "not an image"
            expectBad r "Thumbs.db" "not a KDEF name"
            Expect.equal r.Bad.Count 8 "exactly the planted bad files"

        testCase "KDEF: filters by angle, session and expression" <| fun () ->
            use d = new TempDir()
            kdefFixture d |> ignore
            let set (xs: string list) = System.Collections.Generic.HashSet<string>(xs) :> System.Collections.Generic.IReadOnlySet<string>
            let r = KdefLoader.Load(d.Path, LoadOptions(Angles = set [ "S" ]))
            Expect.equal (ids r) [ "AF01ANS"; "AF01HAS"; "AM35NES" ] "frontal only"
            let r2 = KdefLoader.Load(d.Path, LoadOptions(Sessions = set [ "B" ], Expressions = set [ "SU" ]))
            Expect.equal (ids r2) [ "BM02SUFR" ] "session B, surprised"

        testCase "KDEF: the KDEF folder itself is accepted too" <| fun () ->
            use d = new TempDir()
            let k = kdefFixture d
            Expect.equal (KdefLoader.Load k |> ids |> List.length) 5 "same images"

        testCase "KDEF: empty folder, missing folder and another layout are input errors" <| fun () ->
            use d = new TempDir()
            expectInputError [ d.Path; "empty folder" ] (fun () -> KdefLoader.Load d.Path)
            expectInputError [ "nope"; "not found" ] (fun () -> KdefLoader.Load(d.File "nope"))
            jpeg (d.File "lfw/Ann_Smith/Ann_Smith_0001.jpg") |> ignore
            expectInputError [ "not a KDEF folder" ] (fun () -> KdefLoader.Load d.Path)

        testCase "KDEF: a folder whose files all have foreign names is an input error naming one" <| fun () ->
            use d = new TempDir()
            jpeg (d.File "KDEF/AF01/photo.jpg") |> ignore
            expectInputError [ "no KDEF images"; "photo.jpg" ] (fun () -> KdefLoader.Load d.Path)

        testCase "LFW: people folders, dev lists and 10-fold style pairs" <| fun () ->
            use d = new TempDir()
            for f in [ "Ann_Smith/Ann_Smith_0001.jpg"; "Ann_Smith/Ann_Smith_0002.jpg"; "Bo_Li/Bo_Li_0001.jpg"
                       "Bo_Li/Bo_Li_0002.jpg"; "Cy_Tan/Cy_Tan_0001.jpg" ] do
                jpeg (Path.Combine(d.Path, "lfw", f)) |> ignore
            jpeg (d.File "lfw/Cy_Tan/Bo_Li_0003.jpg") |> ignore                // wrong folder
            jpeg (d.File "lfw/Cy_Tan/cy.jpg") |> ignore                        // not an LFW name
            writeText (d.File "lfw/Cy_Tan/Cy_Tan_0002.jpg") "<html>" |> ignore // not an image
            writeText (d.File "peopleDevTrain.txt") "2\nAnn_Smith\t2\nBo_Li\t2\n" |> ignore
            writeText (d.File "peopleDevTest.txt") "1\nCy_Tan\t1\n" |> ignore
            // 2 folds x 1 pair per half; fold 2's mismatched pair names a missing image
            writeText (d.File "pairs.txt") "2\t1\nAnn_Smith\t1\t2\nAnn_Smith\t1\tBo_Li\t1\nBo_Li\t1\t2\nBo_Li\t2\tCy_Tan\t9\n" |> ignore
            let r = LfwLoader.Load d.Path
            Expect.equal (ids r) [ "Ann_Smith_0001"; "Ann_Smith_0002"; "Bo_Li_0001"; "Bo_Li_0002"; "Cy_Tan_0001" ] "images"
            Expect.equal ((r.Stimuli |> Seq.last).Label("identity")) "Cy_Tan" "identity = person"
            Expect.equal ((r.Stimuli |> Seq.head).Label("lfw_dev")) "train" "dev split from peopleDevTrain"
            Expect.equal ((r.Stimuli |> Seq.last).Label("lfw_dev")) "test" "dev split from peopleDevTest"
            let pairs = r.Pairs
            Expect.equal pairs.Folds.Count 2 "folds"
            let fold1 = [ LfwPair(0, true, "Ann_Smith_0001", "Ann_Smith_0002"); LfwPair(0, false, "Ann_Smith_0001", "Bo_Li_0001") ]
            Expect.equal (List.ofSeq pairs.Folds.[0]) fold1 "fold 1"
            let fold2 = [ LfwPair(1, true, "Bo_Li_0001", "Bo_Li_0002") ]
            Expect.equal (List.ofSeq pairs.Folds.[1]) fold2 "fold 2 lost its bad pair"
            Expect.equal (r.IndexOf "Bo_Li_0002") 3 "pair ids map to rows"
            Expect.equal (r.IndexOf "Cy_Tan_0009") -1 "missing id"
            expectBad r "pairs.txt:5" "Cy_Tan_0009"
            expectBad r "Bo_Li_0003.jpg" "is in folder Cy_Tan"
            expectBad r "cy.jpg" "not an LFW image name"
            expectBad r "Cy_Tan_0002.jpg" "not an image"
            Expect.equal r.Bad.Count 4 "exactly the planted problems"

        testCase "LFW: the deep-funneled variant, also nested twice, with pairs.txt at the top" <| fun () ->
            use d = new TempDir()
            jpeg (d.File "lfw-deepfunneled/lfw-deepfunneled/Ann_Smith/Ann_Smith_0001.jpg") |> ignore
            jpeg (d.File "lfw-deepfunneled/lfw-deepfunneled/Ann_Smith/Ann_Smith_0002.jpg") |> ignore
            writeText (d.File "pairs.txt") "1\t1\nAnn_Smith\t1\t2\nAnn_Smith\t1\tAnn_Smith\t2\n" |> ignore
            let r = LfwLoader.Load d.Path
            Expect.equal (ids r) [ "Ann_Smith_0001"; "Ann_Smith_0002" ] "images found"
            Expect.equal (r.Pairs.All |> Seq.length) 2 "pairs.txt beside the outer folder"

        testCase "LFW: a pairs.txt without the pairs structure is an input error naming the line" <| fun () ->
            use d = new TempDir()
            jpeg (d.File "lfw/Ann_Smith/Ann_Smith_0001.jpg") |> ignore
            writeText (d.File "pairs.txt") "1\t1\nAnn_Smith\t1\nAnn_Smith\t1\tBo_Li\t1\n" |> ignore
            expectInputError [ "pairs.txt"; "line 2"; "matched pair" ] (fun () -> LfwLoader.Load d.Path)
            writeText (d.File "pairs.txt") "10\t300\nAnn_Smith\t1\t1\n" |> ignore
            expectInputError [ "pairs.txt"; "needs 6001" ] (fun () -> LfwLoader.Load d.Path)
            writeText (d.File "pairs.txt") "ten\n" |> ignore
            expectInputError [ "pairs.txt"; "line 1" ] (fun () -> LfwLoader.Load d.Path)

        testCase "LFW: empty folder and another layout are input errors" <| fun () ->
            use d = new TempDir()
            expectInputError [ "empty folder" ] (fun () -> LfwLoader.Load d.Path)
            jpeg (d.File "KDEF/AF01/AF01ANS.JPG") |> ignore
            expectInputError [ "not an LFW folder" ] (fun () -> LfwLoader.Load(d.File "KDEF"))

        testCase "VGGFace2: splits, identity_meta.csv with commas and quotes, boxes, lists" <| fun () ->
            use d = new TempDir()
            for f in [ "train/n000002/0001_01.jpg"; "train/n000002/0002_01.jpg"; "test/n000010/0001_02.jpg" ] do
                jpeg (Path.Combine(d.Path, f)) |> ignore
            writeText (d.File "train/n000002/notes.txt") "x" |> ignore
            writeText (d.File "identity_meta.csv")
                "Class_ID, Name, Sample_Num, Flag, Gender\nn000002, \"Smith, John \"\"Jr\"\"\", 2, 1, m\nn000010, \"O'Neil\", 1, 0, f\n" |> ignore
            writeText (d.File "train_list.txt") "n000002/0001_01.jpg\nn000002/0002_01.jpg\nn000002/0003_01.jpg\n" |> ignore
            writeText (d.File "test_list.txt") "n000010/0001_02.jpg\n" |> ignore
            writeText (d.File "bb_landmark/loose_bb_train.csv") "NAME_ID,X,Y,W,H\n\"n000002/0001_01\",1,2,5,6\n" |> ignore
            let r = VggFace2Loader.Load d.Path
            Expect.equal (ids r) [ "n000002/0001_01"; "n000002/0002_01"; "n000010/0001_02" ] "images"
            let s = r.Stimuli.[0]
            Expect.equal (s.Label("name")) "Smith, John \"Jr\"" "name with comma and quotes"
            Expect.equal (s.Label("sex")) "m" "gender"
            Expect.equal (s.Label("split")) "train" "split"
            Expect.equal (s.Label("identity")) "n000002" "identity"
            Expect.equal ([ "bb_x"; "bb_y"; "bb_w"; "bb_h" ] |> List.map s.Label) [ "1"; "2"; "5"; "6" ] "loose box"
            Expect.isNone (Option.ofObj (r.Stimuli.[1].Label("bb_x"))) "no box where the csv has none"
            Expect.equal (r.Stimuli.[2].Label("name")) "O'Neil" "second identity"
            expectBad r "train_list.txt:3" "0003_01"
            expectBad r "notes.txt" "not a VGGFace2 image name"
            Expect.equal r.Bad.Count 2 "exactly the planted problems"

        testCase "VGGFace2: broken identity_meta.csv rows are input errors naming the line" <| fun () ->
            use d = new TempDir()
            jpeg (d.File "train/n000002/0001_01.jpg") |> ignore
            writeText (d.File "identity_meta.csv") "Class_ID, Name, Sample_Num, Flag, Gender\nn000002, Smith, John, 2, 1, m\n" |> ignore
            expectInputError [ "identity_meta.csv"; "line 2"; "6 fields" ] (fun () -> VggFace2Loader.Load d.Path)
            writeText (d.File "identity_meta.csv") "Class_ID, Name, Sample_Num, Flag, Gender\nn000002, \"Smith, 2, 1, m\n" |> ignore
            expectInputError [ "identity_meta.csv"; "line 2"; "unterminated" ] (fun () -> VggFace2Loader.Load d.Path)
            expectInputError [ "neither train/ nor test/" ] (fun () -> VggFace2Loader.Load(d.File "train"))

        testCase "CSV: quoting round-trips" <| fun () ->
            for field in [ "plain"; "a, b"; "say \"hi\""; " padded "; "" ] do
                let line = CsvLine.Quote field + "," + CsvLine.Quote "x"
                let f = CsvLine.Split(line) |> fst
                Expect.equal (List.ofSeq f) [ field; "x" ] $"round trip of '{field}'"

        testCase "Manifest: relative paths, labels, missing files listed" <| fun () ->
            use d = new TempDir()
            jpeg (d.File "img/a.jpg") |> ignore
            jpeg (d.File "img/b.jpg") |> ignore
            writeText (d.File "stim.tsv") "stimulus_id\tpath\tidentity\temotion\na\timg/a.jpg\tp1\thappy\nb\timg/b.jpg\tp2\tsad\nc\timg/c.jpg\tp2\tsad\n" |> ignore
            let r = ManifestLoader.Load(d.File "stim.tsv")
            Expect.equal (ids r) [ "a"; "b" ] "usable rows in file order"
            Expect.equal (r.Stimuli.[1].Label("emotion")) "sad" "free label column"
            Expect.equal r.Stimuli.[0].Path (Path.GetFullPath(d.File "img/a.jpg")) "path relative to the TSV"
            expectBad r "c.jpg" "file not found (row 4, stimulus c)"
            writeText (d.File "nopath.tsv") "stimulus_id\tidentity\na\tp1\n" |> ignore
            expectInputError [ "nopath.tsv"; "no 'path' column" ] (fun () -> ManifestLoader.Load(d.File "nopath.tsv"))

        testCase "Images: a plain folder, identity from the first sub-folder" <| fun () ->
            use d = new TempDir()
            jpeg (d.File "p1/x.jpg") |> ignore
            writePng (d.File "p2/sub/y.png") (image 4 4 (noise 1)) |> ignore
            jpeg (d.File "z.jpg") |> ignore
            writeText (d.File "README") "hello" |> ignore
            let r = FolderLoader.Load d.Path
            Expect.equal (ids r) [ "p1/x"; "p2/sub/y"; "z" ] "ids are relative paths"
            Expect.equal (r.Stimuli |> Seq.map (fun s -> s.Label("identity")) |> List.ofSeq) [ "p1"; "p2"; "z" ] "identities"
            expectBad r "README" "unknown extension"

        testCase "DataSpec: parses every kind and rejects the rest" <| fun () ->
            Expect.equal (DataSpec.Parse "kdef:/a/b") (DataSpec(DatasetKind.Kdef, "/a/b")) "kdef"
            Expect.equal (DataSpec.Parse "LFW:c:/x") (DataSpec(DatasetKind.Lfw, "c:/x")) "first colon only, any case"
            Expect.equal (DataSpec.Parse "vggface2:v").Kind DatasetKind.VggFace2 "vggface2"
            Expect.equal (DataSpec.Parse "manifest:m.tsv").Kind DatasetKind.Manifest "manifest"
            Expect.equal (DataSpec.Parse "images:i").Kind DatasetKind.Images "images"
            expectInputError [ "data spec 'foo:/x'" ] (fun () -> DataSpec.Parse "foo:/x")
            expectInputError [ "data spec '/x'" ] (fun () -> DataSpec.Parse "/x")
            expectInputError [ "no path" ] (fun () -> DataSpec.Parse "kdef:")

        testCase "DataSpec.Load runs the right loader" <| fun () ->
            use d = new TempDir()
            kdefFixture d |> ignore
            let r = DataSpec.Load("kdef:" + d.Path)
            Expect.equal r.Kind DatasetKind.Kdef "kind"
            Expect.equal r.Stimuli.Count 5 "stimuli"
            expectInputError [ "AF01" ] (fun () -> r.RequireNoBad())
    ]
