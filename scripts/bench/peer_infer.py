"""CPU peer of `facebrain bench infer`: torchvision's resnet50 in eval mode under no_grad on synthetic tensors,
the same batch, input size, warm-up and steps; images/s = batch * steps / wall time after warm-up;
cpu_seconds: the process's CPU time over the timed steps (all threads).
  python3 peer_infer.py BATCH PX STEPS WARMUP   (threads: OMP_NUM_THREADS, as FaceBrain's libtorch)"""
import json, os, resource, sys, time
import torch, torchvision

batch, px, steps, warmup = (int(a) for a in sys.argv[1:5])
torch.set_num_threads(int(os.environ.get("OMP_NUM_THREADS", torch.get_num_threads())))
model = torchvision.models.resnet50().eval()
x = torch.randn(batch, 3, px, px)
with torch.no_grad():
    for _ in range(warmup):
        model(x)
    t, c = time.perf_counter(), time.process_time()
    for _ in range(steps):
        model(x)
    s, cpu = time.perf_counter() - t, time.process_time() - c
print(json.dumps({"workload": "infer", "batch": batch, "px": px, "seconds": s, "cpu_seconds": cpu, "images_per_second": batch * steps / s,
                  "threads": torch.get_num_threads(), "torch": torch.__version__,
                  "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}), flush=True)
