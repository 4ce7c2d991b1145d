#!/usr/bin/env bash
# The transfer experiment end to end on CUDA (synthetic faces, 112 px): train a width-32 ResNet-50 on 300
# synthetic VGGFace2 identities, then probe its frozen layers for KDEF expression (identities left out) and
# identity (session A vs B), frontal photographs, each beside a random frozen control. Logs to ${OUT:-/tmp}.
set -u
dir=$(mktemp -d); tar xJf "${1:-artifacts/facebrain-gpu-bundle.tar.xz}" -C "$dir"
export FACEBRAIN_LIBTORCH=$(python3 -c 'import torch,os;print(os.path.dirname(torch.__file__))')/lib
fb() { "$dir/facebrain" "$@"; }
w=$(mktemp -d)
{
nvidia-smi --query-gpu=name --format=csv,noheader
fb faces synth --layout vggface2 --identities 300 --per-identity 20 --size 112 --seed 5 --out "$w/vgg"
fb faces synth --layout kdef --identities 70 --size 112 --out "$w/kdef"
/usr/bin/time -f "train identity wall %e s" "$dir/facebrain" train identity --model resnet50 --width 32 --input-size 112 \
  --data "vggface2:$w/vgg" --epochs 12 --batch 128 --optimizer adamw --lr 0.003 --crop-pad 8 --flip --device cuda --out "$w/id" \
  | grep -v " step "
for t in expression identity; do
  /usr/bin/time -f "probe $t wall %e s" "$dir/facebrain" probe --backbone "$w/id/checkpoint.ckpt" --data "kdef:$w/kdef" --where angle=S \
    --target $t --permutations 20 --control --device cuda --out "$w/probe-$t" | grep -v "^  [A-Z][A-Z0-9]*	"
done
for l in layer1 layer2 layer3 layer4; do
  fb probe --backbone "$w/id/checkpoint.ckpt" --data "kdef:$w/kdef" --where angle=S --target expression --layer $l \
    --permutations 0 --control --device cuda | grep -v "^  [A-Z][A-Z0-9]*	"
done
} 2>&1 | tee "${OUT:-/tmp}/gpu-transfer.log"
