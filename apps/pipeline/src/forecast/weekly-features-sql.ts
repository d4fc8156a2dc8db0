import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as aq from 'arquero';
import type { ColumnTable } from 'arquero';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { InputError } from '@campaign-ml/core';
import type { PanelAggregate } from '@campaign-ml/features';
import { LEVEL_NAME, horizonWeeks, type HorizonTarget, type WeeklyFeatureSpec } from './weekly-features';

export interface SqlPanelOptions {
  /** DuckDB's memory limit (`memory_limit`): beyond it, sorts, joins and windows spill to disk. Default '1GB'. */
  memoryLimit?: string;
  /** Where DuckDB spills; default a fresh directory under the OS temp dir, removed afterwards. */
  tempDirectory?: string;
  /** DuckDB threads; default all cores. */
  threads?: number;
  /** Write the weekly feature table to this Parquet file instead of returning it in memory. */
  out?: string;
}

export interface WeeklyFeaturesSql {
  /** The weekly feature table in memory (absent when written to `out`). */
  table?: ColumnTable;
  /** The Parquet file written (with `out`). */
  out?: string;
  inputs: string[];
  lastValue: string;
  targets: HorizonTarget[];
  aggregate: Record<string, PanelAggregate>;
  /** Daily rows read. */
  dailyRows: number;
  /** Entity-weeks before rows without any input were dropped. */
  weeklyRows: number;
  /** Rows of the feature table. */
  rows: number;
}

const NUMERIC = /^(TINYINT|SMALLINT|INTEGER|BIGINT|HUGEINT|UTINYINT|USMALLINT|UINTEGER|UBIGINT|FLOAT|DOUBLE|DECIMAL)/;

/**
 * buildWeeklyFeatures as SQL over a CSV or Parquet file in DuckDB, for daily panels larger than
 * memory: DuckDB reads the file in a stream and spills sorts and windows to disk past
 * `memoryLimit`. The same table, column for column: weeks Monday-Sunday UTC stamped with the
 * Sunday, gaps between an entity's first and last week filled (no values, 0 observed days), weekly
 * sums / last values (levels such as followers) / means / min / max / first, lags 1..k and rolling
 * means (current week included, missing weeks skipped) of every weekly column, the last observed
 * target value and the weeks since it, the labels `<target>_ahead_<w>`, and rows without any
 * observed input dropped. Equal to the in-memory builder on the embedded sample (test).
 */
export async function buildWeeklyFeaturesSql(
  source: string,
  spec: WeeklyFeatureSpec,
  opts: SqlPanelOptions = {},
): Promise<WeeklyFeaturesSql> {
  const weeks = horizonWeeks(spec.horizons);
  if (!fs.existsSync(source)) {
    throw new InputError('FILE_NOT_FOUND', `the daily panel ${source} does not exist`, { value: source });
  }
  const ownTemp = opts.tempDirectory === undefined;
  const temp = opts.tempDirectory ?? fs.mkdtempSync(path.join(os.tmpdir(), 'campaign-ml-duckdb-'));
  const instance = await DuckDBInstance.create(':memory:', {
    memory_limit: opts.memoryLimit ?? '1GB',
    threads: String(opts.threads ?? os.availableParallelism()),
    temp_directory: temp,
    preserve_insertion_order: 'false',
  });
  const db = await instance.connect();
  try {
    await db.run(`CREATE VIEW daily AS SELECT * FROM ${reader(source)}`);
    const types = await columnTypes(db);
    for (const c of [spec.entity, spec.time, spec.target]) {
      if (!types.has(c)) {
        throw new InputError('MISSING_COLUMN', `the daily panel has no column "${c}"`, {
          column: c,
          expected: [...types.keys()].join(', '),
        });
      }
    }
    const aggregate = { ...(spec.aggregate ?? defaultAggregateSql(types, spec.entity, spec.time)) };
    if (!(spec.target in aggregate)) {
      throw new InputError(
        'NON_NUMERIC_TARGET',
        `the forecast target "${spec.target}" is not a numeric column of the daily panel`,
        { column: spec.target, expected: 'a numeric column' },
      );
    }
    const badTime = await scalar(db, `SELECT count(*) FROM daily WHERE TRY_CAST(${q(spec.time)} AS DATE) IS NULL`);
    if (badTime > 0) {
      throw new InputError(
        'INVALID_TIME',
        `column "${spec.time}" holds ${badTime} value(s) that are not dates; drop rows without a time first`,
        { column: spec.time, expected: 'a date' },
      );
    }
    const cols = Object.keys(aggregate);
    const dailyRows = await scalar(db, 'SELECT count(*) FROM daily');
    // 1. Entity-weeks that have rows: aggregates over the days observed.
    await db.run(`CREATE TEMP TABLE weekly_obs AS
      SELECT e, w, count(*)::DOUBLE AS observed_days, ${cols.map((c) => `${aggregateSql(c, aggregate[c])} AS ${q(c)}`).join(', ')}
      FROM (
        SELECT ${q(spec.entity)} AS e,
          date_diff('day', DATE '1970-01-01', CAST(${q(spec.time)} AS DATE)) AS d,
          floor((d + 3) / 7)::BIGINT AS w,
          ${cols.map((c) => `CAST(${q(c)} AS DOUBLE) AS ${q(c)}`).join(', ')}
        FROM daily
      )
      GROUP BY e, w`);
    // 2. Every week between an entity's first and last (gaps: no values, 0 observed days).
    await db.run(`CREATE TEMP TABLE weekly AS
      WITH span AS (SELECT e, min(w) AS lo, max(w) AS hi FROM weekly_obs GROUP BY e),
      grid AS (SELECT e, unnest(range(lo, hi + 1)) AS w FROM span)
      SELECT g.e, g.w, coalesce(o.observed_days, 0)::DOUBLE AS observed_days, ${cols.map((c) => `o.${q(c)}`).join(', ')}
      FROM grid g LEFT JOIN weekly_obs o ON o.e = g.e AND o.w = g.w`);
    await db.run('DROP TABLE weekly_obs');
    const weeklyRows = await scalar(db, 'SELECT count(*) FROM weekly');

    // 3. Lags, rolling means, last observed value, labels: windows over each entity's weeks, which
    // are consecutive after step 2, so a lag of k rows is a lag of k weeks.
    const current = [...cols, 'observed_days'];
    const lags = Array.from({ length: spec.lags }, (_, i) => i + 1);
    // Output columns after entity and week: [name, SQL expression] (the expression's column itself when absent).
    const columns: [string, string?][] = current.map((c) => [c]);
    for (const c of current) for (const k of lags) columns.push([`${c}_lag_${k}`, `lag(${q(c)}, ${k}) OVER win`]);
    for (const c of current) {
      for (const n of spec.rolling) {
        columns.push([
          `${c}_mean_${n}`,
          `avg(${q(c)}) OVER (PARTITION BY e ORDER BY w ROWS BETWEEN ${n - 1} PRECEDING AND CURRENT ROW)`,
        ]);
      }
    }
    const t = q(spec.target);
    const lastValue = `${spec.target}_last`;
    const since = `${spec.target}_periods_since`;
    const upTo = 'OVER (PARTITION BY e ORDER BY w ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW)';
    columns.push([lastValue, `last_value(${t} IGNORE NULLS) ${upTo}`]);
    columns.push([since, `(w - max(CASE WHEN ${t} IS NOT NULL THEN w END) ${upTo})::DOUBLE`]);
    const targets = weeks.map((wk, i) => ({ days: spec.horizons[i], weeks: wk, column: `${spec.target}_ahead_${wk}` }));
    for (const h of targets) columns.push([h.column, `lead(${t}, ${h.weeks}) OVER win`]);
    const select = [
      `e AS ${q(spec.entity)}`,
      'w',
      ...columns.map(([name, sql]) => (sql ? `${sql} AS ${q(name)}` : q(name))),
    ];
    const names = columns.map(([name]) => name);

    const labels = new Set(targets.map((x) => x.column));
    const inputs = names.filter((c) => !labels.has(c));
    // A row needs at least one observed value (counts and weeks-since are never missing).
    const values = inputs.filter((c) => !c.startsWith('observed_days') && c !== since);
    const features = `SELECT * FROM (SELECT ${select.join(',\n')} FROM weekly WINDOW win AS (PARTITION BY e ORDER BY w))
      WHERE coalesce(${values.map(q).join(', ')}) IS NOT NULL`;
    const stamp = `${q(spec.entity)}, DATE '1970-01-01' + CAST(w * 7 + 3 AS INTEGER) AS ${q(spec.time)}`;
    const rest = inputs.map(q).concat(targets.map((x) => q(x.column)));
    const common = { inputs, lastValue, targets, aggregate, dailyRows, weeklyRows };
    if (opts.out) {
      const out = path.resolve(opts.out);
      const part = `${out}.part-${process.pid}`;
      await db.run(`COPY (SELECT ${stamp}, ${rest.join(', ')} FROM (${features})) TO '${lit(part)}' (FORMAT parquet)`);
      fs.renameSync(part, out);
      const rows = await scalar(db, `SELECT count(*) FROM read_parquet('${lit(out)}')`);
      return { ...common, out, rows };
    }
    const result = await db.runAndReadAll(
      `SELECT ${q(spec.entity)}, (w * 7 + 3) * 86400000.0 AS ${q(spec.time)}, ${rest.join(', ')}
       FROM (${features}) ORDER BY ${q(spec.entity)}, w`,
    );
    const data = result.getColumnsObjectJS() as Record<string, unknown[]>;
    const table: Record<string, unknown[]> = {};
    for (const name of result.columnNames()) {
      const v = data[name];
      if (name === spec.time) table[name] = v.map((ms) => new Date(Number(ms)));
      else if (name === spec.entity) table[name] = v;
      else table[name] = v.map((x) => (x === null ? null : Number(x)));
    }
    const weekly = aq.table(table);
    return { ...common, table: weekly, rows: weekly.numRows() };
  } finally {
    db.closeSync();
    instance.closeSync();
    if (ownTemp) fs.rmSync(temp, { recursive: true, force: true });
  }
}

/** The weekly aggregate by column type (numeric: `last` for levels such as followers, `sum` otherwise). */
function defaultAggregateSql(types: Map<string, string>, entity: string, time: string): Record<string, PanelAggregate> {
  const out: Record<string, PanelAggregate> = {};
  for (const [name, type] of types) {
    if (name === entity || name === time || !NUMERIC.test(type)) continue;
    out[name] = LEVEL_NAME.test(name) ? 'last' : 'sum';
  }
  return out;
}

function aggregateSql(column: string, how: PanelAggregate): string {
  const c = q(column);
  switch (how) {
    case 'sum':
      return `sum(${c})`;
    case 'mean':
      return `avg(${c})`;
    case 'min':
      return `min(${c})`;
    case 'max':
      return `max(${c})`;
    case 'last':
      return `arg_max(${c}, d) FILTER (WHERE ${c} IS NOT NULL)`;
    case 'first':
      return `arg_min(${c}, d) FILTER (WHERE ${c} IS NOT NULL)`;
  }
}

function reader(source: string): string {
  const s = lit(path.resolve(source));
  return /\.parquet$/i.test(source) ? `read_parquet('${s}')` : `read_csv('${s}', header = true)`;
}

async function columnTypes(db: DuckDBConnection): Promise<Map<string, string>> {
  const r = await db.runAndReadAll('DESCRIBE daily');
  const rows = r.getRowObjectsJS() as { column_name: string; column_type: string }[];
  return new Map(rows.map((x) => [x.column_name, x.column_type]));
}

async function scalar(db: DuckDBConnection, sql: string): Promise<number> {
  const r = await db.runAndReadAll(sql);
  return Number(r.getRows()[0][0]);
}

/** A quoted SQL identifier. */
function q(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

/** A string literal's body. */
function lit(s: string): string {
  return s.replace(/'/g, "''");
}
