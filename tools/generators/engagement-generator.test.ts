import { parseDateTime } from './date-parts';
import {
  ENGAGEMENT_COLUMNS,
  ENGAGEMENT_SPARSE_MAX_DAYS,
  ENGAGEMENT_WINDOW_DAYS,
  engagementCsv,
  generateEngagement,
  type EngagementRow,
} from './engagement-generator';

const rows = generateEngagement({ profiles: 150, denseProfiles: 6, seed: 5 });
const byProfile = new Map<string, EngagementRow[]>();
for (const r of rows) {
  const list = byProfile.get(r.profile_id as string) ?? [];
  list.push(r);
  byProfile.set(r.profile_id as string, list);
}
const day = (r: EngagementRow): number => parseDateTime(r.date as string) / 86400;

describe('generateEngagement', () => {
  it('is deterministic for a seed and differs between seeds', () => {
    const a = engagementCsv(generateEngagement({ profiles: 20, seed: 1 }));
    expect(engagementCsv(generateEngagement({ profiles: 20, seed: 1 }))).toBe(a);
    expect(engagementCsv(generateEngagement({ profiles: 20, seed: 2 }))).not.toBe(a);
    expect(a.split('\n')[0]).toBe(ENGAGEMENT_COLUMNS.join(','));
  });

  it('is sparse: most profiles have fewer than 50 days in their 366-day window, a few nearly all', () => {
    const counts = [...byProfile.values()].map((l) => l.length);
    expect(byProfile.size).toBe(150);
    expect(counts.filter((c) => c <= ENGAGEMENT_SPARSE_MAX_DAYS).length).toBe(144);
    expect(counts.filter((c) => c >= 0.9 * ENGAGEMENT_WINDOW_DAYS).length).toBe(6);
    for (const list of byProfile.values()) {
      const days = list.map(day);
      expect(days[days.length - 1] - days[0]).toBeLessThan(ENGAGEMENT_WINDOW_DAYS);
      expect(days.every((v, i) => i === 0 || v > days[i - 1])).toBe(true); // sorted, no duplicate dates
    }
    const all = rows.map((r) => r.date as string);
    expect(all.every((s) => s >= '2023-01-01' && s <= '2024-12-31')).toBe(true);
  });

  it('keeps engagement <= reach <= impressions and lets followers drift slowly', () => {
    const bad = rows.filter(
      (r) => !((r.engagement as number) <= (r.reach as number) && (r.reach as number) <= (r.impressions as number)),
    );
    expect(bad).toEqual([]);
    for (const list of byProfile.values()) {
      for (let i = 1; i < list.length; i++) {
        const gap = day(list[i]) - day(list[i - 1]);
        const change = Math.abs(Math.log((list[i].followers as number) / (list[i - 1].followers as number)));
        if (change > 0.01 * gap + 0.05) throw new Error(`followers jump in ${list[i].profile_id} on ${list[i].date}`);
      }
    }
  });

  it('makes engagement forecastable from its own lags on densely recorded profiles', () => {
    const dense = [...byProfile.values()].filter((l) => l.length > 300);
    for (const list of dense) {
      const x: number[] = [];
      const y: number[] = [];
      for (let i = 1; i < list.length; i++) {
        if (day(list[i]) - day(list[i - 1]) !== 1) continue;
        x.push(Math.log1p(list[i - 1].engagement as number));
        y.push(Math.log1p(list[i].engagement as number));
      }
      expect(correlation(x, y)).toBeGreaterThan(0.4);
    }
    // and weekends are busier than the start of the week
    const weekday = (r: EngagementRow): number => new Date((r.date as string) + 'T00:00:00Z').getUTCDay();
    const ratio = (pred: (w: number) => boolean): number => {
      const sel = dense.flat().filter((r) => pred(weekday(r)));
      return sel.reduce((s, r) => s + (r.engagement as number) / (r.followers as number), 0) / sel.length;
    };
    expect(ratio((w) => w === 0 || w === 6)).toBeGreaterThan(ratio((w) => w === 1 || w === 2));
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
