/// `models fetch faceapi` and `--weights faceapi`: pinned integrity, atomic install, and the bad inputs the issue names
/// (each one line, exit 2, nothing left in the cache). Each run gets its own FACEBRAIN_CACHE.
module FaceBrain.Tests.Models.TestFaceApiPackage

open System.Formats.Tar
open System.IO
open System.IO.Compression
open Expecto
open FaceBrain.Core.IO
open FaceBrain.Models.FaceApi
open FaceBrain.Tests.TestSupport
open FaceBrain.Tests.Models.TestFaceApi

let private cacheEnv (dir: TempDir) = [ "FACEBRAIN_CACHE", dir.File "cache" ]

/// Nothing at all under the cache's models folder: no install, no temporary folder.
let private expectNothingInstalled (dir: TempDir) =
    let models = Path.Combine(dir.File "cache", "models")
    let left = if Directory.Exists models then Directory.GetFileSystemEntries models else [||]
    Expect.isEmpty left "nothing half-unpacked in the cache"

let private expectOneLineError (code: int, _: string, err: string) (fragments: string list) =
    Expect.equal code 2 $"exit code 2 ({err})"
    // Progress lines ("fetching ...") may come first; the error itself is one line.
    let errors = err.Trim().Split('\n') |> Array.filter (fun l -> l.Contains "error")
    Expect.equal errors.Length 1 $"one error line: {err}"
    for f in fragments do Expect.stringContains errors[0] f "message"

let private copyModel (src: string) (dst: string) =
    Directory.CreateDirectory dst |> ignore
    for f in FaceApiPackage.Files.Keys do File.Copy(Path.Combine(src, f), Path.Combine(dst, f))

[<Tests>]
let tests =
    testList "Models.FaceApiPackage" [
        testCase "a tarball whose SHA-512 is not the package's published integrity is refused before unpacking" <| fun () ->
            use dir = new TempDir()
            let tgz = dir.File "face-api-1.7.15.tgz"
            do
                use f = File.Create tgz
                use gz = new GZipStream(f, CompressionLevel.Fastest)
                use tar = new TarWriter(gz)
                let e = PaxTarEntry(TarEntryType.RegularFile, "package/model/face_recognition_model.bin")
                e.DataStream <- new MemoryStream([| 1uy; 2uy; 3uy |])
                tar.WriteEntry e
            expectOneLineError (runCliEnv (cacheEnv dir) [ "models"; "fetch"; "faceapi"; "--from"; tgz ]) [ tgz; "integrity"; "does not match" ]
            expectNothingInstalled dir

        testCase "npm missing: says how to fetch offline" <| fun () ->
            use dir = new TempDir()
            let env = ("FACEBRAIN_NPM", dir.File "no-such-npm") :: cacheEnv dir
            expectOneLineError (runCliEnv env [ "models"; "fetch"; "faceapi" ]) [ "not found"; "--from"; "npm pack @vladmandic/face-api@1.7.15" ]
            // --weights faceapi anywhere fetches once when missing: the same message from models forward.
            Npy.Write<float32>(dir.File "x.npy", System.ReadOnlySpan(Array.zeroCreate<float32> (3 * 112 * 112)), 1L, 3L, 112L, 112L)
            expectOneLineError (runCliEnv env [ "models"; "forward"; "--model"; "faceapi-expression"; "--weights"; "faceapi"
                                                "--input"; dir.File "x.npy"; "--out"; dir.File "y.npy" ]) [ "--from" ]
            Expect.isFalse (File.Exists(dir.File "y.npy")) "no output"
            expectNothingInstalled dir

        testCase "--weights DIR installs a verified copy; a tampered file is refused and nothing is installed" <| fun () ->
            let cached = faceApiWeights ()
            use dir = new TempDir()
            let good = dir.File "model"
            copyModel cached good
            let code, out, err = runCliEnv (cacheEnv dir) [ "models"; "fetch"; "faceapi"; "--weights"; good ]
            Expect.equal code 0 err
            let installed = Path.Combine(dir.File "cache", "models", "faceapi-1.7.15")
            Expect.equal (out.Trim()) installed "prints the cache folder"
            Expect.equal (filesIn installed) (Array.sort [| yield! FaceApiPackage.Files.Keys; "source.json" |]) "the four model files and their provenance"
            use dir2 = new TempDir()
            let bad = dir2.File "model"
            copyModel cached bad
            let bin = Path.Combine(bad, "face_expression_model.bin")
            let bytes = File.ReadAllBytes bin
            bytes[1000] <- bytes[1000] ^^^ 1uy
            File.WriteAllBytes(bin, bytes)
            expectOneLineError (runCliEnv (cacheEnv dir2) [ "models"; "fetch"; "faceapi"; "--weights"; bad ]) [ "face_expression_model.bin"; "corrupt or tampered" ]
            expectNothingInstalled dir2

        testCase "a cached copy that was altered is refused where it is used, with the way to repair it" <| fun () ->
            let cached = faceApiWeights ()
            use dir = new TempDir()
            let installed = Path.Combine(dir.File "cache", "models", "faceapi-1.7.15")
            copyModel cached installed
            File.AppendAllText(Path.Combine(installed, "face_recognition_model.bin"), "x")
            Npy.Write<float32>(dir.File "x.npy", System.ReadOnlySpan(Array.zeroCreate<float32> (3 * 150 * 150)), 1L, 3L, 150L, 150L)
            expectOneLineError (runCliEnv (cacheEnv dir) [ "models"; "forward"; "--model"; "faceapi-recognition"; "--weights"; "faceapi"
                                                           "--input"; dir.File "x.npy"; "--out"; dir.File "y.npy" ]) [ "corrupt or tampered"; "models fetch faceapi" ]
            Expect.isFalse (File.Exists(dir.File "y.npy")) "no output"

        testCase "a model folder whose .bin does not match its manifest: one line naming the .bin and both sizes" <| fun () ->
            let cached = faceApiWeights ()
            use dir = new TempDir()
            let m = dir.File "model"
            copyModel cached m
            let bin = Path.Combine(m, "face_expression_model.bin")
            let bytes = File.ReadAllBytes bin
            File.WriteAllBytes(bin, bytes[.. bytes.Length - 5])
            Npy.Write<float32>(dir.File "x.npy", System.ReadOnlySpan(Array.zeroCreate<float32> (3 * 112 * 112)), 1L, 3L, 112L, 112L)
            expectOneLineError (runCli [ "models"; "forward"; "--model"; "faceapi-expression"; "--weights"; m
                                         "--input"; dir.File "x.npy"; "--out"; dir.File "y.npy" ])
                [ "face_expression_model.bin"; string (bytes.Length - 4); string bytes.Length ]
            Expect.isFalse (File.Exists(dir.File "y.npy")) "no output"
    ]
