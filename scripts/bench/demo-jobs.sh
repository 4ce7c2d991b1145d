#!/usr/bin/env bash
# The demo's wall time under the local executor, `--jobs 2` against `--jobs 1` (sequential), alternating, each
# run in a fresh output folder (nothing cached), so the two see the same load. One TSV row per run, the median
# per setting at the end, and `uptime` before and after each run.
#   scripts/bench/demo-jobs.sh [REPEATS] [quick|full]      (default: 3 quick)
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
repeats=${1:-3}; size=${2:-quick}
fb=(${FACEBRAIN:-$root/facebrain})  # FACEBRAIN="dotnet path/facebrain.dll" to use another build
quick=(); [[ $size == quick ]] && quick=(--quick)
work=$(mktemp -d "${TMPDIR:-/tmp}/facebrain-demo-jobs.XXXXXX")
trap 'rm -rf "$work"' EXIT
echo "# $(date -u +%FT%TZ) $(nproc) cores, demo $size, $repeats x (jobs 1, jobs 2), $(git -C "$root" rev-parse --short HEAD)"
printf 'jobs\trepeat\twall_s\tuser_s\tsys_s\tload_before\tload_after\texit\n'
results=()
for r in $(seq 1 "$repeats"); do
  for jobs in 1 2; do
    out="$work/j$jobs-r$r"
    before=$(cut -d' ' -f1-3 /proc/loadavg)
    set +e
    /usr/bin/time -o "$work/time" -f '%e %U %S' "${fb[@]}" demo "${quick[@]}" --jobs "$jobs" --out "$out" >"$work/log" 2>&1
    code=$?
    set -e
    read -r wall user sys <"$work/time" || { wall=NA user=NA sys=NA; }
    printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$jobs" "$r" "$wall" "$user" "$sys" "$before" "$(cut -d' ' -f1-3 /proc/loadavg)" "$code"
    [[ $code == 0 ]] || { echo "# run failed (exit $code); its last lines:"; tail -5 "$work/log" | sed 's/^/#   /'; }
    results+=("$jobs $wall")
    rm -rf "$out"
  done
done
for jobs in 1 2; do
  printf '%s\n' "${results[@]}" | awk -v j="$jobs" '$1 == j {print $2}' | sort -n |
    awk -v j="$jobs" '{v[NR] = $1} END {m = NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2; printf "# median wall, --jobs %s: %s s (%d runs)\n", j, m, NR}'
done
