"""Median table of scripts/bench/compare.sh's results.jsonl: per workload and thread count, FaceBrain beside
each peer (seconds or images/s from the tool's own timer, peak RSS of the process, the load it ran under)."""
import json, statistics as st, sys
from collections import defaultdict

rows = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
by = defaultdict(list)
for r in rows:
    by[(r["workload"], r["threads"], r["tool"])].append(r)
med = lambda rs, k: st.median(r[k] for r in rs if r.get(k) is not None)

def speed(rs):
    if "images_per_second" in rs[0]:
        return f'{med(rs, "images_per_second"):.1f} img/s'
    cpu = f' ({med(rs, "cpu_seconds"):.2f} CPU-s)' if "cpu_seconds" in rs[0] else ""
    return f'{med(rs, "seconds"):.2f} s{cpu}'

def result(rs):
    r = rs[0]
    keys = ["accuracy", "converged", "max_iterations", "tol", "decoders", "not_converged", "spearman", "p", "median_alpha", "same_alpha_fraction", "weights_head_max_rel_diff", "r_head_max_abs_diff"]
    return ", ".join(f"{k} {r[k]:.4g}" for k in keys if k in r)

print("Ratios are peer / FaceBrain (time) or FaceBrain / peer (rate): above 1, FaceBrain is ahead.")
print()
print("| workload | threads | tool | time (median of %s) | peak RSS MB | result (first run) | load (1-min avg) | ratio |" % "/".join(sorted({str(len(v)) for v in by.values()})))
print("|---|---|---|---|---|---|---|---|")
for (w, t, tool), rs in sorted(by.items(), key=lambda kv: (kv[0][0], kv[0][1], kv[0][2] != "facebrain", kv[0][2])):
    fb = by.get((w, t, "facebrain"))
    ratio = ""
    if tool != "facebrain" and fb:
        if "images_per_second" in rs[0]:
            ratio = f'{med(fb, "images_per_second") / med(rs, "images_per_second"):.2f}x FaceBrain/peer rate'
        else:
            ratio = f'{med(rs, "seconds") / med(fb, "seconds"):.2f}x wall'
            if "cpu_seconds" in rs[0] and "cpu_seconds" in fb[0]:
                ratio += f', {med(rs, "cpu_seconds") / med(fb, "cpu_seconds"):.2f}x CPU'
    loads = [r["load"] for r in rs]
    print(f"| {w} | {t} | {tool} | {speed(rs)} | {med(rs, 'peak_rss_mb'):.0f} | {result(rs)} | {min(loads):.1f}-{max(loads):.1f} | {ratio} |")
