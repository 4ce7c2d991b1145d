#!/usr/bin/env bash
# Builds a self-contained linux-x64 FaceBrain CLI without libtorch's natives (~25 MB as .tar.xz), for GPU nodes
# that have PyTorch but no .NET and no internet. On the node:
#   tar xJf facebrain-gpu-bundle.tar.xz
#   FACEBRAIN_LIBTORCH=$(python3 -c 'import torch,os;print(os.path.dirname(torch.__file__))')/lib ./facebrain doctor
# The CLI preloads libc10, libtorch_cpu, libc10_cuda, libtorch_cuda and libtorch from that folder before
# TorchSharp's own libLibTorchSharp.so (which ships in the bundle) binds to them.
set -euo pipefail
cd "$(dirname "$0")/.."
out=$(realpath -m "${1:-artifacts/facebrain-gpu-bundle.tar.xz}")
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

dotnet tool restore >/dev/null
dotnet paket restore >/dev/null
stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
dotnet publish src/FaceBrain.Cli/FaceBrain.Cli.csproj -c Release -r linux-x64 --self-contained true \
  -p:FaceBrainWithoutLibTorch=true -p:PublishReadyToRun=false -o "$stage/facebrain-app" -nologo -v q -clp:ErrorsOnly

if ls "$stage/facebrain-app" | grep -Eq '^lib(torch|c10)'; then
  echo "gpu-bundle: libtorch natives leaked into the bundle" >&2
  exit 1
fi

cat > "$stage/facebrain" <<'LAUNCH'
#!/usr/bin/env bash
# FaceBrain GPU bundle launcher: the .NET runtime is inside facebrain-app/; libtorch comes from FACEBRAIN_LIBTORCH.
here=$(cd "$(dirname "$(readlink -f "$0")")" && pwd)
if [[ -z ${FACEBRAIN_LIBTORCH:-} ]]; then
  echo "facebrain: set FACEBRAIN_LIBTORCH to a PyTorch installation's torch/lib, e.g." >&2
  echo "  export FACEBRAIN_LIBTORCH=\$(python3 -c 'import torch,os;print(os.path.dirname(torch.__file__))')/lib" >&2
  exit 2
fi
exec "$here/facebrain-app/facebrain" "$@"
LAUNCH
chmod +x "$stage/facebrain"
mkdir -p "$(dirname "$out")"
tar -C "$stage" -cJf "$out.tmp" facebrain facebrain-app
mv "$out.tmp" "$out"
echo "$out ($(du -h "$out" | cut -f1))"
