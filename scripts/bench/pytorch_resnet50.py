"""PyTorch reference for `facebrain bench train|infer`: the same ResNet-50 workloads on synthetic tensors,
timed the same way (warm-up steps, then synchronised wall time over K steps). Run beside FaceBrain on one GPU."""
import argparse, json, time
import torch, torchvision

def run(mode, batch, steps, warmup, dtype, channels_last, fused, px=224, classes=1000):
    dev = torch.device("cuda")
    torch.backends.cudnn.benchmark = channels_last or dtype == "bf16-autocast"
    model = torchvision.models.resnet50(num_classes=classes).to(dev)
    fmt = torch.channels_last if channels_last else torch.contiguous_format
    model = model.to(memory_format=fmt)
    if dtype == "bf16":
        model = model.to(torch.bfloat16)
    x = torch.randn(batch, 3, px, px, device=dev).to(memory_format=fmt)
    if dtype == "bf16":
        x = x.to(torch.bfloat16)
    y = torch.randint(0, classes, (batch,), device=dev)
    opt = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9, fused=fused) if mode == "train" else None
    def step():
        if mode == "train":
            model.train()
            opt.zero_grad(set_to_none=True)
            with torch.autocast("cuda", dtype=torch.bfloat16, enabled=dtype == "bf16-autocast"):
                loss = torch.nn.functional.cross_entropy(model(x), y)
            loss.backward()
            opt.step()
        else:
            model.eval()
            with torch.no_grad(), torch.autocast("cuda", dtype=torch.bfloat16, enabled=dtype == "bf16-autocast"):
                model(x)
    for _ in range(warmup):
        step()
    torch.cuda.synchronize()
    t = time.perf_counter()
    for _ in range(steps):
        step()
    torch.cuda.synchronize()
    s = time.perf_counter() - t
    return {"workload": mode, "batch": batch, "dtype": dtype, "channels_last": channels_last, "fused_sgd": fused,
            "images_per_second": batch * steps / s, "device": torch.cuda.get_device_name(0), "torch": torch.__version__}

if __name__ == "__main__":
    p = argparse.ArgumentParser()
    p.add_argument("--steps", type=int, default=20)
    p.add_argument("--warmup", type=int, default=5)
    a = p.parse_args()
    for cfg in [("train", 128, "fp32", False, False), ("train", 128, "bf16", False, False),
                ("train", 256, "bf16-autocast", True, True), ("infer", 128, "fp32", False, False),
                ("infer", 128, "bf16", False, False)]:
        mode, batch, dtype, channels_last, fused = cfg
        print(json.dumps(run(mode, batch, a.steps, a.warmup, dtype, channels_last, fused)), flush=True)
