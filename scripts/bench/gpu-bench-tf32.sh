#!/usr/bin/env bash
# fp32 with TF32 allowed (PyTorch's default for cuDNN convolutions), FaceBrain and PyTorch defaults side by side.
set -u
dir=$(mktemp -d); tar xJf "${1:-artifacts/facebrain-gpu-bundle.tar.xz}" -C "$dir"
export FACEBRAIN_LIBTORCH=$(python3 -c 'import torch,os;print(os.path.dirname(torch.__file__))')/lib
"$dir/facebrain" bench train --model resnet50 --batch 128 --steps 20 --warmup 5 --tf32 --device cuda --json
"$dir/facebrain" bench infer --model resnet50 --batch 128 --steps 20 --warmup 5 --tf32 --device cuda --json
python3 -c 'import torch;print({"cudnn.allow_tf32": torch.backends.cudnn.allow_tf32, "matmul.allow_tf32": torch.backends.cuda.matmul.allow_tf32})'
