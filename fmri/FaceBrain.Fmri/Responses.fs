/// Screening voxels and averaging repeated presentations.
module FaceBrain.Fmri.Responses

open FaceBrain.Core
open FaceBrain.Analysis

/// Why a voxel cannot be modelled.
type VoxelProblem =
    | NonFinite
    | Constant

type ExcludedVoxel = { Voxel: int; Problem: VoxelProblem }

let describe (e: ExcludedVoxel) =
    match e.Problem with
    | NonFinite -> sprintf "%d (NaN or infinite)" e.Voxel
    | Constant -> sprintf "%d (constant)" e.Voxel

/// Voxels (columns) with a NaN/infinite value or no variance across rows.
let screen (m: Matrix) : ExcludedVoxel[] =
    [| for j in 0 .. m.Cols - 1 do
           let col = Matrix.column m j
           if col |> Array.exists (fun v -> System.Double.IsNaN v || System.Double.IsInfinity v) then
               { Voxel = j; Problem = NonFinite }
           elif col |> Array.forall (fun v -> v = col[0]) then
               { Voxel = j; Problem = Constant } |]

/// The listing used in error messages and reports: the first few voxels, then a count.
let listing (excluded: ExcludedVoxel[]) =
    let shown = excluded |> Array.truncate 10 |> Array.map describe |> String.concat ", "
    if excluded.Length > 10 then sprintf "%s and %d more" shown (excluded.Length - 10) else shown

/// Fails with one line naming the bad voxels unless the caller asked for them to be dropped.
let requireUsable (source: string) (excluded: ExcludedVoxel[]) =
    if excluded.Length > 0 then
        raise (InputException(source, sprintf "%d voxel(s) cannot be modelled: %s (pass `drop-bad-voxels` to exclude and list them)" excluded.Length (listing excluded)))

/// The voxels left after dropping the excluded ones, in order.
let kept (nVoxels: int) (excluded: ExcludedVoxel[]) =
    let bad = excluded |> Array.map (fun e -> e.Voxel) |> Set.ofArray
    [| 0 .. nVoxels - 1 |] |> Array.filter (fun j -> not (bad.Contains j))

/// For each stimulus (in the given order), the trial rows that show it, in presentation order.
let trialsPerStimulus (source: string) (trialIds: string[]) (stimulusOrder: string[]) : int[][] =
    let index = System.Collections.Generic.Dictionary<string, int>()
    stimulusOrder |> Array.iteri (fun i id -> index[id] <- i)
    let buckets = Array.init stimulusOrder.Length (fun _ -> ResizeArray<int>())
    trialIds
    |> Array.iteri (fun t id ->
        match index.TryGetValue id with
        | true, s -> buckets[s].Add t
        | _ -> raise (InputException(source, sprintf "trial %d shows stimulus '%s', which is not in the stimulus table" (t + 1) id)))
    buckets
    |> Array.mapi (fun s b ->
        if b.Count = 0 then
            raise (InputException(source, sprintf "stimulus '%s' has no trials" stimulusOrder[s]))
        b.ToArray())

/// Mean over each stimulus's trials: one row per stimulus.
let averageRepeats (groups: int[][]) (trials: Matrix) =
    let out = Array.zeroCreate (groups.Length * trials.Cols)
    groups
    |> Array.iteri (fun s rows ->
        for t in rows do
            for j in 0 .. trials.Cols - 1 do
                out[s * trials.Cols + j] <- out[s * trials.Cols + j] + trials.Data[t * trials.Cols + j]
        let k = double rows.Length
        for j in 0 .. trials.Cols - 1 do
            out[s * trials.Cols + j] <- out[s * trials.Cols + j] / k)
    Matrix.make groups.Length trials.Cols out
