#!/usr/bin/env bash
# FaceBrain's face-api port beside face-api itself (TF.js wasm in node), same machine, same run, same threads,
# batch 32, inputs at the networks' sizes (150 / 112 px; face-api's timing includes its cast and normalisation):
# compare.sh's `faceapi` workload (its one implementation), the two tools alternating REPS times per network.
#   scripts/bench/faceapi-infer.sh [THREADS] [STEPS] [REPS]     (defaults 1, 10, 3)
# FACEBRAIN_DLL=path/to/facebrain.dll to use another build.
set -euo pipefail
here=$(cd "$(dirname "$(readlink -f "$0")")" && pwd)
exec "$here/compare.sh" --workloads faceapi --threads "${1:-1}" --faceapi-steps "${2:-10}" --reps "${3:-3}"
