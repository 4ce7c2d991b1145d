#!/usr/bin/env bash
# FaceBrain CLI runs whose timing is not printed as JSON, for compare.sh: runs the verb and prints one JSON line
# (the tool's own timing) on stdout; the verb's own output goes to stderr.
#   fb_task.sh extract IMAGE_DIR STORE BATCH      facebrain extract (JPEG files -> ResNet-50 avgpool -> store);
#                                                  seconds: the manifest's timings.total_seconds (decode to store)
#   fb_task.sh probe KDEF_DIR OUT PERMUTATIONS    facebrain probe (random width-16 ResNet-50 at 64 px, expression,
#                                                  --control); seconds: features + read-out of both networks as the
#                                                  probe prints them (0.1 s resolution), accuracy etc. from probe.json
#   fb_task.sh readout STORE OUT PERMUTATIONS     facebrain decode of the store's avgpool (expression, groupkfold:5:identity,
#                                                  --standardize, bootstrap 1000): probe's read-out on cached features;
#                                                  seconds: the whole decode process (start-up and loading included)
# The CLI: FACEBRAIN_DLL (dotnet DLL) or ./facebrain. Threads: OMP_NUM_THREADS from the caller.
set -euo pipefail
root=$(cd "$(dirname "$(readlink -f "$0")")/../.." && pwd)
if [[ -n ${FACEBRAIN_DLL:-} ]]; then fb=(dotnet "$FACEBRAIN_DLL"); else fb=("$root/facebrain"); fi
task=$1; shift
case $task in
  extract)
    dir=$1 store=$2 batch=$3
    rm -rf "$store"
    "${fb[@]}" extract --model resnet50 --weights random --data "images:$dir" --layers avgpool --reduce none \
      --preset imagenet --resize 256 --crop 224 --batch "$batch" --device cpu --out "$store" >&2
    /usr/bin/python3 - "$store/manifest.json" <<'PY'
import json, pathlib, sys
s = json.load(open(sys.argv[1]))["timings"]["total_seconds"]
n = sum(1 for _ in open(pathlib.Path(sys.argv[1]).parent / "stimuli.tsv")) - 1  # rows after the header
print(json.dumps({"workload": "extract", "images": n, "seconds": s, "images_per_second": n / s}))
PY
    ;;
  probe)
    data=$1 out=$2 perms=$3
    rm -rf "$out"; mkdir -p "$out"
    "${fb[@]}" probe --model resnet50 --width 16 --input-size 64 --data "kdef:$data" --target expression \
      --permutations "$perms" --control --device cpu --out "$out" > "$out/stdout.txt"
    cat "$out/stdout.txt" >&2
    /usr/bin/python3 - "$out/stdout.txt" "$out/probe.json" <<'PY'
import json, re, sys
times = re.findall(r"time: features ([0-9.]+) s, read-out ([0-9.]+) s", open(sys.argv[1]).read())
feat, read = sum(float(f) for f, _ in times), sum(float(r) for _, r in times)
p = json.load(open(sys.argv[2]))
d, c = p["result"]["decoding"], p["control"]["decoding"]
print(json.dumps({"workload": "probe", "seconds": feat + read, "feature_seconds": feat, "readout_seconds": read,
                  "accuracy": d["accuracy"], "control_accuracy": c["accuracy"], "p": d["p_value"],
                  "converged": float(d["converged"] and c["converged"]),
                  "max_iterations": max(d["max_iterations_used"], c["max_iterations_used"])}))
PY
    ;;
  readout)
    store=$1 out=$2 perms=$3
    start=$(date +%s.%N)
    "${fb[@]}" decode --store "$store" --layer avgpool --target expression --cv groupkfold:5:identity --standardize \
      --permutations "$perms" --bootstrap 1000 --seed 1 --device cpu --out "$out" >&2
    end=$(date +%s.%N)
    /usr/bin/python3 - "$out" "$start" "$end" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
print(json.dumps({"workload": "readout", "seconds": float(sys.argv[3]) - float(sys.argv[2]), "accuracy": d["accuracy"],
                  "null_mean": d["null_mean_accuracy"], "converged": float(d["converged"]),
                  "max_iterations": d["max_iterations_used"]}))
PY
    ;;
  *) echo "fb_task.sh: unknown task '$task'" >&2; exit 2 ;;
esac
