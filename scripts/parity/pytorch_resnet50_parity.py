#!/usr/bin/env python3
"""Reference outputs for FaceBrain's ResNet-50 parity check (issue: pooled features within 1e-4 of PyTorch).

An independent PyTorch implementation of both layouts FaceBrain builds, with torchvision's state-dict key names:
  resnet50          torchvision: stride on the 3x3 conv of a bottleneck; max-pool 3/2 padding 1; adaptive avg-pool.
  resnet50-vggface2 Caffe (VGGFace2 release): stride on the first 1x1 conv and on the downsample; max-pool 3/2
                    padding 0 ceil mode; 7x7 avg-pool; fc 2048 -> 8631.
For each layout it draws weights (batch-norm statistics and affine parameters too, so eval-mode batch norm is not
the identity), saves them as a state dict (torch.save) and as safetensors, saves one input batch as .npy, and the
pooled 2048-d features (fp32, CPU, eval mode) as .npy. `compare` then reads FaceBrain's features and prints the
errors. Needs only torch (no numpy, no torchvision).

  python3 pytorch_resnet50_parity.py make OUTDIR
  facebrain models forward --model resnet50 --weights OUTDIR/resnet50.pt --input OUTDIR/input.npy --out OUTDIR/fb-resnet50.npy
  python3 pytorch_resnet50_parity.py compare OUTDIR
"""
import ctypes, json, struct, sys, os
import torch
import torch.nn as nn


class Bottleneck(nn.Module):
    def __init__(self, cin, width, stride, caffe):
        super().__init__()
        s1, s3 = (stride, 1) if caffe else (1, stride)
        self.conv1 = nn.Conv2d(cin, width, 1, s1, bias=False)
        self.bn1 = nn.BatchNorm2d(width)
        self.conv2 = nn.Conv2d(width, width, 3, s3, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(width)
        self.conv3 = nn.Conv2d(width, width * 4, 1, bias=False)
        self.bn3 = nn.BatchNorm2d(width * 4)
        self.relu = nn.ReLU(inplace=True)
        self.downsample = None
        if stride != 1 or cin != width * 4:
            self.downsample = nn.Sequential(nn.Conv2d(cin, width * 4, 1, stride, bias=False), nn.BatchNorm2d(width * 4))

    def forward(self, x):
        idt = x if self.downsample is None else self.downsample(x)
        y = self.relu(self.bn1(self.conv1(x)))
        y = self.relu(self.bn2(self.conv2(y)))
        y = self.bn3(self.conv3(y))
        return self.relu(y + idt)


class ResNet50(nn.Module):
    def __init__(self, caffe):
        super().__init__()
        self.conv1 = nn.Conv2d(3, 64, 7, 2, 3, bias=False)
        self.bn1 = nn.BatchNorm2d(64)
        self.relu = nn.ReLU(inplace=True)
        self.maxpool = nn.MaxPool2d(3, 2, 0, ceil_mode=True) if caffe else nn.MaxPool2d(3, 2, 1)
        cin = 64
        for i, (width, blocks, stride) in enumerate([(64, 3, 1), (128, 4, 2), (256, 6, 2), (512, 3, 2)]):
            layer = []
            for b in range(blocks):
                layer.append(Bottleneck(cin, width, stride if b == 0 else 1, caffe))
                cin = width * 4
            setattr(self, f"layer{i + 1}", nn.Sequential(*layer))
        self.avgpool = nn.AvgPool2d(7, 1) if caffe else nn.AdaptiveAvgPool2d(1)
        self.fc = nn.Linear(2048, 8631 if caffe else 1000)

    def features(self, x):
        x = self.maxpool(self.relu(self.bn1(self.conv1(x))))
        x = self.layer4(self.layer3(self.layer2(self.layer1(x))))
        return torch.flatten(self.avgpool(x), 1)


def raw(t):
    t = t.contiguous()
    return ctypes.string_at(t.data_ptr(), t.numel() * t.element_size())


def save_npy(path, t):
    t = t.detach().to(torch.float32).contiguous()
    header = "{'descr': '<f4', 'fortran_order': False, 'shape': (%s), }" % "".join(f"{d}, " for d in t.shape)
    header += " " * (-(len(header) + 11) % 64) + "\n"
    with open(path, "wb") as f:
        f.write(b"\x93NUMPY\x01\x00" + struct.pack("<H", len(header)) + header.encode("latin1") + raw(t))


def load_npy(path):
    with open(path, "rb") as f:
        data = f.read()
    major = data[6]
    n, start = (struct.unpack("<H", data[8:10])[0], 10) if major == 1 else (struct.unpack("<I", data[8:12])[0], 12)
    header = data[start:start + n].decode("latin1")
    assert "'<f4'" in header and "'fortran_order': False" in header, header
    shape = tuple(int(d) for d in header.split("'shape': (")[1].split(")")[0].split(",") if d.strip())
    return torch.frombuffer(bytearray(data[start + n:]), dtype=torch.float32).reshape(shape)


def save_safetensors(path, sd):
    names = sorted(sd)
    meta, offset, blobs = {}, 0, []
    for k in names:
        b = raw(sd[k].to(torch.float32) if sd[k].is_floating_point() else sd[k])
        dt = {torch.float32: "F32", torch.int64: "I64"}[sd[k].dtype if not sd[k].is_floating_point() else torch.float32]
        meta[k] = {"dtype": dt, "shape": list(sd[k].shape), "data_offsets": [offset, offset + len(b)]}
        offset += len(b)
        blobs.append(b)
    head = json.dumps(meta, separators=(",", ":")).encode()
    head += b" " * (-len(head) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(head)) + head)
        for b in blobs:
            f.write(b)


LAYOUTS = {"resnet50": False, "resnet50-vggface2": True}


def make(out):
    os.makedirs(out, exist_ok=True)
    g = torch.Generator().manual_seed(20261126)
    x = torch.randn(4, 3, 224, 224, generator=g)
    save_npy(os.path.join(out, "input.npy"), x)
    for name, caffe in LAYOUTS.items():
        torch.manual_seed(7 if caffe else 3)
        net = ResNet50(caffe)
        with torch.no_grad():
            for m in net.modules():
                if isinstance(m, nn.BatchNorm2d):
                    m.running_mean.normal_(0, 0.1, generator=g)
                    m.running_var.uniform_(0.5, 1.5, generator=g)
                    m.weight.uniform_(0.5, 1.5, generator=g)
                    m.bias.normal_(0, 0.1, generator=g)
        net.eval()
        sd = net.state_dict()
        torch.save(sd, os.path.join(out, f"{name}.pt"))
        save_safetensors(os.path.join(out, f"{name}.safetensors"), sd)
        with torch.no_grad():
            ref = net.features(x)
        save_npy(os.path.join(out, f"ref-{name}.npy"), ref)
        print(f"made {name}: {sum(p.numel() for p in sd.values())} values, torch {torch.__version__}")
        if not caffe:
            check_against_torchvision(sd, x, ref)


def check_against_torchvision(sd, x, ref):
    """The reference itself: the torchvision layout must equal torchvision's own resnet50 (when installed)."""
    try:
        import torchvision
    except ImportError:
        print("torchvision not installed: the reference's torchvision layout is not cross-checked")
        return
    tv = torchvision.models.resnet50(num_classes=1000)
    tv.load_state_dict(sd)
    tv.fc = nn.Identity()
    with torch.no_grad():
        d = (tv.eval()(x) - ref).abs().max().item()
    print(json.dumps({"reference_vs_torchvision_max_abs": d, "torchvision": torchvision.__version__}))


def compare(out):
    ok = True
    for name in LAYOUTS:
        ref = load_npy(os.path.join(out, f"ref-{name}.npy")).double()
        for kind in ("pt", "safetensors"):
            path = os.path.join(out, f"fb-{name}-{kind}.npy")
            if not os.path.exists(path):
                print(json.dumps({"model": name, "weights": kind, "error": "no FaceBrain output"}))
                ok = False
                continue
            fb = load_npy(path).double()
            if fb.shape != ref.shape:
                print(json.dumps({"model": name, "weights": kind, "error": f"shape {tuple(fb.shape)} vs {tuple(ref.shape)}"}))
                ok = False
                continue
            d = (fb - ref).abs()
            rel_max = (d.max() / ref.abs().max()).item()
            rel_norm = ((fb - ref).norm() / ref.norm()).item()
            elem = (d / ref.abs().clamp_min(1e-3 * ref.abs().max())).max().item()
            passed = rel_norm < 1e-4 and rel_max < 1e-4
            ok &= passed
            print(json.dumps({"model": name, "weights": kind, "max_abs": d.max().item(), "rel_max": rel_max,
                              "rel_norm": rel_norm, "max_elementwise_rel": elem, "pass_1e-4": passed}))
    return ok


if __name__ == "__main__":
    if len(sys.argv) != 3 or sys.argv[1] not in ("make", "compare"):
        sys.exit(__doc__)
    if sys.argv[1] == "make":
        make(sys.argv[2])
    else:
        sys.exit(0 if compare(sys.argv[2]) else 1)
