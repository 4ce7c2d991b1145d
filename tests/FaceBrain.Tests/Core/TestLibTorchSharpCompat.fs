module FaceBrain.Tests.Core.TestLibTorchSharpCompat

open System
open System.IO
open System.Text
open Expecto
open FaceBrain.Core.Native
open FaceBrain.Tests.TestSupport

/// A minimal ELF64 shared object holding only .dynstr and a .gnu.version_d that defines `versions`:
/// a stand-in for libstdc++ builds with and without GLIBCXX_3.4.32.
let private fakeLibStdCxx (versions: string list) =
    let strtab = Text.StringBuilder("\000")
    let offsets = versions |> List.map (fun v -> let o = strtab.Length in strtab.Append(v).Append('\000') |> ignore; o)
    let dynstr = Encoding.ASCII.GetBytes(strtab.ToString())
    let verdef = new MemoryStream()
    let w = new BinaryWriter(verdef)
    offsets |> List.iteri (fun i nameOff ->
        w.Write 1us; w.Write 0us; w.Write(uint16 (i + 1)); w.Write 1us; w.Write 0u; w.Write 20u
        w.Write(if i = offsets.Length - 1 then 0u else 28u)
        w.Write(uint32 nameOff); w.Write 0u)
    let verdefBytes = verdef.ToArray()
    let dynstrOff, verdefOff = 64L, 64L + int64 dynstr.Length
    let shoff = verdefOff + int64 verdefBytes.Length
    let file = new MemoryStream()
    let f = new BinaryWriter(file)
    f.Write([| 0x7fuy; byte 'E'; byte 'L'; byte 'F'; 2uy; 1uy; 1uy |]); f.Write(Array.zeroCreate<byte> 9)
    f.Write 3us; f.Write 62us; f.Write 1u; f.Write 0UL; f.Write 0UL; f.Write(uint64 shoff)
    f.Write 0u; f.Write 64us; f.Write 0us; f.Write 0us; f.Write 64us; f.Write 3us; f.Write 0us
    f.Write dynstr; f.Write verdefBytes
    let section (typ: uint32) (off: int64) (size: int) (link: uint32) (info: uint32) =
        f.Write 0u; f.Write typ; f.Write 0UL; f.Write 0UL; f.Write(uint64 off); f.Write(uint64 size)
        f.Write link; f.Write info; f.Write 1UL; f.Write 0UL
    section 0u 0L 0 0u 0u
    section 3u dynstrOff dynstr.Length 0u 0u
    section 0x6ffffffdu verdefOff verdefBytes.Length 1u (uint32 versions.Length)
    file.ToArray()

/// TorchSharp's own copy in the NuGet cache, as restored (never modified by the build).
let private nugetOriginal () =
    let root =
        match Environment.GetEnvironmentVariable "NUGET_PACKAGES" with
        | null | "" -> Path.Combine(Environment.GetEnvironmentVariable "HOME", ".nuget", "packages")
        | p -> p
    Path.Combine(root, "torchsharp", "0.107.0", "runtimes", "linux-x64", "native", "libLibTorchSharp.so")

let private outputCopy () =
    Path.Combine(AppContext.BaseDirectory, "runtimes", "linux-x64", "native", "libLibTorchSharp.so")

[<Tests>]
let tests =
    testList "LibTorchSharpCompat" [
        testCase "reads version definitions of a library" <| fun () ->
            let defs = ElfVersions.ReadDefinitions(fakeLibStdCxx [ "GLIBCXX_3.4"; "GLIBCXX_3.4.30" ], "fake")
            Expect.equal (Set.ofSeq defs) (set [ "GLIBCXX_3.4"; "GLIBCXX_3.4.30" ]) "definitions"

        testCase "TorchSharp's library asks for GLIBCXX_3.4.32 from libstdc++" <| fun () ->
            let p = nugetOriginal ()
            let needs = ElfVersions.ReadNeeds(File.ReadAllBytes p, p)
            let n = needs |> Seq.find (fun n -> n.Version = LibStdCxxCompat.RequiredVersion)
            Expect.equal n.File "libstdc++.so.6" "needed from libstdc++"
            Expect.isFalse n.IsWeak "strict in the package as shipped"

        testCase "patched where the system libstdc++ lacks the version: one flag changes, nothing else" <| fun () ->
            use d = new TempDir()
            let lib, old = d.File "libLibTorchSharp.so", d.File "libstdc++.so.6"
            File.Copy(nugetOriginal (), lib)
            File.WriteAllBytes(old, fakeLibStdCxx [ "GLIBCXX_3.4"; "GLIBCXX_3.4.30" ])
            let before = File.ReadAllBytes lib
            Expect.equal (LibStdCxxCompat.Ensure(lib, old)) CompatOutcome.Patched "patched"
            let after = File.ReadAllBytes lib
            let changed = [ for i in 0 .. before.Length - 1 do if before.[i] <> after.[i] then i ]
            Expect.equal before.Length after.Length "same size"
            Expect.hasLength changed 1 "a single byte differs (the low byte of vna_flags)"
            Expect.isTrue (LibStdCxxCompat.IsRequirementRelaxed lib) "requirement now weak"
            let others = ElfVersions.ReadNeeds(after, lib) |> Seq.filter (fun n -> n.Version <> LibStdCxxCompat.RequiredVersion)
            Expect.all others (fun n -> not n.IsWeak) "every other requirement untouched"
            Expect.equal (LibStdCxxCompat.Ensure(lib, old)) CompatOutcome.AlreadyWeak "idempotent"
            Expect.equal (filesIn d.Path) [| "libLibTorchSharp.so"; "libstdc++.so.6" |] "no temporary file left"

        testCase "skipped where the system libstdc++ provides the version" <| fun () ->
            use d = new TempDir()
            let lib, fresh = d.File "libLibTorchSharp.so", d.File "libstdc++.so.6"
            File.Copy(nugetOriginal (), lib)
            File.WriteAllBytes(fresh, fakeLibStdCxx [ "GLIBCXX_3.4"; "GLIBCXX_3.4.30"; "GLIBCXX_3.4.32" ])
            let before = File.ReadAllBytes lib
            Expect.equal (LibStdCxxCompat.Ensure(lib, fresh)) CompatOutcome.SystemProvides "no-op"
            Expect.equal (File.ReadAllBytes lib) before "file untouched"

        testCase "never writes into the NuGet cache" <| fun () ->
            let p = nugetOriginal ()
            Expect.throws (fun () -> LibStdCxxCompat.Ensure(p, null) |> ignore) "refused"
            Expect.isFalse (LibStdCxxCompat.IsRequirementRelaxed p) "original still strict"

        testCase "the build made this runner's copy loadable on this system" <| fun () ->
            let sys = LibStdCxxCompat.FindSystemLibStdCxx()
            Expect.isNotNull sys "a libstdc++ is found"
            let copy = outputCopy ()
            if LibStdCxxCompat.Provides(sys, LibStdCxxCompat.RequiredVersion) then
                Expect.equal (File.ReadAllBytes copy) (File.ReadAllBytes(nugetOriginal ())) "left as shipped"
            else
                Expect.isTrue (LibStdCxxCompat.IsRequirementRelaxed copy) "output copy patched by the build"

        testCase "rejects files that are not ELF" <| fun () ->
            Expect.throwsT<InvalidDataException> (fun () -> ElfVersions.ReadNeeds(Encoding.ASCII.GetBytes "#!/bin/sh", "script") |> ignore) "not ELF"
            let truncated = (File.ReadAllBytes(nugetOriginal ())).[0 .. 100]
            Expect.throwsT<InvalidDataException> (fun () -> ElfVersions.ReadNeeds(truncated, "cut") |> ignore) "truncated"
    ]
