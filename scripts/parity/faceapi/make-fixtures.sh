#!/usr/bin/env bash
# Regenerates tests/FaceBrain.Tests/fixtures/faceapi from face-api itself (node, wasm backend):
#   scripts/parity/faceapi/make-fixtures.sh [MODEL_DIR]
# MODEL_DIR: face-api's model/ folder (default: FaceBrain's cache, 'facebrain models fetch faceapi').
# The PNGs in images/ are inputs (cut from synthetic faces by make-fixture-images.js) and are not rewritten.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../../.." && pwd)
out=$root/tests/FaceBrain.Tests/fixtures/faceapi
model=${1:-${FACEBRAIN_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/facebrain}/models/faceapi-1.7.15}
cd "$here"
[[ -d node_modules ]] || npm ci --no-audit --no-fund
images=$(ls "$out"/images/*.png | sort | paste -sd, -)
for net in recognition expression; do
  # Given tensors: face-api's own preprocessing of the first two images, plus one seeded random tensor (float16, exact in float32).
  two=$(echo "$images" | cut -d, -f1,2)
  node faceapi-run.js --model "$model" --net $net --images "$two" --dump-input "$out/${net}_input.npy" --random 1 --dtype f2
  node faceapi-run.js --model "$model" --net $net --tensor "$out/${net}_input.npy" --out "$out/${net}_output.npy"
  # Image files through face-api's whole input path.
  node faceapi-run.js --model "$model" --net $net --images "$images" --out "$out/${net}_images_output.npy"
done
ls -la "$out"
