/**
 * Out-of-core panel benchmark (issue 17): a 33-million-row daily engagement panel like the study's
 * (tools/generators/large-panel.ts, Parquet, generated once and kept in the OS temp dir) to the
 * forecast's weekly features (buildWeeklyFeaturesSql: weeks, lags 1..4, 4-week rolling means, last
 * observed value, labels 1..4 weeks ahead) in DuckDB under a 1 GB memory limit, written to Parquet.
 *
 *   npx tsx tools/bench/pipeline/panel-duckdb.ts [--rows 33000000] [--memory 1GB] [--threads N]
 *
 * The build runs as `pipeline weekly-features` in a child process, so its peak resident memory
 * (DuckDB is in-process) is its own.
 * Targets: under 120 s and a peak under 2 GB on a 2-core machine. A ratio is printed too: the
 * in-memory builder against the SQL one on a 1-million-row panel, in the same run.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { writeLargePanel } from '../../generators/large-panel';

const root = path.resolve(__dirname, '../../..');
const arg = (name: string, def: string): string => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : def;
};

interface Built {
  seconds: number;
  peakMb: number;
  dailyRows: number;
  weeklyRows: number;
  rows: number;
}

/** `pipeline weekly-features` in its own process: its time and peak resident memory are its own. */
function build(data: string, out: string, engine: string): Built {
  const run = spawnSync(
    process.execPath,
    [
      '--import',
      'tsx',
      path.join(root, 'apps/pipeline/src/main.ts'),
      'weekly-features',
      '--data',
      data,
      '--entity',
      'profile_id',
      '--time',
      'date',
      '--target',
      'engagement',
      '--engine',
      engine,
      '--memory-limit',
      arg('memory', '1GB'),
      '--threads',
      arg('threads', String(os.availableParallelism())),
      '--out',
      out,
      '--json',
    ],
    { encoding: 'utf8', maxBuffer: 1 << 20, cwd: root },
  );
  if (run.status !== 0) throw new Error(`weekly-features failed: ${run.stderr}`);
  return JSON.parse(run.stdout.trim().split('\n').pop()!) as Built;
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
  const r = build(panel, path.join(dir, `weekly-${rows}.parquet`), 'duckdb');
  console.log(
    `${r.dailyRows} daily rows -> ${r.weeklyRows} entity-weeks -> ${r.rows} feature rows: ${r.seconds.toFixed(1)} s ` +
      `(target 120), peak ${r.peakMb.toFixed(0)} MB (target 2048)`,
  );

  // The same build in memory and in DuckDB on a 1M-row CSV panel, for a ratio.
  const small = path.join(dir, 'panel-1000000.csv');
  if (!fs.existsSync(small)) await writeLargePanel(small, { rows: 1_000_000, profiles: 7_600 });
  const mem = build(small, path.join(dir, 'weekly-1m-memory.parquet'), 'memory');
  const sql = build(small, path.join(dir, 'weekly-1m-duckdb.parquet'), 'duckdb');
  console.log(
    `1M rows (CSV): in memory ${mem.seconds.toFixed(1)} s, peak ${mem.peakMb.toFixed(0)} MB; DuckDB ${sql.seconds.toFixed(1)} s, ` +
      `peak ${sql.peakMb.toFixed(0)} MB: ${(sql.seconds / mem.seconds).toFixed(2)}x the time; ${mem.rows} vs ${sql.rows} rows`,
  );
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
