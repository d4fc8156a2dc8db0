import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { writeLargePanel } from './large-panel';

async function query(sql: string): Promise<Record<string, unknown>[]> {
  const instance = await DuckDBInstance.create(':memory:');
  const db = await instance.connect();
  try {
    return (await db.runAndReadAll(sql)).getRowObjectsJS() as Record<string, unknown>[];
  } finally {
    db.closeSync();
    instance.closeSync();
  }
}

describe('writeLargePanel: a daily panel at scale, written by DuckDB', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'large-panel-'));
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('has the sample columns, about the rows asked, 1-366 observed days per profile, and is deterministic', async () => {
    const a = path.join(dir, 'a.parquet');
    const b = path.join(dir, 'b.csv');
    const n = await writeLargePanel(a, { rows: 40_000, profiles: 400, seed: 3 });
    expect(n).toBeGreaterThan(36_000);
    expect(n).toBeLessThan(44_000);
    const m = await writeLargePanel(b, { rows: 40_000, profiles: 400, seed: 3 });
    expect(m).toBe(n);
    const [s] = await query(`SELECT count(DISTINCT profile_id) AS p, min(c) AS lo, max(c) AS hi FROM (
      SELECT profile_id, count(*) AS c, count(DISTINCT date) AS d FROM read_parquet('${a}') GROUP BY profile_id)`);
    expect(Number(s.p)).toBe(400);
    expect(Number(s.lo)).toBeGreaterThanOrEqual(1);
    expect(Number(s.hi)).toBeLessThanOrEqual(366);
    const cols = await query(`DESCRIBE SELECT * FROM read_parquet('${a}')`);
    expect(cols.map((c) => c.column_name)).toEqual([
      'profile_id',
      'date',
      'followers',
      'posts',
      'engagement',
      'reach',
      'impressions',
    ]);
    const [bad] = await query(
      `SELECT count(*) AS n FROM read_parquet('${a}') WHERE NOT (engagement <= reach AND reach <= impressions AND engagement >= 0)`,
    );
    expect(Number(bad.n)).toBe(0);
    // The CSV holds the same rows as the Parquet file.
    const [diff] = await query(`SELECT count(*) AS n FROM (
      SELECT * FROM read_parquet('${a}') EXCEPT SELECT * FROM read_csv('${b}', header = true))`);
    expect(Number(diff.n)).toBe(0);
  });
});
