/// `facebrain bench encode`: the reference ridge workload timed end to end on tensors already on the device:
/// per-voxel alphas chosen from a log grid by K-fold CV, then a refit on every row (himalaya's
/// `solve_ridge_cv_svd`; scikit-learn's RidgeCV with alpha_per_target does the same job with leave-one-out).
module FaceBrain.Fmri.Bench

open System.Diagnostics
open TorchSharp
open FaceBrain.Core
open FaceBrain.Analysis

type Request =
    { Stimuli: int
      Features: int
      Voxels: int
      Alphas: int
      Folds: int
      Seed: int
      BatchVoxels: int option
      /// Folder to write the data (x.npy, y.npy) and FaceBrain's chosen alphas (alphas.npy) and first
      /// weights (weights_head.npy, features x min(voxels, 100)) into, for a peer (scripts/bench/).
      Save: string option }

type Result =
    { Request: Request
      Device: string
      Threads: int
      /// Eigendecompositions, alpha search and refit, including moving results back to the host.
      Seconds: double
      /// CPU time the process used meanwhile (all threads): on a shared machine, wall time depends on the
      /// other load, CPU time much less.
      CpuSeconds: double
      /// Seconds for the data generation (not part of the timing).
      SetupSeconds: double
      /// One training fold's eigendecomposition on its own (measured separately, before the timing).
      SpectrumSeconds: double
      Form: string
      BatchVoxels: int
      /// Median chosen alpha (a sanity check that the search is not degenerate).
      MedianAlpha: double }

let run (device: torch.Device) (req: Request) : Result =
    if req.Stimuli < req.Folds || req.Folds < 2 then raise (InputException "bench encode: need at least 2 folds and as many stimuli")
    if req.Voxels < 1 || req.Features < 1 || req.Alphas < 1 then raise (InputException "bench encode: sizes must be positive")
    let setup = Stopwatch.StartNew()
    // TorchSharp 0.107's Generator is CPU-only: draw on the CPU, then move to the device.
    let gen = new torch.Generator(uint64 req.Seed, torch.CPU)
    let n, p, v = int64 req.Stimuli, int64 req.Features, int64 req.Voxels
    // Only x and y outlive the generation: its temporaries (noise, the signal product) are freed before
    // the timing, so the peak memory measured is the fit's, not the data generator's.
    let x, y =
        use gscope = torch.NewDisposeScope()
        let x = torch.randn([| n; p |], dtype = torch.float64, generator = gen).``to``(device)
        // Voxels read out a low-dimensional part of the features plus noise of varying size, so alphas differ.
        let k = min p 64L
        let w = torch.randn([| k; v |], dtype = torch.float64, generator = gen).``to``(device)
        let y = torch.randn([| n; v |], dtype = torch.float64, generator = gen).``to``(device)
        y.mul_(torch.linspace (0.1, 10.0, v, dtype = torch.float64, device = device)).add_(x.narrow(1L, 0L, k).matmul(w)) |> ignore
        gscope.MoveToOuter x, gscope.MoveToOuter y
    use x = x
    use y = y
    if device.``type`` = DeviceType.CUDA then torch.cuda.synchronize ()
    setup.Stop()
    let write (name: string) (t: torch.Tensor) =
        match req.Save with
        | None -> ()
        | Some dir ->
            System.IO.Directory.CreateDirectory dir |> ignore
            use c = t.cpu().contiguous()
            FaceBrain.Core.IO.Npy.Write<double>(System.IO.Path.Combine(dir, name), c.data<double>().ToArray(), c.shape)
    write "x.npy" x
    write "y.npy" y
    let grid = AlphaGrid.parse "`alphas`" (sprintf "1e-2..1e6:%d" req.Alphas)
    let folds = Folds.make "bench" (CrossValidation.Scheme.KFold(req.Folds, None)) req.Stimuli (fun _ -> [||])
    let trainRows = int64 folds[0].Train.Length
    let batch =
        Ridge.searchBatch req.BatchVoxels grid.Length (int64 folds[0].Test.Length) v
    // One training fold's decomposition alone, to separate the fixed cost from the per-voxel cost.
    let spectrumClock = Stopwatch.StartNew()
    (use tr = torch.tensor (Array.map int64 folds[0].Train, device = device)
     use s = Ridge.spectrum (x.index_select(0L, tr))
     s.Eig.sum().cpu().item<double>() |> ignore)
    spectrumClock.Stop()
    let cpuBefore = Process.GetCurrentProcess().TotalProcessorTime
    let clock = Stopwatch.StartNew()
    use fit = Ridge.fitCv req.BatchVoxels x y folds grid
    let alphas = fit.Alphas.cpu().data<double>().ToArray()
    let _ = fit.Weights.sum().cpu().item<double>() // forces the refit to finish on any device
    clock.Stop()
    let cpu = (Process.GetCurrentProcess().TotalProcessorTime - cpuBefore).TotalSeconds
    write "alphas.npy" fit.Alphas
    write "weights_head.npy" (fit.Weights.narrow(1L, 0L, min v 100L))
    { Request = req
      CpuSeconds = cpu
      Device = device.ToString()
      Threads = torch.get_num_threads ()
      Seconds = clock.Elapsed.TotalSeconds
      SetupSeconds = setup.Elapsed.TotalSeconds
      SpectrumSeconds = spectrumClock.Elapsed.TotalSeconds
      Form = (match Ridge.formFor trainRows p with Ridge.Form.Primal -> "primal" | Ridge.Form.Dual -> "dual")
      BatchVoxels = batch
      MedianAlpha = FaceBrain.Analysis.Metrics.median alphas }
