#!/usr/bin/env bash
# Every GPU check of one session in one call on a device host with PyTorch (no .NET): unpack the bundle
# (scripts/gpu-bundle.sh), then
#   1. training / inference / extraction speed beside PyTorch (scripts/bench/pytorch_resnet50.py);
#   2. the encoding benchmark beside PyTorch (scripts/bench/pytorch_ridge_cv.py);
#   3. ResNet-50 parity (fp32, CPU, eval) of both layouts against an independent PyTorch implementation,
#      weights imported from .pt and from .safetensors (scripts/parity/pytorch_resnet50_parity.py);
#   4. the transfer experiment end to end on CUDA (scripts/bench/gpu-transfer.sh).
# Everything is logged to ${OUT:-/tmp}/gpu-session.log (JSON lines where the tools print JSON).
set -u
bundle=${1:-artifacts/facebrain-gpu-bundle.tar.xz}
out=${OUT:-/tmp}
log=$out/gpu-session.log
dir=$(mktemp -d); tar xJf "$bundle" -C "$dir"
export FACEBRAIN_LIBTORCH=$(python3 -c 'import torch,os;print(os.path.dirname(torch.__file__))')/lib
fb() { "$dir/facebrain" "$@"; }
section() { echo "### $* ($(date -u +%H:%M:%S))"; }
{
section host
nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader
python3 -c 'import torch; print("torch", torch.__version__, "cuda", torch.version.cuda)'
fb doctor --json

section "1 speed: FaceBrain"
b() { fb bench "$@" --device cuda --json || echo "{\"failed\": \"bench $*\"}"; }
b train --model resnet50 --batch 128 --steps 20 --warmup 5
b train --model resnet50 --batch 128 --steps 20 --warmup 5 --fp32-math strict
b train --model resnet50 --batch 256 --steps 15 --warmup 5 --dtype bf16 --channels-last
b infer --model resnet50 --batch 128 --steps 20 --warmup 5
b extract --model resnet50 --images 2048 --batch 128
section "1 speed: PyTorch"
python3 scripts/bench/pytorch_resnet50.py --steps 20 --warmup 5

section "2 encoding"
b encode --voxels 2000 > /dev/null   # warm-up
b encode
python3 scripts/bench/pytorch_ridge_cv.py

section "3 parity (CPU fp32)"
p=$(mktemp -d)
python3 scripts/parity/pytorch_resnet50_parity.py make "$p"
for m in resnet50 resnet50-vggface2; do
  for k in pt safetensors; do
    fb models forward --model "$m" --weights "$p/$m.$k" --input "$p/input.npy" --out "$p/fb-$m-$k.npy" --device cpu
  done
done
python3 scripts/parity/pytorch_resnet50_parity.py compare "$p"; echo "parity exit $?"

section "4 end to end on CUDA"
bash scripts/bench/gpu-transfer.sh "$bundle"   # also logs to $out/gpu-transfer.log
section done
} 2>&1 | tee "$log"
