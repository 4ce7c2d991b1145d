module FaceBrain.Tests.Training.TestBench

open Expecto
open FaceBrain.Core.Torch
open FaceBrain.Models
open FaceBrain.Training
open FaceBrain.Training.Bench
open FaceBrain.Tests.TestSupport
open FaceBrain.Tests.Models.ModelTestSupport
open TorchSharp

[<Tests>]
let tests =
    testSequencedGroup "torch-global-state" <| testList "Training.Bench" [
        testCase "channels-last keeps values and shape, changes strides to NHWC" <| fun () ->
            use x = torch.arange(24.0f).reshape(1, 2, 3, 4)
            use cl = ChannelsLast.To x
            Expect.equal cl.shape x.shape "same logical shape"
            Expect.equal (cl.stride()) [| 24L; 1L; 8L; 2L |] "NHWC strides: C fastest"
            Expect.isTrue (ChannelsLast.Is cl) "detected as channels-last"
            Expect.isFalse (ChannelsLast.Is x) "NCHW is not"
            use pointwise = torch.randn(4, 2, 1, 1)
            Expect.isTrue (ChannelsLast.Is pointwise) "a 1x1 conv weight is laid out the same in both formats (libtorch's rule)"
            Expect.isTrue (cl.allclose(x, rtol = 0.0, atol = 0.0)) "same values"

        testCase "a channels-last network computes what the NCHW one does" <| fun () ->
            use net = tinyResNet ModelKind.ResNet50 4 32
            net.Module.eval() |> ignore
            use _ = torch.no_grad()
            use x = torch.randn(2, 3, 32, 32)
            use y = net.Forward x
            ChannelsLast.Apply net.Module
            use y2 = net.Forward(ChannelsLast.To x)
            Expect.isTrue (y.allclose(y2, rtol = 1e-4, atol = 1e-5)) "same logits"

        testCase "bench train and infer report positive images/s; bad options are refused" <| fun () ->
            let spec = ModelSpec(ModelKind.ResNet50, Width = 2, InputSize = 32)
            for w in [ BenchWorkload.Train; BenchWorkload.Infer ] do
                let r = TrainBench.Run(BenchOptions(spec, w, 2, 1, 1, Precision.Fp32, false, Fp32Math.PyTorchDefault), cpu ())
                Expect.isGreaterThan r.ImagesPerSecond 0.0 $"{w} images/s"
                Expect.equal (r.Batch, r.Steps, r.InputSize) (2, 1, 32) "echoed settings"
            expectInputError [ "--batch 0" ] (fun () -> TrainBench.Run(BenchOptions(spec, BenchWorkload.Train, 0, 1, 0, Precision.Fp32, false, Fp32Math.PyTorchDefault), cpu ()))
            expectInputError [ "--dtype fp16" ] (fun () -> MemoryLayout.ParsePrecision "fp16")
            expectInputError [ "--fp32-math fast"; "default, tf32 or strict" ] (fun () -> CudaFp32.Parse "fast")
            Expect.equal (CudaFp32.Parse "strict", CudaFp32.Parse "TF32") (Fp32Math.Strict, Fp32Math.Tf32) "parsed"
            Expect.equal (CudaFp32.Name Fp32Math.PyTorchDefault) "default" "named" 

        testCase "a CUDA out-of-memory error becomes one line with a smaller batch" <| fun () ->
            expectInputError [ "--batch 256: out of memory on cuda:0"; "try --batch 128" ] (fun () ->
                OutOfMemory.Guard(torch.Device("cuda:0"), 256, fun () -> failwith "CUDA out of memory. Tried to allocate 2.00 GiB"))
    ]
