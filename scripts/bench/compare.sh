#!/usr/bin/env bash
# FaceBrain beside its peers (scikit-learn, SciPy/NumPy, PyTorch) on the same generated data, on this machine:
# for each workload and thread count, FaceBrain and the peer alternate REPS times; the table gives the medians
# of the tools' own timings (data generation and loading excluded) and of peak RSS (whole process).
#
#   scripts/bench/compare.sh [--quick] [--reps N] [--threads "1 2"] [--workloads "rsa encode ..."] [--out DIR]
#
# Workloads: rsa, decoding, decoding-hard, analyse, encode, infer (--voxels V, --encode-peers "sklearn kfold" for encode;
# --identities N --features P --hard-signal S for the decoding data: 14 stimuli per identity, one fold each).
# --quick uses small sizes for iteration; without it the
# sizes are the issue's (980 x 2048 stimuli; 1000 x 2048 -> 20,000 voxels; ResNet-50 at 224 px, batch 8).
# decoding-hard: expression signal 0.03 at 70 x 2048 (accuracy ~0.3); the scikit-learn peer runs at tol 1e-4 and 1e-8.
# analyse (FaceBrain alone, no peer does this workload): `bench analysis --only layerwise`, 6-layer store.
# Peers: apt-get install -y python3-sklearn python3-scipy python3-torch python3-torchvision libopenblas0-pthread
# (run with /usr/bin/python3; without OpenBLAS, Debian's NumPy runs on the reference BLAS).
# Writes DIR/results.jsonl (one line per run) and DIR/table.md; prints the table.
set -euo pipefail
root=$(cd "$(dirname "$(readlink -f "$0")")/../.." && pwd)
here=$root/scripts/bench
reps=3 threads="1 2" workloads="rsa decoding encode infer" quick=0 out= voxels= encode_peers="sklearn kfold"
identities=70 features=2048 hard_signal=0.03
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
    *) echo "compare.sh: unknown option '$1'" >&2; exit 2 ;;
  esac
  shift
done
py=/usr/bin/python3
# Only the peers the chosen workloads need (torch is a large install and only infer uses it).
need="sklearn, scipy"; [[ " $workloads " == *" infer "* ]] && need="$need, torch, torchvision"
$py -c "import $need" 2>/dev/null || {
  echo "compare.sh: the peers are missing ($need): apt-get install -y python3-sklearn python3-scipy python3-torch python3-torchvision" >&2; exit 2; }
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
# FACEBRAIN_DLL=path/to/facebrain.dll runs a fixed build (e.g. a copy, so that building meanwhile does not
# change what is measured); otherwise ./facebrain, built once here, outside any timing.
if [[ -n ${FACEBRAIN_DLL:-} ]]; then fb=(dotnet "$FACEBRAIN_DLL"); else fb=("$root/facebrain"); fi
"${fb[@]}" --help >/dev/null

if [[ $quick == 1 ]]; then voxels=${voxels:-2000} infer_steps=2; else voxels=${voxels:-20000} infer_steps=5; fi

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
        *) echo "compare.sh: unknown workload '$w'" >&2; exit 2 ;;
      esac
    done
  done
done

{
  echo "Machine: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(nproc) cores; $(date -u '+%Y-%m-%d %H:%M UTC');"
  echo "commit $(git -C "$root" rev-parse --short HEAD)${FACEBRAIN_DLL:+ (FaceBrain from $FACEBRAIN_DLL)}; command: scripts/bench/compare.sh $([[ $quick == 1 ]] && echo --quick) --reps $reps --threads \"$threads\" --workloads \"$workloads\" --voxels $voxels --encode-peers \"$encode_peers\" --identities $identities --features $features --hard-signal $hard_signal"
  echo
  $py "$here/summarize.py" "$results"
} | tee "$out/table.md"
rm -rf "$data"
