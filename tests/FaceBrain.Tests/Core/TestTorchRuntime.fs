module FaceBrain.Tests.Core.TestTorchRuntime

open Expecto
open TorchSharp
open FaceBrain.Core
open FaceBrain.Core.Torch
open FaceBrain.Tests.TestSupport

[<Tests>]
let tests =
    testSequenced <| testList "TorchRuntime" [
        testCase "libtorch loads and reports where from" <| fun () ->
            let r = TorchRuntime.Report()
            Expect.stringContains r.LibTorchSharp "libLibTorchSharp.so" "LibTorchSharp mapped"
            Expect.stringContains r.LibTorch "libtorch_cpu.so" "libtorch mapped"
            Expect.isGreaterThan r.Threads 0 "threads"
            Expect.isTrue (r.LibStdCxxProvidesRequired || r.CompatFixApplied) "loaded through the system's libstdc++ or the fix"

        testCase "glibc's malloc thresholds are raised when libtorch loads, unless FACEBRAIN_MALLOC=default" <| fun () ->
            let tuned env =
                let code, out, err = runCliEnv env [ "doctor"; "--json" ]
                Expect.equal code 0 err
                use doc = System.Text.Json.JsonDocument.Parse out
                doc.RootElement.GetProperty("malloc_thresholds_raised").GetBoolean()
            Expect.isTrue (tuned []) "raised by default (glibc Linux)"
            Expect.isFalse (tuned [ "FACEBRAIN_MALLOC", "default" ]) "left alone when asked"

        testCase "OpenMP threads spin briefly, then sleep, unless the environment chose a policy" <| fun () ->
            let waiting env =
                let code, out, err = runCliEnv env [ "doctor"; "--json" ]
                Expect.equal code 0 err
                use doc = System.Text.Json.JsonDocument.Parse out
                doc.RootElement.GetProperty("openmp_waiting").GetString()
            Expect.stringStarts (waiting [ "OMP_WAIT_POLICY", ""; "GOMP_SPINCOUNT", "" ]) "GOMP_SPINCOUNT=30000 (FaceBrain" "FaceBrain's default"
            Expect.stringContains (waiting [ "OMP_WAIT_POLICY", "ACTIVE" ]) "OMP_WAIT_POLICY=ACTIVE" "the user's policy"
            Expect.stringContains (waiting [ "OMP_WAIT_POLICY", "ACTIVE" ]) "(environment)" "and said to be theirs"

        testCase "a tiny network's loss decreases" <| fun () ->
            let device = DeviceSpec.Cpu.Resolve()
            torch.manual_seed 7L |> ignore
            use x = torch.randn(64L, 4L, device = device)
            use w = torch.tensor([| 1.0f; -2.0f; 0.5f; 3.0f |], device = device).reshape(4L, 1L)
            use y = x.matmul w
            let hidden, output = torch.nn.Linear(4L, 8L), torch.nn.Linear(8L, 1L)
            let opt = torch.optim.Adam(Seq.append (hidden.parameters()) (output.parameters()), lr = 0.05)
            let lossOf () =
                use h = torch.nn.functional.relu(hidden.forward x)
                use p = output.forward h
                torch.nn.functional.mse_loss(p, y)
            let first = (use l = lossOf () in l.item<float32>())
            for _ in 1 .. 100 do
                opt.zero_grad()
                use l = lossOf ()
                l.backward()
                opt.step() |> ignore
            let last = (use l = lossOf () in l.item<float32>())
            Expect.isLessThan last (first * 0.1f) "loss fell by over 90%"

        testCase "device options parse, and bad ones are refused" <| fun () ->
            Expect.equal (DeviceSpec.Parse "cuda:1").Index 1 "index"
            Expect.equal (DeviceSpec.Parse "CPU") DeviceSpec.Cpu "case-insensitive"
            expectInputError [ "--device"; "gpu0" ] (fun () -> DeviceSpec.Parse "gpu0")

        testCase "auto falls back to the CPU; cuda without CUDA is a clear error" <| fun () ->
            if not (torch.cuda.is_available()) then
                Expect.equal (DeviceSpec.Auto.Resolve().``type``) DeviceType.CPU "auto -> cpu"
                expectInputError [ "--device cuda"; "not available" ] (fun () -> DeviceSpec.Parse("cuda").Resolve())
            else
                Expect.equal (DeviceSpec.Auto.Resolve().``type``) DeviceType.CUDA "auto -> cuda"

        testCase "FACEBRAIN_LIBTORCH pointing nowhere is refused" <| fun () ->
            // Checked through the same code path the loader uses, without disturbing this process's libtorch.
            let m = typeof<RuntimeReport>.Assembly.GetType("FaceBrain.Core.Torch.TorchRuntime")
                        .GetMethod("PreloadExternal", System.Reflection.BindingFlags.NonPublic ||| System.Reflection.BindingFlags.Static)
            let call dir = try m.Invoke(null, [| box dir |]) |> ignore with :? System.Reflection.TargetInvocationException as e -> raise e.InnerException
            expectInputError [ "/no/such/torch/lib"; "does not exist" ] (fun () -> call "/no/such/torch/lib")
            use d = new TempDir()
            expectInputError [ "libtorch_cpu.so" ] (fun () -> call d.Path)
    ]
