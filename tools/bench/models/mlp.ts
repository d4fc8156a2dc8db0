/**
 * MLP benchmark: our MLPClassifier, in WebAssembly and on its JavaScript fallback, against
 * scikit-learn 1.2 MLPClassifier on the same matrices in the same run.
 *
 *   npx tsx tools/bench/models/mlp.ts                      (hidden sizes 64 and 64-32, 3 reps a round)
 *   npx tsx tools/bench/models/mlp.ts --reps 5 --hidden 32,128
 *
 * Datasets: (a) synthetic 12,000 x 40 binary task (20 normal columns, 20 sparse 0/1 columns, a
 * nonlinear boundary), (b) Kickstarter successful vs failed (when /work/shared/data exists), built
 * as tools/bench/models/linear.ts builds it (leakage columns dropped, categories one-hot), except
 * that 0/1 columns stay 0/1 as the pipeline's linear recipe leaves them (only the numbers are
 * standardized), so the rows are as sparse as the MLP sees them there. 80/20 stratified split.
 *
 * Settings as the pipeline tunes them, on both sides: relu, Adam, batch 200, alpha 1e-4, learning
 * rate 1e-3, max 60 epochs, early stopping on 10% held out, tol 1e-4, 10 epochs without
 * improvement.
 *
 * Timing: one warm-up fit each, then `reps` fits a round, interleaved (scikit-learn, ours in
 * WebAssembly, ours in JavaScript, again ...) so that other jobs on a shared machine slow all alike;
 * ROUNDS rounds, each printed with its own medians and ratios. Times are around fit only
 * (scikit-learn in a Python process that stays up, perf_counter; ours performance.now). Epoch
 * counts differ between the libraries (different shuffles and initial weights), so the
 * comparison is per epoch: fit seconds / epochs run. Ours in WebAssembly and in JavaScript must
 * give the same model bit for bit (checked). Test accuracy and ROC AUC of both libraries.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parse } from 'csv-parse/sync';
import { createMatrix, createRng, take, trainTestSplitIndices, type Matrix } from '@campaign-ml/core';
import { MLPClassifier, rocAucScore } from '@campaign-ml/models';
// The wasm/JavaScript switch is internal to models (not on its face): the benchmark takes it from the source.
// eslint-disable-next-line @nx/enforce-module-boundaries
import { setWasmMlp, wasmMlpOn } from '../../../packages/models/src/neural/mlp-kernels';
import { meanSd, median, startPythonWorker, type PythonWorker } from './bench-kit';

const SHARED = path.resolve(__dirname, '../../../../shared/data');
const ROUNDS = 2;
const SETTINGS = {
  alpha: 1e-4,
  batchSize: 200,
  learningRateInit: 1e-3,
  maxIter: 60,
  earlyStopping: true,
  validationFraction: 0.1,
  tol: 1e-4,
  nIterNoChange: 10,
};

interface Dataset {
  name: string;
  X: Matrix;
  y: Int32Array;
}

/** Standardizes every column but the constant ones (dropped) and the 0/1 ones (kept as they are). */
function buildMatrix(columns: Float64Array[], names: string[], n: number): Matrix {
  const keep: number[] = [];
  const out: Float64Array[] = [];
  columns.forEach((col, c) => {
    const { mean, sd } = meanSd(col);
    if (sd === 0) return;
    keep.push(c);
    out.push(col.every((v) => v === 0 || v === 1) ? col : col.map((v) => (v - mean) / sd));
  });
  const data = new Float64Array(n * out.length);
  out.forEach((col, j) => data.set(col, j * n));
  return createMatrix(
    n,
    out.length,
    data,
    keep.map((c) => names[c]),
  );
}

function synthetic(n: number, seed: number): Dataset {
  const rng = createRng(seed);
  const cols: Float64Array[] = [];
  for (let c = 0; c < 20; c++) cols.push(Float64Array.from({ length: n }, () => rng.normal()));
  for (let c = 0; c < 20; c++) cols.push(Float64Array.from({ length: n }, () => (rng.random() < 0.1 ? 1 : 0)));
  const y = new Int32Array(n);
  for (let r = 0; r < n; r++) {
    const z =
      cols[0][r] * cols[1][r] +
      Math.sin(2 * cols[2][r]) +
      0.5 * cols[3][r] -
      cols[20][r] +
      cols[21][r] * cols[4][r] +
      0.5 * rng.normal();
    y[r] = z > 0 ? 1 : 0;
  }
  return {
    name: `synthetic ${n} x 40`,
    X: buildMatrix(
      cols,
      cols.map((_, i) => `x${i}`),
      n,
    ),
    y,
  };
}

const LEAKAGE = new Set([
  'pledged',
  'usd_pledged',
  'backers_count',
  'spotlight',
  'staff_pick.1',
  'id',
  'name',
  'state',
]);
const DATES = ['deadline', 'created_at', 'launched_at'];

/** Kickstarter as linear.ts reads it: numbers, True/False as 0/1, categories one-hot (levels seen 30+ times). */
function kickstarter(): Dataset | undefined {
  const file = path.join(SHARED, 'kickstarter', 'kickstarter.csv');
  if (!fs.existsSync(file)) return undefined;
  const records = (parse(fs.readFileSync(file), { columns: true }) as Record<string, string>[]).filter(
    (r) => r.state === 'successful' || r.state === 'failed',
  );
  const n = records.length;
  const header = Object.keys(records[0]).filter(
    (h) => !LEAKAGE.has(h) && !h.startsWith('state_changed_at') && !DATES.includes(h),
  );
  const names: string[] = [];
  const cols: Float64Array[] = [];
  const add = (name: string, col: Float64Array) => {
    names.push(name);
    cols.push(col);
  };
  for (const h of header) {
    const values = records.map((r) => r[h]);
    if (values.every((v) => v === 'True' || v === 'False'))
      add(
        h,
        Float64Array.from(values, (v) => (v === 'True' ? 1 : 0)),
      );
    else if (values.every((v) => v !== '' && Number.isFinite(Number(v)))) add(h, Float64Array.from(values, Number));
    else {
      const counts = new Map<string, number>();
      for (const v of values) counts.set(v, (counts.get(v) ?? 0) + 1);
      for (const [level] of [...counts].filter(([, c]) => c >= 30).sort(([a], [b]) => (a < b ? -1 : 1))) {
        add(
          `${h}=${level}`,
          Float64Array.from(values, (v) => (v === level ? 1 : 0)),
        );
      }
    }
  }
  const day = (s: string) => Date.parse(`${s.replace(' ', 'T')}Z`) / 86_400_000;
  add(
    'log_goal_usd',
    Float64Array.from(records, (r) => Math.log1p(Number(r.goal) * Number(r.static_usd_rate))),
  );
  add(
    'campaign_days',
    Float64Array.from(records, (r) => day(r.deadline) - day(r.launched_at)),
  );
  add(
    'prep_days',
    Float64Array.from(records, (r) => day(r.launched_at) - day(r.created_at)),
  );
  const y = Int32Array.from(records, (r) => (r.state === 'successful' ? 1 : 0));
  return { name: `Kickstarter ${n} x ${cols.length}`, X: buildMatrix(cols, names, n), y };
}

/** Answers one JSON line per command on stdin: "fit" -> seconds and epochs, "result" -> test accuracy and AUC. */
const PY = `
import json, sys, time, warnings
import numpy as np
from sklearn.neural_network import MLPClassifier
from sklearn.metrics import roc_auc_score
warnings.simplefilter("ignore")
d = json.load(open(sys.argv[1]))
load = lambda name, rows: np.fromfile(d[name], dtype="<f8").reshape(d["cols"], rows).T.copy()
X, Xt = load("x", d["rows"]), load("xt", d["testRows"])
y, yt = np.fromfile(d["y"], dtype="<i4"), np.fromfile(d["yt"], dtype="<i4")
s = d["settings"]
fit = lambda: MLPClassifier(hidden_layer_sizes=tuple(d["hidden"]), activation="relu", solver="adam", alpha=s["alpha"],
    batch_size=s["batchSize"], learning_rate_init=s["learningRateInit"], max_iter=s["maxIter"], early_stopping=True,
    validation_fraction=s["validationFraction"], tol=s["tol"], n_iter_no_change=s["nIterNoChange"], random_state=0).fit(X, y)
m = fit()
for line in sys.stdin:
    cmd = line.strip()
    if cmd == "fit":
        t = time.perf_counter(); m = fit(); out = {"seconds": time.perf_counter() - t, "epochs": int(m.n_iter_)}
    else:
        p = m.predict_proba(Xt)[:, 1]
        out = {"accuracy": float(np.mean((p > 0.5) == yt)), "auc": float(roc_auc_score(yt, p))}
    print(json.dumps(out), flush=True)
    if cmd == "result":
        break
`;

interface Split {
  X: Matrix;
  y: Int32Array;
  Xt: Matrix;
  yt: Int32Array;
}

/** A scikit-learn process holding the split, answering one command at a time. */
function startSklearn(s: Split, hidden: number[]): PythonWorker<Record<string, number>> {
  return startPythonWorker(
    'mlp',
    PY,
    { rows: s.X.rows, testRows: s.Xt.rows, cols: s.X.cols, hidden, settings: SETTINGS },
    { x: s.X.data, xt: s.Xt.data, y: s.y, yt: s.yt },
  );
}

const ms = (s: number) => (1000 * s).toFixed(1);
const range = (v: number[]) => `${ms(Math.min(...v))}-${ms(Math.max(...v))}`;

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const arg = (name: string, fallback: string) => (args.includes(name) ? args[args.indexOf(name) + 1] : fallback);
  const reps = Number(arg('--reps', '3'));
  const hiddens = arg('--hidden', '64,64-32')
    .split(',')
    .map((h) => h.split('-').map(Number));
  if (!wasmMlpOn()) console.error('WebAssembly SIMD unavailable: "ours wasm" runs the JavaScript too');
  const rows: string[] = [];
  const ks = kickstarter();
  if (!ks) console.error('kickstarter: /work/shared/data not found, skipped');
  for (const ds of [synthetic(12_000, 7), ks]) {
    if (!ds) continue;
    const split = trainTestSplitIndices(ds.X.rows, { testSize: 0.2, rng: createRng(42), stratify: ds.y });
    const s: Split = {
      X: take(ds.X, split.train),
      y: Int32Array.from(split.train, (i) => ds.y[i]),
      Xt: take(ds.X, split.test),
      yt: Int32Array.from(split.test, (i) => ds.y[i]),
    };
    let zeros = 0;
    for (const v of s.X.data) if (v === 0) zeros += 1;
    for (const hidden of hiddens) {
      const label = `${ds.name} (${s.X.rows} train rows, ${((100 * zeros) / s.X.data.length).toFixed(0)}% zeros), hidden ${hidden.join('-')}`;
      const fitOurs = (wasm: boolean) => {
        setWasmMlp(wasm);
        try {
          const t = performance.now();
          const m = new MLPClassifier({ ...SETTINGS, hiddenLayerSizes: hidden, seed: 0 }).fit(s.X, s.y);
          return { m, seconds: (performance.now() - t) / 1000 };
        } finally {
          setWasmMlp(true);
        }
      };
      const py = startSklearn(s, hidden);
      let wasm = fitOurs(true); // warm-up (scikit-learn warmed up when it loaded)
      let js = fitOurs(false);
      const same = JSON.stringify(wasm.m) === JSON.stringify(js.m);
      const roundCells: string[] = [];
      let skEpochs = 0;
      for (let round = 0; round < ROUNDS; round++) {
        const sk: number[] = [];
        const ow: number[] = [];
        const oj: number[] = [];
        for (let rep = 0; rep < reps; rep++) {
          const r = await py.ask('fit');
          skEpochs = r.epochs;
          sk.push(r.seconds / r.epochs);
          wasm = fitOurs(true);
          ow.push(wasm.seconds / wasm.m.nIter);
          js = fitOurs(false);
          oj.push(js.seconds / js.m.nIter);
        }
        const [a, b, c] = [median(sk), median(ow), median(oj)];
        roundCells.push(
          `${ms(a)} / ${ms(b)} / ${ms(c)}; JS/wasm ${(c / b).toFixed(1)}x, sklearn/wasm ${(a / b).toFixed(2)}x`,
        );
        console.error(
          `${label} round ${round + 1}: ms/epoch sklearn ${range(sk)}, ours wasm ${range(ow)}, ours JS ${range(oj)}`,
        );
      }
      const res = await py.ask('result');
      py.done();
      const proba = wasm.m.predictProba(s.Xt);
      const positive = Float64Array.from({ length: s.Xt.rows }, (_, r) => proba[2 * r + 1]);
      let correct = 0;
      for (let r = 0; r < s.yt.length; r++) if ((positive[r] > 0.5 ? 1 : 0) === s.yt[r]) correct++;
      rows.push(
        `| ${label} | ${skEpochs} / ${wasm.m.nIter} | ${roundCells.join(' ‖ ')} | ${same ? 'yes' : 'NO'} | ` +
          `${res.accuracy.toFixed(4)} / ${(correct / s.yt.length).toFixed(4)} | ${res.auc.toFixed(4)} / ${rocAucScore(s.yt, positive).toFixed(4)} |`,
      );
    }
  }
  console.log(
    '| dataset, network | epochs sklearn / ours | median ms per epoch, sklearn / ours wasm / ours JS (per round) | wasm = JS bit for bit | test accuracy sklearn / ours | test AUC sklearn / ours |',
  );
  console.log('|---|---|---|---|---|---|');
  for (const r of rows) console.log(r);
}

void main();
