/**
 * A daily engagement panel at the engagement study's scale (33 million rows), written by DuckDB
 * straight to Parquet (or CSV) without holding it in memory:
 *
 *   npx tsx tools/generators/large-panel.ts [--rows 33000000] [--profiles 250000] [--out file.parquet]
 *
 * Same columns as the embedded sample (engagement-generator.ts): profile_id, date, followers, posts,
 * engagement, reach, impressions. Each profile has a 366-day window starting in 2023; it is observed
 * on 1 to 366 of those days (a skewed share: most profiles sparse, some nearly daily, as in the
 * study), chosen at random. Values follow the sample's shape: followers grow slowly, posts have a
 * weekday rhythm, engagement follows followers and posts with weekends high, and
 * engagement <= reach <= impressions. Every random draw is a hash of (seed, profile, day), so the
 * file is the same whatever the thread count. This file is for scale benchmarks; the embedded
 * sample with its tuned signal comes from engagement-generator.ts.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';

export interface LargePanelOptions {
  /** Rows wanted (approximately: each profile's days are drawn); default 33,000,000. */
  rows?: number;
  /** Profiles; default 250,000. */
  profiles?: number;
  seed?: number;
  /** DuckDB's memory limit while writing; default '1GB'. */
  memoryLimit?: string;
}

/** Write the panel to `out` (.parquet or .csv); returns the rows written. */
export async function writeLargePanel(out: string, opts: LargePanelOptions = {}): Promise<number> {
  const rows = opts.rows ?? 33_000_000;
  const profiles = opts.profiles ?? 250_000;
  const seed = opts.seed ?? 42;
  if (!(rows >= profiles && profiles >= 1)) throw new Error('rows must be at least profiles, and profiles at least 1');
  // Observed days per profile: 1 + floor(365 · u^k), whose mean is 1 + 365 / (k + 1); k so the
  // total comes to `rows`.
  const mean = rows / profiles;
  if (mean > 366) throw new Error(`${rows} rows over ${profiles} profiles is more than 366 days each`);
  const k = Math.max(0, 365 / Math.max(mean - 1, 1e-9) - 1);
  const u = (a: string) => `(hash(${seed}, ${a}) % 1000000007) / 1000000007.0`;
  const sql = `
    WITH p AS (
      SELECT i AS pid,
        1 + floor(365 * pow(${u("i, 'days'")}, ${k}))::INTEGER AS n_days,
        floor(${u("i, 'start'")} * 365)::INTEGER AS start_day,
        200 + floor(20000 * pow(${u("i, 'size'")}, 3))::INTEGER AS base_followers,
        0.2 * ${u("i, 'growth'")} AS growth,
        0.5 + 2.5 * ${u("i, 'activity'")} AS activity
      FROM range(${profiles}) t(i)
    ),
    d AS (
      SELECT p.*, day FROM p, range(366) r(day)
      WHERE day = 0 OR ${u("pid, day, 'keep'")} < n_days / 366.0
    ),
    v AS (
      SELECT pid, day,
        DATE '2023-01-01' + CAST(start_day + day AS INTEGER) AS date,
        floor(base_followers * (1 + growth * day / 366.0) * (0.98 + 0.04 * ${u("pid, day, 'f'")}))::INTEGER AS followers,
        floor(activity * (CASE WHEN dayofweek(DATE '2023-01-01' + CAST(start_day + day AS INTEGER)) IN (0, 6) THEN 0.6 ELSE 1.2 END)
          * 2 * ${u("pid, day, 'posts'")})::INTEGER AS posts,
        CASE WHEN dayofweek(DATE '2023-01-01' + CAST(start_day + day AS INTEGER)) IN (0, 6) THEN 1.4 ELSE 1.0 END AS season,
        ${u("pid, day, 'e'")} AS noise
      FROM d
    ),
    e AS (
      SELECT pid, date, followers, posts,
        floor(followers * 0.002 * (1 + posts) * season * (0.5 + noise))::INTEGER AS engagement
      FROM v
    )
    SELECT printf('P%07d', pid) AS profile_id, date, followers, posts, engagement,
      engagement + floor(followers * 0.05 * (1 + posts))::INTEGER AS reach,
      engagement + floor(followers * 0.09 * (1 + posts))::INTEGER AS impressions
    FROM e`;
  const target = path.resolve(out);
  fs.mkdirSync(path.dirname(target), { recursive: true });
  const part = `${target}.part-${process.pid}`;
  const instance = await DuckDBInstance.create(':memory:', {
    memory_limit: opts.memoryLimit ?? '1GB',
    preserve_insertion_order: 'false',
  });
  const db = await instance.connect();
  try {
    const format = /\.csv$/i.test(target) ? 'csv, header true' : 'parquet';
    await db.run(`COPY (${sql}) TO '${part.replace(/'/g, "''")}' (FORMAT ${format})`);
    fs.renameSync(part, target);
    const r = await db.runAndReadAll(
      /\.csv$/i.test(target)
        ? `SELECT count(*) FROM read_csv('${target.replace(/'/g, "''")}', header = true)`
        : `SELECT count(*) FROM read_parquet('${target.replace(/'/g, "''")}')`,
    );
    return Number(r.getRows()[0][0]);
  } finally {
    db.closeSync();
    instance.closeSync();
    fs.rmSync(part, { force: true });
  }
}

if (require.main === module) {
  const arg = (name: string, def: string) => {
    const i = process.argv.indexOf(`--${name}`);
    return i >= 0 ? process.argv[i + 1] : def;
  };
  const out = arg('out', 'panel-33m.parquet');
  const started = Date.now();
  writeLargePanel(out, { rows: Number(arg('rows', '33000000')), profiles: Number(arg('profiles', '250000')) })
    .then((n) => console.log(`${n} rows -> ${out} in ${((Date.now() - started) / 1000).toFixed(1)} s`))
    .catch((e: unknown) => {
      console.error(e instanceof Error ? e.message : e);
      process.exit(1);
    });
}
