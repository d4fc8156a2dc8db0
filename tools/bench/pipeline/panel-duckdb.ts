/**
 * Out-of-core panel benchmark (issue 17): a 33-million-row daily engagement panel like the study's
 * (tools/generators/large-panel.ts, Parquet, generated once and kept in the OS temp dir) to the
 * forecast's weekly features (buildWeeklyFeaturesSql: weeks, lags 1..4, 4-week rolling means, last
 * observed value, labels 1..4 weeks ahead) in DuckDB under a 1 GB memory limit, written to Parquet.
 *
 *   npx tsx tools/bench/pipeline/panel-duckdb.ts [--rows 33000000] [--memory 1GB] [--threads N]
 *
 * The build runs in a child process so its peak resident memory (DuckDB is in-process) is its own.
 * Targets: under 120 s and a peak under 2 GB on a 2-core machine. A ratio is printed too: the
 * in-memory builder against the SQL one on a 1-million-row panel, in the same run.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { readTable } from '@campaign-ml/ingest';
import { buildWeeklyFeatures } from '../../../apps/pipeline/src/forecast/weekly-features';
import { buildWeeklyFeaturesSql } from '../../../apps/pipeline/src/forecast/weekly-features-sql';
import { writeLargePanel } from '../../generators/large-panel';

const arg = (name: string, def: string): string => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : def;
};
const spec = {
  entity: 'profile_id',
  time: 'date',
  target: 'engagement',
  horizons: [7, 14, 21, 28],
  lags: 4,
  rolling: [4],
};

async function child(): Promise<void> {
  const started = performance.now();
  const r = await buildWeeklyFeaturesSql(arg('in', ''), spec, {
    out: arg('out', ''),
    memoryLimit: arg('memory', '1GB'),
    threads: Number(arg('threads', String(os.availableParallelism()))),
  });
  const seconds = (performance.now() - started) / 1000;
  const peakMb = process.resourceUsage().maxRSS / 1024;
  process.stdout.write(
    JSON.stringify({ seconds, peakMb, dailyRows: r.dailyRows, weeklyRows: r.weeklyRows, rows: r.rows }),
  );
}

async function main(): Promise<void> {
  const rows = Number(arg('rows', '33000000'));
  const dir = path.join(os.tmpdir(), 'campaign-ml-bench');
  const panel = path.join(dir, `panel-${rows}.parquet`);
  if (!fs.existsSync(panel)) {
    const t = performance.now();
    const n = await writeLargePanel(panel, { rows, profiles: Math.max(1, Math.round(rows / 132)) });
    console.log(`generated ${n} rows in ${((performance.now() - t) / 1000).toFixed(1)} s -> ${panel}`);
  }
  const out = path.join(dir, `weekly-${rows}.parquet`);
  const run = spawnSync(
    process.execPath,
    [
      '--import',
      'tsx',
      __filename,
      '--child',
      '--in',
      panel,
      '--out',
      out,
      '--memory',
      arg('memory', '1GB'),
      '--threads',
      arg('threads', String(os.availableParallelism())),
    ],
    { encoding: 'utf8', maxBuffer: 1 << 20 },
  );
  if (run.status !== 0) throw new Error(`the build failed: ${run.stderr}`);
  const r = JSON.parse(run.stdout) as {
    seconds: number;
    peakMb: number;
    dailyRows: number;
    weeklyRows: number;
    rows: number;
  };
  console.log(
    `${r.dailyRows} daily rows -> ${r.weeklyRows} entity-weeks -> ${r.rows} feature rows: ${r.seconds.toFixed(1)} s (target 120), peak ${r.peakMb.toFixed(0)} MB (target 2048)`,
  );

  // The same build in memory and in DuckDB on a 1M-row panel, for a ratio.
  const small = path.join(dir, 'panel-1000000.csv');
  if (!fs.existsSync(small)) await writeLargePanel(small, { rows: 1_000_000, profiles: 7_600 });
  let t = performance.now();
  const table = await readTable(small);
  const mem = buildWeeklyFeatures(table, spec);
  const memSeconds = (performance.now() - t) / 1000;
  t = performance.now();
  const sql = await buildWeeklyFeaturesSql(small, spec);
  const sqlSeconds = (performance.now() - t) / 1000;
  console.log(
    `1M rows (CSV): in memory ${memSeconds.toFixed(1)} s (read + build), DuckDB ${sqlSeconds.toFixed(1)} s: ${(sqlSeconds / memSeconds).toFixed(2)}x; ${mem.table.numRows()} vs ${sql.rows} rows`,
  );
}

(process.argv.includes('--child') ? child() : main()).catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
