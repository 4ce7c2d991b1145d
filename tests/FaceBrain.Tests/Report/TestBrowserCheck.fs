/// The report in a real browser (Debian's chromium, headless): every figure decodes and the page is not blank.
module FaceBrain.Tests.Report.TestBrowserCheck

open System
open System.IO
open Expecto
open FaceBrain.Report.Browser
open FaceBrain.Report.Html
open FaceBrain.Tests.TestSupport
open FaceBrain.Tests.Report.ReportFixtures

/// Where Chromium cannot be had the tests are reported as skipped with the reason; on CI (.ci/run installs
/// chromium) a missing browser is a failure, so the check never passes without having run.
let private withBrowser (f: string -> unit) () =
    match Chromium.Find() with
    | null when Environment.GetEnvironmentVariable "CI" = "true" ->
        failtest "chromium is not installed; .ci/run installs it (apt-get install -y chromium)"
    | null ->
        // Expecto names ignored tests' reasons only at --debug; say it on stderr at every verbosity.
        let reason = "no Chromium on PATH (install Debian's 'chromium' or set FACEBRAIN_CHROMIUM): the browser check cannot run here"
        eprintfn "SKIPPED Report.Browser: %s" reason
        skiptest reason
    | browser -> f browser

[<Tests>]
let tests =
    testSequenced <| testList "Report.Browser" [
        testCase "a synthetic report renders in headless Chromium with every figure loaded" <| withBrowser (fun browser ->
            use d = new TempDir()
            let figures = writeAllFigures d.Path
            let index = HtmlReport.Write(document true figures, d.File "index.html")
            let check = Chromium.Check(browser, index, d.File "screenshot.png", 1280, 2400)
            Expect.equal check.Images.Count figures.Length "the browser saw every figure"
            Expect.isEmpty check.Broken "every figure loaded"
            for i in check.Images do Expect.isGreaterThan i.NaturalWidth 300 (sprintf "%s decoded at its size" i.Source)
            Expect.equal (check.Stats.Width, check.Stats.Height) (1280, 2400) "screenshot size"
            Expect.isGreaterThan check.Stats.NonBackgroundShare 0.05 "the screenshot is not blank"
            Expect.isGreaterThan check.Stats.DistinctColours 50 "figures and text, not a flat page"
            Expect.equal (filesIn d.Path) [| "index.html"; "screenshot.png" |] "the probe copy is removed")

        testCase "a figure that does not load is reported broken" <| withBrowser (fun browser ->
            use d = new TempDir()
            let figures = writeAllFigures d.Path
            let index = HtmlReport.Write(document true figures, d.File "index.html")
            File.WriteAllText((fst figures[1]).Png, "not a png")
            let check = Chromium.Check(browser, index, d.File "screenshot.png", 1280, 800)
            Expect.equal (check.Broken |> Seq.map (fun i -> i.Source) |> List.ofSeq) [ "figures/decoding.png" ] "exactly the damaged figure")
    ]
