module FaceBrain.Tests.Report.TestFigures

open System
open System.IO
open Expecto
open FaceBrain.Report
open FaceBrain.Report.Browser
open FaceBrain.Report.Figures
open FaceBrain.Tests.TestSupport
open FaceBrain.Tests.Report.ReportFixtures

let private tsv (files: FigureFiles) =
    File.ReadAllLines files.Tsv |> Array.map (fun l -> l.Split '\t')

let private column (rows: string[][]) name =
    let i = Array.findIndex ((=) name) rows[0]
    rows[1..] |> Array.map (fun r -> r[i])

/// The PNG decodes at the size the figure asked for and is not blank; the SVG is an SVG document with text in it.
let private expectPictures (files: FigureFiles) =
    let stats = ScreenshotStats.Of files.Png
    Expect.isGreaterThan stats.Width 300 "PNG width"
    Expect.isGreaterThan stats.NonBackgroundShare 0.03 "the PNG has drawing on it"
    Expect.isGreaterThan stats.DistinctColours 8 "the PNG has more than a few colours"
    let svg = File.ReadAllText files.Svg
    Expect.stringContains svg "<svg" "an SVG document"
    Expect.stringContains svg "<text" "text stays text in the SVG"

let private write (f: string -> FigureFiles) =
    let d = new TempDir()
    d, f (d.File "fig")

[<Tests>]
let tests =
    testList "Report.Figures" [
        testCase "decoding curves: three files, one TSV row per network, weights, target and layer" <| fun () ->
            let d, files = write (fun p -> Figures.DecodingCurves(decoding, p))
            use _ = d
            Expect.equal (filesIn d.Path) [| "fig.png"; "fig.svg"; "fig.tsv" |] "three files, no temporary left"
            expectPictures files
            let rows = tsv files
            Expect.equal rows[0] [| "network"; "weights"; "target"; "layer"; "accuracy"; "ci_low"; "ci_high"; "chance" |] "header"
            Expect.equal (rows.Length - 1) (decoding.Curves.Count * layers.Length) "rows"
            let r = rows |> Array.find (fun r -> r[0] = "resnet50" && r[1] = "random" && r[2] = "expression" && r[3] = "layer2")
            Expect.equal r[4] "0.3" "accuracy as given"
            Expect.equal (float r[5]) (0.3 - 0.05) "ci_low as given"
            Expect.equal (float r[7]) (1.0 / 7.0) "chance round-trips exactly"

        testCase "layer lines: panel and series named in every row" <| fun () ->
            let d, files = write (fun p -> Figures.LayerLines(layerLines, p))
            use _ = d
            expectPictures files
            let rows = tsv files
            Expect.equal rows[0] [| "panel"; "series"; "layer"; "value"; "ci_low"; "ci_high" |] "header"
            Expect.equal (rows.Length - 1) (4 * layers.Length) "2 panels x 2 lines x 6 layers"
            Expect.equal (column rows "panel" |> Array.distinct) [| "Tucker's congruence"; "Cross-expression identity" |] "panels in order"
            Expect.equal (column rows "ci_low" |> Array.distinct) [| "" |] "no CI given, none written"

        testCase "RDM ordered by expression: the TSV is the reordered matrix with its labels" <| fun () ->
            let d, files = write (fun p -> Figures.RdmHeatmap(rdmBy rdmExpression "expression", p))
            use _ = d
            expectPictures files
            let rows = tsv files
            Expect.equal (rows[0][0..1]) [| "stimulus"; "expression" |] "label columns"
            Expect.equal (rows.Length - 1) 12 "one row per stimulus"
            Expect.equal (column rows "expression") [| for e in [ "AN"; "HA"; "NE" ] do for _ in 1 .. 4 -> e |] "grouped by expression, first-seen order"
            Expect.equal ((column rows "stimulus")[0..3]) [| "id01_AN"; "id02_AN"; "id03_AN"; "id04_AN" |] "stable within a group"
            Expect.equal (rows[0][2..]) (column rows "stimulus") "columns in the same order as rows"
            // Row id02_AN, column id01_HA: originally (3, 1).
            let row = rows |> Array.find (fun r -> r[0] = "id02_AN")
            let col = Array.findIndex ((=) "id01_HA") rows[0]
            Expect.equal (float row[col]) rdmMatrix[3, 1] "cell values follow the reordering"

        testCase "RDM ordered by identity keeps the given order" <| fun () ->
            let d, files = write (fun p -> Figures.RdmHeatmap(rdmBy rdmIdentity "identity", p))
            use _ = d
            Expect.equal (column (tsv files) "stimulus") (List.toArray rdmStimuli) "identity-major already"

        testCase "model comparison: value, CI and the noise ceiling in each row" <| fun () ->
            let d, files = write (fun p -> Figures.ModelComparison(models, p))
            use _ = d
            expectPictures files
            let rows = tsv files
            Expect.equal rows[0] [| "model"; "value"; "ci_low"; "ci_high"; "ceiling_low"; "ceiling_high" |] "header"
            Expect.equal rows[3] [| "pixels"; "0.05"; "-0.02"; "0.11"; "0.55"; "0.68" |] "last model"

        testCase "encoding profiles: ROI, ceiling and planted layer in each row" <| fun () ->
            let d, files = write (fun p -> Figures.EncodingProfiles(encoding, p))
            use _ = d
            expectPictures files
            let rows = tsv files
            Expect.equal rows[0] [| "roi"; "series"; "layer"; "score"; "ci_low"; "ci_high"; "ceiling_low"; "ceiling_high"; "planted_layer" |] "header"
            Expect.equal (rows.Length - 1) (4 * layers.Length) "four lines over six layers"
            let psts = rows |> Array.find (fun r -> r[0] = "psts" && r[2] = "layer2")
            Expect.equal psts[3..] [| "0.55"; ""; ""; "0.65"; "0.65"; "layer2" |] "psts at its planted layer"

        testCase "training curves: run, metric, split, epoch, value" <| fun () ->
            let d, files = write (fun p -> Figures.TrainingCurves(training, p))
            use _ = d
            expectPictures files
            let rows = tsv files
            Expect.equal rows[0] [| "run"; "metric"; "split"; "epoch"; "value" |] "header"
            Expect.equal (rows.Length - 1) 25 "five series of five epochs"
            Expect.equal rows[6] [| "siamese"; "loss"; "validation"; "1"; "0.7" |] "first validation epoch"

        testCase "confusion matrix: counts by true row and predicted column" <| fun () ->
            let d, files = write (fun p -> Figures.ConfusionMatrix(confusion, p))
            use _ = d
            expectPictures files
            let rows = tsv files
            Expect.equal rows[0] (Array.append [| "true\\predicted" |] (List.toArray expressions)) "header"
            for i in 0 .. 6 do
                Expect.equal rows[i + 1] (Array.append [| expressions[i] |] [| for j in 0 .. 6 -> string confusionCounts[i, j] |]) "row"

        testCase "study comparison: this run beside the published figures" <| fun () ->
            let d, files = write (fun p -> Figures.StudyComparison(study true, p))
            use _ = d
            expectPictures files
            let rows = tsv files
            Expect.equal rows[0] [| "network"; "target"; "accuracy"; "ci_low"; "ci_high"; "chance"; "published" |] "header"
            Expect.equal (column rows "published") [| "0.986"; "0.626"; ""; "0.15" |] "published values, none for the control"
            Expect.equal (float ((column rows "chance")[1])) (1.0 / 7.0) "KDEF expression chance"
            Expect.stringContains (File.ReadAllText files.Svg) "SYNTHETIC DATA" "labelled synthetic"

        testCase "bad input: one line naming the figure, and no file written" <| fun () ->
            use d = new TempDir()
            let p = d.File "bad"
            expectInputError [ "bad.png"; "square" ] (fun () ->
                Figures.RdmHeatmap(RdmFigure("x", "d", Array2D.zeroCreate 3 4, [ "a"; "b"; "c" ], [ "g"; "g"; "h" ], "identity"), p))
            expectInputError [ "bad.png"; "not a finite number" ] (fun () ->
                Figures.LayerLines(LayerLinesFigure("x", [ LayerPanel("p", "y", [ LayerSeries("s", [ LayerValue("conv1", nan) ]) ]) ]), p))
            expectInputError [ "bad.png"; "planted"; "layer9" ] (fun () ->
                Figures.EncodingProfiles(EncodingProfilesFigure("x", "r", [ EncodingProfile("ffa", [ LayerSeries("s", [ LayerValue("conv1", 0.1) ]) ], PlantedLayer = "layer9") ]), p))
            expectInputError [ "bad.png"; "ci_low"; "above ci_high" ] (fun () ->
                Figures.ModelComparison(ModelComparisonFigure("x", "y", [ ModelScore("m", 0.5, Nullable 0.6, Nullable 0.4) ]), p))
            expectInputError [ "bad.png"; "twice" ] (fun () ->
                Figures.DecodingCurves(DecodingCurvesFigure("x", [ decoding.Curves[0]; decoding.Curves[0] ]), p))
            expectInputError [ "bad.png"; "2 x 2 for 3 classes" ] (fun () ->
                Figures.ConfusionMatrix(ConfusionFigure("x", [ "a"; "b"; "c" ], Array2D.zeroCreate 2 2), p))
            Expect.isEmpty (filesIn d.Path) "nothing written"

        testCase "a missing output folder is refused before anything is drawn" <| fun () ->
            use d = new TempDir()
            expectInputError [ "no-such-folder"; "does not exist" ] (fun () ->
                Figures.ConfusionMatrix(confusion, Path.Combine(d.Path, "no-such-folder", "c")))
    ]
