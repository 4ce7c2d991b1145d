module FaceBrain.Tests.Fmri.TestNifti

open System
open System.IO
open Expecto
open FaceBrain.Core.IO
open FaceBrain.Fmri
open FaceBrain.Tests.TestSupport
open FaceBrain.Tests.Fmri.NiftiFixtures

let readAll (path: string) =
    use image = Nifti.openImage path
    let vols = ResizeArray<double[]>()
    Nifti.readVolumes image (fun _ v -> vols.Add(Array.copy v))
    image.Header, vols.ToArray()

let dtypes = [ 2s, 8s, "uint8", [| 0.0; 1.0; 200.0; 255.0 |]
               4s, 16s, "int16", [| -32768.0; -2.0; 7.0; 32767.0 |]
               8s, 32s, "int32", [| -2147483648.0; -5.0; 6.0; 2147483647.0 |]
               16s, 32s, "float32", [| -1.5; 0.25; 3.0e10; 1.0e-20 |]
               64s, 64s, "float64", [| -1.0e300; Math.PI; 0.1; 1.0e-300 |] ]

[<Tests>]
let tests =
    testList "Fmri.Nifti" [
        testCase "every datatype, both byte orders, NIfTI-1 and NIfTI-2, .nii and .nii.gz" <| fun () ->
            use d = new TempDir()
            for version in [ 1; 2 ] do
                for little in [ true; false ] do
                    for code, bitpix, name, values in dtypes do
                        // 2 x 1 x 1 x 2: two volumes of two voxels
                        let s = spec version little code bitpix [| 2; 1; 1; 2 |] (encode little code values)
                        for ext in [ ".nii"; ".nii.gz" ] do
                            let path = d.File(sprintf "v%d_%b_%s%s" version little name ext)
                            save path s
                            let h, vols = readAll path
                            let what = sprintf "NIfTI-%d %s %s %s" version (if little then "LE" else "BE") name ext
                            Expect.equal h.Dims [| 2L; 1L; 1L; 2L |] what
                            Expect.equal h.Volumes 2L what
                            let expected = if code = 16s then values |> Array.map (float32 >> double) else values
                            Expect.equal (Array.concat vols) expected what

        testCase "scl_slope and scl_inter are applied; a zero slope means no scaling" <| fun () ->
            use d = new TempDir()
            for version in [ 1; 2 ] do
                let s = spec version true 4s 16s [| 3 |] (encode true 4s [| -1.0; 0.0; 10.0 |])
                save (d.File "a.nii") { s with Slope = 2.0; Inter = -1.0 }
                Expect.equal (Array.concat (snd (readAll (d.File "a.nii")))) [| -3.0; -1.0; 19.0 |] "scaled"
                save (d.File "b.nii") { s with Slope = 0.0; Inter = 5.0 }
                Expect.equal (Array.concat (snd (readAll (d.File "b.nii")))) [| -1.0; 0.0; 10.0 |] "unscaled"

        testCase "qform affine from the quaternion, qfac, and the sform taking precedence" <| fun () ->
            use d = new TempDir()
            for version in [ 1; 2 ] do
                // b = c = 0, d = 1: a 180 degree turn about z, R = diag(-1, -1, 1); voxel sizes 2, 3, 4.
                let s = { spec version true 2s 8s [| 1; 1; 1 |] [| 0uy |] with
                            PixDim = [| 1.0; 2.0; 3.0; 4.0; 1.0; 0.0; 0.0; 0.0 |]; QForm = Some(0.0, 0.0, 1.0, 10.0, 20.0, 30.0) }
                save (d.File "q.nii") s
                Expect.equal (fst (readAll (d.File "q.nii"))).Affine (Some [| [| -2.0; 0.0; 0.0; 10.0 |]; [| 0.0; -3.0; 0.0; 20.0 |]; [| 0.0; 0.0; 4.0; 30.0 |] |]) "qform"
                save (d.File "qfac.nii") { s with PixDim = [| -1.0; 2.0; 3.0; 4.0; 1.0; 0.0; 0.0; 0.0 |] }
                let flipped = (fst (readAll (d.File "qfac.nii"))).Affine.Value
                Expect.equal (flipped[2][2]) (-4.0) "qfac -1 flips z"
                let sform = [| 1.5; 0.0; 0.0; -90.0; 0.0; 1.5; 0.0; -126.0; 0.0; 0.0; 1.5; -72.0 |]
                save (d.File "s.nii") { s with SForm = Some sform }
                Expect.equal (fst (readAll (d.File "s.nii"))).Affine (Some(Array.chunkBySize 4 sform)) "sform wins"
                save (d.File "none.nii") (spec version true 2s 8s [| 1; 1; 1 |] [| 0uy |])
                Expect.isNone (fst (readAll (d.File "none.nii"))).Affine "no affine"

        testCase "FaceBrain's writer round-trips through the reader" <| fun () ->
            use d = new TempDir()
            let affine = [| [| 2.0; 0.0; 0.0; -10.0 |]; [| 0.0; 2.0; 0.0; 5.0 |]; [| 0.0; 0.0; 2.5; 0.0 |] |]
            let vol t = Array.init 24 (fun i -> double i + 0.5 * double t)
            NiftiWriter.write (d.File "w.nii.gz") [| 2L; 3L; 4L; 3L |] Nifti.DataType.Float32 affine vol
            let h, vols = readAll (d.File "w.nii.gz")
            Expect.equal h.Affine (Some affine) "affine"
            Expect.equal h.Dims [| 2L; 3L; 4L; 3L |] "dims"
            Expect.equal vols (Array.init 3 vol) "voxels"

        testCase "bad files: one clear error each" <| fun () ->
            use d = new TempDir()
            let good = bytes (spec 1 true 16s 32s [| 4; 4; 4; 8 |] (encode true 16s (Array.init 512 double)))
            let gz = gzip good
            let cases =
                [ "truncated.nii", good[.. good.Length - 100], [ "truncated data" ]
                  "truncated.nii.gz", gz[.. gz.Length / 2], [ "truncated" ]
                  "corrupt.nii.gz", Array.append gz[.. 20] (Array.create (gz.Length - 21) 0xFFuy), [ "corrupt gzip" ]
                  "uint16.nii", bytes (spec 1 true 512s 16s [| 2 |] (encode true 512s [| 1.0; 2.0 |])), [ "unsupported datatype 512 (uint16)" ]
                  "text.nii", "this is not an image at all, just some text"B, [ "not a NIfTI file" ]
                  "short.nii", [| 1uy; 2uy |], [ "not a NIfTI file" ] ]
            for name, content, fragments in cases do
                File.WriteAllBytes(d.File name, content)
                expectInputError (name :: fragments) (fun () -> readAll (d.File name))
            let pair = bytes (spec 1 true 2s 8s [| 1 |] [| 0uy |])
            Text.Encoding.ASCII.GetBytes("ni1\000").CopyTo(pair, 344)
            File.WriteAllBytes(d.File "pair.nii", pair)
            expectInputError [ "two-file" ] (fun () -> readAll (d.File "pair.nii"))
            expectInputError [ "missing.nii"; "file not found" ] (fun () -> readAll (d.File "missing.nii"))
    ]
