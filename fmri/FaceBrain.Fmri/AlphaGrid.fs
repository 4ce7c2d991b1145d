/// Ridge penalties: a fixed alpha or a log-spaced grid to choose from per voxel.
module FaceBrain.Fmri.AlphaGrid

open System
open System.Globalization
open FaceBrain.Core

let private number (option: string) (s: string) =
    match Double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture) with
    | true, v when v > 0.0 && not (Double.IsInfinity v) -> v
    | _ -> raise (InputException(sprintf "%s: '%s' is not a positive number" option s))

/// `LO..HI:N`: N values log-spaced from LO to HI inclusive (numpy.logspace), or a comma list `1,10,100`.
let parse (option: string) (text: string) : double[] =
    let t = text.Trim()
    if t.Contains ".." then
        let range, count =
            match t.Split(':') with
            | [| r; c |] -> r, c
            | _ -> raise (InputException(sprintf "%s: '%s' is not LO..HI:N" option text))
        let lo, hi =
            match range.Split([| ".." |], StringSplitOptions.None) with
            | [| a; b |] -> number option a, number option b
            | _ -> raise (InputException(sprintf "%s: '%s' is not LO..HI:N" option text))
        let n =
            match Int32.TryParse count with
            | true, n when n >= 1 -> n
            | _ -> raise (InputException(sprintf "%s: '%s' needs a count of at least 1 after ':'" option text))
        if hi < lo then raise (InputException(sprintf "%s: '%s' has HI below LO" option text))
        if n = 1 then [| lo |]
        else
            let a, b = log10 lo, log10 hi
            Array.init n (fun i -> Math.Pow(10.0, a + (b - a) * double i / double (n - 1)))
    else
        t.Split(',') |> Array.map (fun s -> number option (s.Trim()))

let parseFixed (option: string) (value: double) =
    if not (value > 0.0) || Double.IsInfinity value then
        raise (InputException(sprintf "%s: %g is not a positive number" option value))
    value
