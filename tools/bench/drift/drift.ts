/**
 * Drift benchmark, 1M rows x 50 columns (40 numeric, 10 categorical; reference and current 1M rows
 * each), against scipy in the same run (tools/bench/drift/drift_reference.py, one Python process
 * started once; set BENCH_PYTHON when /usr/bin/python3 lacks scipy; the versions are printed).
 *
 *   npx tsx tools/bench/drift/drift.ts
 *     DRIFT_BENCH_REPS=3      rounds of part 1 (and of scipy);  DRIFT_BENCH_ROWS=200000  smaller data
 *     DRIFT_BENCH_CLI_REPS=3  runs of part 2;  DRIFT_BENCH_DIR=/tmp/x  keep (and reuse) bundle.json, current.csv, out/
 *     DRIFT_BENCH_TESTS=0     part 2 only (no scipy);  DRIFT_BENCH_REPORT=0  part 1 only
 *     DRIFT_BENCH_MAIN=<checkout>/apps/pipeline/src/main.ts  time another checkout's command (before/after)
 *
 * Part 1, the same per-column tests on both sides, on the same arrays in memory (the data is
 * generated on both sides from integer grids with the same IEEE operations, so both hold the same
 * doubles; every result is compared):
 *   per numeric column (40): two-sample KS (ks_2samp, method auto: asymptotic at 1M, p-value from
 *     the finite-n Kolmogorov distribution) | Wasserstein-1 divided by the reference's population
 *     std (Evidently's normed form) | the robust mode's frozen-bin test: count the current values
 *     into the reference deciles (searchsorted + bincount on scipy's side), chi2_contingency on the
 *     non-empty bins, PSI with Evidently's zero fill;
 *   per categorical column (10): counts of both sides (bincount), chi2_contingency, Jensen-Shannon
 *     (scipy.spatial.distance.jensenshannon), PSI.
 *   Ours are the package's public functions called one by one as a user would (ks2Samp and
 *   wassersteinDistanceNormed each sort their own copies, as scipy's functions do). Decile edges and
 *   reference counts (the bundle's part) are computed once, outside both timings. Timing:
 *   performance.now around our loop, time.perf_counter around scipy's loop inside its process; the
 *   rounds interleave (ours, scipy, ours, ...) so other jobs on a shared machine slow both alike.
 *
 * Part 2, `pipeline drift` end to end, the issue's "Done when": a bundle (GBDT, 50 trees, trained on
 * 20,000 reference rows, outside the timing) and the current 1M x 50 rows written as a CSV file
 * (about 500 MB, numbers in their shortest round-trip form, so the file holds the same doubles);
 * then `node --import tsx apps/pipeline/src/main.ts drift --bundle bundle.json --data current.csv
 * --out out` timed as a child process from spawn to exit: Node's start and the TypeScript loader,
 * reading the file (from the page cache: it was just written), typing every value by the bundle's
 * record validator, scoring the 1M rows (features + trees), the robust report (frozen-bin
 * chi-square + PSI per input column and for the prediction, ranking), drift.json and drift.html
 * written. Each run is followed by one more scipy round of part 1 (interleaved again); the ratio
 * is the command's median time over the median of all scipy rounds. Also printed: the sizes of
 * drift.html (limit 2 MB) and drift.json, whether any current row's first cells appear in the
 * page, and scipy's time for the tests the command itself runs (the frozen-bin and categorical
 * parts of part 1): the command runs fewer tests than part 1 (robust mode needs no reference rows,
 * so no KS or Wasserstein) but also reads, types and scores the rows, which scipy's side does not.
 *
 * No timed test asserts any of this; the script prints the figures and the ratios.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as aq from 'arquero';
import { BUNDLE_FORMAT, BUNDLE_VERSION, computeReference, type BundleDocument } from '@campaign-ml/bundle';
import { writeBundle } from '@campaign-ml/bundle/node';
import { chi2Contingency, jensenShannon, ks2Samp, psi, wassersteinDistanceNormed } from '@campaign-ml/drift';
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
      : startPythonWorker<{ ms: number; parts: Record<string, number>; versions: string; results: Result[] }>(
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
    await endToEnd(columns);
    return;
  }
  const ours: number[] = [];
  const theirs: number[] = [];
  let last: ReturnType<typeof runOurs> | undefined;
  let reference: Result[] = [];
  let scipyParts: Record<string, number> = {};
  let versions = '';
  for (let r = 0; r < REPS; r++) {
    last = runOurs();
    ours.push(last.ms);
    const py1 = await py!.ask('run');
    theirs.push(py1.ms);
    reference = py1.results;
    scipyParts = py1.parts;
    versions = py1.versions;
    console.log(`round ${r + 1}: ours ${(last.ms / 1000).toFixed(2)} s, scipy ${(py1.ms / 1000).toFixed(2)} s`);
  }

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
  const q = scipyParts;
  console.log(
    `scipy (${versions}), last round: KS ${(q.ks / 1000).toFixed(2)} s, Wasserstein ${(q.wasserstein / 1000).toFixed(2)} s, frozen bins ${(q.bins / 1000).toFixed(2)} s, categorical ${(q.categorical / 1000).toFixed(2)} s`,
  );
  const mo = median(ours);
  const mt = median(theirs);
  console.log(
    `\nper-column tests, ${NUMERIC + CATEGORICAL} columns x ${N.toLocaleString('en-US')} rows: ours ${(mo / 1000).toFixed(2)} s, scipy ${(mt / 1000).toFixed(2)} s, ratio ours/scipy ${(mo / mt).toFixed(2)}x (median of ${REPS})`,
  );
  try {
    if (process.env.DRIFT_BENCH_REPORT !== '0')
      await endToEnd(columns, {
        rounds: theirs,
        commandTests: (q.bins + q.categorical) / 1000,
        round: async () => (await py!.ask('run')).ms,
      });
  } finally {
    py!.done(); // ends the reference process and removes its files, also when the command failed
  }
}

/** Write `values` as CSV cells: String(x) gives back the same double when read. */
function writeCsv(file: string, columns: { kind: 'numeric' | 'categorical'; c: number; cur: Float64Array }[]): void {
  const fd = fs.openSync(file, 'w');
  fs.writeSync(fd, `${columns.map((col) => `x${col.c}`).join(',')}\n`);
  const block = 20_000;
  for (let start = 0; start < N; start += block) {
    const lines: string[] = [];
    for (let i = start; i < Math.min(N, start + block); i++) {
      const cells: string[] = new Array(columns.length);
      for (let j = 0; j < columns.length; j++) {
        const col = columns[j];
        cells[j] = col.kind === 'numeric' ? String(col.cur[i]) : `c${col.cur[i]}`;
      }
      lines.push(cells.join(','));
    }
    fs.writeSync(fd, `${lines.join('\n')}\n`);
  }
  fs.closeSync(fd);
}

/**
 * `pipeline drift` end to end on the current rows as a CSV file, timed as a child process from
 * spawn to exit: reading and typing the file, scoring the rows with the bundle, the robust report
 * (frozen-bin chi-square + PSI per input column and for the prediction), drift.json and drift.html
 * written. Printed beside scipy's per-column time, with the sizes of both files.
 */
async function endToEnd(
  columns: { kind: 'numeric' | 'categorical'; c: number; ref: Float64Array; cur: Float64Array }[],
  scipy?: { rounds: number[]; commandTests: number; round: () => Promise<number> },
): Promise<void> {
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
  const dir = process.env.DRIFT_BENCH_DIR ?? fs.mkdtempSync(path.join(os.tmpdir(), 'drift-bench-'));
  fs.mkdirSync(dir, { recursive: true });
  const bundleFile = path.join(dir, 'bundle.json');
  const csv = path.join(dir, 'current.csv');
  const out = path.join(dir, 'out');
  await writeBundle(bundleFile, doc);
  console.log(
    `\nend to end: bundle (GBDT, 50 trees) trained on ${trainRows.toLocaleString('en-US')} reference rows in ${((performance.now() - t) / 1000).toFixed(1)} s`,
  );
  t = performance.now();
  if (!(process.env.DRIFT_BENCH_DIR && fs.existsSync(csv))) writeCsv(csv, columns);
  console.log(
    `current rows written to ${csv} (${(fs.statSync(csv).size / 1e6).toFixed(0)} MB) in ${((performance.now() - t) / 1000).toFixed(1)} s`,
  );
  // DRIFT_BENCH_MAIN: another checkout's main.ts (an earlier commit, for a before/after), run from its root.
  const main = process.env.DRIFT_BENCH_MAIN ?? path.join(__dirname, '../../../apps/pipeline/src/main.ts');
  const root = path.resolve(path.dirname(main), '../../..');
  const args = ['--import', 'tsx', main, 'drift', '--bundle', bundleFile, '--data', csv, '--out', out];
  const runs: number[] = [];
  const cliReps = Number(process.env.DRIFT_BENCH_CLI_REPS ?? 1);
  let stdout = '';
  let stderr = '';
  for (let r = 0; r < cliReps; r++) {
    fs.rmSync(out, { recursive: true, force: true });
    t = performance.now();
    const res = spawnSync(process.execPath, [...args, ...(process.env.DRIFT_BENCH_CLI_ARGS?.split(' ') ?? [])], {
      encoding: 'utf8',
      cwd: root,
      maxBuffer: 64 << 20,
      env: { ...process.env, NODE_OPTIONS: process.env.DRIFT_BENCH_CLI_NODE_OPTIONS ?? '--max-old-space-size=8192' },
    });
    runs.push(performance.now() - t);
    console.log(`  run ${r + 1}: ${((performance.now() - t) / 1000).toFixed(2)} s`);
    if (scipy) {
      const ms = await scipy.round();
      scipy.rounds.push(ms);
      console.log(`  scipy round: ${(ms / 1000).toFixed(2)} s`);
    }
    stdout = res.stdout;
    stderr = res.stderr;
    if (res.status !== 0 && res.status !== 3)
      throw new Error(`pipeline drift exited ${res.status}: ${res.stderr}\n${res.stdout}`);
  }
  const html = fs.readFileSync(path.join(out, 'drift.html'), 'utf8');
  const jsonBytes = fs.statSync(path.join(out, 'drift.json')).size;
  const htmlBytes = Buffer.byteLength(html);
  // No raw row in the page: no current row's first three cells appear next to each other.
  const rowsSeen = [0, 1, N >> 1, N - 1].filter((i) =>
    html.includes(
      columns
        .slice(0, 3)
        .map((col) => String(col.cur[i]))
        .join(','),
    ),
  ).length;
  const s = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
  const cli = median(runs);
  console.log(`pipeline drift --bundle bundle.json --data current.csv --out out: ${s(cli)} (median of ${cliReps})`);
  console.log(`  ${stdout.trim().split('\n')[0]}`);
  if (stderr.trim())
    console.log(
      stderr
        .trim()
        .split('\n')
        .map((l) => `  | ${l}`)
        .join('\n'),
    );
  console.log(
    `  drift.html ${(htmlBytes / 1e6).toFixed(3)} MB (limit 2 MB: ${htmlBytes <= 2e6 ? 'ok' : 'OVER'}), drift.json ${(jsonBytes / 1e6).toFixed(3)} MB; raw rows found in drift.html: ${rowsSeen}`,
  );
  if (scipy) {
    const scipyMs = median(scipy.rounds);
    console.log(
      `  scipy's per-column tests (part 1), median of ${scipy.rounds.length} rounds: ${s(scipyMs)}; pipeline drift / scipy = ${(cli / scipyMs).toFixed(2)}x`,
    );
    console.log(
      `  (scipy on only the tests the command runs, frozen bins + categorical, arrays in memory: ${scipy.commandTests.toFixed(2)} s)`,
    );
  }
  if (!process.env.DRIFT_BENCH_DIR) fs.rmSync(dir, { recursive: true, force: true });
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
