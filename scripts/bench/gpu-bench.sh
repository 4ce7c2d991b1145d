#!/usr/bin/env bash
# One call on a GPU host with PyTorch: unpack the bundle (scripts/gpu-bundle.sh), check doctor, then time
# FaceBrain and PyTorch on the same ResNet-50 workloads side by side. Output: JSON lines.
set -u
bundle=${1:-artifacts/facebrain-gpu-bundle.tar.xz}
dir=$(mktemp -d)
tar xJf "$bundle" -C "$dir"
export FACEBRAIN_LIBTORCH=$(python3 -c 'import torch,os;print(os.path.dirname(torch.__file__))')/lib
nvidia-smi --query-gpu=name,driver_version --format=csv,noheader
"$dir/facebrain" doctor --json
fb() { "$dir/facebrain" "$@" --device cuda --json || echo "{\"failed\": \"$*\"}"; }
fb bench train --model resnet50 --batch 128 --steps 20 --warmup 5
fb bench train --model resnet50 --batch 128 --steps 20 --warmup 5 --dtype bf16
fb bench train --model resnet50 --batch 256 --steps 15 --warmup 5 --dtype bf16 --channels-last --tf32
fb bench infer --model resnet50 --batch 128 --steps 20 --warmup 5
fb bench infer --model resnet50 --batch 128 --steps 20 --warmup 5 --dtype bf16

python3 scripts/bench/pytorch_resnet50.py --steps 20 --warmup 5
