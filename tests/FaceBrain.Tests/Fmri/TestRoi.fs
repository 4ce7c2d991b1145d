module FaceBrain.Tests.Fmri.TestRoi

open System.IO
open Expecto
open FaceBrain.Core.IO
open FaceBrain.Fmri
open FaceBrain.Analysis
open FaceBrain.Tests.TestSupport
open FaceBrain.Tests.Fmri.NiftiFixtures

let sform = [| 2.0; 0.0; 0.0; -3.0; 0.0; 2.0; 0.0; -2.0; 0.0; 0.0; 2.0; 1.0 |]

/// A 3 x 2 x 2 grid with 4 volumes; voxel value = flat index + 100 * volume (flat = x + 3y + 6z).
let boldSpec () =
    let values = Array.init 48 (fun k -> double (k % 12) + 100.0 * double (k / 12))
    { spec 1 true 16s 32s [| 3; 2; 2; 4 |] (encode true 16s values) with SForm = Some sform }

/// Label atlas: flat 1 and 10 carry label 2, flat 5 label 1, the rest 0 (big-endian int16, NIfTI-2).
let atlasSpec () =
    let labels = Array.init 12 (fun k -> match k with 1 | 10 -> 2.0 | 5 -> 1.0 | _ -> 0.0)
    { spec 2 false 4s 16s [| 3; 2; 2 |] (encode false 4s labels) with SForm = Some sform }

[<Tests>]
let tests =
    testSequenced <| testList "Fmri.Roi" [
        testCase "fmri roi writes [volumes, voxels] in file order and voxel coordinates" <| fun () ->
            use d = new TempDir()
            save (d.File "bold.nii.gz") (boldSpec ())
            save (d.File "atlas.nii") (atlasSpec ())
            let code, out, err = runCli [ "fmri"; "roi"; "--bold"; d.File "bold.nii.gz"; "--mask"; d.File "atlas.nii"; "--out"; d.File "R.npy" ]
            Expect.equal code 0 ("exit code; stderr: " + err)
            let r = Npy.ReadMatrix(d.File "R.npy")
            Expect.equal r.Shape [| 4L; 3L |] "4 volumes x 3 voxels"
            Expect.equal r.Data [| for t in 0 .. 3 do for k in [ 1; 5; 10 ] -> double k + 100.0 * double t |] "x fastest"
            let tsv = File.ReadAllLines(d.File "R.voxels.tsv")
            // flat 5 = (2, 1, 0): world = 2 * (2, 1, 0) + (-3, -2, 1) = (1, 0, 1)
            Expect.equal tsv [| "voxel\ti\tj\tk\tx\ty\tz"; "0\t1\t0\t0\t-1\t-2\t1"; "1\t2\t1\t0\t1\t0\t1"; "2\t1\t1\t1\t-1\t0\t3" |] "coordinates"
            let code, _, err = runCli [ "fmri"; "roi"; "--bold"; d.File "bold.nii.gz"; "--mask"; d.File "atlas.nii"; "--label"; "2"; "--out"; d.File "L.npy" ]
            Expect.equal code 0 ("exit code; stderr: " + err)
            Expect.equal (Npy.ReadMatrix(d.File "L.npy")).Data [| for t in 0 .. 3 do for k in [ 1; 10 ] -> double k + 100.0 * double t |] "label 2 only"

        testCase "grid, affine, empty-mask and trial-count problems exit 2 and write nothing" <| fun () ->
            use d = new TempDir()
            save (d.File "bold.nii") (boldSpec ())
            let atlas = atlasSpec ()
            save (d.File "dims.nii") { atlas with Dims = [| 2; 3; 2 |] }
            save (d.File "affine.nii") { atlas with SForm = Some(Array.mapi (fun i v -> if i = 3 then v + 1e-3 else v) sform) }
            save (d.File "near.nii") { atlas with SForm = Some(Array.mapi (fun i v -> if i = 3 then v + 1e-5 else v) sform) }
            save (d.File "empty.nii") { atlas with Data = encode false 4s (Array.zeroCreate 12) }
            File.WriteAllText(d.File "T.tsv", "stimulus_id\na\nb\nc\n")
            let run mask extra = runCli ([ "fmri"; "roi"; "--bold"; d.File "bold.nii"; "--mask"; d.File mask; "--out"; d.File "R.npy" ] @ extra)
            for mask, extra, fragment in
                [ "dims.nii", [], "mask grid 2x3x2 differs from the BOLD's 3x2x2"
                  "affine.nii", [], "affine differs"
                  "empty.nii", [], "no voxels"
                  "dims.nii", [ "--label"; "2" ], "differs"
                  "near.nii", [ "--label"; "7" ], "no voxels with label 7 (labels present: 1, 2)"
                  "near.nii", [ "--trials"; d.File "T.tsv" ], "has 4 rows but the trial table" ] do
                let code, _, err = run mask extra
                Expect.equal code 2 (sprintf "exit code for %s %A; stderr %s" mask extra err)
                Expect.stringContains err fragment "message"
                Expect.equal (err.Trim().Split('\n').Length) 1 "one line"
            Expect.isFalse (File.Exists(d.File "R.npy")) "nothing written"
            Expect.equal (filesIn d.Path |> Array.filter (fun f -> f.EndsWith ".tmp")) [||] "no temporary files left"
            let code, _, err = run "near.nii" []
            Expect.equal code 0 ("an affine within 1e-4 is the same grid; stderr " + err)
    ]
