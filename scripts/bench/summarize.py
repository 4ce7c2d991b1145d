"""The table of scripts/bench/compare.sh's results.jsonl: one row per workload, thread count and peer, FaceBrain
beside the peer (medians over the reps): the tools' own timing (seconds, or images/s), the ratios in wall and CPU
time, both processes' peak RSS, the load the runs started under, and whether the results agree.

CPU time: the tools' own CPU seconds of the timed work where both report them (FaceBrain's bench verbs, the Python
and node peers of the same work), otherwise both whole processes' CPU (/usr/bin/time, start-up included: marked
"process"). Ratios are peer / FaceBrain for times and FaceBrain / peer for rates: above 1, FaceBrain is ahead.
  python3 summarize.py results.jsonl"""
import json, statistics as st, sys
from collections import defaultdict

rows = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
by = defaultdict(list)
for r in rows:
    by[(r["workload"], r["threads"], r["tool"])].append(r)
med = lambda rs, k: st.median(r[k] for r in rs if r.get(k) is not None)
has = lambda rs, k: all(r.get(k) is not None for r in rs)
rate = lambda rs: "images_per_second" in rs[0]


def timing(rs):
    if rate(rs):
        return f'{med(rs, "images_per_second"):.1f} img/s'
    cpu = f', {med(rs, "cpu_seconds"):.2f} CPU-s' if has(rs, "cpu_seconds") else ""
    return f'{med(rs, "seconds"):.2f} s{cpu}'


def images(r):
    """Images in a rate run's timed work."""
    if "batch" in r and ("steps" in r or "reps" in r):
        return r["batch"] * r.get("steps", r.get("reps"))
    return r.get("images") or r["seconds"] * r["images_per_second"]


def cpu_ratio(fb, peer):
    """Peer CPU / FaceBrain CPU for the same work (rates: the same images on both sides)."""
    if partial(fb, peer):
        return "n/a"
    if has(fb, "cpu_seconds") and has(peer, "cpu_seconds"):
        if rate(fb):  # CPU per image, so that a peer timing other steps still compares
            per = lambda rs: st.median(r["cpu_seconds"] / images(r) for r in rs)
            return f"{per(peer) / per(fb):.2f}x"
        return f'{med(peer, "cpu_seconds") / med(fb, "cpu_seconds"):.2f}x'
    return f'{med(peer, "process_cpu") / med(fb, "process_cpu"):.2f}x process'


def partial(fb, peer):
    """A peer that ran on part of the work as a check of the result (peer_encode.py kfold: the first voxels only)."""
    v, checked = fb[0].get("voxels"), peer[0].get("voxels_checked")
    return f"n/a ({checked:,} of {v:,} voxels: a check)" if v and checked and checked < v else None


def wall_ratio(fb, peer):
    check = partial(fb, peer)
    if check:
        return check
    if rate(fb):
        return f'{med(fb, "images_per_second") / med(peer, "images_per_second"):.2f}x'
    return f'{med(peer, "seconds") / med(fb, "seconds"):.2f}x'


def same(w, fb, peer):
    """What the two tools' first runs say about the result, and convergence."""
    f, p = fb[0], (peer[0] if peer else {})
    out = []
    if "accuracy" in f:
        a = f"accuracy {f['accuracy']:.4f}"
        if "accuracy" in p:
            a += f" / {p['accuracy']:.4f} ({'equal' if abs(f['accuracy'] - p['accuracy']) < 1e-9 else 'differs'})"
        out.append(a)
    if "control_accuracy" in f:
        out.append(f"control {f['control_accuracy']:.4f}")
    if "spearman" in f:
        r = f"r {f['spearman']:.4f}"
        if "spearman" in p:
            r += f" / {p['spearman']:.4f} ({'equal' if abs(f['spearman'] - p['spearman']) < 1e-4 else 'differs'})"
        out.append(r)
    if "p" in f:
        out.append(f"p {f['p']:.4g}" + (f" / {p['p']:.4g}" if "p" in p else ""))
    if "converged" in f or "not_converged" in f:
        conv = f.get("converged", 1.0 if f.get("not_converged", 0) == 0 else 0.0)
        c = f"converged {'yes' if conv == 1 else 'NO'}"
        if "max_iterations" in f:
            c += f" ({f['max_iterations']:.0f} it)"
        if "converged" in p:
            c += f" / {'yes' if p['converged'] == 1 else 'NO'}"
        out.append(c)
    if "decoders" in f:
        out.append(f"{f['decoders']:.0f} decoders")
    for k in ("median_alpha", "same_alpha_fraction", "weights_head_max_rel_diff", "r_head_max_abs_diff"):
        if k in f or k in p:
            out.append(f"{k} " + " / ".join(f"{r[k]:.4g}" if k in r else "-" for r in (f, p)))
    if "tol" in p:
        out.append(f"peer tol {p['tol']:g}")
    return "; ".join(out) or "-"


# compare.sh's tool labels, by workload, as the table names them.
NAMES = {"rsa": "NumPy/SciPy", "decoding": "scikit-learn", "decoding-hard": "scikit-learn", "encode": "scikit-learn RidgeCV",
         "infer": "PyTorch", "extract": "PIL + PyTorch", "faceapi-recognition": "face-api (TF.js wasm)",
         "faceapi-expression": "face-api (TF.js wasm)", "readout": "scikit-learn"}
OTHERS = {"peer-tight": "scikit-learn (tight tol)", "peer-kfold": "NumPy k-fold ridge (FaceBrain's job)"}


def name(w, tool):
    return OTHERS.get(tool) or NAMES.get(w, tool)


reps = "/".join(sorted({str(len(v)) for v in by.values()}))
print("Ratios: peer / FaceBrain for times, FaceBrain / peer for rates; above 1, FaceBrain is ahead. Medians of "
      f"{reps} runs; CPU is each tool's timed work where both report it, else whole processes ('process').")
print()
print("| workload | threads | FaceBrain | peer | peer's time | ratio wall | ratio CPU | peak RSS MB FaceBrain / peer | load | same result |")
print("|---|---|---|---|---|---|---|---|---|---|")
order = {w: i for i, w in enumerate(["rsa", "decoding", "decoding-hard", "analyse", "encode", "infer", "extract",
                                      "faceapi-recognition", "faceapi-expression", "probe", "readout"])}
keys = sorted({(w, t) for (w, t, _) in by}, key=lambda k: (order.get(k[0], 99), k[0], k[1]))
for w, t in keys:
    fb = by.get((w, t, "facebrain"))
    peers = sorted(tool for (w2, t2, tool) in by if (w2, t2) == (w, t) and tool != "facebrain")
    if not fb:
        continue
    for tool in peers or [None]:
        peer = by[(w, t, tool)] if tool else []
        loads = [r["load"] for r in fb + peer]
        rss = f'{med(fb, "peak_rss_mb"):.0f} / ' + (f'{med(peer, "peak_rss_mb"):.0f}' if peer else "-")
        print(f"| {w} | {t} | {timing(fb)} | {name(w, tool) if tool else '- (no peer)'} | {timing(peer) if peer else '-'} | "
              f"{wall_ratio(fb, peer) if peer else '-'} | {cpu_ratio(fb, peer) if peer else '-'} | {rss} | "
              f"{min(loads):.1f}-{max(loads):.1f} | {same(w, fb, peer)} |")
