#!/usr/bin/env bash
# FaceBrain's face-api port beside face-api itself (TF.js wasm in node), same machine, same run, same threads,
# batch 32, inputs at the networks' sizes (150 / 112 px; face-api's timing includes its cast and normalisation).
# The two tools alternate REPS times per network; the last lines give the medians of images/s and of images per
# CPU second (each process's CPU time over its timed steps), and the ratios.
#   scripts/bench/faceapi-infer.sh [THREADS] [STEPS] [REPS]     (defaults 1, 5, 3)
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
threads=${1:-1}; steps=${2:-5}; reps=${3:-3}
fb=(${FACEBRAIN:-$root/facebrain})  # FACEBRAIN="dotnet path/facebrain.dll" to use another build
model=$("${fb[@]}" models fetch faceapi)
cd "$root/scripts/parity/faceapi"
[[ -d node_modules ]] || npm ci --no-audit --no-fund
results=$(mktemp)
echo "# $(date -u +%FT%TZ) $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg), threads $threads, batch 32, $reps reps"
for rep in $(seq 1 "$reps"); do
  for net in recognition expression; do
    OMP_NUM_THREADS=$threads MKL_NUM_THREADS=$threads "${fb[@]}" bench infer --model "faceapi-$net" --batch 32 --steps "$steps" --warmup 1 --device cpu --json \
      | tr -d '\n' | sed 's/$/\n/' | tee -a "$results"
    node faceapi-run.js --model "$model" --net "$net" --bench "$steps" --batch 32 --threads "$threads" | tee -a "$results"
  done
done
python3 - "$results" <<'PY'
import json, statistics, sys
rows = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
med = statistics.median
for net in ("recognition", "expression"):
    fb = [r for r in rows if r.get("model") == f"faceapi-{net}"]
    fa = [r for r in rows if r.get("tool") == "face-api" and r["net"] == net]
    f_ips, a_ips = med(r["images_per_second"] for r in fb), med(r["images_per_s"] for r in fa)
    f_cpu = med(r["batch"] * r["steps"] / r["cpu_seconds"] for r in fb)
    a_cpu = med(r["batch"] * r["reps"] / r["cpu_seconds"] for r in fa)
    print(f"# {net}: FaceBrain {f_ips:.1f} images/s ({f_cpu:.1f} per CPU s), face-api {a_ips:.1f} ({a_cpu:.1f}): "
          f"{f_ips / a_ips:.2f}x wall, {f_cpu / a_cpu:.2f}x CPU (medians of {len(fb)})")
PY
rm -f "$results"
