import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import type { ColumnTable } from 'arquero';
import { DuckDBInstance } from '@duckdb/node-api';
import { ConfigError } from '@campaign-ml/core';
import { readTableWithInfo } from '@campaign-ml/ingest';
import { buildWeeklyFeatures } from '../forecast/weekly-features';
import { buildWeeklyFeaturesSql } from '../forecast/weekly-features-sql';
import { Progress } from '../progress';

export interface WeeklyFeaturesOptions {
  data: string;
  entity: string;
  time: string;
  target: string;
  horizons: string;
  lags: string;
  rolling: string;
  out: string;
  engine: string;
  memoryLimit: string;
  threads?: string;
  json?: boolean;
  quiet?: boolean;
}

/**
 * `pipeline weekly-features`: the forecast's weekly feature table from a daily panel file, written
 * to Parquet: by DuckDB out of core (default; the file is streamed, sorts spill past
 * --memory-limit) or in memory (--engine memory, written through DuckDB too).
 */
export async function runWeeklyFeatures(o: WeeklyFeaturesOptions): Promise<void> {
  const progress = Progress.forStream(process.stderr, Boolean(o.quiet || o.json));
  const list = (name: string, v: string) =>
    v.split(',').map((s) => {
      const n = Number(s.trim());
      if (!Number.isInteger(n) || n < 1) {
        throw new ConfigError('INVALID_OPTION', `--${name} takes whole numbers separated by commas (got "${v}")`, {
          column: name,
          value: v,
        });
      }
      return n;
    });
  const spec = {
    entity: o.entity,
    time: o.time,
    target: o.target,
    horizons: list('horizons', o.horizons),
    lags: list('lags', o.lags)[0],
    rolling: list('rolling', o.rolling),
  };
  const out = path.resolve(o.out);
  const started = performance.now();
  progress.stage('weekly features');
  let summary: { dailyRows: number; weeklyRows: number; rows: number; inputs: number };
  if (o.engine === 'duckdb') {
    const r = await buildWeeklyFeaturesSql(o.data, spec, {
      out,
      memoryLimit: o.memoryLimit,
      threads: o.threads === undefined ? undefined : Number(o.threads),
    });
    summary = { dailyRows: r.dailyRows, weeklyRows: r.weeklyRows, rows: r.rows, inputs: r.inputs.length };
  } else if (o.engine === 'memory') {
    const { table } = await readTableWithInfo(o.data);
    const r = buildWeeklyFeatures(table, spec);
    await writeParquet(r.table, out);
    summary = {
      dailyRows: table.numRows(),
      weeklyRows: r.weeklyRows,
      rows: r.table.numRows(),
      inputs: r.inputs.length,
    };
  } else {
    throw new ConfigError('INVALID_OPTION', `--engine is "${o.engine}"; use duckdb or memory`, {
      column: 'engine',
      value: o.engine,
      expected: 'duckdb | memory',
    });
  }
  const seconds = (performance.now() - started) / 1000;
  const peakMb = process.resourceUsage().maxRSS / 1024;
  if (o.json) process.stdout.write(`${JSON.stringify({ ...summary, out, seconds, peakMb })}\n`);
  else {
    progress.info(
      `${summary.dailyRows} daily rows -> ${summary.weeklyRows} entity-weeks -> ${summary.rows} rows x ${summary.inputs} inputs in ${seconds.toFixed(1)} s (peak ${peakMb.toFixed(0)} MB) -> ${out}`,
    );
  }
}

/** An in-memory table to Parquet, through DuckDB (rows appended from a JSON Lines temp file). */
async function writeParquet(table: ColumnTable, out: string): Promise<void> {
  const tmp = `${out}.part-${process.pid}.jsonl`;
  const lines: string[] = [];
  for (const row of table.objects() as Record<string, unknown>[]) lines.push(JSON.stringify(row));
  await fs.writeFile(tmp, `${lines.join('\n')}\n`);
  const instance = await DuckDBInstance.create(':memory:');
  const db = await instance.connect();
  try {
    const part = `${out}.part-${process.pid}`;
    await db.run(
      `COPY (SELECT * FROM read_json('${tmp.replace(/'/g, "''")}', format = 'newline_delimited')) TO '${part.replace(/'/g, "''")}' (FORMAT parquet)`,
    );
    await fs.rename(part, out);
  } finally {
    db.closeSync();
    instance.closeSync();
    await fs.rm(tmp, { force: true });
  }
}
