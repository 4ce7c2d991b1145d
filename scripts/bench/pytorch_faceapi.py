"""The face-api nets' architectures in plain PyTorch (random weights), to see what libtorch's CPU kernels can do for
them: the same layers and TF-SAME padding as FaceBrain's port (src/FaceBrain.Models/FaceApi), channels-last or NCHW,
eval mode under no_grad, batch B at 112 / 150 px. Images/s = B * steps / wall time after one warm-up batch.
  python3 pytorch_faceapi.py expression|recognition BATCH STEPS [nchw]   (threads: OMP_NUM_THREADS)"""
import json, os, sys, time
import torch
import torch.nn.functional as F

def same(size, k, s):
    out = (size + s - 1) // s
    total = max((out - 1) * s + k - size, 0)
    return total // 2, total - total // 2

def conv_same(x, w, b, s, groups=1):
    t, bo = same(x.shape[2], w.shape[2], s)
    l, r = same(x.shape[3], w.shape[3], s)
    if bo != t or r != l:
        w = F.pad(w, [r - l, 0, bo - t, 0])
    return F.conv2d(x, w, b, s, [bo, r], groups=groups)

class Sep(torch.nn.Module):
    def __init__(self, cin, cout, s):
        super().__init__()
        self.dw = torch.nn.Conv2d(cin, cin, 3, s, groups=cin, bias=False)
        self.pw = torch.nn.Conv2d(cin, cout, 1)
        self.s = s
    def forward(self, x):
        return self.pw(conv_same(x, self.dw.weight, None, self.s, x.shape[1]))

class First(torch.nn.Module):
    def __init__(self, cin, cout):
        super().__init__()
        self.conv = torch.nn.Conv2d(cin, cout, 3, 2)
    def forward(self, x):
        return conv_same(x, self.conv.weight, self.conv.bias, 2)

class Dense(torch.nn.Module):
    def __init__(self, cin, cout, first):
        super().__init__()
        self.c0 = First(cin, cout) if first else Sep(cin, cout, 2)
        self.c1, self.c2, self.c3 = Sep(cout, cout, 1), Sep(cout, cout, 1), Sep(cout, cout, 1)
    def forward(self, x):
        o1 = F.relu(self.c0(x), inplace=True)
        s = self.c1(o1).add_(o1)
        s = self.c2(F.relu(s)).add_(s)
        s = self.c3(F.relu(s)).add_(s)
        return F.relu(s, inplace=True)

class Expression(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.d = torch.nn.Sequential(Dense(3, 32, True), Dense(32, 64, False), Dense(64, 128, False), Dense(128, 256, False))
        self.fc = torch.nn.Linear(256, 7)
    def forward(self, x):
        return self.fc(F.avg_pool2d(self.d(x), 7, 2).flatten(1))

class ConvScale(torch.nn.Module):
    def __init__(self, cin, cout, k, s, relu):
        super().__init__()
        self.conv = torch.nn.Conv2d(cin, cout, k, s, k // 2 if s == 1 else 0)
        self.relu = relu
    def forward(self, x):  # the scale folded into the conv weights at load, as an inference export would
        y = self.conv(x)
        return F.relu(y, inplace=True) if self.relu else y

class Residual(torch.nn.Module):
    def __init__(self, cin, cout, down):
        super().__init__()
        self.c1, self.c2 = ConvScale(cin, cout, 3, 2 if down else 1, True), ConvScale(cout, cout, 3, 1, False)
        self.down, self.grow = down, cout != cin
    def forward(self, x):
        y = self.c2(self.c1(x))
        sc = x
        if self.down:
            sc = F.avg_pool2d(x, 2, 2)
            dh, dw = sc.shape[2] - y.shape[2], sc.shape[3] - y.shape[3]
            if dh or dw:
                y = F.pad(y, [0, dw, 0, dh])
            if self.grow:
                sc = torch.cat([sc, torch.zeros_like(sc)], 1)
        return F.relu(y.add_(sc), inplace=True)

class Recognition(torch.nn.Module):
    blocks = [(32, 32, 0), (32, 32, 0), (32, 32, 0), (32, 64, 1), (64, 64, 0), (64, 64, 0), (64, 64, 0), (64, 128, 1),
              (128, 128, 0), (128, 128, 0), (128, 256, 1), (256, 256, 0), (256, 256, 0), (256, 256, 1)]
    def __init__(self):
        super().__init__()
        self.first = ConvScale(3, 32, 7, 2, True)
        self.b = torch.nn.Sequential(*[Residual(i, o, d) for i, o, d in self.blocks])
        self.fc = torch.nn.Linear(256, 128, bias=False)
    def forward(self, x):
        return self.fc(self.b(F.max_pool2d(self.first(x), 3, 2)).mean([2, 3]))

if __name__ == "__main__":
    net, batch, steps = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    cl = not (len(sys.argv) > 4 and sys.argv[4] == "nchw")
    torch.set_num_threads(int(os.environ.get("OMP_NUM_THREADS", torch.get_num_threads())))
    model, px = (Expression(), 112) if net == "expression" else (Recognition(), 150)
    model.eval()
    fmt = torch.channels_last if cl else torch.contiguous_format
    x = torch.randn(batch, 3, px, px).to(memory_format=fmt)
    with torch.no_grad():
        model(x)
        t = time.perf_counter()
        for _ in range(steps):
            model(x)
        s = time.perf_counter() - t
    print(json.dumps({"tool": "pytorch", "net": net, "batch": batch, "channels_last": cl, "images_per_second": batch * steps / s,
                      "threads": torch.get_num_threads(), "torch": torch.__version__}), flush=True)
