/**
 * Peak memory of batch scoring (pipeline predict) on a large synthetic CSV: streaming in chunks of
 * 10,000 rows against one chunk that holds the whole input (what reading the whole file costs),
 * each a `predict` CLI run in its own process (peak RSS and wall time from GNU time), interleaved rep by rep.
 * The CSV repeats the embedded Kickstarter-like sample with fresh ids; the bundle is trained on the
 * sample (dummy + logistic, no tuning).
 *
 *   npx tsx tools/bench/pipeline/predict-memory.ts [--rows 1000000] [--reps 2] [--chunk 10000]
 *
 * Prints peak RSS and wall time per run and the whole/streamed ratios (timings are noisy on a
 * shared machine: compare within one run).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { createWriteStream, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { once } from 'node:events';

const root = path.resolve(__dirname, '../../..');
const sample = path.join(root, 'data/kickstarter-sample.csv');
const arg = (name: string, fallback: number) => {
  const at = process.argv.indexOf(name);
  return at > 0 ? Number(process.argv[at + 1]) : fallback;
};

interface ChildResult {
  maxRssMb: number;
  seconds: number;
  rows: number;
  scored: number;
}

/** One `predict` run in its own process (node --import tsx, no tsx parent) under GNU time. */
function predict(bundle: string, data: string, out: string, chunkRows: number): ChildResult {
  const main = path.join(root, 'apps/pipeline/src/main.ts');
  const r = spawnSync(
    '/usr/bin/time',
    [
      '-f',
      'BENCH %M %e',
      process.execPath,
      '--import',
      'tsx',
      main,
      'predict',
      '--bundle',
      bundle,
      '--data',
      data,
      '--out',
      out,
      '--rejects',
      `${out}.rejects.csv`,
      '--chunk-rows',
      String(chunkRows),
      '--quiet',
    ],
    { cwd: root, encoding: 'utf8' },
  );
  const m = /BENCH (\d+) ([\d.]+)/.exec(r.stderr);
  const summary = /(\d+) of (\d+) rows scored/.exec(r.stdout);
  if (r.status !== 0 || !m || !summary) throw new Error(`predict failed (${r.status}): ${r.stderr}`);
  return { maxRssMb: Number(m[1]) / 1024, seconds: Number(m[2]), rows: Number(summary[2]), scored: Number(summary[1]) };
}

async function makeCsv(file: string, rows: number): Promise<void> {
  const lines = readFileSync(sample, 'utf8').trimEnd().split('\n');
  const header = lines[0];
  const body = lines.slice(1);
  if (!header.startsWith('id,')) throw new Error('the sample no longer starts with an id column');
  const out = createWriteStream(file);
  out.write(`${header}\n`);
  for (let i = 0; i < rows; i++) {
    const line = body[i % body.length];
    if (!out.write(`${i + 1}${line.slice(line.indexOf(','))}\n`)) await once(out, 'drain');
  }
  out.end();
  await once(out, 'finish');
}

async function main(): Promise<void> {
  const rows = arg('--rows', 1_000_000);
  const reps = arg('--reps', 2);
  const chunk = arg('--chunk', 10_000);
  const dir = mkdtempSync(path.join(os.tmpdir(), 'bench-predict-memory-'));
  try {
    const tsx = path.join(root, 'node_modules/.bin/tsx');
    const main = path.join(root, 'apps/pipeline/src/main.ts');
    const trained = execFileSync(
      tsx,
      [
        main,
        'train',
        '--data',
        sample,
        '--target',
        'state',
        '--positive',
        'successful',
        '--exclude-labels',
        'canceled,live',
        '--models',
        'dummy,logistic',
        '--trials',
        '0',
        '--no-tracking',
        '--no-ensemble',
        '--out',
        path.join(dir, 'runs'),
        '--json',
      ],
      { cwd: root, encoding: 'utf8' },
    );
    const bundle = path.join((JSON.parse(trained) as { runDir: string }).runDir, 'bundle.json');
    const data = path.join(dir, 'big.csv');
    await makeCsv(data, rows);
    console.log(
      `${rows.toLocaleString('en-US')} rows, ${(statSync(data).size / 2 ** 20).toFixed(0)} MiB CSV; chunks of ${chunk.toLocaleString('en-US')} vs one chunk of the whole input; ${reps} interleaved reps`,
    );
    const runs: Record<'streamed' | 'whole', ChildResult[]> = { streamed: [], whole: [] };
    for (let r = 0; r < reps; r++) {
      for (const mode of ['streamed', 'whole'] as const) {
        const out = path.join(dir, `${mode}.csv`);
        const res = predict(bundle, data, out, mode === 'streamed' ? chunk : rows + 1);
        if (res.rows !== rows) throw new Error(`${mode}: ${res.rows} rows read, expected ${rows}`);
        runs[mode].push(res);
        console.log(
          `  rep ${r + 1} ${mode.padEnd(8)} peak RSS ${res.maxRssMb.toFixed(0).padStart(6)} MB  ${res.seconds.toFixed(1).padStart(6)} s  (${res.scored.toLocaleString('en-US')} scored)`,
        );
      }
      if (readFileSync(path.join(dir, 'streamed.csv')).compare(readFileSync(path.join(dir, 'whole.csv'))) !== 0)
        throw new Error('streamed and whole outputs differ');
    }
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
    const mem = runs.whole.map((w, i) => w.maxRssMb / runs.streamed[i].maxRssMb);
    const time = runs.whole.map((w, i) => w.seconds / runs.streamed[i].seconds);
    console.log(
      `peak RSS whole/streamed: ${mem.map((x) => x.toFixed(1)).join(', ')} (median ${median(mem).toFixed(1)}x); time whole/streamed: ${time.map((x) => x.toFixed(2)).join(', ')}`,
    );
    console.log('outputs identical: yes');
    writeFileSync(path.join(dir, 'done'), '');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((e) => {
  console.error(e);
  process.exitCode = 1;
});
