/// Outputs that cannot be written: a path that is a folder or a file of the wrong kind (bad input, exit 2, before
/// any work), a read-only file system and a full disk (exit 3, naming the final path, no temporary left). The
/// read-only and full file systems are small tmpfs mounts made for each case (CI runs as root).
module FaceBrain.Tests.Faults.TestOutputFaults

open System
open System.Diagnostics
open System.IO
open Expecto
open FaceBrain.Tests.TestSupport
open FaceBrain.Tests.Faults.FaultSupport
open FaceBrain.Tests.Faults.HostileFiles

let private rows, cols = 12, 5

let private inputs (d: string) =
    let t = textAt (Path.Combine(d, "in", "stimuli.tsv"))
                ("stimulus_id\tidentity\texpression\n" + String.Join("", [ for i in 0 .. rows - 1 -> let e = (if i % 2 = 0 then "HA" else "SA") in $"s{i}\tid{i % 3}\t{e}\n" ]))
    let f = bytesAt (Path.Combine(d, "in", "x.npy")) (npyMatrix rows cols)
    let r = bytesAt (Path.Combine(d, "in", "r.npy")) (npyMatrix rows 3)
    let s = Path.Combine(d, "in", "store")
    goodStore s rows cols
    let imgs = Path.Combine(d, "in", "imgs")
    for i in 0 .. 2 do
        FaceBrain.Tests.Data.DataFixtures.writePng (Path.Combine(imgs, $"f{i}.png")) (FaceBrain.Tests.Data.DataFixtures.image 40 40 (FaceBrain.Tests.Data.DataFixtures.noise i)) |> ignore
    // A labelled manifest over those images, for the verbs that train or read out (probe, train identity).
    textAt (Path.Combine(d, "in", "faces.tsv"))
        ("stimulus_id\tpath\tidentity\texpression\n" + String.Join("", [ for i in 0 .. 11 -> let e = (if i % 2 = 0 then "HA" else "SA") in $"m{i}\timgs/f{i % 3}.png\tid{i % 3}\t{e}\n" ])) |> ignore
    bytesAt (Path.Combine(d, "in", "bold.nii")) (niftiOf 1 [| 3; 3; 3; 4 |]) |> ignore
    bytesAt (Path.Combine(d, "in", "mask.nii")) (niftiOf 1 [| 3; 3; 3 |]) |> ignore
    bytesAt (Path.Combine(d, "in", "x4.npy")) (npyImages 2 32) |> ignore
    t, f, r, s, imgs

type private Kind = File | Folder

let private tiny = [ "--model"; "resnet50"; "--width"; "4"; "--input-size"; "32"; "--weights"; "random"; "--device"; "cpu"; "--batch"; "4" ]
let private tinyProbe = [ "--model"; "resnet50"; "--width"; "4"; "--input-size"; "32"; "--weights"; "random"; "--device"; "cpu" ]
let private tinyTrain = [ "--model"; "resnet50"; "--width"; "4"; "--input-size"; "32"; "--device"; "cpu"; "--batch"; "4" ]

/// Every verb that writes, with what it writes (a file or a folder) and its command line for an output path.
let private writers : (string * Kind * (string -> string -> string list)) list =
    let i d = Path.Combine(d, "in")
    [ "decode --out", File, fun d o -> [ "decode"; "--features"; Path.Combine(i d, "x.npy"); "--stimuli"; Path.Combine(i d, "stimuli.tsv"); "--target"; "identity"; "--cv"; "stratkfold:2"; "--out"; o ]
      "rsa --save-rdm", File, fun d o -> [ "rsa"; "--features"; Path.Combine(i d, "x.npy"); "--stimuli"; Path.Combine(i d, "stimuli.tsv"); "--models"; "identity"; "--save-rdm"; o ]
      "rsa --out", File, fun d o -> [ "rsa"; "--features"; Path.Combine(i d, "x.npy"); "--stimuli"; Path.Combine(i d, "stimuli.tsv"); "--models"; "identity"; "--out"; o ]
      "encode --out", File, fun d o -> [ "encode"; "--features"; Path.Combine(i d, "x.npy"); "--responses"; Path.Combine(i d, "r.npy"); "--cv"; "kfold:2"; "--alpha"; "1"; "--out"; o ]
      "fmri roi --out", File, fun d o -> [ "fmri"; "roi"; "--bold"; Path.Combine(i d, "bold.nii"); "--mask"; Path.Combine(i d, "mask.nii"); "--out"; o ]
      "models forward --out", File, fun d o -> [ "models"; "forward"; "--model"; "resnet50"; "--width"; "4"; "--input-size"; "32"; "--input"; Path.Combine(i d, "x4.npy"); "--layer"; "avgpool"; "--out"; o ]
      "extract --hdf5", File, fun d o -> [ "extract"; "--data"; "images:" + Path.Combine(i d, "imgs"); "--layers"; "avgpool"; "--out"; Path.Combine(d, "store-h5"); "--hdf5"; o ] @ tiny
      "fmri simulate --out", Folder, fun d o -> [ "fmri"; "simulate"; "--store"; Path.Combine(i d, "store"); "--rois"; "r:a"; "--voxels"; "3"; "--out"; o ]
      "analyse --out", Folder, fun d o -> [ "analyse"; "--store"; Path.Combine(i d, "store"); "--targets"; "identity"; "--cv"; "identity=stratkfold:2"; "--permutations"; "0"; "--out"; o ]
      "faces synth --out", Folder, fun _ o -> [ "faces"; "synth"; "--layout"; "manifest"; "--identities"; "2"; "--per-identity"; "3"; "--size"; "48"; "--seed"; "1"; "--out"; o ]
      "extract --out", Folder, fun d o -> [ "extract"; "--data"; "images:" + Path.Combine(i d, "imgs"); "--layers"; "avgpool"; "--out"; o ] @ tiny
      "probe --out", Folder, fun d o -> [ "probe"; "--data"; "manifest:" + Path.Combine(i d, "faces.tsv"); "--target"; "identity"; "--cv"; "stratkfold:2"; "--layer"; "avgpool"; "--permutations"; "0"; "--out"; o ] @ tinyProbe
      "train identity --out", Folder, fun d o -> [ "train"; "identity"; "--data"; "manifest:" + Path.Combine(i d, "faces.tsv"); "--epochs"; "1"; "--out"; o ] @ tinyTrain ]

/// Wrong kinds of output path: checked before any work, exit 2, nothing written.
let private pathCases =
    [ for (verb, kind, args) in writers do
        match kind with
        | File ->
            yield case $"{verb}: an existing folder" 2 (fun _ -> [ "out.x"; "is a folder" ]) (fun d ->
                inputs d |> ignore
                Directory.CreateDirectory(Path.Combine(d, "out.x")) |> ignore
                args d (Path.Combine(d, "out.x")))
            yield case $"{verb}: a missing folder" 2 (fun _ -> [ "out.x"; "does not exist" ]) (fun d ->
                inputs d |> ignore
                args d (Path.Combine(d, "nowhere", "out.x")))
            yield case $"{verb}: under a file" 2 (fun _ -> [ "out.x"; "is a file" ]) (fun d ->
                inputs d |> ignore
                textAt (Path.Combine(d, "plain")) "x" |> ignore
                args d (Path.Combine(d, "plain", "out.x")))
        | Folder ->
            yield case $"{verb}: an existing file" 2 (fun _ -> [ "out.x"; "is a file" ]) (fun d ->
                inputs d |> ignore
                textAt (Path.Combine(d, "out.x")) "precious" |> ignore
                args d (Path.Combine(d, "out.x")))
            yield case $"{verb}: under a file" 2 (fun _ -> [ "out.x"; "is a file" ]) (fun d ->
                inputs d |> ignore
                textAt (Path.Combine(d, "plain")) "x" |> ignore
                args d (Path.Combine(d, "plain", "out.x"))) ]

let private sh (cmd: string) (args: string) =
    use p = Process.Start(ProcessStartInfo(cmd, args, RedirectStandardError = true, RedirectStandardOutput = true))
    p.WaitForExit()
    p.ExitCode, p.StandardError.ReadToEnd()

/// A tmpfs at `dir`: read-only, or full (a filler file takes every block).
let private mountAt (dir: string) (readOnly: bool) =
    Directory.CreateDirectory dir |> ignore
    let code, err = sh "mount" $"-t tmpfs -o size=256k tmpfs {dir}"
    if code <> 0 then failtestf "cannot mount a tmpfs at %s (the disk-full and read-only cases need root): %s" dir err
    if readOnly then
        let code, err = sh "mount" $"-o remount,ro {dir}"
        if code <> 0 then failtestf "cannot remount %s read-only: %s" dir err
    else
        // Fill every block, so the first byte any verb writes fails with ENOSPC.
        try
            use fs = new FileStream(Path.Combine(dir, "filler"), FileMode.Create)
            let block = Array.zeroCreate<byte> 4096
            while true do fs.Write(block, 0, block.Length); fs.Flush()
        with :? IOException -> ()

let private umount (dir: string) = sh "umount" $"-l {dir}" |> ignore

let private fsCase (verb: string) (kind: Kind) args (readOnly: bool) =
    let what = if readOnly then "read-only file system" else "full disk"
    testCase $"{verb}: {what}" <| fun () ->
        use d = new TempDir()
        inputs d.Path |> ignore
        let mnt = Path.Combine(d.Path, "mnt")
        mountAt mnt readOnly
        try
            let before = tree d.Path
            let out = Path.Combine(mnt, if kind = File then "out.x" else "outdir")
            let code, err = runInProcess (args d.Path out)
            Expect.equal code 3 $"exit code 3 for an output that cannot be written (stderr: {err})"
            expectOneLine err [ (if kind = File then "out.x" else "outdir") ]
            let after = tree d.Path |> List.filter (fun p -> not (p.StartsWith "store-h5"))
            expectLeft $"{verb} ({what})" before [] after
        finally
            umount mnt

let private fsCases =
    [ for (verb, kind, args) in writers do
        for ro in [ true; false ] do
            yield fsCase verb kind args ro ]

/// Output cases, for the count in docs/reliability.md.
let caseCount = pathCases.Length + fsCases.Length

[<Tests>]
let tests = testList "Faults.Outputs" [ toTests "paths" pathCases; testSequenced (testList "file systems" fsCases) ]
