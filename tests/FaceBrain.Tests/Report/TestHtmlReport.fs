module FaceBrain.Tests.Report.TestHtmlReport

open System
open System.IO
open System.Text.RegularExpressions
open Expecto
open FaceBrain.Report.Figures
open FaceBrain.Report.Html
open FaceBrain.Tests.TestSupport
open FaceBrain.Tests.Report.ReportFixtures

let private attributes (name: string) (html: string) =
    Regex.Matches(html, sprintf "%s=\"([^\"]*)\"" name) |> Seq.map (fun m -> Net.WebUtility.HtmlDecode m.Groups[1].Value) |> List.ofSeq

[<Tests>]
let tests =
    testList "Report.Html" [
        testCase "figures beside the report: every link resolves to a file under the report folder" <| fun () ->
            use d = new TempDir()
            let figures = writeAllFigures d.Path
            let index = HtmlReport.Write(document true figures, d.File "index.html")
            let html = File.ReadAllText index
            let images = attributes "src" html
            Expect.equal images.Length figures.Length "one <img> per figure"
            let links = images @ (attributes "href" html |> List.filter (fun h -> not (h.StartsWith "#")))
            Expect.equal links.Length (3 * figures.Length) "PNG, SVG and TSV of every figure"
            for l in links do
                Expect.isFalse (l.Contains "://") (sprintf "%s is a relative link, nothing from the network" l)
                Expect.isTrue (File.Exists(Path.Combine(d.Path, Uri.UnescapeDataString l))) (sprintf "%s exists" l)
            Expect.equal (filesIn d.Path) [| "index.html" |] "index.html and no temporary file beside it"

        testCase "embedded figures are data URIs; the banner, sections, table and provenance are there" <| fun () ->
            use d = new TempDir()
            let figures = writeAllFigures d.Path
            let html = File.ReadAllText(HtmlReport.Write(document true figures, d.File "index.html", FigureEmbedding.DataUri))
            let images = attributes "src" html
            Expect.equal images.Length figures.Length "one <img> per figure"
            for src in images do Expect.isTrue (src.StartsWith "data:image/png;base64,") "embedded"
            let first = Convert.FromBase64String((List.head images).Substring("data:image/png;base64,".Length))
            Expect.equal first (File.ReadAllBytes (fst figures.Head).Png) "the PNG's bytes"
            Expect.stringContains html "SYNTHETIC DATA — pipeline test" "banner"
            Expect.stringContains html "<h2>The study&#39;s table</h2>" "section heading"
            Expect.stringContains html "&lt;frozen networks&gt; &amp; a linear layer" "paragraph text escaped"
            Expect.stringContains html "<td class=\"num\">0.910</td>" "table cell"
            Expect.stringContains html "<td class=\"num\">85.0 % – 96.1 %</td>" "an interval is a number cell (right-aligned, not wrapped)"
            Expect.stringContains html "<td>train – test</td>" "a dash between words is text"
            Expect.stringContains html "<code>facebrain demo --quick --seed 1</code>" "command"
            Expect.stringContains html "data = 1, train = 2" "seeds"
            Expect.stringContains html "<code>0123456789abcdef</code>" "git commit"
            Expect.stringContains html "ScottPlot 5.1.59" "package versions"
            Expect.stringContains html "cpu (2 threads)" "device"
            Expect.stringContains html "<td>train</td><td class=\"num\">41.0</td><td>cached</td>" "timings"
            Expect.stringContains html "<td>total</td><td class=\"num\">44.2</td>" "total time"

        testCase "no banner when the data are real" <| fun () ->
            use d = new TempDir()
            let html = File.ReadAllText(HtmlReport.Write(document false [], d.File "index.html"))
            Expect.isFalse (html.Contains "SYNTHETIC") "no banner"

        testCase "a figure outside the report folder cannot be linked, and nothing is written" <| fun () ->
            use d = new TempDir()
            use elsewhere = new TempDir()
            let figures = writeAllFigures elsewhere.Path
            Directory.CreateDirectory(d.File "report") |> ignore
            expectInputError [ "study.png"; "outside the report folder" ] (fun () ->
                HtmlReport.Write(document true figures, Path.Combine(d.File "report", "index.html")))
            Expect.isEmpty (filesIn (d.File "report")) "no index.html"

        testCase "package versions are read from the loaded assemblies" <| fun () ->
            let v = PackageVersion.Of(typeof<ScottPlot.Plot>)
            Expect.equal v.Name "ScottPlot" "assembly name"
            Expect.equal v.Version "5.1.59" "the pinned version, without build metadata"

        testCase "a figure whose files are missing is refused" <| fun () ->
            use d = new TempDir()
            let figures = writeAllFigures d.Path
            File.Delete (fst figures[2]).Tsv
            expectInputError [ "disentanglement.tsv"; "not found" ] (fun () -> HtmlReport.Write(document true figures, d.File "index.html"))
    ]
