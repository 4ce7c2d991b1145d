/// Where an analysis gets its data: a features .npy with its stimulus table, or a layer of a store.
module FaceBrain.Analysis.Inputs

open FaceBrain.Core

/// The data source named on the command line.
[<RequireQualifiedAccess>]
type Source =
    | Files of features: string * stimuli: string
    | StoreLayer of dir: string * layer: string

/// Chooses the source from the options given, refusing incomplete or contradictory combinations.
let source (features: string) (stimuli: string) (store: string) (layer: string) : Source =
    let has (s: string) = not (System.String.IsNullOrWhiteSpace s)
    match has features, has stimuli, has store, has layer with
    | true, true, false, false -> Source.Files(features, stimuli)
    | false, false, true, true -> Source.StoreLayer(store, layer)
    | false, false, true, false -> raise (InputException("`store` needs `layer` (one of the store's layers)"))
    | true, false, _, _ -> raise (InputException("`features` needs `stimuli` (the stimulus table that gives its row order)"))
    | false, true, _, _ -> raise (InputException("`stimuli` needs `features`"))
    | true, true, true, _ | _, _, _, _ when has store || has layer ->
        raise (InputException("give either `features` with `stimuli`, or `store` with `layer`, not both"))
    | _ -> raise (InputException("no data: give `features` F.npy `stimuli` S.tsv, or `store` DIR `layer` NAME"))

let load (s: Source) : Dataset.Dataset =
    match s with
    | Source.Files (f, t) -> Dataset.load f t
    | Source.StoreLayer (dir, layer) -> Store.layer (Store.openStore dir) layer
