#!/usr/bin/env bash
# The transfer experiment on face-api's real networks, layer by layer (docs/training.md):
# each network frozen, a linear read-out of expression (leave identities out) and of identity (train on KDEF
# session A, test on B), the random-weights control of the same architecture, a permutation baseline. Layers are
# read flattened (the probe's convention), so the early, large maps (conv32_*, dense0/1: 39k-166k features) are left out.
#   scripts/study/faceapi-probe.sh KDEF_DIR OUT [PERMUTATIONS]   e.g. on 'faces synth --layout kdef' output
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
data=$1; out=$2; perms=${3:-20}
mkdir -p "$out"
run() { # model layer target
  "$root/facebrain" probe --model "$1" --weights faceapi --layer "$2" --data "kdef:$data" --where angle=S --target "$3" \
    --control --permutations "$perms" --device cpu --out "$out/$1-$3-$2" > "$out/$1-$3-$2.txt"
  echo "$1 $3 $2: $(grep -m2 accuracy "$out/$1-$3-$2.txt" | sed 's/^ *//' | paste -sd'|' -)"
}
for target in expression identity; do
  for layer in conv64_3 conv128_2 conv256_2 conv256_down_out pool descriptor; do run faceapi-recognition $layer $target; done
  for layer in dense2 dense3 pool logits; do run faceapi-expression $layer $target; done
done
