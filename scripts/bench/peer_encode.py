"""Peer of `facebrain bench encode --save DIR` (scripts/bench/compare.sh), on the data FaceBrain saved (x.npy, y.npy).

  python3 peer_encode.py DIR sklearn   RidgeCV(alphas, alpha_per_target=True): scikit-learn's per-target-alpha ridge
                                       (efficient leave-one-out CV: a cheaper, different CV from FaceBrain's K folds)
  python3 peer_encode.py DIR kfold K [N_ALPHAS [VOXELS]]
                                       the same job as FaceBrain (himalaya's solve_ridge_cv_svd): per-voxel alpha by
                                       K contiguous folds, one SVD per fold, all alphas from it, refit on all rows;
                                       on the first VOXELS voxels (default 2000; a voxel's alpha and weights depend on
                                       its own column only, so the check is exact for them), then compared with
                                       FaceBrain's alphas.npy and weights_head.npy (alphas, weights and in-sample r)
Both use the 1e-2..1e6 log grid of the size FaceBrain used. Prints one JSON object.
"""
import json, resource, sys, time
import numpy as np


def kfold(x, y, alphas, k):
    n = x.shape[0]
    sizes = [n // k + (1 if i < n % k else 0) for i in range(k)]
    bounds = np.cumsum([0] + sizes)
    err = np.zeros((alphas.size, y.shape[1]))
    for f in range(k):
        te = np.zeros(n, bool); te[bounds[f]:bounds[f + 1]] = True
        xtr, ytr, xte, yte = x[~te], y[~te], x[te], y[te]
        mx, my = xtr.mean(0), ytr.mean(0)
        u, s, vt = np.linalg.svd(xtr - mx, full_matrices=False)
        uty = u.T @ (ytr - my)
        left = (xte - mx) @ vt.T
        for a, alpha in enumerate(alphas):
            pred = left @ ((s / (s * s + alpha))[:, None] * uty) + my
            err[a] += ((pred - yte) ** 2).sum(0)
    best = alphas[err.argmin(0)]
    mx, my = x.mean(0), y.mean(0)
    u, s, vt = np.linalg.svd(x - mx, full_matrices=False)
    w = vt.T @ ((s[:, None] / (s[:, None] ** 2 + best[None, :])) * (u.T @ (y - my)))
    return best, w


if __name__ == "__main__":
    d, how = sys.argv[1], sys.argv[2]
    x, y = np.load(f"{d}/x.npy"), np.load(f"{d}/y.npy")
    fb_alphas = np.load(f"{d}/alphas.npy")
    n_alphas = int(sys.argv[4]) if len(sys.argv) > 4 else 25
    alphas = np.logspace(-2, 6, n_alphas)
    t, c = time.perf_counter(), time.process_time()
    out = {"workload": f"encode-{how}", "stimuli": x.shape[0], "features": x.shape[1], "voxels": y.shape[1]}
    if how == "sklearn":
        from sklearn.linear_model import RidgeCV
        import sklearn
        m = RidgeCV(alphas=alphas, alpha_per_target=True).fit(x, y)
        out["seconds"], out["cpu_seconds"] = time.perf_counter() - t, time.process_time() - c
        out["sklearn"] = sklearn.__version__
        out["median_alpha"] = float(np.median(m.alpha_))
    else:
        voxels = int(sys.argv[5]) if len(sys.argv) > 5 else 2000
        y, fb_alphas = y[:, :voxels], fb_alphas[:voxels]
        out["voxels_checked"] = int(y.shape[1])
        best, w = kfold(x, y, alphas, int(sys.argv[3]))
        out["seconds"], out["cpu_seconds"] = time.perf_counter() - t, time.process_time() - c
        out["median_alpha"] = float(np.median(best))
        out["same_alpha_fraction"] = float(np.mean(np.isclose(best, fb_alphas, rtol=1e-9)))
        head = np.load(f"{d}/weights_head.npy")
        wh = w[:, :head.shape[1]]
        out["weights_head_max_rel_diff"] = float(np.abs(wh - head).max() / np.abs(wh).max())
        # In-sample r of the refit on those voxels (the intercept does not change r).
        def r(w):
            p = (x - x.mean(0)) @ w
            yc, pc = y[:, :w.shape[1]] - y[:, :w.shape[1]].mean(0), p - p.mean(0)
            return (yc * pc).sum(0) / np.sqrt((yc ** 2).sum(0) * (pc ** 2).sum(0))
        out["r_head_max_abs_diff"] = float(np.abs(r(wh) - r(head)).max())
    out["numpy"] = np.__version__
    out["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps(out), flush=True)
