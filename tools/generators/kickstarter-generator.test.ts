import * as fs from 'node:fs';
import * as path from 'node:path';
import { dateParts, parseDateTime } from './date-parts';
import {
  countNameWords,
  generateKickstarter,
  KICKSTARTER_COLUMNS,
  kickstarterCsv,
  type KickstarterRow,
} from './kickstarter-generator';

const shared = path.resolve(__dirname, '../../../shared/data');
const hasShared = fs.existsSync(path.join(shared, 'kickstarter/kickstarter.csv'));
const d = hasShared ? describe : describe.skip;

const REAL_HEADER =
  'id,name,goal,pledged,state,disable_communication,country,currency,deadline,state_changed_at,created_at,' +
  'launched_at,staff_pick,backers_count,static_usd_rate,usd_pledged,category,spotlight,name_len,name_len_clean,' +
  'blurb_len,blurb_len_clean,deadline_weekday,state_changed_at_weekday,created_at_weekday,launched_at_weekday,' +
  'deadline_month,deadline_day,deadline_yr,deadline_hr,state_changed_at_month,state_changed_at_day,' +
  'state_changed_at_yr,state_changed_at_hr,created_at_month,created_at_day,created_at_yr,created_at_hr,' +
  'launched_at_month,launched_at_day,launched_at_yr,launched_at_hr,main_category,staff_pick.1,' +
  'show_feature_image,video';

const rows = generateKickstarter({ rows: 3000, seed: 7 });
const t = (r: KickstarterRow, c: 'deadline' | 'state_changed_at' | 'created_at' | 'launched_at'): number =>
  parseDateTime(r[c] as string);
const share = (pred: (r: KickstarterRow) => boolean, of: readonly KickstarterRow[] = rows): number =>
  of.filter(pred).length / of.length;

describe('generateKickstarter', () => {
  it('is deterministic for a seed and differs between seeds', () => {
    const a = kickstarterCsv(generateKickstarter({ rows: 300, seed: 1 }));
    expect(kickstarterCsv(generateKickstarter({ rows: 300, seed: 1 }))).toBe(a);
    expect(kickstarterCsv(generateKickstarter({ rows: 300, seed: 2 }))).not.toBe(a);
  });

  it('has the 46 real columns in the real order', () => {
    expect(KICKSTARTER_COLUMNS).toHaveLength(46);
    expect(KICKSTARTER_COLUMNS.join(',')).toBe(REAL_HEADER);
    expect(kickstarterCsv(rows.slice(0, 1)).split('\n')[0]).toBe(REAL_HEADER);
    expect(Object.keys(rows[0])).toEqual([...KICKSTARTER_COLUMNS]);
  });

  it('rejects a row count that is not a positive integer', () => {
    expect(() => generateKickstarter({ rows: 0 })).toThrow(/positive integer/);
    expect(() => generateKickstarter({ rows: 2.5 })).toThrow(expect.objectContaining({ code: 'BAD_ROW_COUNT' }));
  });

  it('orders dates created < launched < deadline with 1-60 day campaigns, 30 days the most common', () => {
    const durations = new Map<number, number>();
    const bad: unknown[] = [];
    for (const r of rows) {
      const days = (t(r, 'deadline') - t(r, 'launched_at')) / 86400;
      if (!(t(r, 'created_at') < t(r, 'launched_at')) || !(days >= 0.5 && days <= 60)) bad.push(r);
      const whole = Math.round(days);
      durations.set(whole, (durations.get(whole) ?? 0) + 1);
    }
    expect(bad).toEqual([]);
    const top = [...durations.entries()].sort((a, b) => b[1] - a[1])[0];
    expect(top[0]).toBe(30);
  });

  it('derives the weekday/month/day/yr/hr columns from their timestamps', () => {
    const bad: unknown[] = [];
    for (const r of rows) {
      for (const c of ['deadline', 'state_changed_at', 'created_at', 'launched_at'] as const) {
        const p = dateParts(t(r, c));
        const derived = [r[`${c}_weekday`], r[`${c}_month`], r[`${c}_day`], r[`${c}_yr`], r[`${c}_hr`]].join();
        const ok = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/.test(r[c] as string);
        if (!ok || derived !== [p.weekday, p.month, p.day, p.year, p.hour].join()) bad.push([r.id, c, r[c], derived]);
      }
    }
    expect(bad).toEqual([]);
  });

  it('derives name_len and name_len_clean from the name; blurb_len_clean <= blurb_len', () => {
    expect(countNameWords('Golgotha - A Feature Film')).toEqual({ len: 4, clean: 3 });
    const bad = rows.filter((r) => {
      const w = countNameWords(r.name as string);
      return (
        r.name_len !== w.len || r.name_len_clean !== w.clean || (r.blurb_len_clean as number) > (r.blurb_len as number)
      );
    });
    expect(bad).toEqual([]);
  });

  it('has the real mix of states, staff picks, videos, countries and currencies', () => {
    expect(share((r) => r.state === 'successful')).toBeGreaterThan(0.5);
    expect(share((r) => r.state === 'successful')).toBeLessThan(0.6);
    expect(share((r) => r.state === 'failed')).toBeGreaterThan(0.35);
    expect(share((r) => r.state === 'failed')).toBeLessThan(0.45);
    expect(share((r) => r.state === 'canceled')).toBeGreaterThan(0.03);
    expect(share((r) => r.state === 'canceled')).toBeLessThan(0.07);
    expect(share((r) => r.state === 'live')).toBeLessThan(0.01);
    expect(share((r) => r.staff_pick === true)).toBeGreaterThan(0.1);
    expect(share((r) => r.staff_pick === true)).toBeLessThan(0.17);
    expect(share((r) => r.video === true)).toBeGreaterThan(0.55);
    expect(new Set(rows.map((r) => r.country)).size).toBeGreaterThanOrEqual(15);
    expect(new Set(rows.map((r) => r.currency)).size).toBeGreaterThanOrEqual(12);
    expect(rows.every((r) => r.disable_communication === false)).toBe(true);
    const usd = rows.filter((r) => r.currency === 'USD');
    expect(usd.every((r) => r.static_usd_rate === 1)).toBe(true);
    const gbp = rows.filter((r) => r.currency === 'GBP').map((r) => r.static_usd_rate as number);
    expect(Math.min(...gbp)).toBeGreaterThan(1.1);
    expect(Math.max(...gbp)).toBeLessThan(1.5);
    // ids rise with created_at
    expect(rows.filter((r, i) => i > 0 && (r.id as number) <= (rows[i - 1].id as number))).toEqual([]);
  });

  it('builds in the success signal: staff pick, video, low goal and short campaigns raise the odds', () => {
    const decided = rows.filter((r) => r.state === 'successful' || r.state === 'failed');
    const rate = (pred: (r: KickstarterRow) => boolean): number =>
      share((r) => r.state === 'successful', decided.filter(pred));
    const usdGoal = (r: KickstarterRow): number => (r.goal as number) * (r.static_usd_rate as number);
    expect(rate((r) => r.staff_pick === true) - rate((r) => r.staff_pick === false)).toBeGreaterThan(0.25);
    expect(rate((r) => r.video === true)).toBeGreaterThan(rate((r) => r.video === false));
    expect(rate((r) => usdGoal(r) < 2000) - rate((r) => usdGoal(r) > 20000)).toBeGreaterThan(0.3);
    const days = (r: KickstarterRow): number => (t(r, 'deadline') - t(r, 'launched_at')) / 86400;
    expect(rate((r) => days(r) < 29)).toBeGreaterThan(rate((r) => days(r) > 50) + 0.15);
    expect(rate((r) => r.main_category === 'Comics')).toBeGreaterThan(rate((r) => r.main_category === 'Food'));
  });

  it('makes the leakage columns behave as in the real table', () => {
    const bad: unknown[] = [];
    for (const r of rows) {
      const lag = t(r, 'state_changed_at') - t(r, 'deadline');
      const closed = r.state === 'successful' || r.state === 'failed';
      const problems = [
        r.spotlight !== (r.state === 'successful') && 'spotlight',
        r['staff_pick.1'] !== (r.state === 'live') && 'staff_pick.1',
        r.show_feature_image === true && r.state !== 'successful' && 'show_feature_image',
        r.usd_pledged !== (r.pledged as number) * (r.static_usd_rate as number) && 'usd_pledged',
        (r.backers_count === 0) !== (r.pledged === 0) && 'backers_count',
        closed && !(lag >= 0 && lag <= 2) && 'state_changed_at (closed)',
        !closed && !(lag < 0 && t(r, 'state_changed_at') > t(r, 'launched_at')) && 'state_changed_at (open)',
        (r.state === 'canceled') !== /\(Canceled\)$/.test(r.name as string) && 'name',
      ].filter(Boolean);
      if (problems.length > 0) bad.push([r.id, r.state, problems]);
    }
    expect(bad).toEqual([]);
    const reached = (r: KickstarterRow): boolean => (r.pledged as number) >= (r.goal as number);
    expect(share((r) => reached(r) === (r.state === 'successful'))).toBeGreaterThan(0.97);
    const differs = share((r) => r.staff_pick !== r['staff_pick.1']);
    expect(differs).toBeGreaterThan(0.08);
    expect(differs).toBeLessThan(0.2);
    const pledgedRows = rows.filter((r) => (r.pledged as number) > 0);
    const x = pledgedRows.map((r) => Math.log(r.usd_pledged as number));
    const y = pledgedRows.map((r) => Math.log(r.backers_count as number));
    expect(correlation(x, y)).toBeGreaterThan(0.8);
  });
});

d('against the real Kickstarter table', () => {
  it('uses exactly its header', () => {
    const fd = fs.openSync(path.join(shared, 'kickstarter/kickstarter.csv'), 'r');
    const buf = Buffer.alloc(2000);
    fs.readSync(fd, buf, 0, 2000, 0);
    fs.closeSync(fd);
    expect(buf.toString('utf8').split('\n')[0].trim()).toBe(KICKSTARTER_COLUMNS.join(','));
  });
});

function correlation(x: readonly number[], y: readonly number[]): number {
  const n = x.length;
  const mx = x.reduce((s, v) => s + v, 0) / n;
  const my = y.reduce((s, v) => s + v, 0) / n;
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  for (let i = 0; i < n; i++) {
    sxy += (x[i] - mx) * (y[i] - my);
    sxx += (x[i] - mx) ** 2;
    syy += (y[i] - my) ** 2;
  }
  return sxy / Math.sqrt(sxx * syy);
}
