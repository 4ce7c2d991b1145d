/// `facebrain fmri roi`: the [volumes, voxels] matrix of a BOLD/beta series inside a mask or atlas label.
module FaceBrain.Fmri.Roi

open System
open System.Globalization
open System.Text
open FaceBrain.Core
open FaceBrain.Core.IO
open FaceBrain.Analysis

/// Selects mask voxels: any non-zero value, or exactly one label of an atlas.
[<RequireQualifiedAccess>]
type Selection =
    | NonZero
    | Label of int

type Extraction =
    { /// [volumes, voxels], voxels in file order (x fastest, then y, then z).
      Data: Matrix
      /// Voxel indices (i, j, k) per column.
      Voxels: (int * int * int)[]
      /// World coordinates (mm) per column when the BOLD has an affine.
      World: double[][] option }

let affineTolerance = 1e-4

let private dimsText (d: int64[]) = d |> Array.map string |> String.concat "x"

/// Same grid: equal spatial dimensions and, when both have one, affines equal within 1e-4.
let checkSameGrid (boldPath: string) (bold: Nifti.Header) (maskPath: string) (mask: Nifti.Header) =
    let spatial (h: Nifti.Header) = [| h.Nx; h.Ny; h.Nz |]
    if spatial bold <> spatial mask then
        raise (InputException(maskPath, sprintf "mask grid %s differs from the BOLD's %s (%s)" (dimsText (spatial mask)) (dimsText (spatial bold)) boldPath))
    match bold.Affine, mask.Affine with
    | Some a, Some b ->
        let diff = Array.map2 (Array.map2 (fun x y -> abs (x - y))) a b |> Array.concat |> Array.max
        if diff > affineTolerance then
            raise (InputException(maskPath, sprintf "mask affine differs from the BOLD's (%s) by up to %g (tolerance %g)" boldPath diff affineTolerance))
    | _ -> ()

let selectVoxels (maskPath: string) (selection: Selection) (values: double[]) : int[] =
    let picked =
        match selection with
        | Selection.NonZero -> values |> Array.indexed |> Array.filter (fun (_, v) -> v <> 0.0 && not (Double.IsNaN v)) |> Array.map fst
        | Selection.Label n -> values |> Array.indexed |> Array.filter (fun (_, v) -> v = double n) |> Array.map fst
    if picked.Length = 0 then
        let labels = values |> Array.filter (fun v -> v <> 0.0) |> Array.distinct |> Array.sort |> Array.truncate 20 |> Array.map string |> String.concat ", "
        match selection with
        | Selection.NonZero -> raise (InputException(maskPath, "the mask has no voxels (every value is 0)"))
        | Selection.Label n -> raise (InputException(maskPath, sprintf "no voxels with label %d (labels present: %s)" n (if labels = "" then "none" else labels)))
    picked

let extract (boldPath: string) (maskPath: string) (selection: Selection) : Extraction =
    let maskHeader, maskValues = Nifti.readVolume3D maskPath
    use bold = Nifti.openImage boldPath
    let h = bold.Header
    checkSameGrid boldPath h maskPath maskHeader
    let voxels = selectVoxels maskPath selection maskValues
    let volumes = int h.Volumes
    let data = Array.zeroCreate (volumes * voxels.Length)
    Nifti.readVolumes bold (fun t values ->
        for k in 0 .. voxels.Length - 1 do data[t * voxels.Length + k] <- values[voxels[k]])
    let nx, ny = int h.Nx, int h.Ny
    let ijk = voxels |> Array.map (fun v -> v % nx, (v / nx) % ny, v / (nx * ny))
    let world =
        h.Affine
        |> Option.map (fun a -> ijk |> Array.map (fun (i, j, k) -> Array.init 3 (fun r -> a[r][0] * double i + a[r][1] * double j + a[r][2] * double k + a[r][3])))
    { Data = Matrix.make volumes voxels.Length data; Voxels = ijk; World = world }

let coordinatesTsv (e: Extraction) =
    let f (x: double) = x.ToString("0.######", CultureInfo.InvariantCulture)
    let sb = StringBuilder(if e.World.IsSome then "voxel\ti\tj\tk\tx\ty\tz\n" else "voxel\ti\tj\tk\n")
    e.Voxels
    |> Array.iteri (fun c (i, j, k) ->
        sb.Append(sprintf "%d\t%d\t%d\t%d" c i j k) |> ignore
        e.World |> Option.iter (fun w -> for x in w[c] do sb.Append('\t').Append(f x) |> ignore)
        sb.Append('\n') |> ignore)
    sb.ToString()

/// The coordinate table's path for an output .npy: R.npy -> R.voxels.tsv.
let coordinatesPath (outNpy: string) =
    let stem = if outNpy.EndsWith(".npy", StringComparison.OrdinalIgnoreCase) then outNpy[.. outNpy.Length - 5] else outNpy
    stem + ".voxels.tsv"

/// Writes both outputs only after both are complete (each atomically).
let write (outNpy: string) (e: Extraction) =
    use npy = AtomicFile.Create outNpy
    use tsv = AtomicFile.Create(coordinatesPath outNpy)
    npy.Guarded(fun st ->
        st.Write(Npy.EncodeHeader(NpyDType.Float64, [| int64 e.Data.Rows; int64 e.Data.Cols |]))
        st.Write(Runtime.InteropServices.MemoryMarshal.AsBytes(ReadOnlySpan(e.Data.Data))))
    tsv.Guarded(fun st -> st.Write(UTF8Encoding(false).GetBytes(coordinatesTsv e)))
    npy.Commit()
    tsv.Commit()
