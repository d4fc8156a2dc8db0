import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { ColumnTable } from 'arquero';
import { readTableWithInfo } from '@campaign-ml/ingest';
import { buildWeeklyFeatures, type WeeklyFeatureSpec } from './weekly-features';
import { buildWeeklyFeaturesSql } from './weekly-features-sql';

const sample = path.resolve(__dirname, '../../../../data/engagement-sample.csv');
const spec: WeeklyFeatureSpec = {
  entity: 'profile_id',
  time: 'date',
  target: 'engagement',
  horizons: [7, 14, 21, 28],
  lags: 4,
  rolling: [4],
};

/** Rows keyed by entity and week, each column's values. */
function byKey(t: ColumnTable, entity: string, time: string): Map<string, number> {
  const ids = t.array(entity) as string[];
  const dates = t.array(time) as Date[];
  return new Map(ids.map((id, i) => [`${id}|${dates[i].toISOString().slice(0, 10)}`, i]));
}

function expectSameTable(sql: ColumnTable, mem: ColumnTable, s: { entity: string; time: string } = spec): void {
  expect(sql.columnNames()).toEqual(mem.columnNames());
  expect(sql.numRows()).toBe(mem.numRows());
  const a = byKey(sql, s.entity, s.time);
  const b = byKey(mem, s.entity, s.time);
  expect([...a.keys()].sort()).toEqual([...b.keys()].sort());
  for (const c of mem.columnNames()) {
    if (c === s.entity || c === s.time) continue;
    const x = sql.array(c) as ArrayLike<number | null>;
    const y = mem.array(c) as ArrayLike<number | null>;
    for (const [key, i] of b) {
      const u = x[a.get(key)!];
      const v = y[i];
      const missing = (z: number | null) => z === null || z === undefined || Number.isNaN(z);
      if (missing(v)) {
        if (!missing(u)) throw new Error(`${c} at ${key}: SQL ${u}, in memory missing`);
      } else if (missing(u) || Math.abs(u! - v!) > 1e-9 * Math.max(1, Math.abs(v!))) {
        throw new Error(`${c} at ${key}: SQL ${u}, in memory ${v}`);
      }
    }
  }
}

describe('buildWeeklyFeaturesSql (DuckDB, out of core)', () => {
  it('equals the in-memory weekly features on the embedded sample, column for column', async () => {
    const { table: daily } = await readTableWithInfo(sample);
    const mem = buildWeeklyFeatures(daily, spec);
    const sql = await buildWeeklyFeaturesSql(sample, spec, { memoryLimit: '256MB', threads: 2 });
    expect(sql.inputs).toEqual(mem.inputs);
    expect(sql.targets).toEqual(mem.targets);
    expect(sql.aggregate).toEqual(mem.aggregate);
    expect(sql.lastValue).toBe(mem.lastValue);
    expect(sql.weeklyRows).toBe(mem.weeklyRows);
    expect(sql.dailyRows).toBe(daily.numRows());
    expectSameTable(sql.table!, mem.table);
  });

  it('writes Parquet atomically, and a gap week, a level column and lags follow the in-memory rules', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'weekly-sql-'));
    try {
      // Mon 2024-01-01 .. Sun 2024-01-07 is week 1; A has no row in week 2.
      const csv = [
        'id,date,followers,engagement',
        'A,2024-01-01,100,3',
        'A,2024-01-03,104,',
        'A,2024-01-16,110,5',
        'A,2024-01-24,120,1',
        'B,2024-01-02,50,2',
        'B,2024-01-09,49,4',
      ].join('\n');
      const file = path.join(dir, 'daily.csv');
      fs.writeFileSync(file, csv);
      const small = { entity: 'id', time: 'date', target: 'engagement', horizons: [7], lags: 1, rolling: [2] };
      const r = await buildWeeklyFeaturesSql(file, small);
      const t = r.table!;
      const key = byKey(t, 'id', 'date');
      const at = (id: string, day: string, c: string) => (t.array(c) as (number | null)[])[key.get(`${id}|${day}`)!];
      expect(r.aggregate).toEqual({ followers: 'last', engagement: 'sum' });
      expect(at('A', '2024-01-07', 'followers')).toBe(104);
      expect(at('A', '2024-01-07', 'engagement')).toBe(3);
      expect(at('A', '2024-01-07', 'observed_days')).toBe(2);
      // Week 2 (ending 2024-01-14) is a gap: no values, 0 days; its lag is week 1, its label week 3.
      expect(at('A', '2024-01-14', 'engagement')).toBeNull();
      expect(at('A', '2024-01-14', 'observed_days')).toBe(0);
      expect(at('A', '2024-01-14', 'engagement_lag_1')).toBe(3);
      expect(at('A', '2024-01-14', 'engagement_ahead_1')).toBe(5);
      expect(at('A', '2024-01-14', 'engagement_last')).toBe(3);
      expect(at('A', '2024-01-14', 'engagement_periods_since')).toBe(1);
      expect(at('A', '2024-01-21', 'engagement_mean_2')).toBe(5);
      const mem = buildWeeklyFeatures((await readTableWithInfo(file)).table, small);
      expectSameTable(t, mem.table, small);

      const out = path.join(dir, 'weekly.parquet');
      const w = await buildWeeklyFeaturesSql(file, small, { out });
      expect(w.table).toBeUndefined();
      expect(w.rows).toBe(t.numRows());
      expect(fs.existsSync(out)).toBe(true);
      expect(fs.readdirSync(dir).filter((f) => f.includes('.part-'))).toEqual([]);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('names a missing column and a non-date time', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'weekly-sql-'));
    try {
      const file = path.join(dir, 'daily.csv');
      fs.writeFileSync(file, 'id,date,engagement\nA,2024-01-01,3\nA,not a date,4\n');
      const s = { entity: 'id', time: 'date', target: 'engagement', horizons: [7], lags: 1, rolling: [2] };
      await expect(buildWeeklyFeaturesSql(file, { ...s, entity: 'profile' })).rejects.toThrow(/no column "profile"/);
      await expect(buildWeeklyFeaturesSql(file, s)).rejects.toThrow(/column "date" holds 1 value/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
