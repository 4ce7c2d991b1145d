#!/usr/bin/env bash
# Realism calibration with face-api's whole pipeline (detector, landmarks, descriptors), run live in node:
# face-api's own demo photographs (real people, shipped in its npm package) beside the neutral frontal faces of a
# synthetic KDEF set, measured by the same instrument. It says what a real set's descriptor distances and
# landmark proportions look like to this network, so the `faces realism` targets have a reference. Manual
# (needs npm and /usr/bin/python3 with NumPy); see docs/data.md.
#
#   scripts/parity/faceapi/calibrate.sh [SYNTH_DIR]     (default: a fresh 24-identity set, seed 1)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../../.." && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cd "$here"
[[ -d node_modules ]] || npm ci --no-audit --no-fund >&2
set_dir=${1:-}
if [[ -z $set_dir ]]; then
  set_dir=$tmp/synth
  "$root/facebrain" faces synth --layout kdef --identities 24 --seed 1 --out "$set_dir" >&2
fi
[[ -d $set_dir/KDEF ]] || { echo "calibrate: $set_dir: no KDEF folder (a kdef-layout set expected)" >&2; exit 2; }
samples=$(cd "$(dirname "$(node -p "require.resolve('@vladmandic/face-api/package.json')")")/demo" && pwd)
ls "$samples"/sample*.jpg > "$tmp/real.txt"
# one neutral, frontal, session-A image per identity: every pair is a different-identity pair
ls "$set_dir"/KDEF/A*/A*NES.JPG > "$tmp/synth.txt"
node full-pipeline.js --list "$tmp/real.txt" --out "$tmp/real.json"
node full-pipeline.js --list "$tmp/synth.txt" --out "$tmp/synth.json"
/usr/bin/python3 calibrate.py "face-api demo photographs=$tmp/real.json" "synthetic neutral frontal=$tmp/synth.json"
