"""scipy's side of tools/bench/drift/drift.ts: the same per-column drift tests on the same data.

Started by drift.ts through bench-kit's startPythonWorker with a meta.json that describes the data
(generated here with the same integer and IEEE operations as drift.ts, so both sides hold the same
doubles), the frozen decile edges and reference bin counts. Each "run" line times all columns once
with time.perf_counter and answers one JSON line: the milliseconds and every column's results.

Per numeric column: ks_2samp(ref, cur) (method auto: asymptotic at 1M), Wasserstein-1 normed by
np.std(ref) (Evidently's), and the frozen-bin test: searchsorted into the reference deciles,
bincount, chi2_contingency on the non-empty bins and PSI with Evidently's zero fill.
Per categorical column: bincount of both sides, chi2_contingency, jensenshannon, PSI.
"""
import json
import sys
import time
import warnings

import numpy as np
import scipy
from scipy import stats
from scipy.spatial import distance

warnings.simplefilter("ignore")
meta = json.load(open(sys.argv[1]))
N = meta["rows"]
I = np.arange(N, dtype=np.int64)


def step(c, s, j):
    return 10 * (137 * c + 31 * s + 17 * j + 1) + [1, 3, 7, 9][(c + s + j) % 4]


def grid(c, s, j):
    return ((I * step(c, s, j)) % N + 0.5) / N


def numeric(c, s):
    kind = c % 5
    g0 = grid(c, s, 0)
    if kind == 0:
        v = g0 + grid(c, s, 1) + grid(c, s, 2)
    elif kind == 1:
        v = 1 / (g0 + 0.01)
    elif kind == 2:
        v = np.floor(g0 * 50)
    elif kind == 3:
        v = g0 * 100 - 50
    else:
        v = np.floor((g0 + grid(c, s, 1)) * 1000) / 1000
    if s == 1 and c % 8 == 0:
        v = v * 1.1 + 0.05
    elif s == 1 and c % 8 == 3:
        v = v + 0.004
    return v


def categorical(c, s):
    k = meta["categories"][str(c)]
    g0 = grid(c, s, 0)
    if s == 1 and c % 3 == 0:
        return np.floor(g0 * grid(c, s, 1) * k)
    return np.floor(g0 * g0 * k)


def fill(shares):
    m = shares[shares > 0].min()
    out = shares.copy()
    out[out == 0] = m / 1e6 if m <= 1e-4 else 1e-4
    return out


def psi(r, c):
    r = fill(r / r.sum())
    c = fill(c / c.sum())
    return float(np.sum((r - c) * np.log(r / c)))


columns = []
for c in range(meta["numeric"]):
    columns.append(("numeric", c, numeric(c, 0), numeric(c, 1)))
for c in range(meta["numeric"], meta["numeric"] + meta["categorical"]):
    columns.append(("categorical", c, categorical(c, 0), categorical(c, 1)))


def run():
    """Every column once; parts = milliseconds per kind of test, timed as drift.ts times ours."""
    out = []
    parts = {"ks": 0.0, "wasserstein": 0.0, "bins": 0.0, "categorical": 0.0}
    clock = time.perf_counter
    for kind, c, ref, cur in columns:
        if kind == "numeric":
            t = clock()
            ks = stats.ks_2samp(ref, cur)
            parts["ks"] += (clock() - t) * 1000
            t = clock()
            w = stats.wasserstein_distance(ref, cur) / max(np.std(ref), 0.001)
            parts["wasserstein"] += (clock() - t) * 1000
            t = clock()
            edges = np.asarray(meta["edges"][str(c)])
            rc = np.asarray(meta["refCounts"][str(c)], dtype=float)
            cc = np.bincount(np.searchsorted(edges, cur, side="left"), minlength=len(edges) + 1).astype(float)
            keep = (rc > 0) | (cc > 0)
            chi = stats.chi2_contingency([rc[keep], cc[keep]])
            p = psi(rc[keep], cc[keep])
            parts["bins"] += (clock() - t) * 1000
            out.append({"column": c, "ks": [float(ks.statistic), float(ks.pvalue)], "wasserstein": float(w), "chi2": [float(chi[0]), float(chi[1])],
                        "psi": p})
        else:
            t = clock()
            k = meta["categories"][str(c)]
            rc = np.bincount(ref.astype(np.int64), minlength=k).astype(float)
            cc = np.bincount(cur.astype(np.int64), minlength=k).astype(float)
            keep = (rc > 0) | (cc > 0)
            chi = stats.chi2_contingency([rc[keep], cc[keep]])
            out.append({"column": c, "chi2": [float(chi[0]), float(chi[1])], "js": float(distance.jensenshannon(rc, cc)), "psi": psi(rc[keep], cc[keep])})
            parts["categorical"] += (clock() - t) * 1000
    return out, parts


for line in sys.stdin:
    if line.strip() != "run":
        continue
    t = time.perf_counter()
    results, parts = run()
    ms = (time.perf_counter() - t) * 1000
    print(json.dumps({"ms": ms, "parts": parts, "versions": f"scipy {scipy.__version__}, numpy {np.__version__}", "results": results}), flush=True)
