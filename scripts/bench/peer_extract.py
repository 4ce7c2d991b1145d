"""CPU peer of `facebrain extract` end to end, from JPEG files to a feature file: PIL decode -> Resize(RESIZE)
(bilinear, antialiased, as FaceBrain's pipeline) -> CenterCrop(CROP) -> ToTensor -> ImageNet Normalize ->
torchvision resnet50 in eval mode under no_grad (random weights, as `extract` without --weights) -> the avgpool
output [N, 2048] -> OUT.npy. A DataLoader with WORKERS processes decodes the next batches while one computes
(FaceBrain decodes the next batch on a worker thread). Compute threads: OMP_NUM_THREADS, as FaceBrain's libtorch.
  python3 peer_extract.py IMAGE_DIR OUT.npy BATCH RESIZE CROP WORKERS
Prints one JSON line; seconds = wall time from the first batch requested to the file written (model built before)."""
import json, os, pathlib, resource, sys, time
import numpy as np
import torch, torchvision
from PIL import Image
from torchvision import transforms

root, out, batch, resize, crop, workers = sys.argv[1], sys.argv[2], *(int(a) for a in sys.argv[3:7])
torch.set_num_threads(int(os.environ.get("OMP_NUM_THREADS", torch.get_num_threads())))
files = sorted(str(p) for p in pathlib.Path(root).rglob("*") if p.suffix.lower() in (".jpg", ".jpeg"))
prep = transforms.Compose([transforms.Resize(resize, interpolation=transforms.InterpolationMode.BILINEAR),
                           transforms.CenterCrop(crop), transforms.ToTensor(),
                           transforms.Normalize([0.485, 0.456, 0.406], [0.229, 0.224, 0.225])])

class Files(torch.utils.data.Dataset):
    def __len__(self): return len(files)
    def __getitem__(self, i):
        with Image.open(files[i]) as im:
            return prep(im.convert("RGB"))

model = torchvision.models.resnet50().eval()
feats = []
model.avgpool.register_forward_hook(lambda m, i, o: feats.append(o.flatten(1).numpy().copy()))
loader = torch.utils.data.DataLoader(Files(), batch_size=batch, num_workers=workers)
t = time.perf_counter()
with torch.no_grad():
    for x in loader:
        model(x)
np.save(out, np.concatenate(feats))
s = time.perf_counter() - t
print(json.dumps({"workload": "extract", "images": len(files), "batch": batch, "seconds": s, "images_per_second": len(files) / s,
                  "threads": torch.get_num_threads(), "decode_workers": workers, "torch": torch.__version__,
                  "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}), flush=True)
