namespace FaceBrain.Fmri

open System.Text
open FaceBrain.Core
open FaceBrain.Core.IO

/// The trial table: a TSV with one row per row of a responses matrix (one per trial or per stimulus) and a
/// `stimulus_id` column. Unlike Core's StimulusTable, an id may repeat: repeated presentations are the point.
type TrialTable =
    { Source: string
      Columns: string[]
      Rows: string[][] }

    member t.Count = t.Rows.Length

    member t.Column(name: string) =
        match Array.tryFindIndex ((=) name) t.Columns with
        | Some c -> t.Rows |> Array.map (fun r -> r[c])
        | None ->
            raise (InputException(t.Source, sprintf "no column '%s' (columns: %s)" name (String.concat ", " t.Columns)))

    member t.StimulusIds = t.Column StimulusTable.IdColumn

module TrialTable =
    let make source (columns: string[]) (rows: string[][]) =
        if not (Array.contains StimulusTable.IdColumn columns) then
            raise (InputException(source, sprintf "no '%s' column in the header" StimulusTable.IdColumn))
        rows
        |> Array.iteri (fun i r ->
            if r.Length <> columns.Length then
                raise (InputException(source, sprintf "row %d has %d fields, the header has %d" (i + 1) r.Length columns.Length)))
        let t = { Source = source; Columns = columns; Rows = rows }
        t.StimulusIds
        |> Array.iteri (fun i id ->
            if id = "" then raise (InputException(source, sprintf "row %d has an empty %s" (i + 1) StimulusTable.IdColumn)))
        t

    let read (path: string) =
        let t = TsvFile.Read(path, "a trial table needs a header row")
        make path (Array.ofSeq t.Header) (Array.ofSeq t.Rows)

    let toTsv (t: TrialTable) =
        let sb = StringBuilder()
        sb.Append(String.concat "\t" t.Columns).Append('\n') |> ignore
        for r in t.Rows do sb.Append(String.concat "\t" r).Append('\n') |> ignore
        sb.ToString()

    let write (path: string) (t: TrialTable) = AtomicFile.WriteAllText(path, toTsv t)

    /// One row per stimulus of a stimulus table, in its order (responses already averaged per stimulus).
    let ofStimulusTable (s: StimulusTable) =
        make s.Source (Array.ofSeq s.Columns) (Array.init s.Count (fun i -> Array.ofSeq (s.Row i)))

    /// Checks that a responses matrix has one row per trial.
    let requireRows (responsesPath: string) (rows: int) (t: TrialTable) =
        if rows <> t.Count then
            raise (InputException(responsesPath, sprintf "has %d rows but the trial table %s has %d trials" rows t.Source t.Count))
