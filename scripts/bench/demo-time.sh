#!/usr/bin/env bash
# The demo's time targets (issue #13): `facebrain demo --quick` under 1 minute and `facebrain demo` under 5, on 2
# cores, from a fresh output folder, after face-api's weights are cached; then a rerun of the finished demo, which
# must recompute nothing. Prints wall and CPU (user + sys of every process) and the load before and after each run.
# Usage: scripts/bench/demo-time.sh [REPEATS] [quick|full|both]   (default: 1 both)
set -euo pipefail
cd "$(dirname "$0")/../.."
repeats="${1:-1}"
which="${2:-both}"
./facebrain models fetch faceapi >/dev/null   # cached once; not part of the timed runs
./facebrain --version >/dev/null              # builds the CLI first if sources changed; not timed either
nproc=$(nproc)
run() {
  local label="$1"; shift
  local out; out=$(mktemp -d /tmp/facebrain-demo-time.XXXXXX)
  for i in $(seq "$repeats"); do
    rm -rf "$out/demo"
    local before; before=$(cut -d' ' -f1-3 /proc/loadavg)
    /usr/bin/time -f "%e %U %S" -o "$out/time" ./facebrain demo "$@" --out "$out/demo" >/dev/null 2>"$out/err" \
      || { echo "$label failed: $(tail -3 "$out/err")"; exit 1; }
    read -r wall user sys <"$out/time"
    printf '%-28s run %d: wall %6.1f s  cpu %6.1f s  load before %s, after %s  (%d cores)\n' \
      "$label" "$i" "$wall" "$(echo "$user + $sys" | bc)" "$before" "$(cut -d' ' -f1-3 /proc/loadavg)" "$nproc"
  done
  /usr/bin/time -f "%e %U %S" -o "$out/time" ./facebrain run "$out/demo/experiment.json" >/dev/null 2>"$out/err"
  read -r wall user sys <"$out/time"
  printf '%-28s rerun of the finished demo: wall %.1f s, %s\n' "$label" "$wall" "$(grep -o '[0-9]* up to date, [0-9]* to run' "$out/err")"
  rm -rf "$out"
}
[[ "$which" == full ]] || run "demo --quick" --quick
[[ "$which" == quick ]] || run "demo"
