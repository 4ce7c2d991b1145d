/// fMRI rows split by Analysis' CrossValidation, the solution's one fold module and grammar (kfold:K,
/// kfold:K:shuffle=S, logo:COLUMN, groupkfold:K:COLUMN, split:...). This module only adapts it to rows that
/// have no class labels to stratify by.
module FaceBrain.Fmri.Folds

open FaceBrain.Analysis

type Fold = CrossValidation.Fold

/// The folds of `scheme` over n rows; `groups` gives a trial-table column when the scheme needs one.
let make (source: string) (scheme: CrossValidation.Scheme) (n: int) (groups: string -> string[]) : Fold[] =
    CrossValidation.folds source groups (Array.zeroCreate n) scheme
