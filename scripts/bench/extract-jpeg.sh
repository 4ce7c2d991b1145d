#!/usr/bin/env bash
# End-to-end extraction on the CPU, JPEG files to features on disk, FaceBrain beside PyTorch on the same files:
# compare.sh's `extract` workload (its one implementation; see compare.sh's header and fb_task.sh / peer_extract.py).
#   FaceBrain: facebrain extract --model resnet50 --data images:DIR --layers avgpool --reduce none (decode, resize,
#              crop, ImageNet preset, forward, store), its own timing (manifest timings.total_seconds);
#   PyTorch:   peer_extract.py (PIL + torchvision transforms in a DataLoader, workers = cores, torchvision resnet50
#              eval/no_grad, avgpool hook, .npy), its own timing.
#   scripts/bench/extract-jpeg.sh [--images N] [--reps R] [--threads "1 2"] [--batch B] [--out DIR]
# (defaults 256 images, 3 reps, 1 and 2 threads, batch 32).
set -euo pipefail
here=$(cd "$(dirname "$(readlink -f "$0")")" && pwd)
exec "$here/compare.sh" --workloads extract "$@"
