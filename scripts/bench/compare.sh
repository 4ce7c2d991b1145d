#!/usr/bin/env bash
# The CPU table of issue 17 in one command: FaceBrain beside its peers (scikit-learn, SciPy/NumPy, PyTorch, face-api
# on TF.js) on the same generated data, on this machine. For each workload and thread count, FaceBrain and the peer
# alternate REPS times; the table (summarize.py) gives per row the medians of the tools' own timings (data
# generation and loading excluded), the ratios in wall and CPU time, peak RSS of both processes, the load, and
# whether the results agree (accuracy / r / p, convergence).
#
#   scripts/bench/compare.sh [--quick] [--reps N] [--threads "1 2"] [--workloads all|"rsa encode ..."] [--out DIR]
#
# Workloads (default all, in this order):
#   rsa            correlation RDM + Spearman vs the expression model RDM, 1,000 permutations; peer NumPy/SciPy
#   decoding       logistic C=1, leave one identity out; peer scikit-learn (tol 1e-4)
#   decoding-hard  the same on data with expression signal --hard-signal (0.03: accuracy ~0.2-0.3); peer
#                  scikit-learn at tol 1e-4 and 1e-8 (--identities N --features P for both decoding workloads:
#                  14 stimuli per identity, one fold each)
#   analyse        `bench analysis --only layerwise`, 6-layer store (FaceBrain alone: no peer does this workload)
#   encode         per-voxel-alpha ridge, 1000 x 2048 -> --voxels; peers --encode-peers "sklearn kfold"
#   infer          ResNet-50 forward at 224 px, batch 8; peer torchvision resnet50 (eval, no_grad)
#   extract        --images JPEG files (300 px) -> resize 256, crop 224 -> ResNet-50 avgpool -> store, batch
#                  --batch; peer PIL + torchvision DataLoader (workers = cores) + resnet50 + .npy (peer_extract.py)
#   faceapi        face-api's recognition (150 px) and expression (112 px) nets, batch 32, --faceapi-steps steps;
#                  peer face-api 1.7.15 on TF.js wasm in node, same threads (scripts/parity/faceapi)
#   probe          `facebrain probe` on 12 KDEF-layout identities (840 images, 64 px), random width-16 ResNet-50,
#                  expression, 5 identity folds, 10 permutations, --control (FaceBrain alone; no peer)
#   readout        probe's read-out on cached features: `facebrain decode --standardize` of the probe faces' avgpool
#                  (random width-16 ResNet-50, 512-d, extracted once, untimed), same folds and permutations; peer
#                  scikit-learn StandardScaler + LogisticRegression per fold (peer_readout.py; tol 1e-4)
# --quick: small sizes for iteration (490 x 512 decoding/RSA data, 2,000 voxels, 2 infer steps, 64 JPEGs,
# 3 face-api steps, 6 probe identities with 5 permutations); without it the sizes are the issue's (980 x 2048;
# 1000 x 2048 -> 20,000 voxels; ResNet-50 at 224 px, batch 8, 5 steps; 256 JPEGs; 10 face-api steps; 12 identities).
#
# How long it takes (wall clock, the whole command, both tools, reps and thread counts included):
#   --quick --reps 1 --threads 1: 2 min 39 s, measured 2026-12-02 19:18-19:21 UTC under nice -n 15 at load 2.1-4.8
#   (analyse has no small size: 34 s of it).
#   Full sizes: --reps 3 --threads 1: 19 min 47 s; --reps 1 --threads 2: 6 min 4 s (measured 2026-12-02
#   21:56-22:22 UTC, idle 2-core VM); so --reps 3 --threads "1 2" takes about 40 min.
#   --reps 3 --threads "1 2" --workloads "readout encode": 12 min 11 s (2026-12-03 12:32-12:44 UTC, idle).
#   The time scales with --reps and with the number of thread counts; a workload subset takes its share.
#
# Peers: apt-get install -y python3-sklearn python3-scipy python3-torch python3-torchvision python3-pil
#        libopenblas0-pthread (run with /usr/bin/python3; without OpenBLAS, Debian's NumPy runs on the reference
#        BLAS); node 20 and npm for face-api (`npm ci` in scripts/parity/faceapi on first use).
# Writes DIR/results.jsonl (one line per run) and DIR/table.md; prints the table.
# FACEBRAIN_DLL=path/to/facebrain.dll runs a fixed build (e.g. a copy, so that building meanwhile does not change
# what is measured); otherwise ./facebrain, built once here, outside any timing.
set -euo pipefail
root=$(cd "$(dirname "$(readlink -f "$0")")/../.." && pwd)
here=$root/scripts/bench
all="rsa decoding decoding-hard analyse encode infer extract faceapi probe readout"
reps=3 threads="1 2" workloads=all quick=0 out= voxels= encode_peers="sklearn kfold"
identities= features= hard_signal=0.03 images= batch=32 faceapi_steps=
while [[ $# -gt 0 ]]; do
  case $1 in
    --quick) quick=1 ;;
    --reps) reps=$2; shift ;;
    --threads) threads=$2; shift ;;
    --workloads) workloads=$2; shift ;;
    --out) out=$2; shift ;;
    --voxels) voxels=$2; shift ;;
    --encode-peers) encode_peers=$2; shift ;;
    --identities) identities=$2; shift ;;
    --features) features=$2; shift ;;
    --hard-signal) hard_signal=$2; shift ;;
    --images) images=$2; shift ;;
    --batch) batch=$2; shift ;;
    --faceapi-steps) faceapi_steps=$2; shift ;;
    *) echo "compare.sh: unknown option '$1'" >&2; exit 2 ;;
  esac
  shift
done
[[ $workloads == all ]] && workloads=$all
for w in $workloads; do
  [[ " $all " == *" $w "* ]] || { echo "compare.sh: unknown workload '$w' (known: all $all)" >&2; exit 2; }
done
has() { [[ " $workloads " == *" $1 "* ]]; }
py=/usr/bin/python3
# Only the peers the chosen workloads need (torch is a large install and only infer and extract use it).
need="sklearn, scipy"; { has infer || has extract; } && need="$need, torch, torchvision, PIL"
$py -c "import $need" 2>/dev/null || {
  echo "compare.sh: the peers are missing ($need): apt-get install -y python3-sklearn python3-scipy python3-torch python3-torchvision python3-pil" >&2; exit 2; }
if has faceapi; then command -v node >/dev/null || { echo "compare.sh: faceapi needs node 20 and npm" >&2; exit 2; }; fi
# Debian's NumPy links whatever libblas.so.3 the alternatives name; the reference BLAS is ~20x slower than OpenBLAS
# and would make a straw-man peer.
case $(readlink -f /usr/lib/x86_64-linux-gnu/libblas.so.3) in
  *openblas*|*blis*|*mkl*) ;;
  *) echo "compare.sh: NumPy would use the reference BLAS; apt-get install -y libopenblas0-pthread first" >&2; exit 2 ;;
esac
out=${out:-$(mktemp -d /tmp/facebrain-compare.XXXXXX)}
mkdir -p "$out"
data=$out/data
results=$out/results.jsonl
: > "$results"
# The CLI is built once here, outside any timing (or FACEBRAIN_DLL, see the header).
if [[ -n ${FACEBRAIN_DLL:-} ]]; then fb=(dotnet "$FACEBRAIN_DLL"); else fb=("$root/facebrain"); fi
"${fb[@]}" --help >/dev/null

if [[ $quick == 1 ]]; then
  voxels=${voxels:-2000} infer_steps=2 images=${images:-64} faceapi_steps=${faceapi_steps:-3} probe_ids=6 probe_perms=5
  identities=${identities:-35} features=${features:-512}
else
  voxels=${voxels:-20000} infer_steps=5 images=${images:-256} faceapi_steps=${faceapi_steps:-10} probe_ids=12 probe_perms=10
  identities=${identities:-70} features=${features:-2048}
fi
cores=$(nproc)
# Inputs that are made once per output folder and never timed: JPEG faces for extract, KDEF-layout faces for probe.
if has extract && [[ ! -d $out/jpeg ]]; then
  "${fb[@]}" faces synth --layout manifest --identities $(( (images + 7) / 8 )) --per-identity 8 --size 300 --seed 1 --out "$out/jpeg" >/dev/null
fi
if { has probe || has readout; } && [[ ! -d $out/kdef ]]; then
  "${fb[@]}" faces synth --layout kdef --identities $probe_ids --size 64 --out "$out/kdef" >/dev/null
fi
if has readout && [[ ! -d $out/readout-store ]]; then
  "${fb[@]}" extract --model resnet50 --width 16 --input-size 64 --weights random --data "kdef:$out/kdef" --layers avgpool \
    --reduce none --device cpu --out "$out/readout-store" >/dev/null 2>"$out/readout-extract.log" || {
    echo "compare.sh: extracting the readout store failed:" >&2; tail -5 "$out/readout-extract.log" >&2; exit 1; }
fi
if has faceapi; then
  faceapi_model=$("${fb[@]}" models fetch faceapi)
  [[ -d $here/../parity/faceapi/node_modules ]] || (cd "$here/../parity/faceapi" && npm ci --no-audit --no-fund >&2)
fi

# run TOOL WORKLOAD THREADS REP CMD...: runs CMD under /usr/bin/time, appends its last JSON line with wall, CPU
# and peak RSS of the whole process and the load average at the start.
run() {
  local tool=$1 workload=$2 t=$3 rep=$4; shift 4
  local load log json
  load=$(cut -d' ' -f1 /proc/loadavg)
  log=$(mktemp)
  OMP_NUM_THREADS=$t OPENBLAS_NUM_THREADS=$t MKL_NUM_THREADS=$t /usr/bin/time -o "$log.time" -f '%e %U %S %M' "$@" > "$log" 2> "$log.err" || {
    echo "compare.sh: $tool $workload failed:" >&2; tail -5 "$log.err" >&2; rm -f "$log" "$log.err" "$log.time"; return 1; }
  json=$(grep -o '^{.*}$' "$log" | tail -1 || true)
  [[ -n $json ]] || json=$($py -c 'import json,sys; print(json.dumps(json.loads(sys.stdin.read())))' < "$log")
  read -r wall user sys rss < "$log.time"
  $py - "$tool" "$workload" "$t" "$rep" "$load" "$wall" "$user" "$sys" "$rss" "$json" >> "$results" <<'PY'
import json, re, sys
tool, workload, t, rep, load, wall, user, sys_, rss, js = sys.argv[1:]
snake = lambda k: re.sub(r"(?<!^)(?=[A-Z])", "_", k).lower()
r = {snake(k): v for k, v in json.loads(js).items()}
if "images_per_s" in r: r["images_per_second"] = r.pop("images_per_s")  # face-api's name for it
r.update(tool=tool, workload=workload, threads=int(t), rep=int(rep), load=float(load), process_wall=float(wall),
         process_cpu=float(user) + float(sys_), process_sys=float(sys_), peak_rss_mb=int(rss) / 1024)
print(json.dumps(r))
PY
  rm -f "$log" "$log.err" "$log.time"
  echo "  $tool $workload threads=$t rep=$rep: $(tail -1 "$results" | $py -c 'import json,sys; r=json.loads(sys.stdin.read()); print(round(r.get("seconds", 0), 3), "s;", r.get("images_per_second", ""), "load", r["load"])')" >&2
}

for w in $workloads; do
  for t in $threads; do
    echo "$w, $t thread(s):" >&2
    for rep in $(seq 1 "$reps"); do
      case $w in
        rsa|decoding|decoding-hard)
          signal=0.5; [[ $w == decoding-hard ]] && signal=$hard_signal
          only=${w%-hard}
          save=(); [[ $rep == 1 ]] && save=(--save "$data/$w")
          run facebrain "$w" "$t" "$rep" "${fb[@]}" bench analysis --device cpu --only "$only" --expression-signal $signal \
            --identities $identities --features $features --json "${save[@]}"
          if [[ $only == rsa ]]; then run peer "$w" "$t" "$rep" $py "$here/peer_analysis.py" "$data/$w" rsa
          else
            run peer "$w" "$t" "$rep" $py "$here/peer_analysis.py" "$data/$w" decoding 1e-4
            [[ $w == decoding-hard ]] && run peer-tight "$w" "$t" "$rep" $py "$here/peer_analysis.py" "$data/$w" decoding 1e-8
          fi ;;
        analyse)
          run facebrain analyse "$t" "$rep" "${fb[@]}" bench analysis --device cpu --only layerwise --json ;;
        encode)
          save=(); [[ $rep == 1 ]] && save=(--save "$data/encode-$t")
          run facebrain encode "$t" "$rep" "${fb[@]}" bench encode --voxels $voxels --device cpu --json "${save[@]}"
          [[ " $encode_peers " == *" sklearn "* ]] && run peer encode "$t" "$rep" $py "$here/peer_encode.py" "$data/encode-$t" sklearn
          [[ " $encode_peers " == *" kfold "* ]] && run peer-kfold encode "$t" "$rep" $py "$here/peer_encode.py" "$data/encode-$t" kfold 5
          true ;;
        infer)
          run facebrain infer "$t" "$rep" "${fb[@]}" bench infer --model resnet50 --input-size 224 --batch 8 --steps $infer_steps --warmup 2 --device cpu --json
          run peer infer "$t" "$rep" $py "$here/peer_infer.py" 8 224 $infer_steps 2 ;;
        extract)
          # Each tool decodes ahead of its forward pass: FaceBrain a worker thread, PyTorch DataLoader workers = cores.
          run facebrain extract "$t" "$rep" "$here/fb_task.sh" extract "$out/jpeg/images" "$out/store" "$batch"
          run peer extract "$t" "$rep" $py "$here/peer_extract.py" "$out/jpeg/images" "$out/peer.npy" "$batch" 256 224 "$cores" ;;
        faceapi)
          for net in recognition expression; do
            run facebrain "faceapi-$net" "$t" "$rep" "${fb[@]}" bench infer --model "faceapi-$net" --batch 32 --steps "$faceapi_steps" --warmup 1 --device cpu --json
            run peer "faceapi-$net" "$t" "$rep" node "$here/../parity/faceapi/faceapi-run.js" --model "$faceapi_model" --net "$net" --bench "$faceapi_steps" --batch 32 --threads "$t"
          done ;;
        probe)
          run facebrain probe "$t" "$rep" "$here/fb_task.sh" probe "$out/kdef" "$out/probe" "$probe_perms" ;;
        readout)
          run facebrain readout "$t" "$rep" "$here/fb_task.sh" readout "$out/readout-store" "$out/readout.json" "$probe_perms"
          run peer readout "$t" "$rep" $py "$here/peer_readout.py" "$out/readout-store" avgpool expression "$probe_perms" ;;
        *) echo "compare.sh: unknown workload '$w'" >&2; exit 2 ;;
      esac
    done
  done
done

{
  echo "Machine: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(nproc) cores; $(date -u '+%Y-%m-%d %H:%M UTC');"
  echo "commit $(git -C "$root" rev-parse --short HEAD)${FACEBRAIN_DLL:+ (FaceBrain from $FACEBRAIN_DLL)}; command: scripts/bench/compare.sh $([[ $quick == 1 ]] && echo --quick) --reps $reps --threads \"$threads\" --workloads \"$workloads\" --voxels $voxels --encode-peers \"$encode_peers\" --identities $identities --features $features --hard-signal $hard_signal --images $images --batch $batch --faceapi-steps $faceapi_steps"
  echo "wall clock of the whole command: $(( SECONDS / 60 )) min $(( SECONDS % 60 )) s"
  echo
  $py "$here/summarize.py" "$results"
} | tee "$out/table.md"
rm -rf "$data" "$out/store" "$out/peer.npy" "$out/probe" "$out/readout.json"
