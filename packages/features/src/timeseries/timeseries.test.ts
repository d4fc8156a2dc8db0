import * as aq from 'arquero';
import type { ColumnTable } from 'arquero';
import { createRng, InputError } from '@campaign-ml/core';
import {
  addHorizonTargets,
  addLags,
  addRollingMeans,
  dropAllMissingInputs,
  resamplePanel,
  timeOrderedSplit,
} from './index';

const day = (d: string) => new Date(`${d}T00:00:00Z`);

// 2024-01-01 is a Monday: weeks end on Jan 7, 14, 21, 28.
const daily = aq.table({
  profile_id: ['A', 'B', 'A', 'B', 'A', 'B', 'A'],
  date: [
    day('2024-01-01'),
    day('2024-01-02'),
    day('2024-01-03'),
    day('2024-01-09'),
    day('2024-01-10'),
    day('2024-01-14'),
    day('2024-01-23'),
  ],
  followers: [100, 5, 110, 6, 120, 8, 150],
  posts: [1, 1, 2, 1, 0, 2, 3],
  engagement: [10, 1, 20, 3, null, 5, 30],
});
const weekOpts = { entity: 'profile_id', time: 'date', step: 'week' as const };

function weekly(): ColumnTable {
  return resamplePanel(daily, {
    entity: 'profile_id',
    time: 'date',
    aggregate: { followers: 'last', posts: 'sum', engagement: 'mean' },
  });
}

describe('panel features (hand-computed weekly example)', () => {
  it('resamples daily rows to weeks ending on Sunday, filling empty weeks', () => {
    expect(weekly().objects()).toEqual([
      { profile_id: 'A', date: day('2024-01-07'), followers: 110, posts: 3, engagement: 15, observed_days: 2 },
      { profile_id: 'A', date: day('2024-01-14'), followers: 120, posts: 0, engagement: null, observed_days: 1 },
      { profile_id: 'A', date: day('2024-01-21'), followers: null, posts: null, engagement: null, observed_days: 0 },
      { profile_id: 'A', date: day('2024-01-28'), followers: 150, posts: 3, engagement: 30, observed_days: 1 },
      { profile_id: 'B', date: day('2024-01-07'), followers: 5, posts: 1, engagement: 1, observed_days: 1 },
      { profile_id: 'B', date: day('2024-01-14'), followers: 8, posts: 3, engagement: 4, observed_days: 2 },
    ]);
    const sparse = resamplePanel(daily, {
      entity: 'profile_id',
      time: 'date',
      aggregate: { posts: 'max' },
      fillGaps: false,
    });
    expect(sparse.array('posts')).toEqual([2, 0, 3, 1, 2]);
  });

  it('adds lags, rolling means and horizon targets by time, not by row', () => {
    let t = addLags(weekly(), { ...weekOpts, columns: ['posts'], lags: 2 });
    t = addRollingMeans(t, { ...weekOpts, columns: ['posts'], windows: [2] });
    t = addRollingMeans(t, { ...weekOpts, columns: ['followers'], windows: [2], includeCurrent: false });
    t = addHorizonTargets(t, { ...weekOpts, column: 'posts', horizons: [1, 2] });
    expect(t.array('posts_lag_1')).toEqual([null, 3, 0, null, null, 1]);
    expect(t.array('posts_lag_2')).toEqual([null, null, 3, 0, null, null]);
    expect(t.array('posts_mean_2')).toEqual([3, 1.5, 0, 3, 1, 2]);
    expect(t.array('followers_mean_2')).toEqual([null, 110, 115, 120, null, 5]);
    expect(t.array('posts_ahead_1')).toEqual([0, null, 3, null, 3, null]);
    expect(t.array('posts_ahead_2')).toEqual([null, 3, null, null, null, null]);
  });

  it('keeps the caller row order and respects gaps in a daily panel', () => {
    const t = addLags(daily, { entity: 'profile_id', time: 'date', columns: ['followers'], lags: [2, 7] });
    expect(t.array('followers_lag_2')).toEqual([null, null, 100, null, null, null, null]);
    expect(t.array('followers_lag_7')).toEqual([null, null, null, 5, 110, null, null]);
  });

  it('refuses duplicate periods with a message naming both rows', () => {
    expect(() => addLags(daily, { ...weekOpts, columns: ['posts'], lags: 1 })).toThrow(
      /entity "A" has two rows for the week of 2024-01-07 \(rows 1 and 3\)/,
    );
    expect(() => addLags(daily, { ...weekOpts, columns: ['posts'], lags: [0] })).toThrow(InputError);
  });
});

describe('nothing looks into the future', () => {
  const rng = createRng(5);
  const start = Date.UTC(2024, 0, 1);
  function panel(seed: number, changeAfter = Infinity): ColumnTable {
    const r = createRng(seed);
    const later = createRng(seed + 1000);
    const rows: Record<string, unknown[]> = { id: [], date: [], reach: [], posts: [] };
    for (const id of ['p1', 'p2', 'p3']) {
      for (let d = 0; d < 70; d++) {
        const keep = r.random() < 0.6;
        const reach = Math.round(r.random() * 1000);
        const posts = r.int(4);
        if (!keep) continue;
        const ms = start + d * 86400000;
        const changed = ms > changeAfter;
        rows.id.push(id);
        rows.date.push(new Date(ms));
        rows.reach.push(changed ? Math.round(later.random() * 5000) : reach);
        rows.posts.push(changed ? later.int(9) : posts);
      }
    }
    return aq.table(rows);
  }
  function features(t: ColumnTable): { daily: ColumnTable; weekly: ColumnTable } {
    const d1 = addRollingMeans(addLags(t, { entity: 'id', time: 'date', columns: ['reach', 'posts'], lags: 7 }), {
      entity: 'id',
      time: 'date',
      columns: ['reach'],
      windows: [7, 28],
    });
    const dOut = addHorizonTargets(d1, { entity: 'id', time: 'date', column: 'reach', horizons: [7, 14, 21, 28] });
    const w = resamplePanel(t, { entity: 'id', time: 'date', aggregate: { reach: 'sum', posts: 'mean' } });
    const w1 = addRollingMeans(addLags(w, { ...opts, columns: ['reach', 'observed_days'], lags: 3 }), {
      ...opts,
      columns: ['reach'],
      windows: [4],
    });
    return { daily: dOut, weekly: addHorizonTargets(w1, { ...opts, column: 'reach', horizons: [1, 2] }) };
  }
  const opts = { entity: 'id', time: 'date', step: 'week' as const };

  it.each([20, 34, 45])('changing every row after day %i leaves every feature at or before it unchanged', (cut) => {
    const t = start + cut * 86400000 + rng.int(86400000);
    const a = features(panel(1));
    const b = features(panel(1, t));
    for (const kind of ['daily', 'weekly'] as const) {
      const A = a[kind];
      const B = b[kind];
      expect(B.numRows()).toBe(A.numRows());
      const inputs = A.columnNames().filter((c) => !c.includes('_ahead_'));
      const dates = A.array('date') as Date[];
      let checked = 0;
      let targetsDiffer = false;
      for (let i = 0; i < A.numRows(); i++) {
        if (dates[i].getTime() > t) continue;
        checked++;
        for (const c of inputs) expect([c, B.get(c, i)]).toEqual([c, A.get(c, i)]);
        for (const c of A.columnNames().filter((x) => x.includes('_ahead_')))
          if (B.get(c, i) !== A.get(c, i)) targetsDiffer = true;
      }
      expect(checked).toBeGreaterThan(3);
      expect(targetsDiffer).toBe(true); // the test can see a change: horizon targets do look ahead
    }
  });
});

describe('dropAllMissingInputs and timeOrderedSplit', () => {
  it('drops rows with no input at all', () => {
    const t = aq.table({ id: ['a', 'b', 'c'], x: [1, null, null], y: [null, NaN, 2], target: [1, 2, 3] });
    expect(dropAllMissingInputs(t, { except: ['id', 'target'] }).array('id')).toEqual(['a', 'c']);
    expect(dropAllMissingInputs(t, { columns: ['x'] }).array('id')).toEqual(['a']);
  });

  it('splits at a cutoff and purges the horizon before it', () => {
    const t = aq.table({
      date: [day('2024-01-01'), day('2024-01-10'), day('2024-01-20'), day('2024-01-25'), day('2024-02-01')],
      v: [1, 2, 3, 4, 5],
    });
    const { train, test } = timeOrderedSplit(t, { time: 'date', cutoff: day('2024-01-25') });
    expect(train.array('v')).toEqual([1, 2, 3]);
    expect(test.array('v')).toEqual([4, 5]);
    const purged = timeOrderedSplit(t, { time: 'date', cutoff: day('2024-01-25'), purgeDays: 7 });
    expect(purged.train.array('v')).toEqual([1, 2]);
    expect(() => timeOrderedSplit(aq.table({ date: [null] }), { time: 'date', cutoff: 0 })).toThrow(
      /holds null at row 1/,
    );
  });
});
