/// Synthetic face-like datasets with planted structure: every stimulus is identity signal + expression
/// signal + noise, with one random pattern per identity and per expression. Tests use it to check that
/// analyses find what was planted and nothing else; the benchmark uses it at KDEF's size.
module FaceBrain.Analysis.Synthetic

open System
open FaceBrain.Core.IO

type Design =
    { Identities: int
      Expressions: int
      /// Stimuli per identity × expression (e.g. KDEF's two sessions).
      Repeats: int
      Features: int
      IdentitySignal: float
      ExpressionSignal: float
      Noise: float
      Seed: int }

/// KDEF's layout (70 identities × 7 expressions × 2 sessions = 980 stimuli) with 2048 features.
let kdefLike =
    { Identities = 70; Expressions = 7; Repeats = 2; Features = 2048
      IdentitySignal = 1.0; ExpressionSignal = 0.5; Noise = 1.0; Seed = 1 }

/// KDEF's expression codes (Core's one table) for the first seven, E07, E08, ... beyond.
let expressionName (e: int) =
    let kdef = FaceBrain.Core.Domain.KdefCodes.AllExpressions
    if e < kdef.Count then FaceBrain.Core.Domain.KdefCodes.Code kdef[e] else $"E{e:D2}"

/// The stimulus table of a design: stimulus_id, identity, expression, session; rows identity-major.
let table (d: Design) : StimulusTable =
    let rows =
        [ for i in 0 .. d.Identities - 1 do
            for e in 0 .. d.Expressions - 1 do
                for r in 0 .. d.Repeats - 1 ->
                    let id, ex = $"id{i:D3}", expressionName e
                    [| $"{id}_{ex}_{r}"; id; ex; $"s{r + 1}" |] :> Collections.Generic.IReadOnlyList<string> ]
    StimulusTable([| "stimulus_id"; "identity"; "expression"; "session" |], rows, "<synthetic>")

/// Features [n, p] row-major for the design, in the table's row order.
let features (d: Design) : float[] =
    let rng = Random(d.Seed)
    let p = d.Features
    let idPatterns = Array.init d.Identities (fun _ -> Metrics.gaussian rng p)
    let exPatterns = Array.init d.Expressions (fun _ -> Metrics.gaussian rng p)
    let n = d.Identities * d.Expressions * d.Repeats
    let out = Array.zeroCreate (n * p)
    let mutable row = 0
    for i in 0 .. d.Identities - 1 do
        for e in 0 .. d.Expressions - 1 do
            for _ in 1 .. d.Repeats do
                let noise = Metrics.gaussian rng p
                for j in 0 .. p - 1 do
                    out[row * p + j] <- d.IdentitySignal * idPatterns[i][j] + d.ExpressionSignal * exPatterns[e][j] + d.Noise * noise[j]
                row <- row + 1
    out

let dataset (d: Design) : Dataset.Dataset =
    let t = table d
    Dataset.make "<synthetic>" t t.Count d.Features (features d)
