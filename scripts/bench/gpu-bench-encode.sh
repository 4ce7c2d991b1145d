#!/usr/bin/env bash
# `bench encode` on the GPU beside the PyTorch reference (scripts/bench/pytorch_ridge_cv.py), one call.
set -u
dir=$(mktemp -d); tar xJf "${1:-artifacts/facebrain-gpu-bundle.tar.xz}" -C "$dir"
export FACEBRAIN_LIBTORCH=$(python3 -c 'import torch,os;print(os.path.dirname(torch.__file__))')/lib
"$dir/facebrain" bench encode --device cuda --voxels 2000 --json > /dev/null   # warm-up
"$dir/facebrain" bench encode --device cuda --json
python3 scripts/bench/pytorch_ridge_cv.py
