/// Synthetic typed inputs for every figure kind and a report built from them: what the study runner would pass.
module FaceBrain.Tests.Report.ReportFixtures

open System
open System.IO
open FaceBrain.Report
open FaceBrain.Report.Figures
open FaceBrain.Report.Html

let layers = [ "conv1"; "layer1"; "layer2"; "layer3"; "layer4"; "avgpool" ]

let private curve network target weights chance (values: float list) =
    let points =
        List.zip layers values
        |> List.map (fun (l, v) -> LayerValue(l, v, Nullable(max 0.0 (v - 0.05)), Nullable(min 1.0 (v + 0.05))))
    DecodingCurve(network, target, weights, chance, points)

let decoding =
    DecodingCurvesFigure("Layerwise decoding (KDEF frontal)", [
        curve "resnet50" "identity" Weights.Trained (1.0 / 12.0) [ 0.20; 0.35; 0.55; 0.80; 0.95; 0.97 ]
        curve "resnet50" "expression" Weights.Trained (1.0 / 7.0) [ 0.30; 0.45; 0.60; 0.55; 0.40; 0.35 ]
        curve "resnet50" "identity" Weights.Random (1.0 / 12.0) [ 0.15; 0.18; 0.20; 0.22; 0.21; 0.20 ]
        curve "resnet50" "expression" Weights.Random (1.0 / 7.0) [ 0.25; 0.28; 0.30; 0.29; 0.27; 0.26 ]
        curve "siamese" "identity" Weights.Trained (1.0 / 12.0) [ 0.18; 0.30; 0.45; 0.60; 0.70; 0.72 ]
        curve "siamese" "expression" Weights.Trained (1.0 / 7.0) [ 0.22; 0.20; 0.18; 0.16; 0.15; 0.15 ]
    ])

let private series label (values: float list) =
    LayerSeries(label, List.zip layers values |> List.map (fun (l, v) -> LayerValue(l, v)))

let layerLines =
    LayerLinesFigure("Disentanglement across depth", [
        LayerPanel("Tucker's congruence", "congruence of discriminant axes",
                   [ series "resnet50" [ 0.6; 0.5; 0.4; 0.3; 0.2; 0.1 ]; series "resnet50 (random)" [ 0.6; 0.6; 0.55; 0.55; 0.5; 0.5 ] ],
                   ReferenceLine(0.0, "orthogonal"))
        LayerPanel("Cross-expression identity", "accuracy on unseen expressions",
                   [ series "resnet50" [ 0.15; 0.3; 0.5; 0.7; 0.9; 0.92 ]; series "resnet50 (random)" [ 0.1; 0.12; 0.13; 0.12; 0.12; 0.11 ] ],
                   ReferenceLine(1.0 / 12.0, "chance"))
    ])

/// 12 stimuli: 4 identities x 3 expressions, in identity-major order; dissimilarity grows with both differences.
let rdmStimuli = [ for i in 1 .. 4 do for e in [ "AN"; "HA"; "NE" ] -> sprintf "id%02d_%s" i e ]
let rdmIdentity = [ for i in 1 .. 4 do for _ in 1 .. 3 -> sprintf "id%02d" i ]
let rdmExpression = [ for _ in 1 .. 4 do for e in [ "AN"; "HA"; "NE" ] -> e ]
let rdmMatrix =
    Array2D.init 12 12 (fun a b ->
        if a = b then 0.0 else (if a / 3 <> b / 3 then 0.6 else 0.0) + (if a % 3 <> b % 3 then 0.3 else 0.0) + 0.01 * float (abs (a - b)))

let rdmBy (groups: string list) name =
    RdmFigure(sprintf "layer4 RDM, ordered by %s" name, "1 - Pearson r", rdmMatrix, rdmStimuli, groups, name)

let models =
    ModelComparisonFigure("RSA: which model RDM fits layer4", "Spearman correlation with the data RDM",
        [ ModelScore("identity", 0.42, Nullable 0.35, Nullable 0.49); ModelScore("expression", 0.12, Nullable 0.05, Nullable 0.19)
          ModelScore("pixels", 0.05, Nullable -0.02, Nullable 0.11) ],
        Interval(0.55, 0.68))

let encoding =
    EncodingProfilesFigure("Encoding models of simulated fMRI", "prediction r (cross-validated)", [
        EncodingProfile("ffa", [ series "resnet50" [ 0.05; 0.1; 0.2; 0.35; 0.6; 0.5 ]; series "resnet50 (random)" [ 0.05; 0.07; 0.08; 0.1; 0.12; 0.1 ] ],
                        Interval(0.7, 0.8), "layer4")
        EncodingProfile("psts", [ series "resnet50" [ 0.2; 0.4; 0.55; 0.4; 0.3; 0.25 ] ], Interval(0.65, 0.65), "layer2")
        EncodingProfile("null", [ series "resnet50" [ 0.0; 0.01; -0.01; 0.0; 0.02; 0.0 ] ], Interval(0.0, 0.05), "none")
    ])

let training =
    let run name metric split (values: float list) =
        TrainingSeries(name, metric, split, values |> List.mapi (fun i v -> EpochValue(i + 1, v)))
    TrainingCurvesFigure("Training", [
        run "siamese" "loss" "train" [ 0.69; 0.55; 0.45; 0.40; 0.37 ]
        run "siamese" "loss" "validation" [ 0.70; 0.60; 0.52; 0.50; 0.49 ]
        run "resnet50" "loss" "train" [ 2.48; 1.9; 1.2; 0.8; 0.6 ]
        run "siamese" "accuracy" "train" [ 0.52; 0.65; 0.74; 0.79; 0.82 ]
        run "resnet50" "accuracy" "train" [ 0.1; 0.35; 0.6; 0.78; 0.86 ]
    ])

let expressions = [ "afraid"; "angry"; "disgusted"; "happy"; "neutral"; "sad"; "surprised" ]
let confusionCounts = Array2D.init 7 7 (fun i j -> if i = j then 20 + i else (i * 3 + j) % 4)
let confusion = ConfusionFigure("resnet50 probe: expression (unseen identities)", expressions, confusionCounts)

let study synthetic =
    StudyComparisonFigure("The study's table", [
        StudyBar("resnet50", "identity", 0.91, 1.0 / 12.0, Nullable 0.86, Nullable 0.95, Nullable 0.986)
        StudyBar("resnet50", "expression", 0.48, 1.0 / 7.0, Nullable 0.41, Nullable 0.55, Nullable 0.626)
        StudyBar("resnet50-random", "expression", 0.22, 1.0 / 7.0, Nullable 0.16, Nullable 0.28)
        StudyBar("siamese", "expression", 0.17, 1.0 / 7.0, Nullable 0.12, Nullable 0.23, Nullable 0.15)
    ], synthetic)

/// Every figure kind written under `dir/figures`, in a fixed order, with its caption.
let writeAllFigures (dir: string) =
    let figures = Path.Combine(dir, "figures")
    Directory.CreateDirectory figures |> ignore
    let at name = Path.Combine(figures, name)
    [ Figures.StudyComparison(study true, at "study"), "The study's table next to the published figures."
      Figures.DecodingCurves(decoding, at "decoding"), "Decoding accuracy per layer."
      Figures.LayerLines(layerLines, at "disentanglement"), "Congruence and cross-generalisation per layer."
      Figures.RdmHeatmap(rdmBy rdmIdentity "identity", at "rdm-layer4-identity"), "layer4 RDM ordered by identity."
      Figures.RdmHeatmap(rdmBy rdmExpression "expression", at "rdm-layer4-expression"), "layer4 RDM ordered by expression."
      Figures.ModelComparison(models, at "rsa-models"), "Model comparison."
      Figures.EncodingProfiles(encoding, at "encoding"), "Encoding profiles."
      Figures.TrainingCurves(training, at "training"), "Training curves."
      Figures.ConfusionMatrix(confusion, at "confusion-resnet50-expression"), "Confusion matrix." ]

let provenance =
    Provenance("facebrain demo --quick --seed 1", "facebrain-demo/experiment.json", [ Seed("data", 1L); Seed("train", 2L) ],
               "0123456789abcdef", [ PackageVersion("TorchSharp", "0.107.0"); PackageVersion("ScottPlot", "5.1.59") ], "cpu (2 threads)",
               [ StepTiming("data", TimeSpan.FromSeconds 3.2); StepTiming("train", TimeSpan.FromSeconds 41.0, true) ])

let document synthetic (figures: (FigureFiles * string) list) =
    let table =
        ReportTable([ "network"; "target"; "accuracy"; "95% CI"; "chance" ],
                    [ [ "resnet50"; "identity"; "0.910"; "85.0 % – 96.1 %"; "0.083" ] :> Collections.Generic.IReadOnlyList<string>
                      [ "siamese"; "expression"; "0.170"; "train – test"; "0.143" ] ])
    ReportDocument("FaceBrain study report",
        [ ReportSection("The study's table", [ Paragraph "Identity and expression read-out <frozen networks> & a linear layer."; TableBlock(table, "study.tsv") ])
          ReportSection("Figures", [ for (f, caption) in figures -> FigureBlock(f, caption) :> ReportBlock ]) ],
        provenance, synthetic)
