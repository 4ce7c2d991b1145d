/// Planted-truth data for the training tests: each class is a fixed random template plus noise.
module FaceBrain.Tests.Training.TrainingTestSupport

open FaceBrain.Training.Data
open TorchSharp

/// n images per class of `classes` classes at `px` pixels; the class is a colour (a per-channel offset, which
/// crops and flips keep) under pixel noise of standard deviation `noise`.
let planted (classes: int) (perClass: int) (px: int) (noise: float) (seed: uint64) =
    let g = torch.Generator(seed)
    let templates = torch.randn([| int64 classes; 3L; 1L; 1L |], generator = g).expand(int64 classes, 3L, int64 px, int64 px).contiguous()
    let n = classes * perClass
    let labels = Array.init n (fun i -> i % classes)
    use idx = torch.tensor(labels |> Array.map int64)
    use t = templates.index_select(0L, idx)
    use eps = torch.randn([| int64 n; 3L; int64 px; int64 px |], generator = g)
    use x = t + eps * noise
    let pixels = x.contiguous().data<float32>().ToArray()
    templates.Dispose()
    FaceTensors.FromArrays(pixels, px, labels |> Array.map (fun l -> $"id{l}"), Array.init n (fun i -> sprintf "img%03d" i))

let stateBytes (m: torch.nn.Module) =
    m.state_dict() |> Seq.sortBy (fun kv -> kv.Key) |> Seq.map (fun kv -> kv.Key, kv.Value.cpu().bytes.ToArray()) |> List.ofSeq
