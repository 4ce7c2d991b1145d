"""Summarises full-pipeline.js output for a realism calibration: how far apart face-api's descriptors put the
faces of a set (all pairs of faces, which for one image per person are different-identity pairs), and the
spread of face proportions as face-api's own 68-landmark net reads them (ratios to the interpupillary distance,
mean and coefficient of variation), so real photographs and synthetic faces are measured by one instrument.

    python3 calibrate.py NAME=FACES.json [NAME=FACES.json ...] [--min-score 0.5]
"""
import json
import sys

import numpy as np


def ratios(landmarks):
    p = np.asarray(landmarks, dtype=float)

    def d(a, b):
        return float(np.linalg.norm(p[a] - p[b]))

    left, right = p[36:42].mean(0), p[42:48].mean(0)
    ipd = float(np.linalg.norm(left - right))
    mouth = p[48:68].mean(0)
    return {
        "jaw": d(0, 16) / ipd,
        "chin": d(6, 10) / ipd,
        "face_height": d(27, 8) / ipd,
        "eye_mouth": float(np.linalg.norm((left + right) / 2 - mouth)) / ipd,
        "nose_length": d(27, 33) / ipd,
        "nose_width": d(31, 35) / ipd,
        "mouth_width": d(48, 54) / ipd,
        "eye_width": (d(36, 39) + d(42, 45)) / 2 / ipd,
        "eye_opening": (d(37, 41) + d(38, 40) + d(43, 47) + d(44, 46)) / 4 / ipd,
        "brow_eye": ((p[37, 1] + p[38, 1]) / 2 - p[19, 1] + (p[43, 1] + p[44, 1]) / 2 - p[24, 1]) / 2 / ipd,
    }


def summarise(name, path, min_score):
    with open(path) as f:
        records = json.load(f)
    faces = [f for f in records if f["score"] >= min_score]
    files = {f["file"] for f in records}
    if len(faces) < 2:
        sys.exit(f"calibrate: {path}: fewer than two faces at score >= {min_score}")
    desc = np.array([f["descriptor"] for f in faces])
    dist = np.sqrt(((desc[:, None] - desc[None]) ** 2).sum(-1))
    pairs = dist[np.triu_indices(len(faces), 1)]
    print(f"{name}: {len(faces)} faces in {len(files)} images (detection score median {np.median([f['score'] for f in faces]):.2f})")
    print(f"  descriptor distance over {len(pairs)} pairs: median {np.median(pairs):.3f}, "
          f"5th percentile {np.percentile(pairs, 5):.3f}, share under 0.6 {np.mean(pairs < 0.6):.3f}")
    table = [ratios(f["landmarks"]) for f in faces]
    cells = []
    for key in table[0]:
        v = np.array([t[key] for t in table])
        cells.append(f"{key} {v.mean():.2f} ({100 * v.std() / abs(v.mean()):.0f}%)")
    print("  proportions / IPD, mean (CV): " + ", ".join(cells))


def main(argv):
    min_score = 0.5
    if "--min-score" in argv:
        k = argv.index("--min-score")
        min_score = float(argv[k + 1])
        del argv[k:k + 2]
    if not argv:
        sys.exit(__doc__)
    for arg in argv:
        name, _, path = arg.partition("=")
        summarise(name, path, min_score)


if __name__ == "__main__":
    main(sys.argv[1:])
