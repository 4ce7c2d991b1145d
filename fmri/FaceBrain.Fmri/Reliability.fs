/// Split-half reliability from repeated presentations and the noise ceilings derived from it.
module FaceBrain.Fmri.Reliability

open FaceBrain.Core
open FaceBrain.Analysis

/// Per voxel. Reliability is the Spearman-Brown-corrected split-half correlation: the expected correlation
/// between two independent full-length (all repeats averaged) measurements. Noise ceilings follow from it:
/// no model can explain more than the repeatable share of the variance of the averaged responses
/// (CeilingR2 = reliability) nor correlate with them better than CeilingR = sqrt(reliability).
type NoiseCeiling =
    { SplitHalfR: double[]
      Reliability: double[]
      CeilingR: double[]
      CeilingR2: double[]
      /// A second estimate of CeilingR2 from variance components (as the NSD noise-ceiling SNR): the noise
      /// variance pooled within stimuli, the signal variance = variance of the stimulus means minus the
      /// noise variance those means still carry; ceiling = signal / (signal + noise · mean(1/k)).
      VarianceCeilingR2: double[] }

/// Spearman-Brown prophecy for doubling the length of a test: 2r / (1 + r).
let spearmanBrown (r: double) = 2.0 * r / (1.0 + r)

/// Odd presentations (1st, 3rd, ...) against even ones (2nd, 4th, ...) of every stimulus, each half
/// averaged per stimulus, correlated across stimuli per voxel. Needs two presentations of every stimulus.
let splitHalf (source: string) (groups: int[][]) (stimulusIds: string[]) (trials: Matrix) : NoiseCeiling =
    groups
    |> Array.iteri (fun s rows ->
        if rows.Length < 2 then
            raise (InputException(source, sprintf "a noise ceiling needs at least 2 presentations of every stimulus; '%s' has %d" stimulusIds[s] rows.Length)))
    let half parity = groups |> Array.map (fun rows -> rows |> Array.indexed |> Array.filter (fun (k, _) -> k % 2 = parity) |> Array.map snd)
    let odd = Responses.averageRepeats (half 0) trials
    let even = Responses.averageRepeats (half 1) trials
    let r = Array.init trials.Cols (fun j -> Metrics.pearson (Matrix.column odd j) (Matrix.column even j))
    let rel = r |> Array.map spearmanBrown
    let means = Responses.averageRepeats groups trials
    let meanInverseK = groups |> Array.averageBy (fun g -> 1.0 / double g.Length)
    let dof = groups |> Array.sumBy (fun g -> g.Length - 1)
    let varianceCeiling j =
        let within =
            groups
            |> Array.mapi (fun s rows -> rows |> Array.sumBy (fun t -> (Matrix.get trials t j - Matrix.get means s j) ** 2.0))
            |> Array.sum
        let noise = within / double dof
        let m = Matrix.column means j
        let mm = Array.average m
        let between = (m |> Array.sumBy (fun x -> (x - mm) ** 2.0)) / double (m.Length - 1)
        let signal = max 0.0 (between - noise * meanInverseK)
        if signal + noise = 0.0 then nan else signal / (signal + noise * meanInverseK)
    { VarianceCeilingR2 = Array.init trials.Cols varianceCeiling
      SplitHalfR = r
      Reliability = rel
      CeilingR = rel |> Array.map (fun x -> if x > 0.0 then sqrt x else nan)
      CeilingR2 = rel |> Array.map (fun x -> if x > 0.0 then x else nan) }

/// Keeps the ceilings of the given voxels, in order.
let select (voxels: int[]) (c: NoiseCeiling) =
    let pick (a: double[]) = voxels |> Array.map (fun j -> a[j])
    { SplitHalfR = pick c.SplitHalfR; Reliability = pick c.Reliability; CeilingR = pick c.CeilingR; CeilingR2 = pick c.CeilingR2
      VarianceCeilingR2 = pick c.VarianceCeilingR2 }
