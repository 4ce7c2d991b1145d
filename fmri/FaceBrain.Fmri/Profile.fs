/// Layer profiles: for each ROI, how well every layer of one or more networks (activation stores) predicts
/// its voxels (median cross-validated r over voxels, a bootstrap CI over voxels), and whether the top layer
/// beats every other layer of its network (a bootstrap over stimuli of the differences in median r).
module FaceBrain.Fmri.Profile

open System
open TorchSharp
open FaceBrain.Core
open FaceBrain.Core.IO
open FaceBrain.Analysis

type LayerScore =
    { Network: string
      Layer: string
      Roi: string
      Voxels: int
      MedianR: double
      /// 95% percentile bootstrap interval of the median, resampling voxels.
      CiLow: double
      CiHigh: double }

/// Per network and ROI: the top layer by median r, and whether it is the best layer.
type BestLayer =
    { Network: string
      Roi: string
      /// The top layer when its lead over every other layer of the network holds: for each other layer, the
      /// 95% bootstrap interval (stimuli resampled, the same resamples for every layer) of the difference in
      /// median r lies above 0. None when some layer is not beaten, or the network has one layer.
      Layer: string option
      /// The layer with the highest median r (best or not) and that median.
      Top: string
      MedianR: double
      /// The other layer the top one is least clearly ahead of (lowest interval bound), the difference of
      /// their median r and its interval. None with a single layer.
      RunnerUp: string option
      Difference: double
      DifferenceCi: Metrics.Interval option }

    /// One line for reports.
    member b.Verdict =
        match b.Layer, b.RunnerUp, b.DifferenceCi with
        | Some l, Some other, Some ci ->
            sprintf "best layer for %s in %s: %s (median r %.3f; ahead of the runner-up %s by %.3f, %.0f%% CI [%.3f, %.3f])"
                b.Roi b.Network l b.MedianR other b.Difference (ci.Level * 100.0) ci.Low ci.High
        | None, Some other, Some ci ->
            sprintf "no layer is best for %s in %s: the top layer %s (median r %.3f) is not ahead of %s (difference %.3f, %.0f%% CI [%.3f, %.3f])"
                b.Roi b.Network b.Top b.MedianR other b.Difference (ci.Level * 100.0) ci.Low ci.High
        | _ -> sprintf "no layer is best for %s in %s: %s is its only layer (median r %.3f)" b.Roi b.Network b.Top b.MedianR

type Result = { Scores: LayerScore[]; Best: BestLayer[] }

/// Percentile bootstrap (seeded) of the median of `values`, by the analysis project's one interval rule.
let bootstrapMedianCi (seed: int) (resamples: int) (values: double[]) =
    let rng = Random(seed)
    let n = values.Length
    let ci = Array.init resamples (fun _ -> Metrics.median (Array.init n (fun _ -> values[rng.Next n]))) |> Metrics.percentileInterval 0.95
    ci.Low, ci.High

/// The ROI of every voxel from a TSV with `voxel` and `roi` columns (simulate's truth.tsv has both).
/// Voxels the table does not list belong to no ROI.
let readRoiTable (path: string) (voxels: int) : string option[] =
    let t = TsvFile.Read(path, "an ROI table needs a header with voxel and roi")
    let vc, rc = t.ColumnIndex "voxel", t.ColumnIndex "roi"
    let rois = Array.create voxels None
    for i in 0 .. t.Rows.Count - 1 do
        let f = t.Rows[i]
        match Int32.TryParse f[vc] with
        | true, v when v >= 0 && v < voxels -> rois[v] <- Some f[rc]
        | _ -> raise (InputException(path, sprintf "line %d: voxel '%s' is not between 0 and %d" (i + 2) f[vc] (voxels - 1)))
    if rois |> Array.forall Option.isNone then raise (InputException(path, "assigns no voxel to an ROI"))
    rois

/// How often each stimulus is drawn in each of `resamples` bootstrap resamples of n stimuli: [resamples, n].
let private stimulusResamples (seed: int) (resamples: int) (n: int) : torch.Tensor =
    let rng = Random(seed + 1)
    let counts = Array.zeroCreate (resamples * n)
    for b in 0 .. resamples - 1 do
        for _ in 1 .. n do
            let i = rng.Next n
            counts[b * n + i] <- counts[b * n + i] + 1.0
    Tensors.matrix torch.CPU resamples n counts

/// Per-voxel Pearson r of predictions against responses in every resample, as weighted sums over the
/// stimuli (weights = how often a resample drew each one): five GEMMs of [resamples, n] by [n, voxels]
/// per batch of voxels instead of a gather per resample. [resamples][voxels], row-major.
let private resampledR (counts: torch.Tensor) (y: Matrix) (p: Matrix) : double[] =
    let b, n = counts.shape[0], counts.shape[1]
    let voxels = y.Cols
    let out = Array.zeroCreate (int b * voxels)
    use yT = Matrix.toTensor torch.CPU y
    use pT = Matrix.toTensor torch.CPU p
    let batch = max 1 (int ((Ridge.defaultBudget / 8L) / (8L * (b + n))))
    for start in 0 .. batch .. voxels - 1 do
        use scope = torch.NewDisposeScope()
        let len = min batch (voxels - start)
        // Centre on the full sample first: r is shift-invariant and the sums lose less precision.
        let yc = yT.narrow(1L, int64 start, int64 len)
        let yc = yc - yc.mean([| 0L |], true)
        let pc = pT.narrow(1L, int64 start, int64 len)
        let pc = pc - pc.mean([| 0L |], true)
        let nn = float n
        let sy, sp = counts.matmul yc, counts.matmul pc
        let syy, spp, syp = counts.matmul (yc * yc), counts.matmul (pc * pc), counts.matmul (yc * pc)
        let cov = syp - sy * sp / nn
        let r = cov / ((syy - sy * sy / nn) * (spp - sp * sp / nn)).sqrt()
        let a = Tensors.toArray r
        for k in 0 .. int b - 1 do
            Array.blit a (k * len) out (k * voxels + start) len
    out

/// Scores every (network, layer) against every ROI; `encode` fits one feature matrix to `responses`.
/// Layers are loaded one at a time (`load`), so a deep network's layers never sit in memory together; of
/// each, only the per-voxel r and the ROI medians of the bootstrap resamples are kept.
let run (seed: int) (resamples: int) (roiOf: string option[]) (responses: Matrix)
        (layers: (string * string * (unit -> Matrix))[]) (encode: Matrix -> Encoding.Result) : Result =
    if resamples < 1 then raise (InputException(sprintf "a bootstrap needs at least 1 resample, got %d" resamples))
    let roiNames = roiOf |> Array.choose id |> Array.distinct
    use counts = stimulusResamples seed resamples responses.Rows
    let members roi = [| for v in 0 .. roiOf.Length - 1 do if roiOf[v] = Some roi then v |]
    let fitted =
        [| for network, layer, load in layers do
               let res = encode (load ())
               let boot = resampledR counts responses res.Predictions
               let voxels = responses.Cols
               // For each ROI, the median r over its voxels in every resample.
               let medians =
                   roiNames
                   |> Array.map (fun roi ->
                       let vs = members roi
                       roi, Array.init resamples (fun k -> Metrics.median [| for v in vs do let x = boot[k * voxels + v] in if not (Double.IsNaN x) then yield x |]))
                   |> dict
               yield network, layer, res.R, medians |]
    let scores =
        [| for network, layer, r, _ in fitted do
               for roi in roiNames do
                   let values = [| for v in members roi do if not (Double.IsNaN r[v]) then yield r[v] |]
                   if values.Length > 0 then
                       let lo, hi = bootstrapMedianCi seed resamples values
                       yield { LayerScore.Network = network; Layer = layer; Roi = roi; Voxels = values.Length; MedianR = Metrics.median values; CiLow = lo; CiHigh = hi } |]
    let best =
        scores
        |> Array.groupBy (fun s -> s.Network, s.Roi)
        |> Array.map (fun ((network, roi), group) ->
            let top = group |> Array.maxBy (fun s -> s.MedianR)
            let bootOf layer = fitted |> Array.pick (fun (nw, l, _, m) -> if nw = network && l = layer then Some((m: Collections.Generic.IDictionary<_, _>)[roi]) else None)
            let topBoot: double[] = bootOf top.Layer
            let others =
                group
                |> Array.filter (fun s -> s.Layer <> top.Layer)
                |> Array.map (fun s ->
                    let diffs = Array.map2 (-) topBoot (bootOf s.Layer) |> Array.filter (Double.IsNaN >> not)
                    s, top.MedianR - s.MedianR, (if diffs.Length = 0 then None else Some(Metrics.percentileInterval 0.95 diffs)))
            let lowOf (_, _, ci: Metrics.Interval option) = ci |> Option.map (fun c -> c.Low) |> Option.defaultValue nan
            match others with
            | [||] ->
                { Network = network; Roi = roi; Layer = None; Top = top.Layer; MedianR = top.MedianR
                  RunnerUp = None; Difference = nan; DifferenceCi = None }
            | _ ->
                let runner, diff, ci = others |> Array.minBy (fun o -> let l = lowOf o in if Double.IsNaN l then Double.NegativeInfinity else l)
                let beatsAll = others |> Array.forall (fun o -> lowOf o > 0.0)
                { Network = network; Roi = roi; Layer = (if beatsAll then Some top.Layer else None); Top = top.Layer; MedianR = top.MedianR
                  RunnerUp = Some runner.Layer; Difference = diff; DifferenceCi = ci })
    { Scores = scores; Best = best }
