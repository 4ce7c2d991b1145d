#!/usr/bin/env bash
# FaceBrain's face-api port beside face-api itself (TF.js wasm in node), same machine, same run, same threads,
# batch 32, inputs at the networks' sizes (150 / 112 px; face-api's timing includes its cast and normalisation).
#   scripts/bench/faceapi-infer.sh [THREADS] [STEPS]
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
threads=${1:-1}; steps=${2:-5}
model=$("$root/facebrain" models fetch faceapi)
cd "$root/scripts/parity/faceapi"
[[ -d node_modules ]] || npm ci --no-audit --no-fund
echo "# $(date -u +%FT%TZ) $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg), threads $threads, batch 32"
for net in recognition expression; do
  OMP_NUM_THREADS=$threads MKL_NUM_THREADS=$threads "$root/facebrain" bench infer --model "faceapi-$net" --batch 32 --steps "$steps" --warmup 1 --device cpu --json
  node faceapi-run.js --model "$model" --net "$net" --bench "$steps" --batch 32 --threads "$threads"
done
