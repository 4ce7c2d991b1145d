"""PyTorch reference for `facebrain bench encode`: per-voxel ridge, one alpha per voxel from K-fold CV over a log
grid (one SVD of the training rows per fold, all alphas from it), then a refit on all rows. float64 on the GPU."""
import json, time, torch

def run(n=1000, p=2048, v=50000, n_alphas=25, k=5, dev="cuda"):
    g = torch.Generator(device="cpu").manual_seed(0)
    X = torch.randn(n, p, generator=g, dtype=torch.float64).to(dev)
    Y = torch.randn(n, v, generator=g, dtype=torch.float64).to(dev)
    alphas = torch.logspace(-2, 6, n_alphas, dtype=torch.float64, device=dev)
    torch.cuda.synchronize(); t = time.perf_counter()
    err = torch.zeros(n_alphas, v, dtype=torch.float64, device=dev)
    bounds = [0] + [sum(n // k + (1 if i < n % k else 0) for i in range(j + 1)) for j in range(k)]
    for f in range(k):
        te = torch.zeros(n, dtype=torch.bool, device=dev); te[bounds[f]:bounds[f + 1]] = True
        Xtr, Ytr, Xte, Yte = X[~te], Y[~te], X[te], Y[te]
        mx, my = Xtr.mean(0), Ytr.mean(0)
        U, S, Vh = torch.linalg.svd(Xtr - mx, full_matrices=False)
        UtY = U.T @ (Ytr - my)
        XteV = (Xte - mx) @ Vh.T
        for a in range(n_alphas):
            pred = XteV @ ((S / (S * S + alphas[a]))[:, None] * UtY) + my
            err[a] += ((pred - Yte) ** 2).sum(0)
    best = alphas[err.argmin(0)]
    mx, my = X.mean(0), Y.mean(0)
    U, S, Vh = torch.linalg.svd(X - mx, full_matrices=False)
    UtY = U.T @ (Y - my)
    W = Vh.T @ ((S[:, None] / (S[:, None] ** 2 + best[None, :])) * UtY)
    torch.cuda.synchronize()
    return {"workload": "ridge-cv", "stimuli": n, "features": p, "voxels": v, "alphas": n_alphas, "folds": k,
            "seconds": time.perf_counter() - t, "device": torch.cuda.get_device_name(0), "torch": torch.__version__}

if __name__ == "__main__":
    run(v=2000)  # warm-up
    print(json.dumps(run()), flush=True)
