/// Representational similarity analysis: model RDMs, their comparison with a data RDM, a permutation
/// test over item labels and a bootstrap over items.
module FaceBrain.Analysis.Rsa

open System
open System.IO
open System.Threading.Tasks
open TorchSharp
open FaceBrain.Core
open FaceBrain.Core.IO
open FaceBrain.Analysis.Tensors
open FaceBrain.Analysis.Rdm
open FaceBrain.Analysis.Comparison

/// A model RDM over the same items as the data RDM (condensed, pdist order).
type Model = { Name: string; Values: float[] }

/// Label model: 0 where two items share the column's value, 1 otherwise. With conditions
/// (`averageColumn`), each condition must have one value of the column.
let labelModel (d: Dataset.Dataset) (averageColumn: string option) (items: string[]) (column: string) : Model =
    let labels = Dataset.column d column
    let itemLabels =
        match averageColumn with
        | None -> labels
        | Some avg ->
            let cond = Dataset.column d avg
            items |> Array.map (fun c ->
                let values = Array.init d.Rows id |> Array.filter (fun i -> cond[i] = c) |> Array.map (fun i -> labels[i]) |> Array.distinct
                if values.Length <> 1 then
                    raise (InputException(d.Stimuli.Source, $"model '{column}': condition '{c}' of '{avg}' has {values.Length} values of '{column}' ({commas values}); a label model needs one"))
                values[0])
    let n = items.Length
    let v = [| for i in 0 .. n - 1 do for j in i + 1 .. n - 1 -> if itemLabels[i] = itemLabels[j] then 0.0 else 1.0 |]
    { Name = column; Values = v }

/// Model RDM from a .npy file: square [n, n] (upper triangle used) or condensed [n(n−1)/2].
let fileModel (name: string) (path: string) (n: int) : Model =
    let a = Npy.ReadAsDouble path
    let values =
        match a.Shape with
        | [| r; c |] when r = int64 n && c = int64 n ->
            // A square RDM must be symmetric: reading only its upper triangle would silently drop the rest.
            let scale = a.Data |> Array.fold (fun m v -> max m (abs v)) 0.0
            for i in 0 .. n - 1 do
                for j in i + 1 .. n - 1 do
                    let u, l = a.Data[i * n + j], a.Data[j * n + i]
                    if abs (u - l) > 1e-9 * max 1.0 scale || Double.IsNaN u <> Double.IsNaN l then
                        raise (InputException(path, $"model RDM is not symmetric: [{i}, {j}] = {u:G6} but [{j}, {i}] = {l:G6}"))
            [| for i in 0 .. n - 1 do for j in i + 1 .. n - 1 -> a.Data[i * n + j] |]
        | [| m |] when m = int64 (condensedLength n) -> a.Data
        | s -> raise (InputException(path, $"model RDM shape ({commas s}) fits neither [{n}, {n}] nor [{condensedLength n}] for {n} items"))
    if values |> Array.exists (fun v -> not (Double.IsFinite v)) then raise (InputException(path, "model RDM holds NaN or infinite values"))
    { Name = name; Values = values }

type Options =
    { Comparisons: Method list
      Permutations: int
      Bootstrap: int
      Confidence: float
      Seed: int
      Device: torch.Device }

type ModelResult =
    { Model: string
      Comparison: Method
      Value: float
      /// One-sided: (1 + #{null ≥ observed}) / (1 + N), items permuted.
      PValue: float option
      NullMean: float option
      Interval: Metrics.Interval option }

let private zscore (v: float[]) =
    let m = Array.average v
    let sd = sqrt (v |> Array.averageBy (fun x -> (x - m) * (x - m)))
    v |> Array.map (fun x -> (x - m) / sd)

/// Pearson (or Spearman, on ranks) between `data` and the model with items permuted, for many
/// permutations at once: permuting items permutes the entries, so means and deviations are unchanged
/// and r is the mean of products of the data's z-scores (condensed, read in order) with the model's
/// z-scores gathered through the permutation from its square form (row p[i], columns p[j]: reads within
/// one 8 kB row). Nothing is allocated per permutation; the large temporaries of a tensor gather
/// ([permutations, n, n], re-allocated per batch) cost more in page faults than the arithmetic.
/// Permutations run in parallel on as many threads as torch is given (`OMP_NUM_THREADS`).
let private permutedCorrelations (n: int) (data: float[]) (model: float[]) (perms: int[][]) : float[] =
    let zd = zscore data
    let zm = square n (zscore model)
    let count = float (condensedLength n)
    let out = Array.zeroCreate perms.Length
    let options = ParallelOptions(MaxDegreeOfParallelism = max 1 (torch.get_num_threads ()))
    Parallel.For(0, perms.Length, options, fun k ->
        let p = perms[k]
        let zd = ReadOnlySpan<float>(zd)
        let zm = ReadOnlySpan<float>(zm)
        let mutable acc = 0.0
        let mutable c = 0
        for i in 0 .. n - 2 do
            let row = zm.Slice(p[i] * n, n)
            for j in i + 1 .. n - 1 do
                acc <- acc + zd[c] * row[p[j]]
                c <- c + 1
        out[k] <- acc / count) |> ignore
    out

/// Permutes the items of a condensed model RDM.
let permuteModel (n: int) (model: float[]) (perm: int[]) : float[] =
    [| for i in 0 .. n - 1 do
         for j in i + 1 .. n - 1 ->
             let a, b = perm[i], perm[j]
             if a < b then model[condensedIndex n a b] else model[condensedIndex n b a] |]

let private refuseConstant (name: string) (v: float[]) =
    if v.Length = 0 || v |> Array.forall (fun x -> x = v[0]) then
        raise (InputException($"model '{name}': its RDM is constant, so no correlation with it is defined"))

/// Compares the data RDM with each model under each comparison, with the optional tests.
let evaluate (data: Rdm) (models: Model list) (o: Options) : ModelResult list =
    let n = data.Size
    if data.Values |> Array.forall (fun x -> x = data.Values[0]) then
        raise (InputException("the data RDM is constant: no correlation with it is defined"))
    [ for m in models do
        refuseConstant m.Name m.Values
        let rng = Random(o.Seed)
        let perms = Array.init o.Permutations (fun _ -> let p = Array.init n id in rng.Shuffle p; p)
        let boots =
            let rb = Random(o.Seed + 1)
            Array.init o.Bootstrap (fun _ -> Array.init n (fun _ -> rb.Next n))
        for c in o.Comparisons do
            let value = compare' c data.Values m.Values
            let nulls =
                if perms.Length = 0 then None
                else
                    match c with
                    | Method.Pearson -> Some(permutedCorrelations n data.Values m.Values perms)
                    | Method.Spearman -> Some(permutedCorrelations n (Metrics.rank data.Values) (Metrics.rank m.Values) perms)
                    | Method.KendallTauA -> Some(perms |> Array.map (fun p -> kendallTauA data.Values (permuteModel n m.Values p)))
            let interval =
                if boots.Length = 0 then None
                else
                    // Resampled items; pairs of copies of one item are left out (their distance is 0 by construction).
                    let stats =
                        boots
                        |> Array.map (fun s ->
                            let da, ma = ResizeArray(), ResizeArray()
                            for a in 0 .. n - 1 do
                                for b in a + 1 .. n - 1 do
                                    let i, j = s[a], s[b]
                                    if i <> j then
                                        let k = if i < j then condensedIndex n i j else condensedIndex n j i
                                        da.Add data.Values[k]
                                        ma.Add m.Values[k]
                            compare' c (da.ToArray()) (ma.ToArray()))
                        |> Array.filter (fun v -> not (Double.IsNaN v))
                        |> Array.sort
                    if stats.Length = 0 then None
                    else Some(Metrics.percentileInterval o.Confidence stats)
            yield
                { Model = m.Name
                  Comparison = c
                  Value = value
                  PValue = nulls |> Option.map (Metrics.permutationP value)
                  NullMean = nulls |> Option.map Array.average
                  Interval = interval } ]
