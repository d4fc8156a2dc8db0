/**
 * Drift benchmark: the per-column drift tests of @campaign-ml/drift on 1M rows x 50 columns
 * (40 numeric, 10 categorical; reference and current 1M rows each) against scipy 1.10 doing the
 * same tests on the same data in the same run (tools/bench/drift/drift_reference.py).
 *
 *   npx tsx tools/bench/drift/drift.ts            (DRIFT_BENCH_REPS=3 for more rounds; DRIFT_BENCH_ROWS to resize)
 *
 * Per numeric column: two-sample KS (scipy's auto choice is asymptotic at this size; the p-value
 * from the finite-n Kolmogorov distribution), Wasserstein-1 normed by the reference std
 * (Evidently's), and the robust mode's test: count into the reference deciles, chi-square
 * contingency on the non-empty bins, PSI. Per categorical column: counts of both sides,
 * chi-square contingency, Jensen-Shannon, PSI. Ours are the package's public functions called one
 * by one as a user would (ks2Samp and wassersteinDistanceNormed each sort their own copies, as
 * scipy's functions do).
 *
 * The data is generated on both sides from integer grids with the same IEEE operations, so both
 * hold the same doubles (checked: the results must agree). Decile edges and reference counts (the
 * bundle's part) are computed once, outside the timing. Timing: performance.now around our loop;
 * perf_counter around scipy's inside its own process, started once. The rounds interleave (ours,
 * scipy, ours, ...) so other jobs on a shared machine slow both alike. No timed test asserts any
 * of this; the script prints the figures and the ratio.
 *
 * Then, end to end (DRIFT_BENCH_REPORT=0 skips it): a bundle (GBDT, 50 trees, on 20,000 reference
 * rows) and driftReport(bundle, current) in robust mode on the 1M x 50 current table: typing every
 * value through the bundle's record validator, scoring the rows, the frozen-bin tests, the report;
 * what `pipeline drift` will do after reading the file. Printed beside scipy's per-column time.
 * Needs a larger heap: NODE_OPTIONS='--max-old-space-size=8192 --expose-gc' (gc between the parts).
 * DRIFT_BENCH_TESTS=0 runs only this part.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as aq from 'arquero';
import { Bundle, BUNDLE_FORMAT, BUNDLE_VERSION, computeReference, type BundleDocument } from '@campaign-ml/bundle';
import {
  chi2Contingency,
  driftReport,
  jensenShannon,
  ks2Samp,
  psi,
  wassersteinDistanceNormed,
} from '@campaign-ml/drift';
import { recommendedPipeline } from '@campaign-ml/features';
import { GradientBoostingClassifier } from '@campaign-ml/models';
import { inferSchema } from '@campaign-ml/schema';
import { median, startPythonWorker } from '../models/bench-kit';

const N = Number(process.env.DRIFT_BENCH_ROWS ?? 1_000_000);
const NUMERIC = 40;
const CATEGORICAL = 10;
const REPS = Number(process.env.DRIFT_BENCH_REPS ?? 1);

function step(c: number, s: number, j: number): number {
  return 10 * (137 * c + 31 * s + 17 * j + 1) + [1, 3, 7, 9][(c + s + j) % 4];
}

function grid(c: number, s: number, j: number): Float64Array {
  const st = step(c, s, j);
  const out = new Float64Array(N);
  for (let i = 0; i < N; i++) out[i] = (((i * st) % N) + 0.5) / N;
  return out;
}

/** The same values as drift_reference.py's numeric(c, s). */
function numeric(c: number, s: number): Float64Array {
  const kind = c % 5;
  const g0 = grid(c, s, 0);
  let v: Float64Array;
  if (kind === 0) {
    const g1 = grid(c, s, 1);
    const g2 = grid(c, s, 2);
    v = g0.map((x, i) => x + g1[i] + g2[i]);
  } else if (kind === 1) v = g0.map((x) => 1 / (x + 0.01));
  else if (kind === 2) v = g0.map((x) => Math.floor(x * 50));
  else if (kind === 3) v = g0.map((x) => x * 100 - 50);
  else {
    const g1 = grid(c, s, 1);
    v = g0.map((x, i) => Math.floor((x + g1[i]) * 1000) / 1000);
  }
  if (s === 1 && c % 8 === 0) v = v.map((x) => x * 1.1 + 0.05);
  else if (s === 1 && c % 8 === 3) v = v.map((x) => x + 0.004);
  return v;
}

const categories = (c: number) => 3 + (c - NUMERIC) * 3;

function categorical(c: number, s: number): Float64Array {
  const k = categories(c);
  const g0 = grid(c, s, 0);
  if (s === 1 && c % 3 === 0) {
    const g1 = grid(c, s, 1);
    return g0.map((x, i) => Math.floor(x * g1[i] * k));
  }
  return g0.map((x) => Math.floor(x * x * k));
}

/** Decile edges as the bundle's numericReference computes them, and the reference counts in those bins. */
function deciles(ref: Float64Array): { edges: number[]; counts: Float64Array } {
  const sorted = ref.slice().sort();
  const edges: number[] = [];
  for (let b = 1; b < 10; b++) {
    const e = sorted[Math.min(N - 1, Math.floor((b * N) / 10))];
    if (!edges.length || e > edges[edges.length - 1]) edges.push(e);
  }
  return { edges, counts: countBins(ref, edges) };
}

/** Right-closed bins (-inf, e0], (e0, e1], ..., (ek, inf): the robust mode's frozen numeric bins. */
function countBins(values: Float64Array, edges: number[]): Float64Array {
  const counts = new Float64Array(edges.length + 1);
  const k = edges.length;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    let a = 0;
    let b = k;
    while (a < b) {
      const mid = (a + b) >> 1;
      if (v <= edges[mid]) b = mid;
      else a = mid + 1;
    }
    counts[a]++;
  }
  return counts;
}

function nonEmpty(r: ArrayLike<number>, c: ArrayLike<number>): [number[], number[]] {
  const a: number[] = [];
  const b: number[] = [];
  for (let i = 0; i < r.length; i++) {
    if (r[i] > 0 || c[i] > 0) {
      a.push(r[i]);
      b.push(c[i]);
    }
  }
  return [a, b];
}

interface Result {
  column: number;
  ks?: [number, number];
  wasserstein?: number;
  chi2: [number, number];
  js?: number;
  psi: number;
}

async function main(): Promise<void> {
  const t0 = performance.now();
  const columns: { kind: 'numeric' | 'categorical'; c: number; ref: Float64Array; cur: Float64Array }[] = [];
  const edges: Record<string, number[]> = {};
  const refCounts: Record<string, number[]> = {};
  const cats: Record<string, number> = {};
  for (let c = 0; c < NUMERIC; c++) {
    const ref = numeric(c, 0);
    const d = deciles(ref);
    edges[c] = d.edges;
    refCounts[c] = Array.from(d.counts);
    columns.push({ kind: 'numeric', c, ref, cur: numeric(c, 1) });
  }
  for (let c = NUMERIC; c < NUMERIC + CATEGORICAL; c++) {
    cats[c] = categories(c);
    columns.push({ kind: 'categorical', c, ref: categorical(c, 0), cur: categorical(c, 1) });
  }
  console.log(
    `data: ${N.toLocaleString('en-US')} rows x ${NUMERIC + CATEGORICAL} columns per side, generated in ${((performance.now() - t0) / 1000).toFixed(1)} s`,
  );

  const script = fs.readFileSync(path.join(__dirname, 'drift_reference.py'), 'utf8');
  const py =
    process.env.DRIFT_BENCH_TESTS === '0'
      ? undefined
      : startPythonWorker<{ ms: number; results: Result[] }>(
          'drift',
          script,
          { rows: N, numeric: NUMERIC, categorical: CATEGORICAL, edges, refCounts, categories: cats },
          {},
        );

  const runOurs = (): { ms: number; results: Result[]; parts: Record<string, number> } => {
    const parts = { ks: 0, wasserstein: 0, bins: 0, categorical: 0 };
    const results: Result[] = [];
    const t = performance.now();
    for (const col of columns) {
      if (col.kind === 'numeric') {
        let s = performance.now();
        const ks = ks2Samp(col.ref, col.cur);
        parts.ks += performance.now() - s;
        s = performance.now();
        const w = wassersteinDistanceNormed(col.ref, col.cur);
        parts.wasserstein += performance.now() - s;
        s = performance.now();
        const [r, c] = nonEmpty(refCounts[col.c], countBins(col.cur, edges[col.c]));
        const chi = chi2Contingency([r, c]);
        const p = psi(r, c);
        parts.bins += performance.now() - s;
        results.push({
          column: col.c,
          ks: [ks.statistic, ks.pValue],
          wasserstein: w,
          chi2: [chi.statistic, chi.pValue],
          psi: p,
        });
      } else {
        const s = performance.now();
        const k = cats[col.c];
        const rc = new Float64Array(k);
        const cc = new Float64Array(k);
        for (let i = 0; i < col.ref.length; i++) rc[col.ref[i]]++;
        for (let i = 0; i < col.cur.length; i++) cc[col.cur[i]]++;
        const [r, c] = nonEmpty(rc, cc);
        const chi = chi2Contingency([r, c]);
        results.push({ column: col.c, chi2: [chi.statistic, chi.pValue], js: jensenShannon(rc, cc), psi: psi(r, c) });
        parts.categorical += performance.now() - s;
      }
    }
    return { ms: performance.now() - t, results, parts };
  };

  if (process.env.DRIFT_BENCH_TESTS === '0') {
    endToEnd(columns, NaN);
    return;
  }
  const ours: number[] = [];
  const theirs: number[] = [];
  let last: ReturnType<typeof runOurs> | undefined;
  let reference: Result[] = [];
  for (let r = 0; r < REPS; r++) {
    last = runOurs();
    ours.push(last.ms);
    const py1 = await py!.ask('run');
    theirs.push(py1.ms);
    reference = py1.results;
    console.log(`round ${r + 1}: ours ${(last.ms / 1000).toFixed(2)} s, scipy ${(py1.ms / 1000).toFixed(2)} s`);
  }
  py!.done();

  // Agreement, column by column.
  let worst = 0;
  let worstAt = '';
  const rel = (a: number, b: number) => (a === b ? 0 : Math.abs(a - b) / Math.max(Math.abs(b), 1e-300));
  last!.results.forEach((o, i) => {
    const s = reference[i];
    const pairs: [string, number, number][] = [
      ['chi2', o.chi2[0], s.chi2[0]],
      ['chi2 p', o.chi2[1], s.chi2[1]],
      ['psi', o.psi, s.psi],
    ];
    if (o.ks)
      pairs.push(
        ['ks D', o.ks[0], s.ks![0]],
        ['ks p', o.ks[1], s.ks![1]],
        ['wasserstein', o.wasserstein!, s.wasserstein!],
      );
    if (o.js !== undefined) pairs.push(['js', o.js, s.js!]);
    for (const [name, a, b] of pairs) {
      const e = name.endsWith(' p') && b < 1e-300 ? Math.abs(a - b) : rel(a, b);
      if (e > worst) {
        worst = e;
        worstAt = `column ${o.column} ${name}: ours ${a}, scipy ${b}`;
      }
    }
  });
  const ksP = last!.results.filter((r) => r.ks).map((r) => r.ks![1]);
  console.log(
    `KS p-values: ${ksP.filter((p) => p === 0).length} zero, ${ksP.filter((p) => p > 0 && p < 0.05).length} in (0, 0.05), ${ksP.filter((p) => p >= 0.05).length} >= 0.05`,
  );
  console.log(
    `largest relative difference to scipy over all results: ${worst.toExponential(2)}${worst ? ` (${worstAt})` : ''}`,
  );
  const p = last!.parts;
  console.log(
    `ours, last round: KS ${(p.ks / 1000).toFixed(2)} s, Wasserstein ${(p.wasserstein / 1000).toFixed(2)} s, frozen bins ${(p.bins / 1000).toFixed(2)} s, categorical ${(p.categorical / 1000).toFixed(2)} s`,
  );
  const mo = median(ours);
  const mt = median(theirs);
  console.log(
    `\nper-column tests, ${NUMERIC + CATEGORICAL} columns x ${N.toLocaleString('en-US')} rows: ours ${(mo / 1000).toFixed(2)} s, scipy ${(mt / 1000).toFixed(2)} s, ratio ours/scipy ${(mo / mt).toFixed(2)}x (median of ${REPS})`,
  );
  if (process.env.DRIFT_BENCH_REPORT !== '0') endToEnd(columns, mt);
}

/** driftReport on the whole current table with a trained bundle, against scipy's per-column time. */
function endToEnd(
  columns: { kind: 'numeric' | 'categorical'; c: number; ref: Float64Array; cur: Float64Array }[],
  scipyMs: number,
): void {
  const table = (side: 'ref' | 'cur', rows = N) =>
    aq.table(
      Object.fromEntries(
        columns.map((col) => {
          const v = col[side].subarray(0, rows);
          return [`x${col.c}`, col.kind === 'numeric' ? v : Array.from(v, (code) => `c${code}`)];
        }),
      ),
    );
  const trainRows = 20000;
  const train = table('ref', trainRows);
  const x0 = columns[0].ref;
  const x2 = columns[2].ref;
  const cat = columns[NUMERIC].ref;
  const y = Float64Array.from({ length: trainRows }, (_, i) =>
    x0[i] + (x2[i] > 20 ? 0.5 : 0) + (cat[i] === 0 ? 0.3 : 0) > 1.8 ? 1 : 0,
  );
  const withTarget = train.assign({ y: Array.from(y, (v) => (v ? 'yes' : 'no')) });
  let t = performance.now();
  // Numeric columns are amounts ('number'): the current side adds 0.004 to some integer-valued ones.
  const types = Object.fromEntries(
    columns.filter((c) => c.kind === 'numeric').map((c) => [`x${c.c}`, 'number' as const]),
  );
  const full = inferSchema(withTarget, { target: 'y', types });
  const { pipeline, X } = recommendedPipeline(full, 'binary', { model: 'tree' }).fitTransform(withTarget, y);
  const model = new GradientBoostingClassifier({ nEstimators: 50, maxDepth: 4 }).fit(X, y);
  const schema = { rows: full.rows, columns: full.columns.filter((c) => c.role !== 'target') };
  const P = model.predictProba(X);
  const doc: BundleDocument = {
    format: BUNDLE_FORMAT,
    version: BUNDLE_VERSION,
    id: 'drift-bench',
    createdAt: new Date(0).toISOString(),
    task: 'binary',
    target: { column: 'y', classes: ['no', 'yes'], positiveClass: 'yes' },
    schema,
    features: pipeline.toJSON(),
    model: { name: 'gradientBoosting', fitted: model.toJSON(), threshold: 0.5 },
    metrics: {},
    reference: computeReference(
      train,
      schema,
      Float64Array.from({ length: trainRows }, (_, i) => P[i * 2 + 1]),
    ),
    provenance: { dataSha256: '0'.repeat(64), rows: trainRows, config: {}, packageVersions: {} },
  };
  const bundle = Bundle.fromJSON(doc);
  console.log(
    `\nend to end: bundle trained on ${trainRows.toLocaleString('en-US')} reference rows in ${((performance.now() - t) / 1000).toFixed(1)} s`,
  );
  const current = table('cur');
  // The parts first, each from a collected heap (run with --expose-gc for that), then the whole.
  const gc = (globalThis as { gc?: () => void }).gc ?? (() => undefined);
  gc();
  t = performance.now();
  let typed: aq.ColumnTable | undefined = bundle.validator('unseen').table(current).table;
  const typing = performance.now() - t;
  t = performance.now();
  let scores: Float64Array | undefined = bundle.scoreTable(typed);
  const scoring = performance.now() - t;
  gc();
  t = performance.now();
  const own = driftReport(bundle, typed, { typed: true, predictions: scores });
  const drift = performance.now() - t;
  typed = undefined;
  scores = undefined;
  gc();
  t = performance.now();
  const report = driftReport(bundle, current);
  const total = performance.now() - t;
  if (own.dataset.driftedColumns !== report.dataset.driftedColumns) throw new Error('typed and untyped runs disagree');
  gc();
  // What `pipeline drift --no-prediction` runs after reading the file: typing + the input columns.
  t = performance.now();
  const inputsOnly = driftReport(bundle, current, { predictions: false });
  const inputs = performance.now() - t;
  if (inputsOnly.dataset.driftedColumns !== report.dataset.driftedColumns) throw new Error('inputs-only run disagrees');
  const s = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
  console.log(
    `driftReport(bundle, ${N.toLocaleString('en-US')} x ${columns.length}), robust: ${s(total)}; ${report.dataset.driftedColumns} of ${report.dataset.columns} columns drifted`,
  );
  console.log(
    `  = typing every value with the bundle's record validator (schema) ${s(typing)} + scoring the rows (features, model) ${s(scoring)} + drift's own work ${s(drift)} (typed: true, predictions given)`,
  );
  console.log(
    `  scipy's per-column tests ${s(scipyMs)}: whole report ${(total / scipyMs).toFixed(2)}x, drift's own work ${(drift / scipyMs).toFixed(2)}x`,
  );
  console.log(
    `driftReport(bundle, current, { predictions: false }) (pipeline drift --no-prediction): ${s(inputs)}, ${(inputs / scipyMs).toFixed(2)}x scipy's per-column tests`,
  );
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
