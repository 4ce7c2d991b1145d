#!/usr/bin/env bash
# End-to-end extraction on the CPU, JPEG files to features on disk, FaceBrain beside PyTorch on the same files:
#   FaceBrain: facebrain extract --model resnet50 --data images:DIR --layers avgpool --reduce none (decode, resize,
#              crop, ImageNet preset, forward, store), its own timing (manifest timings.total_seconds);
#   PyTorch:   scripts/bench/peer_extract.py (PIL + torchvision transforms in a DataLoader, torchvision resnet50
#              eval/no_grad, avgpool hook, .npy), its own timing.
# Same images, batch, resize/crop, compute threads (OMP_NUM_THREADS); each tool decodes ahead of the forward pass
# (FaceBrain: a worker thread, Parallelism = cores; PyTorch: DataLoader workers = cores). The tools alternate REPS
# times per thread count; the table gives medians. Images are synthesised once (not timed).
#   scripts/bench/extract-jpeg.sh [--images N] [--reps R] [--threads "1 2"] [--batch B] [--out DIR]
set -euo pipefail
root=$(cd "$(dirname "$(readlink -f "$0")")/../.." && pwd)
images=256 reps=3 threads="1 2" batch=32 out=
while [[ $# -gt 0 ]]; do
  case $1 in
    --images) images=$2; shift ;;
    --reps) reps=$2; shift ;;
    --threads) threads=$2; shift ;;
    --batch) batch=$2; shift ;;
    --out) out=$2; shift ;;
    *) echo "extract-jpeg.sh: unknown option '$1'" >&2; exit 2 ;;
  esac
  shift
done
py=/usr/bin/python3
$py -c 'import torch, torchvision, PIL, numpy' 2>/dev/null || {
  echo "extract-jpeg.sh: the peer is missing: apt-get install -y python3-torch python3-torchvision python3-pil python3-numpy" >&2; exit 2; }
if [[ -n ${FACEBRAIN_DLL:-} ]]; then fb=(dotnet "$FACEBRAIN_DLL"); else fb=("$root/facebrain"); fi
out=${out:-$(mktemp -d /tmp/facebrain-extract-jpeg.XXXXXX)}
mkdir -p "$out"
cores=$(nproc)
per=8; ids=$(( (images + per - 1) / per ))
[[ -d $out/faces ]] || "${fb[@]}" faces synth --layout manifest --identities "$ids" --per-identity "$per" --size 300 --seed 1 --out "$out/faces" >/dev/null
dir=$out/faces/images
n=$(find "$dir" -name '*.jpg' | wc -l)
results=$out/results.jsonl; : > "$results"
echo "# $(date -u +%FT%TZ) $(nproc) cores ($(lscpu | sed -n 's/^Model name: *//p')), $n JPEGs (300 px), batch $batch, resize 256, crop 224" | tee "$out/table.md"
for t in $threads; do
  for rep in $(seq 1 "$reps"); do
    load=$(cut -d' ' -f1 /proc/loadavg)
    rm -rf "$out/store"
    OMP_NUM_THREADS=$t MKL_NUM_THREADS=$t "${fb[@]}" extract --model resnet50 --weights random --data "images:$dir" --layers avgpool --reduce none \
      --preset imagenet --resize 256 --crop 224 --batch "$batch" --device cpu --out "$out/store" >/dev/null 2>"$out/fb.err" || {
        echo "extract-jpeg.sh: facebrain extract failed:" >&2; tail -5 "$out/fb.err" >&2; exit 1; }
    $py - "$out/store/manifest.json" "$t" "$rep" "$load" "$n" >> "$results" <<'PY'
import json, sys
m = json.load(open(sys.argv[1])); t = m["timings"]
print(json.dumps({"tool": "facebrain", "threads": int(sys.argv[2]), "rep": int(sys.argv[3]), "load": float(sys.argv[4]),
                  "seconds": t["total_seconds"], "images_per_second": int(sys.argv[5]) / t["total_seconds"]}))
PY
    load=$(cut -d' ' -f1 /proc/loadavg)
    OMP_NUM_THREADS=$t MKL_NUM_THREADS=$t $py "$root/scripts/bench/peer_extract.py" "$dir" "$out/peer.npy" "$batch" 256 224 "$cores" \
      | $py -c 'import json,sys; r=json.loads(sys.stdin.read().strip().splitlines()[-1]); r.update(tool="pytorch", threads=int(sys.argv[1]), rep=int(sys.argv[2]), load=float(sys.argv[3])); print(json.dumps(r))' "$t" "$rep" "$load" >> "$results"
    tail -2 "$results" | $py -c 'import json, sys
for l in sys.stdin:
    r = json.loads(l)
    print("  %s threads=%d rep=%d: %.2f images/s (load %s)" % (r["tool"], r["threads"], r["rep"], r["images_per_second"], r["load"]), file=sys.stderr)'
  done
done
$py - "$results" <<'PY' | tee -a "$out/table.md"
import json, statistics, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
print("| threads | FaceBrain images/s | PyTorch images/s | ratio | load (1-min avg at starts) |")
print("|---|---|---|---|---|")
for t in sorted({r["threads"] for r in rows}):
    f = statistics.median(r["images_per_second"] for r in rows if r["tool"] == "facebrain" and r["threads"] == t)
    p = statistics.median(r["images_per_second"] for r in rows if r["tool"] == "pytorch" and r["threads"] == t)
    loads = [r["load"] for r in rows if r["threads"] == t]
    print(f"| {t} | {f:.2f} | {p:.2f} | {f / p:.2f}x | {min(loads):.1f}-{max(loads):.1f} |")
PY
echo "results: $results" >&2
