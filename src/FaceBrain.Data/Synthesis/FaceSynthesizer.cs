using System.Text;
using FaceBrain.Core;
using FaceBrain.Core.Domain;
using FaceBrain.Core.IO;
using FaceBrain.Data.Loading;
using SkiaSharp;

namespace FaceBrain.Data.Synthesis;

/// <summary>What a synthesis run wrote.</summary>
public sealed record SynthResult(string OutDir, SynthLayout Layout, int Images, int Identities, string GroundTruth, int Pairs);

/// <summary>
/// Writes synthetic faces in a real set's layout, with the ground truth beside them:
/// <c>ground_truth.tsv</c> (for the manifest layout <c>stimuli.tsv</c>), a stimulus table with a
/// <c>path</c> column, so it is itself a manifest. The folder appears only when complete (it is built
/// under a temporary name and renamed). Same options, same bytes.
/// </summary>
public static class FaceSynthesizer
{
    public const string GroundTruthFile = "ground_truth.tsv";
    public const string ManifestFile = "stimuli.tsv";

    /// <param name="cancel">Checked between images: a stop removes the partial folder and throws OperationCanceledException.</param>
    public static SynthResult Write(SynthOptions o, string outDir, CancellationToken cancel = default)
    {
        o.Validate();
        var final = Path.GetFullPath(outDir);
        if (File.Exists(final)) throw new InputException(outDir, "is a file; `out` must be a new or empty folder");
        OutputTarget.RequireFolder(outDir);
        if (Directory.Exists(final) && Directory.EnumerateFileSystemEntries(final).Any())
            throw new InputException(outDir, "exists and is not empty; choose a new folder");
        var parent = Path.GetDirectoryName(final)!;
        // Parent folders are created as `mkdir -p` would; the output itself still appears only when complete.
        OutputException.Guard(outDir, () => { Directory.CreateDirectory(parent); });
        StaleTemporaries.RemovePartialFolders(parent, Path.GetFileName(final));
        var temp = Path.Combine(parent, $".{Path.GetFileName(final)}.partial-{Environment.ProcessId}-{Guid.NewGuid():N}");
        using var pending = PendingOutputs.Register(temp); // a signal that ends the process removes it too
        OutputException.Guard(outDir, () => { Directory.CreateDirectory(temp); });
        try
        {
            var result = OutputException.Guard(final, () =>
            {
                try { return WriteInto(o, temp, cancel); }
                catch (AggregateException a) when (a.InnerExceptions.All(e => e is IOException or UnauthorizedAccessException))
                {
                    throw a.InnerExceptions[0]; // one line: a full disk fails every parallel writer the same way
                }
            });
            OutputException.Guard(final, () =>
            {
                if (Directory.Exists(final)) Directory.Delete(final);
                Directory.Move(temp, final);
            });
            return result with { OutDir = final };
        }
        catch
        {
            try { Directory.Delete(temp, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
            throw;
        }
    }

    /// <summary>The planned images of a run, in stimulus-id order.</summary>
    public static List<SynthImage> Plan(SynthOptions o)
    {
        var cast = new Cast(o.Seed, o.Identities);
        var plan = o.Layout switch
        {
            SynthLayout.Kdef => LayoutPlans.Kdef(o, cast),
            SynthLayout.Lfw => LayoutPlans.Lfw(o, cast),
            SynthLayout.VggFace2 => LayoutPlans.VggFace2(o, cast),
            SynthLayout.Manifest => LayoutPlans.Manifest(o, cast),
            _ => throw new ArgumentOutOfRangeException(nameof(o)),
        };
        plan.Sort((a, b) => string.CompareOrdinal(a.StimulusId, b.StimulusId));
        return plan;
    }

    /// <summary>Renders one planned image (for benchmarks and tests); dispose the result.</summary>
    public static RenderedFace Render(SynthImage img, Cast cast, SynthOptions o)
    {
        var id = cast.Identity(img.Face.IdentityIndex);
        return FaceRenderer.Render(id, cast.ActionUnits(img.Face.IdentityIndex, id, img.Face.Expression, img.Face.Strength).Deformation(),
            img.Face.Nuisance, o.Size, img.Face.NoiseSeed, img.FaceScale);
    }

    static SynthResult WriteInto(SynthOptions o, string dir, CancellationToken cancel)
    {
        var cast = new Cast(o.Seed, o.Identities);
        var identities = Enumerable.Range(0, cast.Count).Select(cast.Identity).ToArray();
        var plan = Plan(o);
        foreach (var folder in plan.Select(p => Path.GetDirectoryName(p.RelativePath)!).Distinct())
            Directory.CreateDirectory(Path.Combine(dir, folder));
        var boxes = new SKRect[plan.Count];
        var landmarks = new FaceLandmarks[plan.Count];
        var units = plan.Select(p => cast.ActionUnits(p.Face.IdentityIndex, identities[p.Face.IdentityIndex], p.Face.Expression, p.Face.Strength)).ToArray();
        Parallel.For(0, plan.Count, new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, o.Parallelism), CancellationToken = cancel }, i =>
        {
            var img = plan[i];
            using var face = FaceRenderer.Render(identities[img.Face.IdentityIndex], units[i].Deformation(),
                img.Face.Nuisance, o.Size, img.Face.NoiseSeed, img.FaceScale);
            boxes[i] = face.FaceBox;
            landmarks[i] = face.Landmarks;
            File.WriteAllBytes(Path.Combine(dir, img.RelativePath), face.Encode(SKEncodedImageFormat.Jpeg, o.JpegQuality));
        });

        int pairs = 0;
        switch (o.Layout)
        {
            case SynthLayout.Lfw:
                pairs = LayoutFiles.WriteLfwLists(o, cast, plan, dir);
                break;
            case SynthLayout.VggFace2:
                LayoutFiles.WriteVggFace2Lists(o, cast, plan, boxes, dir);
                break;
        }
        var gtName = o.Layout == SynthLayout.Manifest ? ManifestFile : GroundTruthFile;
        GroundTruth(plan, identities, units, landmarks).Write(Path.Combine(dir, gtName));
        return new SynthResult(dir, o.Layout, plan.Count, cast.Count, gtName, pairs);
    }

    /// <summary>The ground-truth table: one row per image, in stimulus-id order.</summary>
    static StimulusTable GroundTruth(List<SynthImage> plan, IdentityParams[] identities, ActionUnits[] units, FaceLandmarks[] landmarks)
    {
        var columns = new List<string> { StimulusTable.IdColumn, "path", Labels.Identity, Labels.Expression, Labels.Angle };
        var extra = plan.SelectMany(p => p.Labels.Select(l => l.Item1)).Distinct().ToList();
        columns.AddRange(extra);
        columns.Add("expression_strength");
        List<string> Tail(int k, SynthImage p) =>
            identities[p.Face.IdentityIndex].Columns()
                .Concat(units[k].Columns())
                .Concat(units[k].Deformation().Columns())
                .Concat(p.Face.Nuisance.Columns())
                .Concat(landmarks[k].Columns()).Select(c => c.Item2).ToList();
        var tailNames = identities[0].Columns().Concat(ActionUnits.None.Columns()).Concat(ExpressionParams.Neutral.Columns())
            .Concat(new Nuisance().Columns()).Concat(FaceLandmarks.Empty.Columns()).Select(c => c.Item1);
        columns.AddRange(tailNames);
        var rows = plan.Select((p, k) =>
        {
            var labels = p.Labels.ToDictionary(l => l.Item1, l => l.Item2);
            var row = new List<string> { p.StimulusId, p.RelativePath, p.Identity, p.Face.Expression.Code(), p.AngleCode };
            row.AddRange(extra.Select(c => labels.TryGetValue(c, out var v) ? v : ""));
            row.Add(IdentityParams.F(p.Face.Strength));
            row.AddRange(Tail(k, p));
            return (IReadOnlyList<string>)row;
        });
        return new StimulusTable(columns, rows, GroundTruthFile);
    }

    internal static void WriteText(string path, string text)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, text, new UTF8Encoding(false));
    }
}
