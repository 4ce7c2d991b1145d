#!/usr/bin/env python3
"""Where the demo's time goes: runs the demo's task list (facebrain demo [--quick] --plan) one task at a time and
prints each task's wall and CPU seconds (user + system of the task's process tree), then the totals per step.

CPU seconds are what a loaded machine does not distort much; wall seconds on a quiet machine are the target.
Usage: scripts/bench/demo_tasks.py [--quick] [--out DIR] [--threads N]
"""
import argparse, collections, json, os, resource, shutil, subprocess, sys, time

here = os.path.dirname(os.path.abspath(__file__))
root = os.path.dirname(os.path.dirname(here))
ap = argparse.ArgumentParser()
ap.add_argument("--quick", action="store_true")
ap.add_argument("--out", default="/tmp/facebrain-demo-tasks")
ap.add_argument("--threads", type=int, default=0, help="OMP_NUM_THREADS for every task (0: libtorch's default)")
a = ap.parse_args()

cli = os.path.join(root, "facebrain")
if os.path.exists(a.out):
    shutil.rmtree(a.out)
plan = json.loads(subprocess.run([cli, "demo", *(["--quick"] if a.quick else []), "--out", a.out, "--plan"],
                                 check=True, capture_output=True, text=True).stdout)
# The report task reads OUT/experiment.json, which `demo` writes before it runs the tasks.
config = json.load(open(os.path.join(root, "configs", "demo-quick.json" if a.quick else "demo.json")))
config["out"] = "."
os.makedirs(a.out)
with open(os.path.join(a.out, "experiment.json"), "w") as f:
    json.dump(config, f, indent=2)

dll = os.path.join(root, "src", "FaceBrain.Cli", "bin", "Release", "net10.0", "facebrain.dll")
env = dict(os.environ)
if a.threads > 0:
    env["OMP_NUM_THREADS"] = str(a.threads)
per_step = collections.defaultdict(lambda: [0, 0.0, 0.0])
start = time.time()
print(f"{'task':50s} {'wall s':>8s} {'cpu s':>8s}")
for t in plan["tasks"]:
    for o in t["outputs"]:  # as the executor does: a task's output folder's parent exists
        os.makedirs(os.path.dirname(o), exist_ok=True)
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.time()
    p = subprocess.run(["dotnet", dll, *t["argv"]], env=env, capture_output=True, text=True)
    wall = time.time() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    if p.returncode != 0:
        sys.exit(f"{t['id']} failed ({p.returncode}): {p.stderr.strip().splitlines()[-1:]}")
    s = per_step[t["step"]]
    s[0] += 1; s[1] += wall; s[2] += cpu
    print(f"{t['id']:50s} {wall:8.1f} {cpu:8.1f}", flush=True)
print(f"\n{'step':12s} {'tasks':>5s} {'wall s':>8s} {'cpu s':>8s}")
for step, (n, wall, cpu) in per_step.items():
    print(f"{step:12s} {n:5d} {wall:8.1f} {cpu:8.1f}")
total_cpu = sum(v[2] for v in per_step.values())
print(f"{'total':12s} {sum(v[0] for v in per_step.values()):5d} {time.time() - start:8.1f} {total_cpu:8.1f}")
print(f"load: {open('/proc/loadavg').read().split()[:3]}, threads: {a.threads or 'default'}")
