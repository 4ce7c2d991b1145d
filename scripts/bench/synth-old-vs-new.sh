#!/usr/bin/env bash
# Synthesis speed of two builds of the generator, alternating: `faces synth --layout kdef --identities N --size 224`
# written to disk, REPS times each, old then new; prints each run's wall and CPU (user + system, whole process,
# start-up included) and the medians, with the load average before and after. On a shared machine only CPU time
# means anything.
#
#   scripts/bench/synth-old-vs-new.sh OLD_FACEBRAIN_DLL [NEW_FACEBRAIN_DLL] [--reps N] [--identities N]
#
# OLD is e.g. main's src/FaceBrain.Cli/bin/Release/net10.0/facebrain.dll; NEW defaults to this checkout's.
set -euo pipefail
root=$(cd "$(dirname "$(readlink -f "$0")")/../.." && pwd)
old= new=$root/src/FaceBrain.Cli/bin/Release/net10.0/facebrain.dll reps=3 ids=6
positional=0
while [[ $# -gt 0 ]]; do
  case $1 in
    --reps) reps=$2; shift ;;
    --identities) ids=$2; shift ;;
    -*) echo "synth-old-vs-new.sh: unknown option '$1'" >&2; exit 2 ;;
    *) if [[ $positional == 0 ]]; then old=$1; else new=$1; fi; positional=$((positional + 1)) ;;
  esac
  shift
done
[[ -n $old ]] || { echo "usage: synth-old-vs-new.sh OLD_FACEBRAIN_DLL [NEW_FACEBRAIN_DLL] [--reps N] [--identities N]" >&2; exit 2; }
for dll in "$old" "$new"; do [[ -f $dll ]] || { echo "synth-old-vs-new.sh: $dll: no such file" >&2; exit 2; }; done
tmp=$(mktemp -d /tmp/facebrain-synth-bench.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
echo "date $(date -u +%FT%TZ), $(nproc) cores, load before: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "command: faces synth --layout kdef --identities $ids --size 224 --seed 1 --out DIR"
declare -A cpu wall
for ((k = 1; k <= reps; k++)); do
  for which in old new; do
    dll=$old; [[ $which == new ]] && dll=$new
    rm -rf "$tmp/out"
    /usr/bin/time -f "%e %U %S" -o "$tmp/t" dotnet "$dll" faces synth --layout kdef --identities "$ids" --size 224 --seed 1 --out "$tmp/out" > /dev/null
    read -r e u s < "$tmp/t"
    c=$(awk -v u="$u" -v s="$s" 'BEGIN { printf "%.2f", u + s }')
    cpu[$which]+="$c "; wall[$which]+="$e "
    echo "run $k $which: wall ${e} s, CPU ${c} s"
  done
done
median() { tr ' ' '\n' | grep -v '^$' | sort -g | awk '{ a[NR] = $1 } END { print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }
for which in old new; do
  echo "median $which: wall $(echo "${wall[$which]}" | median) s, CPU $(echo "${cpu[$which]}" | median) s"
done
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
