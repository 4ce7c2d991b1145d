#!/usr/bin/env bash
# How much `faces realism` moves from one cast of synthetic people to another: the default KDEF set
# (`faces synth --layout kdef --identities N`) drawn with seeds 1..K, each measured on its frontal images, then the
# mean, SD, min and max of each measure over the seeds. A change to the generator that moves a measure by less than
# its SD here has not been shown to matter for faces in general (a before/after on one seed is paired, so its own
# noise is smaller, but the targets are about the generator, not one cast).
#
#   scripts/realism-seeds.sh [--seeds K] [--identities N] [--out DIR] [-- extra faces synth options]
#
# Writes DIR/seed_S.json (the realism report of each seed) and prints the table. Needs face-api's weights
# (`facebrain models fetch faceapi`) and python3 (standard library only) for the table.
set -euo pipefail
root=$(cd "$(dirname "$(readlink -f "$0")")/.." && pwd)
seeds=6 ids=24 out= extra=()
while [[ $# -gt 0 ]]; do
  case $1 in
    --seeds) seeds=$2; shift ;;
    --identities) ids=$2; shift ;;
    --out) out=$2; shift ;;
    --) shift; extra=("$@"); break ;;
    *) echo "realism-seeds.sh: unknown option '$1'" >&2; exit 2 ;;
  esac
  shift
done
[[ $seeds =~ ^[1-9][0-9]*$ && $seeds -ge 2 ]] || { echo "realism-seeds.sh: --seeds must be an integer >= 2, got '$seeds'" >&2; exit 2; }
[[ -n $out ]] || out=$(mktemp -d /tmp/facebrain-realism-seeds.XXXXXX)
mkdir -p "$out"
tmp=$(mktemp -d /tmp/facebrain-realism-set.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
echo "date $(date -u +%FT%TZ), $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg); $ids identities, seeds 1..$seeds, frontal; reports in $out" >&2
for ((s = 1; s <= seeds; s++)); do
  rm -rf "$tmp/set"
  "$root/facebrain" faces synth --layout kdef --identities "$ids" --seed "$s" "${extra[@]}" --out "$tmp/set" > /dev/null
  "$root/facebrain" faces realism --data "kdef:$tmp/set" --where angle=S --json > "$out/seed_$s.json.partial"
  mv "$out/seed_$s.json.partial" "$out/seed_$s.json"
  echo "seed $s measured" >&2
done
python3 - "$out" "$seeds" <<'EOF'
import json, statistics as st, sys
out, seeds = sys.argv[1], int(sys.argv[2])
rows = []
for s in range(1, seeds + 1):
    r = json.load(open(f"{out}/seed_{s}.json"))["report"]
    en, idn = r["expression_net"], r["identity_net"]
    nn = {p["protocol"]: p["accuracy"] for p in idn["nearest_neighbour"]}
    row = {"expression accuracy": en["accuracy"]}
    row.update({f"recall {c}": v for c, v in zip(en["classes"], en["recall"])})
    row.update({"AUC across expressions": idn["auc_across_expressions"],
                "different pairs under 0.6": idn["different_under_threshold"],
                "1-NN neutral -> expressive": nn.get("across_expressions", float("nan")),
                "expression from pixels": r["expression_pixels"]["score"]["accuracy"]})
    rows.append(row)
print(f"{'measure':28} " + " ".join(f"seed {s:<2}" for s in range(1, seeds + 1)) + "    mean     SD    min    max")
for k in rows[0]:
    v = [r[k] for r in rows]
    print(f"{k:28} " + " ".join(f"{x:7.3f}" for x in v) + f"  {st.mean(v):6.3f} {st.stdev(v):6.3f} {min(v):6.3f} {max(v):6.3f}")
EOF
