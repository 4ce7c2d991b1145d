"""Peer of `facebrain decode --standardize` on a stored layer (scripts/bench/compare.sh, workload readout): probe's
linear read-out of cached features with scikit-learn. Per fold of GroupKFold(5) by identity (the folds FaceBrain's
groupkfold:5:identity makes), StandardScaler fitted on the training rows, LogisticRegression(C=1, lbfgs,
multinomial); the true labels and PERMUTATIONS label vectors permuted within identities (FaceBrain's scheme; NumPy's
generator, so the null draws differ and only the true-label accuracy is comparable). Prints one JSON line.

  python3 peer_readout.py STORE LAYER TARGET PERMUTATIONS [TOL]
"""
import csv, json, resource, sys, time, warnings
import numpy as np
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GroupKFold
from sklearn.preprocessing import StandardScaler

store, layer, target, perms = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
tol = float(sys.argv[5]) if len(sys.argv) > 5 else 1e-4
x = np.load(f"{store}/layers/{layer}.npy").astype(np.float64)
with open(f"{store}/stimuli.tsv", newline="") as f:
    rows = list(csv.DictReader(f, delimiter="\t"))
y = np.array([r[target] for r in rows])
g = np.array([r["identity"] for r in rows])

t, c = time.perf_counter(), time.process_time()
rng = np.random.default_rng(1)


def permuted():
    out = y.copy()
    for ident in np.unique(g):
        idx = np.flatnonzero(g == ident)
        out[idx] = rng.permutation(y[idx])
    return out


labels = [y] + [permuted() for _ in range(perms)]
folds = list(GroupKFold(5).split(x, y, g))
accs, iters = [], []
with warnings.catch_warnings(record=True) as w:
    warnings.simplefilter("always", ConvergenceWarning)
    for yy in labels:
        pred = np.empty_like(yy)
        for tr, te in folds:
            s = StandardScaler().fit(x[tr])
            m = LogisticRegression(C=1.0, tol=tol, max_iter=10000).fit(s.transform(x[tr]), yy[tr])
            iters.append(int(m.n_iter_[0]))
            pred[te] = m.predict(s.transform(x[te]))
        accs.append(float(np.mean(pred == yy)))
    notconv = sum(issubclass(v.category, ConvergenceWarning) for v in w)
import sklearn
print(json.dumps({"workload": "readout", "seconds": time.perf_counter() - t, "cpu_seconds": time.process_time() - c,
                  "accuracy": accs[0], "null_mean": float(np.mean(accs[1:])) if perms else None,
                  "fits": len(labels) * len(folds), "max_iterations": max(iters), "tol": tol,
                  "converged": float(notconv == 0), "sklearn": sklearn.__version__,
                  "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}), flush=True)
