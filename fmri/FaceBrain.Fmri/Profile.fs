/// Layer profiles: for each ROI, how well every layer of one or more networks (activation stores) predicts
/// its voxels (median cross-validated r over voxels, a bootstrap CI over voxels), and the best layer.
module FaceBrain.Fmri.Profile

open System
open System.IO
open FaceBrain.Core
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

type BestLayer = { Network: string; Roi: string; Layer: string; MedianR: double }

type Result = { Scores: LayerScore[]; Best: BestLayer[] }

/// Percentile bootstrap (seeded) of the median of `values`: (2.5%, 97.5%), by the analysis project's one
/// percentile rule (NumPy's linear interpolation), as every other bootstrap interval.
let bootstrapMedianCi (seed: int) (resamples: int) (values: double[]) =
    let rng = Random(seed)
    let n = values.Length
    let medians = Array.init resamples (fun _ -> Metrics.median (Array.init n (fun _ -> values[rng.Next n])))
    Array.sortInPlace medians
    Metrics.percentile medians 2.5, Metrics.percentile medians 97.5

/// The ROI of every voxel from a TSV with `voxel` and `roi` columns (simulate's truth.tsv has both).
/// Voxels the table does not list belong to no ROI.
let readRoiTable (path: string) (voxels: int) : string option[] =
    if not (File.Exists path) then raise (InputException(path, "file not found"))
    let lines = File.ReadAllLines path |> Array.filter (fun l -> l <> "")
    if lines.Length = 0 then raise (InputException(path, "empty file (needs a header with voxel and roi)"))
    let header = lines[0].Split('\t')
    let col name =
        match Array.tryFindIndex ((=) name) header with
        | Some c -> c
        | None -> raise (InputException(path, sprintf "no '%s' column (columns: %s)" name (String.concat ", " header)))
    let vc, rc = col "voxel", col "roi"
    let rois = Array.create voxels None
    for i in 1 .. lines.Length - 1 do
        let f = lines[i].Split('\t')
        if f.Length <> header.Length then raise (InputException(path, sprintf "line %d has %d fields, the header has %d" (i + 1) f.Length header.Length))
        match Int32.TryParse f[vc] with
        | true, v when v >= 0 && v < voxels -> rois[v] <- Some f[rc]
        | _ -> raise (InputException(path, sprintf "line %d: voxel '%s' is not between 0 and %d" (i + 1) f[vc] (voxels - 1)))
    if rois |> Array.forall Option.isNone then raise (InputException(path, "assigns no voxel to an ROI"))
    rois

/// Scores every (network, layer) against every ROI; `encode` returns the per-voxel r of one feature matrix.
/// Layers are loaded one at a time (`load`), so a deep network's layers never sit in memory together.
let run (seed: int) (resamples: int) (roiOf: string option[]) (layers: (string * string * (unit -> Matrix))[]) (encode: Matrix -> double[]) : Result =
    let roiNames = roiOf |> Array.choose id |> Array.distinct
    let scores =
        [| for network, layer, load in layers do
               let r = encode (load ())
               for roi in roiNames do
                   let values = [| for v in 0 .. r.Length - 1 do if roiOf[v] = Some roi && not (Double.IsNaN r[v]) then yield r[v] |]
                   if values.Length > 0 then
                       let lo, hi = bootstrapMedianCi seed resamples values
                       yield { Network = network; Layer = layer; Roi = roi; Voxels = values.Length; MedianR = Metrics.median values; CiLow = lo; CiHigh = hi } |]
    let best =
        scores
        |> Array.groupBy (fun s -> s.Network, s.Roi)
        |> Array.map (fun ((network, roi), group) ->
            let b = group |> Array.maxBy (fun s -> s.MedianR)
            { Network = network; Roi = roi; Layer = b.Layer; MedianR = b.MedianR })
    { Scores = scores; Best = best }
