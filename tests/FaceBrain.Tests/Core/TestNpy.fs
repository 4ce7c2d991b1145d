module FaceBrain.Tests.Core.TestNpy

open System.IO
open Expecto
open FaceBrain.Core.IO
open FaceBrain.Tests.TestSupport

[<Tests>]
let tests =
    testList "Npy" [
        testCase "reads a float32 matrix written by hand from the spec" <| fun () ->
            let a = Npy.Read<float32>(fixture "npy/f4_2x3.npy")
            Expect.equal a.Shape [| 2L; 3L |] "shape"
            Expect.equal a.Data [| 0.f; 1.f; 2.f; 3.f; 4.f; 5.f |] "values in C order"
            Expect.equal (a.Rows, a.Columns) (2, 3) "rows and columns"

        testCase "reorders a Fortran-order file to C order" <| fun () ->
            let a = Npy.ReadAsDouble(fixture "npy/f8_2x3_fortran.npy")
            Expect.isTrue (Npy.ReadHeader(fixture "npy/f8_2x3_fortran.npy").FortranOrder) "fixture is Fortran order"
            Expect.equal a.Data [| 1.; 2.; 3.; 4.; 5.; 6. |] "row-major values"

        testCase "reads format 2.0 and int64" <| fun () ->
            let h = Npy.ReadHeader(fixture "npy/i8_4_v2.npy")
            Expect.equal h.Version 2 "version"
            let a = Npy.Read<int64>(fixture "npy/i8_4_v2.npy")
            Expect.equal a.Data [| -1L; 0L; 1L; 1099511627776L |] "values"
            Expect.equal a.Shape [| 4L |] "1-D shape"

        testCase "reads float16 written by hand" <| fun () ->
            Expect.equal (Npy.ReadAsDouble(fixture "npy/f2_3.npy").Data) [| 1.0; -2.5; 0.0999755859375 |] "float16 -> float64"

        testCase "converts int64 and float32 to float64" <| fun () ->
            Expect.equal (Npy.ReadAsDouble(fixture "npy/i8_4_v2.npy").Data) [| -1.; 0.; 1.; 1099511627776. |] "int64 -> float64"
            Expect.equal (Npy.ReadAsDouble(fixture "npy/f4_2x3.npy").Data) [| 0.; 1.; 2.; 3.; 4.; 5. |] "float32 -> float64"

        testCase "a 1-D array is read as a one-column matrix" <| fun () ->
            let m = Npy.ReadMatrix(fixture "npy/i8_4_v2.npy")
            Expect.equal m.Shape [| 4L; 1L |] "column"

        testCase "writes byte for byte what the spec gives" <| fun () ->
            use d = new TempDir()
            let p = d.File "out.npy"
            Npy.Write<float32>(p, System.ReadOnlySpan([| 0.f; 1.f; 2.f; 3.f; 4.f; 5.f |]), 2L, 3L)
            Expect.equal (File.ReadAllBytes p) (File.ReadAllBytes(fixture "npy/f4_2x3.npy")) "identical bytes"

        testCase "header is 64-byte aligned and round-trips every dtype" <| fun () ->
            use d = new TempDir()
            let roundTrip (name: string) (data: 'T[]) (shape: int64[]) =
                let p = d.File name
                Npy.Write<'T>(p, System.ReadOnlySpan data, shape)
                let h = Npy.ReadHeader p
                Expect.equal (h.DataOffset % 64L) 0L "data starts on a 64-byte boundary"
                let back = Npy.Read<'T> p
                Expect.equal back.Data data (name + " data")
                Expect.equal back.Shape shape (name + " shape")
            roundTrip "f4.npy" [| 1.5f; -2.f; 3.25f |] [| 3L |]
            roundTrip "f8.npy" [| for i in 0 .. 11 -> float i / 7. |] [| 3L; 4L |]
            roundTrip "i8.npy" [| -5L; 7L |] [| 2L; 1L |]
            roundTrip "i4.npy" [| 1; 2; 3; 4 |] [| 2L; 2L |]
            roundTrip "u1.npy" [| 0uy; 255uy |] [| 2L |]
            roundTrip "f2.npy" [| System.Half.op_Explicit 1.5f; System.Half.op_Explicit -0.25f |] [| 2L |]
            roundTrip "scalar.npy" [| 42.0 |] [||]

        testCase "a header too long for version 1.0 switches to 2.0" <| fun () ->
            let shape = Array.init 30000 (fun _ -> 1L)
            let h = Npy.EncodeHeader(NpyDType.Float32, shape)
            Expect.equal (int h.[6]) 2 "major version"
            Expect.equal (h.Length % 64) 0 "aligned"

        testCase "incremental writer publishes only complete files" <| fun () ->
            use d = new TempDir()
            let p = d.File "rows.npy"
            (use w = NpyWriter<float32>.Create(p, 3L, 2L)
             w.Append(System.ReadOnlySpan [| 1.f; 2.f |])
             w.Append(System.ReadOnlySpan [| 3.f; 4.f |])
             Expect.isFalse (File.Exists p) "nothing under the final name before commit")
            Expect.isFalse (File.Exists p) "an uncommitted writer leaves no file"
            Expect.isEmpty (filesIn d.Path) "and no temporary file"
            (use w = NpyWriter<float32>.Create(p, 3L, 2L)
             for r in 0 .. 2 do w.Append(System.ReadOnlySpan [| float32 r; float32 r + 0.5f |])
             w.Commit())
            Expect.equal (Npy.Read<float32>(p).Data) [| 0.f; 0.5f; 1.f; 1.5f; 2.f; 2.5f |] "rows in order"

        testCase "commit refuses a file with missing rows" <| fun () ->
            use d = new TempDir()
            let p = d.File "short.npy"
            Expect.throws (fun () ->
                use w = NpyWriter<float32>.Create(p, 2L, 2L)
                w.Append(System.ReadOnlySpan [| 1.f; 2.f |])
                w.Commit()) "incomplete"
            Expect.isEmpty (filesIn d.Path) "nothing left behind"

        testCase "truncated data names the file and the sizes" <| fun () ->
            expectInputError [ "f4_2x3_truncated.npy"; "truncated"; "24 bytes"; "20" ] (fun () -> Npy.ReadAsDouble(fixture "npy/f4_2x3_truncated.npy"))

        testCase "big-endian and complex dtypes are refused" <| fun () ->
            expectInputError [ "f4_big_endian.npy"; ">f4"; "big-endian" ] (fun () -> Npy.ReadAsDouble(fixture "npy/f4_big_endian.npy"))
            expectInputError [ "c16_1.npy"; "<c16" ] (fun () -> Npy.ReadAsDouble(fixture "npy/c16_1.npy"))

        testCase "missing file and non-npy file" <| fun () ->
            use d = new TempDir()
            expectInputError [ "nope.npy"; "not found" ] (fun () -> Npy.ReadAsDouble(d.File "nope.npy"))
            File.WriteAllText(d.File "text.npy", "hello world, not numpy")
            expectInputError [ "text.npy"; "not a .npy file" ] (fun () -> Npy.ReadAsDouble(d.File "text.npy"))

        testCase "a matrix whose rows disagree with the table" <| fun () ->
            expectInputError [ "f4_2x3.npy"; "2 rows"; "5" ] (fun () -> Npy.ReadMatrix(fixture "npy/f4_2x3.npy", 5))
    ]
