/**
 * Tree-engine benchmark: our GBDT and random forest against XGBoost 1.7 (hist) and scikit-learn 1.2
 * on the same matrices in one run, plus ml-random-forest and ml-xgboost (wasm), prediction
 * throughput against XGBoost's inplace_predict, and (with --memory) peak RSS of training on
 * 1,000,000 x 30 in a child process.
 *
 *   npx tsx tools/bench/models/trees.ts              # synthetic + Kickstarter (when /work/shared/data exists)
 *   npx tsx tools/bench/models/trees.ts --reps 3     # GBDT and XGBoost nthread=1 fitted 3 times, medians
 *   npx tsx tools/bench/models/trees.ts --predict    # only the prediction throughput lines
 *   npx tsx tools/bench/models/trees.ts --memory     # also the 1M-row memory run (slow)
 *
 * Reference timings come from /usr/bin/python3 (numpy/sklearn/xgboost) reading a temp JSON file;
 * each of our fits runs right after its reference fit (XGBoost nthread=1 rep, then the sklearn
 * forest), so the two of a pair see the same load on a shared machine.
 * Times are wall seconds and CPU seconds of the fitting process (CPU time is the steadier figure on
 * a shared machine; the ratio columns compare like with like).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parse } from 'csv-parse/sync';
import { createMatrix, createRng, take, trainTestSplitIndices } from '@campaign-ml/core';
import type { Matrix } from '@campaign-ml/core';
import { GradientBoostingClassifier, RandomForestClassifier, rocAucScore } from '@campaign-ml/models';
import { syntheticTask } from './bench-kit';

const SHARED = path.resolve(__dirname, '../../../../shared/data');

interface Dataset {
  name: string;
  X: Matrix;
  y: Float64Array;
}

function synthetic(n: number, p: number, seed: number): Dataset {
  return { name: `synthetic ${n} x ${p}`, ...syntheticTask(n, p, seed) };
}

const LEAKS = new Set(['id', 'name', 'pledged', 'usd_pledged', 'backers_count', 'spotlight', 'staff_pick.1']);

function kickstarter(file: string): Dataset {
  const records = parse(fs.readFileSync(file), { columns: true, skip_empty_lines: true }) as Record<string, string>[];
  const rows = records.filter((r) => r.state === 'successful' || r.state === 'failed');
  const cols = Object.keys(rows[0]).filter((c) => c !== 'state' && !LEAKS.has(c) && !c.startsWith('state_changed_at'));
  const n = rows.length;
  const data = new Float64Array(n * cols.length);
  cols.forEach((c, j) => {
    const vals = rows.map((r) => r[c]);
    const isNum = vals.every((v) => v === '' || Number.isFinite(Number(v)));
    const isBool = vals.every((v) => v === '' || v === 'True' || v === 'False');
    const isDate = !isNum && vals.every((v) => v === '' || /^\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}/.test(v));
    const codes = new Map<string, number>();
    for (let r = 0; r < n; r++) {
      const v = vals[r];
      let x: number;
      // Missing values become -1 so that every library (sklearn's forest has no NaN support) sees the same matrix.
      if (v === '') x = -1;
      else if (isBool) x = v === 'True' ? 1 : 0;
      else if (isNum) x = Number(v);
      else if (isDate) x = Date.parse(`${v.replace(' ', 'T')}Z`) / 1000;
      else {
        if (!codes.has(v)) codes.set(v, codes.size);
        x = codes.get(v)!;
      }
      data[j * n + r] = x;
    }
  });
  const y = Float64Array.from(rows, (r) => (r.state === 'successful' ? 1 : 0));
  return { name: `Kickstarter ${n} x ${cols.length}`, X: createMatrix(n, cols.length, data, cols), y };
}

function positive(proba: Float64Array): Float64Array {
  const out = new Float64Array(proba.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = proba[2 * i + 1];
  return out;
}

function toRows(X: Matrix): (number | null)[][] {
  const out: (number | null)[][] = [];
  for (let r = 0; r < X.rows; r++) {
    const row: (number | null)[] = new Array(X.cols);
    for (let c = 0; c < X.cols; c++) {
      const v = X.data[c * X.rows + r];
      row[c] = Number.isNaN(v) ? null : v;
    }
    out.push(row);
  }
  return out;
}

function timeIt<T>(f: () => T): { value: T; seconds: number; cpu: number } {
  const c = process.cpuUsage();
  const t = process.hrtime.bigint();
  const value = f();
  const u = process.cpuUsage(c);
  return { value, seconds: Number(process.hrtime.bigint() - t) / 1e9, cpu: (u.user + u.system) / 1e6 };
}

function median(a: number[]): number {
  const s = a.slice().sort((x, y) => x - y);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

const REPS = (() => {
  const i = process.argv.indexOf('--reps');
  return i >= 0 ? Math.max(1, Number(process.argv[i + 1]) || 1) : 1;
})();

const PY = `
import json, sys, time, os
import numpy as np, xgboost as xgb
from sklearn.ensemble import RandomForestClassifier
from sklearn.metrics import roc_auc_score
d = json.load(open(sys.argv[1])); reps = int(sys.argv[2]); part = sys.argv[3]
Xtr = np.array(d["Xtr"], dtype=float); ytr = np.array(d["ytr"]); Xte = np.array(d["Xte"], dtype=float); yte = np.array(d["yte"])
out = {}
for name, nj, n in (("xgb1", 1, reps), ("xgbAll", os.cpu_count(), 1)):
    if (name == "xgb1") != (part == "xgb1"):
        continue
    walls, cpus = [], []
    for _ in range(n):
        m = xgb.XGBClassifier(n_estimators=100, max_depth=6, learning_rate=0.1, tree_method="hist", n_jobs=nj)
        c = time.process_time(); t = time.perf_counter(); m.fit(Xtr, ytr)
        walls.append(time.perf_counter() - t); cpus.append(time.process_time() - c)
    out[name] = {"seconds": walls, "cpu": cpus, "auc": float(roc_auc_score(yte, m.predict_proba(Xte)[:, 1])), "threads": nj}
if part == "rest":
    rf = RandomForestClassifier(n_estimators=100, n_jobs=1, random_state=0)
    c = time.process_time(); t = time.perf_counter(); rf.fit(Xtr, ytr)
    out["skrf"] = {"seconds": [time.perf_counter() - t], "cpu": [time.process_time() - c], "auc": float(roc_auc_score(yte, rf.predict_proba(Xte)[:, 1]))}
print(json.dumps(out))
`;

interface XgbModel {
  train(X: number[][], y: number[]): void;
  predict(X: number[][]): number[];
  free(): void;
}
type XgbClass = new (options: Record<string, unknown>) => XgbModel;

interface Row {
  dataset: string;
  model: string;
  seconds: number;
  /** CPU seconds of the fitting process (NaN when not measured). */
  cpu: number;
  auc: number;
  note: string;
}

interface RefTiming {
  seconds: number[];
  cpu: number[];
  auc: number;
  threads?: number;
}

function ratio(ours: number, ref: number): string {
  return (ours / ref).toFixed(2);
}

async function benchDataset(ds: Dataset, rows: Row[]): Promise<void> {
  const split = trainTestSplitIndices(ds.X.rows, { testSize: 0.2, rng: createRng(42), stratify: ds.y });
  const Xtr = take(ds.X, split.train);
  const Xte = take(ds.X, split.test);
  const ytr = Float64Array.from(split.train, (i) => ds.y[i]);
  const yte = Float64Array.from(split.test, (i) => ds.y[i]);
  const tmp = path.join(os.tmpdir(), `campaign-ml-bench-${process.pid}.json`);
  fs.writeFileSync(
    tmp,
    JSON.stringify({ Xtr: toRows(Xtr), ytr: Array.from(ytr), Xte: toRows(Xte), yte: Array.from(yte) }),
  );
  const pyFile = path.join(os.tmpdir(), `campaign-ml-bench-${process.pid}.py`);
  fs.writeFileSync(pyFile, PY);
  const python = (part: 'xgb1' | 'rest'): Record<'xgb1' | 'xgbAll' | 'skrf', RefTiming> =>
    JSON.parse(execFileSync('/usr/bin/python3', [pyFile, tmp, '1', part], { encoding: 'utf8' })) as Record<
      'xgb1' | 'xgbAll' | 'skrf',
      RefTiming
    >;

  // Warm the JIT on a small fit so timings measure steady-state code.
  new GradientBoostingClassifier({ nEstimators: 5, threads: 1 }).fit(
    take(
      Xtr,
      Array.from({ length: 500 }, (_, i) => i),
    ),
    ytr.subarray(0, 500),
  );
  // Each of our fits runs right after its reference fit (one Python process per XGBoost rep), so a
  // pair sees the same load on the shared machine.
  const x1Runs: RefTiming[] = [];
  const gbRuns: ReturnType<typeof timeIt<ReturnType<GradientBoostingClassifier['fit']>>>[] = [];
  for (let r = 0; r < REPS; r++) {
    x1Runs.push(python('xgb1').xgb1);
    gbRuns.push(
      timeIt(() =>
        new GradientBoostingClassifier({ nEstimators: 100, maxDepth: 6, learningRate: 0.1, threads: 1 }).fit(Xtr, ytr),
      ),
    );
  }
  const rest = python('rest');
  fs.rmSync(tmp);
  fs.rmSync(pyFile);
  const ref = {
    xgb1: { seconds: x1Runs.map((r) => r.seconds[0]), cpu: x1Runs.map((r) => r.cpu[0]), auc: x1Runs[0].auc },
    xgbAll: rest.xgbAll,
    skrf: rest.skrf,
  };
  const gb = {
    seconds: median(gbRuns.map((r) => r.seconds)),
    cpu: median(gbRuns.map((r) => r.cpu)),
    value: gbRuns[0].value,
  };
  const gbAuc = rocAucScore(yte, positive(gb.value.predictProba(Xte)));
  const x1 = { seconds: median(ref.xgb1.seconds), cpu: median(ref.xgb1.cpu) };
  const reps = REPS > 1 ? `, median of ${REPS}` : '';
  rows.push({
    dataset: ds.name,
    model: 'campaign-ml GBDT',
    seconds: gb.seconds,
    cpu: gb.cpu,
    auc: gbAuc,
    note: `1 thread${reps}`,
  });
  rows.push({
    dataset: ds.name,
    model: 'XGBoost hist (nthread=1)',
    seconds: x1.seconds,
    cpu: x1.cpu,
    auc: ref.xgb1.auc,
    // The median of the same-minute pairs' ratios (with one rep: the ratio).
    note: `ours/xgb = ${median(gbRuns.map((r, i) => r.seconds / ref.xgb1.seconds[i])).toFixed(2)}x wall, ${median(gbRuns.map((r, i) => r.cpu / ref.xgb1.cpu[i])).toFixed(2)}x CPU${REPS > 1 ? `, median of ${REPS} pairs` : ''}`,
  });
  rows.push({
    dataset: ds.name,
    model: `XGBoost hist (nthread=${ref.xgbAll.threads})`,
    seconds: ref.xgbAll.seconds[0],
    cpu: NaN,
    auc: ref.xgbAll.auc,
    note: `ours/xgb = ${ratio(gb.seconds, ref.xgbAll.seconds[0])}x wall`,
  });
  const rf = timeIt(() => new RandomForestClassifier({ nEstimators: 100, seed: 0, threads: 1 }).fit(Xtr, ytr));
  const rfAuc = rocAucScore(yte, positive(rf.value.predictProba(Xte)));
  rows.push({
    dataset: ds.name,
    model: 'campaign-ml RandomForest',
    seconds: rf.seconds,
    cpu: rf.cpu,
    auc: rfAuc,
    note: '1 thread',
  });
  rows.push({
    dataset: ds.name,
    model: 'sklearn RandomForest (n_jobs=1)',
    seconds: ref.skrf.seconds[0],
    cpu: ref.skrf.cpu[0],
    auc: ref.skrf.auc,
    note: `ours/sklearn = ${ratio(rf.seconds, ref.skrf.seconds[0])}x wall, ${ratio(rf.cpu, ref.skrf.cpu[0])}x CPU`,
  });

  // mljs, capped: ml-xgboost on at most 2,000 training rows; ml-random-forest (10 trees, all
  // features, CART in plain JS) on at most 1,000 rows because it is two orders of magnitude slower.
  const cap = Math.min(2000, Xtr.rows);
  const capIdx = Array.from({ length: cap }, (_, i) => i);
  const capRows = toRows(take(Xtr, capIdx)).map((r) => r.map((v) => (v === null ? 0 : v)));
  const capY = capIdx.map((i) => ytr[i]);
  const teRows = toRows(Xte).map((r) => r.map((v) => (v === null ? 0 : v)));
  const rfCap = Math.min(1000, cap);
  try {
    const { RandomForestClassifier: MlRf } = await import('ml-random-forest');
    const mlrf = timeIt(() => {
      // noOOB: with 10 bootstrap trees some rows are never out of bag, and ml-random-forest's OOB
      // vote then fails with "input must not be empty".
      const m = new MlRf({ nEstimators: 10, seed: 0, noOOB: true });
      m.train(capRows.slice(0, rfCap), capY.slice(0, rfCap));
      return m;
    });
    const pr = (
      mlrf.value as unknown as { predictProbability(x: number[][], label: number): number[] }
    ).predictProbability(teRows, 1);
    rows.push({
      dataset: ds.name,
      model: 'ml-random-forest (10 trees)',
      seconds: mlrf.seconds,
      cpu: mlrf.cpu,
      auc: rocAucScore(yte, pr),
      note: `${rfCap} training rows (capped)`,
    });
  } catch (e) {
    rows.push({
      dataset: ds.name,
      model: 'ml-random-forest (10 trees)',
      seconds: NaN,
      cpu: NaN,
      auc: NaN,
      note: `failed: ${(e as Error).message}`,
    });
  }
  const rfSame = timeIt(() =>
    new RandomForestClassifier({ nEstimators: 10, maxFeatures: 'all', seed: 0, threads: 1 }).fit(
      take(Xtr, capIdx.slice(0, rfCap)),
      capY.slice(0, rfCap),
    ),
  );
  rows.push({
    dataset: ds.name,
    model: 'campaign-ml RandomForest (10 trees, all features)',
    seconds: rfSame.seconds,
    cpu: rfSame.cpu,
    auc: rocAucScore(yte, positive(rfSame.value.predictProba(Xte))),
    note: `${rfCap} training rows (capped)`,
  });
  try {
    // ml-xgboost ships no types; its module value is a promise of the XGBoost class.
    const moduleName: string = 'ml-xgboost';
    const XGBoost = await ((await import(moduleName)) as { default: Promise<XgbClass> }).default;
    const xg = timeIt(() => {
      const m = new XGBoost({ objective: 'binary:logistic', max_depth: 6, eta: 0.1, subsample: 1, iterations: 100 });
      m.train(capRows, capY);
      return m;
    });
    const pr = xg.value.predict(teRows);
    rows.push({
      dataset: ds.name,
      model: 'ml-xgboost wasm (100 rounds)',
      seconds: xg.seconds,
      cpu: xg.cpu,
      auc: rocAucScore(yte, pr),
      note: `${cap} training rows (capped)`,
    });
    xg.value.free();
  } catch (e) {
    rows.push({
      dataset: ds.name,
      model: 'ml-xgboost wasm (100 rounds)',
      seconds: NaN,
      cpu: NaN,
      auc: NaN,
      note: `failed: ${(e as Error).message}`,
    });
  }
  // Same cap for our GBDT, for a like-for-like comparison with the capped mljs runs.
  const gbCap = timeIt(() =>
    new GradientBoostingClassifier({ nEstimators: 100, maxDepth: 6, threads: 1 }).fit(take(Xtr, capIdx), capY),
  );
  rows.push({
    dataset: ds.name,
    model: 'campaign-ml GBDT (100 rounds)',
    seconds: gbCap.seconds,
    cpu: gbCap.cpu,
    auc: rocAucScore(yte, positive(gbCap.value.predictProba(Xte))),
    note: `${cap} training rows (capped)`,
  });
}

const PY_PREDICT = `
import sys, time, json
import numpy as np, xgboost as xgb
tr_file, y_file, big_file, ntr, nbig, cols = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), int(sys.argv[5]), int(sys.argv[6])
# Column-major float64 files, as our Matrix holds them; XGBoost gets C-contiguous row-major float64.
Xtr = np.ascontiguousarray(np.fromfile(tr_file).reshape(cols, ntr).T)
ytr = np.fromfile(y_file)
Xbig = np.ascontiguousarray(np.fromfile(big_file).reshape(cols, nbig).T)
m = xgb.XGBClassifier(n_estimators=100, max_depth=6, learning_rate=0.1, tree_method="hist", n_jobs=1).fit(Xtr, ytr)
bst = m.get_booster()
leaves = sum(1 for line in bst.get_dump() for part in line.split("\\n") if "leaf=" in part)
out = {"leaves": leaves}
for nt in (1, 2):
    bst.set_param({"nthread": nt})
    bst.inplace_predict(Xbig)
    walls, cpus = [], []
    for _ in range(5):
        c = time.process_time(); t = time.perf_counter(); bst.inplace_predict(Xbig)
        walls.append(time.perf_counter() - t); cpus.append(time.process_time() - c)
    out[str(nt)] = {"wall": sorted(walls)[2], "cpu": sorted(cpus)[2]}
print(json.dumps(out))
`;

/**
 * Batch prediction of a 100-tree depth-6 GBDT on 200,000 x 30, ours (predictProba) against XGBoost
 * 1.7 inplace_predict on a model of the same shape trained on the same rows (nthread 1 and 2), in
 * the same run: medians of 5 calls after a warm-up call.
 */
function throughput(): string[] {
  const ds = synthetic(12000, 30, 1);
  const model = new GradientBoostingClassifier({ nEstimators: 100, maxDepth: 6 }).fit(ds.X, ds.y);
  const big = synthetic(200_000, 30, 2).X;
  model.predictProba(big); // warm-up
  const runs = Array.from({ length: 5 }, () => timeIt(() => model.predictProba(big)));
  const wall = median(runs.map((r) => r.seconds));
  const cpu = median(runs.map((r) => r.cpu));
  const rate = (s: number): string => Math.round(big.rows / s).toLocaleString('en');
  let leaves = 0;
  for (const t of model.trees()) for (let i = 0; i < t.left.length; i++) if (t.left[i] < 0) leaves++;
  const lines = [
    `Prediction: 100-tree depth-6 GBDT on 30 features (${leaves} leaves), ${big.rows} rows (median of 5): ours ${wall.toFixed(3)} s wall = ${rate(wall)} rows/s; ${cpu.toFixed(3)} CPU s = ${rate(cpu)} rows per CPU-second (target >= 1,000,000)`,
  ];
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'campaign-ml-predict-'));
  try {
    const files = ['tr.f64', 'y.f64', 'big.f64'].map((f) => path.join(dir, f));
    fs.writeFileSync(files[0], ds.X.data);
    fs.writeFileSync(files[1], ds.y);
    fs.writeFileSync(files[2], big.data);
    const pyFile = path.join(dir, 'predict.py');
    fs.writeFileSync(pyFile, PY_PREDICT);
    const ref = JSON.parse(
      execFileSync('/usr/bin/python3', [pyFile, ...files, String(ds.X.rows), String(big.rows), String(big.cols)], {
        encoding: 'utf8',
      }),
    ) as Record<'1' | '2', { wall: number; cpu: number }> & { leaves: number };
    for (const nt of ['1', '2'] as const) {
      const r = ref[nt];
      lines.push(
        `  XGBoost 1.7 inplace_predict (nthread=${nt}, ${ref.leaves} leaves): ${r.wall.toFixed(3)} s wall = ${rate(r.wall)} rows/s; ${r.cpu.toFixed(3)} CPU s` +
          ` | ours/xgb rows/s = ${(r.wall / wall).toFixed(2)}x wall${nt === '1' ? `, ${(r.cpu / cpu).toFixed(2)}x CPU` : ''}`,
      );
    }
  } catch (e) {
    lines.push(`  XGBoost inplace_predict: failed: ${(e as Error).message}`);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
  return lines;
}

function memoryChild(): void {
  const ds = synthetic(1_000_000, 30, 3);
  const t = timeIt(() => new GradientBoostingClassifier({ nEstimators: 10, maxDepth: 6 }).fit(ds.X, ds.y));
  const rssMb = process.resourceUsage().maxRSS / 1024;
  console.log(JSON.stringify({ seconds: t.seconds, rssMb }));
}

async function main(): Promise<void> {
  if (process.argv.includes('--memory-child')) return memoryChild();
  if (process.argv.includes('--predict')) {
    for (const line of throughput()) console.log(line);
    return;
  }
  const rows: Row[] = [];
  await benchDataset(synthetic(12000, 30, 0), rows);
  const ksFile = path.join(SHARED, 'kickstarter', 'kickstarter.csv');
  if (fs.existsSync(ksFile)) await benchDataset(kickstarter(ksFile), rows);
  else console.log(`(skipping Kickstarter: ${ksFile} not found)`);
  console.log('| dataset | model | fit s (wall) | fit s (CPU) | test ROC AUC | note |');
  console.log('|---|---|---:|---:|---:|---|');
  const fmt = (v: number, d: number): string => (Number.isNaN(v) ? '–' : v.toFixed(d));
  for (const r of rows)
    console.log(
      `| ${r.dataset} | ${r.model} | ${fmt(r.seconds, 3)} | ${fmt(r.cpu, 3)} | ${fmt(r.auc, 4)} | ${r.note} |`,
    );
  console.log();
  for (const line of throughput()) console.log(line);
  if (process.argv.includes('--memory')) {
    const child = spawnSync(process.execPath, [...process.execArgv, __filename, '--memory-child'], {
      encoding: 'utf8',
    });
    const res = JSON.parse(child.stdout.trim().split('\n').pop()!);
    console.log(
      `Memory: GBDT 10 rounds depth 6 on 1,000,000 x 30 took ${res.seconds.toFixed(1)} s, peak RSS ${Math.round(res.rssMb)} MB (target < 2048 MB)`,
    );
  }
}

void main();
