/**
 * Tree fits on every core (issue 17 item 1): our GBDT with threads=1 and threads=all against
 * scikit-learn 1.2's HistGradientBoostingClassifier (OpenMP, every core) and XGBoost 1.7 `hist`
 * (nthread = every core), on synthetic 12,000 x 30 and 1,000,000 x 30 binary tasks, same
 * hyperparameters everywhere: 100 rounds, depth 6 (no leaf limit), learning rate 0.1, 256 bins
 * (255 + the missing bin for us), no early stopping.
 *
 *   npx tsx tools/bench/models/threads.ts            # both sizes (about 3-4 minutes)
 *   npx tsx tools/bench/models/threads.ts --small    # only 12,000 x 30
 *   npx tsx tools/bench/models/threads.ts --reps 5   # repetitions on the small task (default 3)
 *
 * The reference runs in one long-lived /usr/bin/python3 process that loaded the same matrices
 * (bench-kit.ts); each of our fits runs right after the reference fit it is compared with, so a
 * pair sees the same machine load. The ratio columns are medians of those pairs' ratios.
 * Both thread counts fit the same model bit for bit; the bench checks it.
 */
import * as os from 'node:os';
import { createRng, take, trainTestSplitIndices } from '@campaign-ml/core';
import { GradientBoostingClassifier, RandomForestClassifier, rocAucScore } from '@campaign-ml/models';
import { median, PYTHON, startPythonWorker, syntheticTask } from './bench-kit';

const PY = `
import json, os, sys, time
import numpy as np, sklearn, xgboost as xgb
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.metrics import roc_auc_score
m = json.load(open(sys.argv[1]))
def mat(key, rows):
    return np.fromfile(m[key], dtype=np.float64).reshape(m["cols"], rows).T.copy()
Xtr = mat("xtr", m["train"]); Xte = mat("xte", m["test"])
ytr = np.fromfile(m["ytr"], dtype=np.float64).astype(int); yte = np.fromfile(m["yte"], dtype=np.float64).astype(int)
cores = os.cpu_count()
for line in sys.stdin:
    cmd = line.strip()
    if cmd == "versions":
        print(json.dumps({"sklearn": sklearn.__version__, "xgboost": xgb.__version__, "cores": cores}), flush=True); continue
    if cmd == "rf":
        from sklearn.ensemble import RandomForestClassifier
        model = RandomForestClassifier(n_estimators=100, n_jobs=-1, random_state=0)
    elif cmd == "xgb":
        model = xgb.XGBClassifier(n_estimators=100, max_depth=6, learning_rate=0.1, tree_method="hist", max_bin=256, n_jobs=cores)
    else:
        model = HistGradientBoostingClassifier(max_iter=100, max_depth=6, max_leaf_nodes=None, learning_rate=0.1, max_bins=255, early_stopping=False)
    c = time.process_time(); t = time.perf_counter(); model.fit(Xtr, ytr)
    wall = time.perf_counter() - t; cpu = time.process_time() - c
    auc = float(roc_auc_score(yte, model.predict_proba(Xte)[:, 1]))
    print(json.dumps({"seconds": wall, "cpu": cpu, "auc": auc}), flush=True)
`;

interface Timing {
  seconds: number;
  cpu: number;
  auc: number;
}

function positive(proba: Float64Array): Float64Array {
  const out = new Float64Array(proba.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = proba[2 * i + 1];
  return out;
}

const REPS = (() => {
  const i = process.argv.indexOf('--reps');
  return i >= 0 ? Math.max(1, Number(process.argv[i + 1]) || 1) : 3;
})();

async function benchSize(n: number, seed: number, reps: number, lines: string[]): Promise<void> {
  const ds = syntheticTask(n, 30, seed);
  const split = trainTestSplitIndices(n, { testSize: 0.2, rng: createRng(42), stratify: ds.y });
  const Xtr = take(ds.X, split.train);
  const Xte = take(ds.X, split.test);
  const ytr = Float64Array.from(split.train, (i) => ds.y[i]);
  const yte = Float64Array.from(split.test, (i) => ds.y[i]);
  const py = startPythonWorker<Timing & { sklearn?: string; xgboost?: string; cores?: number }>(
    'threads',
    PY,
    { cols: Xtr.cols, train: Xtr.rows, test: Xte.rows },
    { xtr: Xtr.data, ytr, xte: Xte.data, yte },
  );
  const all = os.availableParallelism();
  const ours = (threads: number): Timing & { json: string } => {
    const c = process.cpuUsage();
    const t = process.hrtime.bigint();
    const model = new GradientBoostingClassifier({
      nEstimators: 100,
      maxDepth: 6,
      learningRate: 0.1,
      maxBins: 255,
      threads,
    }).fit(Xtr, ytr);
    const seconds = Number(process.hrtime.bigint() - t) / 1e9;
    const u = process.cpuUsage(c);
    const auc = rocAucScore(yte, positive(model.predictProba(Xte)));
    return { seconds, cpu: (u.user + u.system) / 1e6, auc, json: JSON.stringify(model.toJSON()) };
  };
  try {
    const v = await py.ask('versions');
    if (n === 12_000)
      lines.push(`(reference: ${PYTHON}, scikit-learn ${v.sklearn}, XGBoost ${v.xgboost}, ${v.cores} cores)`);
    // Warm the JIT and start the worker threads on a small fit.
    new GradientBoostingClassifier({ nEstimators: 3, threads: all }).fit(
      take(
        Xtr,
        Array.from({ length: Math.min(2000, Xtr.rows) }, (_, i) => i),
      ),
      ytr.subarray(0, Math.min(2000, Xtr.rows)),
    );
    const runs = { xgb: [] as Timing[], skl: [] as Timing[], all: [] as Timing[], one: [] as Timing[] };
    const rXgb: number[] = [];
    const rSkl: number[] = [];
    const rOne: number[] = [];
    let identical = true;
    for (let r = 0; r < reps; r++) {
      // Pairs: XGBoost then ours on every core; scikit-learn then ours on one thread.
      const x = await py.ask('xgb');
      const a = ours(all);
      const s = await py.ask('skl');
      const o = ours(1);
      identical &&= a.json === o.json;
      runs.xgb.push(x);
      runs.all.push(a);
      runs.skl.push(s);
      runs.one.push(o);
      rXgb.push(a.seconds / x.seconds);
      rSkl.push(a.seconds / s.seconds);
      rOne.push(a.seconds / o.seconds);
    }
    const med = (t: Timing[], k: 'seconds' | 'cpu'): string => median(t.map((x) => x[k])).toFixed(3);
    const name = `synthetic ${n.toLocaleString('en-US')} x 30`;
    const reps_ = reps > 1 ? ` (median of ${reps})` : '';
    lines.push(
      `| ${name} | campaign-ml GBDT, threads=${all} | ${med(runs.all, 'seconds')} | ${med(runs.all, 'cpu')} | ${runs.all[0].auc.toFixed(4)} | ours/xgb ${median(rXgb).toFixed(2)}x, ours/sklearn ${median(rSkl).toFixed(2)}x, all/1 thread ${median(rOne).toFixed(2)}x${reps_} |`,
      `| ${name} | campaign-ml GBDT, threads=1 | ${med(runs.one, 'seconds')} | ${med(runs.one, 'cpu')} | ${runs.one[0].auc.toFixed(4)} | same model as threads=${all}: ${identical ? 'yes, bit for bit' : 'NO'} |`,
      `| ${name} | XGBoost hist, nthread=${v.cores} | ${med(runs.xgb, 'seconds')} | ${med(runs.xgb, 'cpu')} | ${runs.xgb[0].auc.toFixed(4)} | |`,
      `| ${name} | sklearn HistGradientBoosting (OpenMP, ${v.cores} cores) | ${med(runs.skl, 'seconds')} | ${med(runs.skl, 'cpu')} | ${runs.skl[0].auc.toFixed(4)} | |`,
    );
    if (n <= 100_000) {
      // Random forests, 100 trees: ours with trees side by side against scikit-learn's n_jobs=-1.
      const forest = (threads: number): Timing & { json: string } => {
        const c = process.cpuUsage();
        const t = process.hrtime.bigint();
        const model = new RandomForestClassifier({ nEstimators: 100, seed: 0, threads }).fit(Xtr, ytr);
        const seconds = Number(process.hrtime.bigint() - t) / 1e9;
        const u = process.cpuUsage(c);
        const auc = rocAucScore(yte, positive(model.predictProba(Xte)));
        return { seconds, cpu: (u.user + u.system) / 1e6, auc, json: JSON.stringify(model.toJSON()) };
      };
      const ref = await py.ask('rf');
      const fa = forest(all);
      const f1 = forest(1);
      lines.push(
        `| ${name} | campaign-ml RandomForest, threads=${all} | ${fa.seconds.toFixed(3)} | ${fa.cpu.toFixed(3)} | ${fa.auc.toFixed(4)} | ours/sklearn ${(fa.seconds / ref.seconds).toFixed(2)}x, all/1 thread ${(fa.seconds / f1.seconds).toFixed(2)}x |`,
        `| ${name} | campaign-ml RandomForest, threads=1 | ${f1.seconds.toFixed(3)} | ${f1.cpu.toFixed(3)} | ${f1.auc.toFixed(4)} | same forest as threads=${all}: ${fa.json === f1.json ? 'yes, bit for bit' : 'NO'} |`,
        `| ${name} | sklearn RandomForest (n_jobs=-1) | ${ref.seconds.toFixed(3)} | ${ref.cpu.toFixed(3)} | ${ref.auc.toFixed(4)} | |`,
      );
    }
  } finally {
    py.done();
  }
}

async function main(): Promise<void> {
  const lines: string[] = [];
  const load0 = os.loadavg()[0];
  await benchSize(12_000, 0, REPS, lines);
  if (!process.argv.includes('--small')) await benchSize(1_000_000, 3, 1, lines);
  console.log(lines[0]);
  console.log(
    `GBDT fit, 100 rounds, depth 6, learning rate 0.1, 256 bins; load average ${load0.toFixed(2)} at start, ${os.loadavg()[0].toFixed(2)} at end`,
  );
  console.log('| dataset | model | fit s (wall) | fit s (CPU) | test ROC AUC | note |');
  console.log('|---|---|---:|---:|---:|---|');
  for (const l of lines.slice(1)) console.log(l);
}

void main();
