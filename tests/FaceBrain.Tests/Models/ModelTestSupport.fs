/// Small helpers for the network tests: building tiny nets on the CPU and reading tensors back.
module FaceBrain.Tests.Models.ModelTestSupport

open FaceBrain.Core.Torch
open FaceBrain.Models
open TorchSharp

let cpu () =
    TorchRuntime.EnsureLoaded()
    torch.CPU

let values (t: torch.Tensor) = t.detach().cpu().contiguous().to_type(torch.float32).data<float32>().ToArray()

let tinyResNet kind width px =
    Network.Create(ModelSpec(kind, Width = width, InputSize = px, NumClasses = 5), cpu (), seed = 7L)

let moduleNamed (net: Network) (name: string) =
    net.Module.named_modules() |> Seq.find (fun struct (n, _) -> n = name) |> fun struct (_, m) -> m :?> torch.nn.Module<torch.Tensor, torch.Tensor>

let paramCount (m: torch.nn.Module) = m.parameters() |> Seq.sumBy (fun p -> p.numel())
