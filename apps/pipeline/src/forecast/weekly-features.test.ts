import * as path from 'node:path';
import * as aq from 'arquero';
import type { ColumnTable } from 'arquero';
import { ConfigError, createRng } from '@campaign-ml/core';
import { readTableWithInfo } from '@campaign-ml/ingest';
import { buildWeeklyFeatures, type WeeklyFeatureSpec } from './weekly-features';

const DAY = 86_400_000;
const spec: WeeklyFeatureSpec = {
  entity: 'id',
  time: 'date',
  target: 'engagement',
  horizons: [7, 14],
  lags: 2,
  rolling: [2],
};
const byKey = (t: ColumnTable) => {
  const ids = t.array('id') as string[];
  const dates = t.array('date') as Date[];
  return new Map(ids.map((id, i) => [`${id}|${dates[i].toISOString()}`, i]));
};

describe('buildWeeklyFeatures', () => {
  // Mon 2024-01-01 .. Sun 2024-01-07 is week 1; A has no row in week 2.
  const daily = aq.table({
    id: ['A', 'A', 'A', 'A', 'B', 'B'],
    date: ['2024-01-01', '2024-01-03', '2024-01-16', '2024-01-24', '2024-01-02', '2024-01-09'].map(
      (d) => new Date(`${d}T00:00:00Z`),
    ),
    followers: [100, 104, 110, 120, 50, 49],
    engagement: [3, 5, 7, 11, 1, 2],
  });
  const f = buildWeeklyFeatures(daily, spec);
  const rows = f.table.objects() as Array<Record<string, unknown>>;

  it('sums flows, keeps the last level, counts observed days, stamps weeks with their Sunday', () => {
    expect(f.aggregate).toEqual({ followers: 'last', engagement: 'sum' });
    const a = rows.filter((r) => r.id === 'A');
    expect(a.map((r) => (r.date as Date).toISOString().slice(0, 10))).toEqual([
      '2024-01-07',
      '2024-01-14',
      '2024-01-21',
      '2024-01-28',
    ]);
    expect(a.map((r) => r.engagement)).toEqual([8, null, 7, 11]);
    expect(a.map((r) => r.followers)).toEqual([104, null, 110, 120]);
    expect(a.map((r) => r.observed_days)).toEqual([2, 0, 1, 1]);
  });

  it('lags and last values follow time, not rows; labels are h weeks ahead and not inputs', () => {
    const a = rows.filter((r) => r.id === 'A');
    expect(a.map((r) => r.engagement_lag_1)).toEqual([null, 8, null, 7]);
    expect(a.map((r) => r.engagement_lag_2)).toEqual([null, null, 8, null]);
    expect(a.map((r) => r.engagement_last)).toEqual([8, 8, 7, 11]);
    expect(a.map((r) => r.engagement_periods_since)).toEqual([0, 1, 0, 0]);
    expect(a.map((r) => r.engagement_ahead_1)).toEqual([null, 7, 11, null]);
    expect(a.map((r) => r.engagement_ahead_2)).toEqual([7, 11, null, null]);
    expect(f.targets).toEqual([
      { days: 7, weeks: 1, column: 'engagement_ahead_1' },
      { days: 14, weeks: 2, column: 'engagement_ahead_2' },
    ]);
    expect(f.inputs.some((c) => c.includes('_ahead_') || c === 'id' || c === 'date')).toBe(false);
    expect(f.inputs).toEqual(
      expect.arrayContaining([
        'engagement',
        'observed_days',
        'followers_lag_2',
        'engagement_mean_2',
        'engagement_last',
      ]),
    );
  });

  it('refuses horizons that are not whole weeks, naming the entry', () => {
    expect(() => buildWeeklyFeatures(daily, { ...spec, horizons: [7, 10] })).toThrow(ConfigError);
    expect(() => buildWeeklyFeatures(daily, { ...spec, horizons: [7, 10] })).toThrow(
      /timeseries\.horizons\[1\] is 10 days.*multiples of 7/,
    );
  });
});

describe('the forecast features never look into the future', () => {
  const start = Date.UTC(2024, 0, 1);
  /** A sparse daily panel; with `changeAfter`, every value after that time is redrawn. */
  function panel(changeAfter = Infinity): ColumnTable {
    const r = createRng(11);
    const later = createRng(99);
    const rows: Record<string, unknown[]> = { id: [], date: [], followers: [], engagement: [], reach: [] };
    for (const id of ['p1', 'p2', 'p3', 'p4']) {
      for (let d = 0; d < 120; d++) {
        const keep = r.random() < 0.5;
        const values = [1000 + d + r.int(20), r.int(50), r.int(900)];
        if (!keep) continue;
        const ms = start + d * DAY;
        const changed = ms > changeAfter;
        rows.id.push(id);
        rows.date.push(new Date(ms));
        rows.followers.push(changed ? 5000 + later.int(100) : values[0]);
        rows.engagement.push(changed ? later.int(500) : values[1]);
        rows.reach.push(changed ? later.int(9000) : values[2]);
      }
    }
    return aq.table(rows);
  }
  const full = { ...spec, horizons: [7, 14, 21, 28], lags: 4, rolling: [4] };

  it.each([30, 61, 89])(
    'redrawing every day after day %i leaves every input of the weeks ending by then unchanged',
    (cut) => {
      const t = start + cut * DAY + 3_600_000;
      const a = buildWeeklyFeatures(panel(), full);
      const b = buildWeeklyFeatures(panel(t), full);
      const keysB = byKey(b.table);
      let checked = 0;
      let labelsDiffer = false;
      byKey(a.table).forEach((i, key) => {
        if (Date.parse(key.split('|')[1]) > t) return;
        const j = keysB.get(key);
        expect([key, j === undefined]).toEqual([key, false]);
        checked++;
        for (const c of a.inputs) expect([key, c, b.table.get(c, j!)]).toEqual([key, c, a.table.get(c, i)]);
        for (const h of a.targets) if (a.table.get(h.column, i) !== b.table.get(h.column, j!)) labelsDiffer = true;
      });
      expect(checked).toBeGreaterThan(10);
      expect(labelsDiffer).toBe(true); // the check can see a change: the labels do look ahead
    },
  );

  it('on the embedded sample: cutting the data at a date changes no input of the weeks ending by then', async () => {
    const { table } = await readTableWithInfo(path.resolve(__dirname, '../../../../data/engagement-sample.csv'));
    const specS: WeeklyFeatureSpec = {
      entity: 'profile_id',
      time: 'date',
      target: 'engagement',
      horizons: [7, 14, 21, 28],
      lags: 4,
      rolling: [4],
    };
    const cut = Date.UTC(2024, 2, 14); // a Thursday
    const dates = table.array('date') as Date[];
    const keep = dates.flatMap((d, i) => (d.getTime() <= cut ? [i] : []));
    const a = buildWeeklyFeatures(table, specS);
    const b = buildWeeklyFeatures(table.reify(keep), specS);
    const key = (t: ColumnTable, i: number) => `${t.get('profile_id', i)}|${(t.get('date', i) as Date).toISOString()}`;
    const inB = new Map(Array.from({ length: b.table.numRows() }, (_, j) => [key(b.table, j), j]));
    let checked = 0;
    let gapRows = 0;
    for (let i = 0; i < a.table.numRows(); i++) {
      if ((a.table.get('date', i) as Date).getTime() > cut) continue;
      const j = inB.get(key(a.table, i));
      if (j === undefined) {
        // Empty weeks after a profile's last day before the cut exist only once a later day does
        // (the panel runs from first to last observation); they carry no observation themselves.
        expect(a.table.get('observed_days', i)).toBe(0);
        gapRows++;
        continue;
      }
      checked++;
      for (const c of a.inputs)
        if (a.table.get(c, i) !== b.table.get(c, j!))
          throw new Error(`${key(a.table, i)} ${c}: ${a.table.get(c, i)} vs ${b.table.get(c, j!)}`);
    }
    expect(checked).toBeGreaterThan(1000);
    expect(gapRows).toBeLessThan(checked / 5);
  });
});
