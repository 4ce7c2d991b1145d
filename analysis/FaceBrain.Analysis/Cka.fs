/// Linear centred kernel alignment (Kornblith et al. 2019) between two representations of the same
/// stimuli: ‖YcᵀXc‖²_F / (‖XcᵀXc‖_F ‖YcᵀYc‖_F), computed through the n×n Gram matrices.
module FaceBrain.Analysis.Cka

open TorchSharp
open FaceBrain.Analysis.Tensors

/// Linear CKA of `x` [n, p] and `y` [n, q] (same rows, any feature counts).
let linear (x: Tensor) (y: Tensor) : float =
    if x.shape[0] <> y.shape[0] then invalidArg "y" "CKA needs the same stimuli (rows) in both representations"
    use scope = torch.NewDisposeScope()
    let xc = x - x.mean([| 0L |], keepdim = true)
    let yc = y - y.mean([| 0L |], keepdim = true)
    let k = xc.matmul(xc.t())
    let l = yc.matmul(yc.t())
    item ((k * l).sum ()) / sqrt (item ((k * k).sum ()) * item ((l * l).sum ()))

/// CKA between every pair of representations (e.g. the layers of a store), symmetric with ones on the diagonal.
let matrix' (xs: Tensor[]) : float[,] =
    let n = xs.Length
    let m = Array2D.create n n 1.0
    for i in 0 .. n - 1 do
        for j in i + 1 .. n - 1 do
            let v = linear xs[i] xs[j]
            m[i, j] <- v
            m[j, i] <- v
    m
