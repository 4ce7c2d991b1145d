"""Peer of `facebrain bench analysis --save DIR` (scripts/bench/compare.sh): the same workloads on the same data
with NumPy/SciPy/scikit-learn. Prints one JSON object per workload: seconds, the numbers FaceBrain reports, peak RSS.

  python3 peer_analysis.py DIR rsa            correlation RDM (pdist), Spearman vs expression label RDM, 1000
                                              permutations as batched gathers of the ranked model (NumPy)
  python3 peer_analysis.py DIR decoding [TOL] LogisticRegression(C=1, lbfgs, multinomial), leave one identity out
"""
import csv, json, resource, sys, time
import numpy as np


def load(d):
    x = np.load(f"{d}/features.npy")
    with open(f"{d}/stimuli.tsv", newline="") as f:
        rows = list(csv.DictReader(f, delimiter="\t"))
    return x, rows


def rsa(x, rows, permutations=1000, seed=0):
    from scipy.spatial.distance import pdist
    from scipy.stats import rankdata
    t = time.perf_counter()
    n = x.shape[0]
    data = pdist(x, "correlation")
    lab = np.array([r["expression"] for r in rows])
    i, j = np.triu_indices(n, 1)
    model = (lab[i] != lab[j]).astype(np.float64)
    z = lambda v: (v - v.mean()) / v.std()
    zd, zm = z(rankdata(data)), z(rankdata(model))
    r = float(zd @ zm / zd.size)
    sq = np.zeros((n, n)); sq[i, j] = zm; sq[j, i] = zm
    flat = sq.ravel()
    rng = np.random.default_rng(seed)
    perms = np.array([rng.permutation(n) for _ in range(permutations)])
    nulls = np.empty(permutations)
    b = 8  # permutations per gather: ~30 MB of indices
    for s in range(0, permutations, b):
        p = perms[s:s + b]
        nulls[s:s + b] = flat[p[:, i] * n + p[:, j]] @ zd / zd.size
    pval = (1 + np.sum(nulls >= r)) / (1 + permutations)
    return {"workload": "rsa", "seconds": time.perf_counter() - t, "spearman": r, "p": float(pval)}


def decoding(x, rows, tol=1e-4):
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import LeaveOneGroupOut, cross_val_predict
    import warnings
    from sklearn.exceptions import ConvergenceWarning
    y = np.array([r["expression"] for r in rows])
    g = np.array([r["identity"] for r in rows])
    t = time.perf_counter()
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always", ConvergenceWarning)
        clf = LogisticRegression(C=1.0, tol=tol, max_iter=10000)
        pred = cross_val_predict(clf, x, y, groups=g, cv=LeaveOneGroupOut())
        notconv = sum(issubclass(v.category, ConvergenceWarning) for v in w)
    return {"workload": "decoding", "seconds": time.perf_counter() - t, "accuracy": float(np.mean(pred == y)),
            "tol": tol, "converged": float(notconv == 0)}


if __name__ == "__main__":
    d, what = sys.argv[1], sys.argv[2]
    x, rows = load(d)
    c = time.process_time()
    out = rsa(x, rows) if what == "rsa" else decoding(x, rows, float(sys.argv[3]) if len(sys.argv) > 3 else 1e-4)
    out["cpu_seconds"] = time.process_time() - c  # the timed work (loading is done above)
    import sklearn, scipy
    out.update(numpy=np.__version__, scipy=scipy.__version__, sklearn=sklearn.__version__,
               peak_rss_mb=resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
    print(json.dumps(out), flush=True)
