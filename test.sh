#!/usr/bin/env bash
# Restores, builds and runs the whole FaceBrain test suite. Needs only the .NET SDK.
# The last line is the plain summary "N passed, N failed"; the exit code is non-zero on any failure.
set -euo pipefail
cd "$(dirname "$0")"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

dotnet tool restore >/dev/null
dotnet paket restore
dotnet build tests/FaceBrain.Tests/FaceBrain.Tests.fsproj -c Release -nologo -v q -clp:ErrorsOnly

log=$(mktemp)
trap 'rm -f "$log"' EXIT

# face-api's pretrained weights, for the parity tests against face-api (docs/weights.md): fetched once into the
# user cache with npm. Without them those tests are skipped, and this says why.
if ! dotnet tests/FaceBrain.Tests/bin/Release/net10.0/facebrain.dll models fetch faceapi >/dev/null 2>"$log"; then
  echo "test.sh: face-api weights unavailable, so the face-api parity tests will be SKIPPED: $(tail -n 1 "$log")" >&2
fi
set +e
dotnet tests/FaceBrain.Tests/bin/Release/net10.0/FaceBrain.Tests.dll --no-spinner "$@" 2>&1 | tee "$log"
status=${PIPESTATUS[0]}
set -e
summary=$(sed 's/\x1b\[[0-9;]*m//g' "$log" | grep -Eo '^[0-9]+ passed, [0-9]+ failed' | tail -n 1 || true)
if [[ -z $summary ]]; then
  printf '\n0 passed, 1 failed\n'   # the runner died before its summary
  exit 1
fi
# Expecto leaves a colour reset without a newline; end that line first so the summary stands alone.
printf '\n%s\n' "$summary"
exit "$status"
