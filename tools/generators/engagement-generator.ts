/**
 * A sparse daily social-engagement panel: one row per profile and recorded day.
 *
 * Each profile is followed for a 366-day window inside 2023-01-01..2024-12-31. Most profiles have
 * only 5-49 random days recorded; a few (`denseProfiles`) have nearly every day. Behind the rows a
 * daily process runs for every day of the window: followers drift slowly (a per-profile growth
 * rate plus a small random walk), posts follow a weekday rhythm, and reach, engagement and
 * impressions follow followers and posts with a weekly season (weekends high) and a persistent
 * "buzz" (AR(1), coefficient 0.93),
 * so that future engagement is forecastable from lags. engagement <= reach <= impressions.
 */
import { createRng } from '@campaign-ml/core';
import { type Cell, toCsv } from './csv-writer';
import { DAY_SECONDS, epochSeconds, formatDate } from './date-parts';
import { checkRowCount, clamp, logNormal, poisson } from './sampling';

export const ENGAGEMENT_COLUMNS = [
  'profile_id',
  'date',
  'followers',
  'posts',
  'engagement',
  'reach',
  'impressions',
] as const;
export type EngagementColumn = (typeof ENGAGEMENT_COLUMNS)[number];
export type EngagementRow = Record<EngagementColumn, Cell>;

export interface EngagementOptions {
  /** Number of profiles; default 150. */
  profiles?: number;
  /** How many of them are recorded nearly every day; default 6. */
  denseProfiles?: number;
  /** Seed of core's RNG; default 42. */
  seed?: number;
}

/** The panel's calendar and each profile's observation window. */
export const ENGAGEMENT_FIRST_DAY = '2023-01-01';
export const ENGAGEMENT_LAST_DAY = '2024-12-31';
export const ENGAGEMENT_WINDOW_DAYS = 366;
/** Sparse profiles have at most this many recorded days. */
export const ENGAGEMENT_SPARSE_MAX_DAYS = 49;

// Sunday..Saturday.
const POST_RHYTHM = [0.75, 1.1, 1.1, 1.1, 1.1, 1.05, 0.75];
const WEEKLY_REACH = [1.3, 0.85, 0.9, 0.95, 1.0, 1.05, 1.35];

/** Generate the panel (deterministic for a seed), sorted by profile and date. */
export function generateEngagement(options: EngagementOptions = {}): EngagementRow[] {
  const profiles = options.profiles ?? 150;
  checkRowCount(profiles, 'profiles');
  const dense = clamp(options.denseProfiles ?? 6, 0, profiles);
  const rng = createRng(options.seed ?? 42);
  const first = epochSeconds(2023, 1, 1);
  const firstWeekday = new Date(first * 1000).getUTCDay();
  const lastStart = epochSeconds(2024, 12, 31) / DAY_SECONDS - first / DAY_SECONDS - (ENGAGEMENT_WINDOW_DAYS - 1);
  const denseSet = new Set(rng.sampleIndices(profiles, dense));
  const width = String(profiles).length < 3 ? 3 : String(profiles).length;
  const recorded = new Uint8Array(ENGAGEMENT_WINDOW_DAYS);

  const out: EngagementRow[] = [];
  for (let p = 0; p < profiles; p++) {
    const id = `P${String(p + 1).padStart(width, '0')}`;
    const start = rng.int(lastStart + 1);
    recorded.fill(0);
    if (denseSet.has(p)) {
      for (let d = 0; d < ENGAGEMENT_WINDOW_DAYS; d++) recorded[d] = rng.bernoulli(0.97) ? 1 : 0;
    } else {
      const k = 5 + rng.int(ENGAGEMENT_SPARSE_MAX_DAYS - 4);
      const days = rng.sampleIndices(ENGAGEMENT_WINDOW_DAYS, k);
      for (let j = 0; j < k; j++) recorded[days[j]] = 1;
    }

    const followers0 = Math.max(50, logNormal(rng, 4000, 1.4));
    const growth = rng.normal(0.0008, 0.0008);
    const postRate = logNormal(rng, 0.8, 0.6);
    const reachRate = logNormal(rng, 0.2, 0.4);
    const engagementRate = clamp(logNormal(rng, 0.05, 0.5), 0.002, 0.3);
    let walk = 0;
    let buzz = rng.normal(0, 0.35);
    for (let d = 0; d < ENGAGEMENT_WINDOW_DAYS; d++) {
      walk += rng.normal(0, 0.002);
      buzz = 0.93 * buzz + rng.normal(0, 0.13);
      const weekday = (firstWeekday + start + d) % 7;
      const followers = Math.round(followers0 * Math.exp(growth * d + walk));
      const posts = poisson(rng, postRate * POST_RHYTHM[weekday]);
      const reach = Math.round(
        followers *
          reachRate *
          (0.6 + 0.4 * Math.sqrt(posts)) *
          WEEKLY_REACH[weekday] *
          Math.exp(buzz + rng.normal(0, 0.1)),
      );
      const engagement = Math.min(
        reach,
        Math.round(reach * engagementRate * Math.exp(0.5 * buzz + rng.normal(0, 0.12))),
      );
      const impressions = Math.max(
        reach,
        Math.round(reach * (1.3 + 0.4 * Math.sqrt(posts)) * Math.exp(rng.normal(0, 0.1))),
      );
      if (recorded[d] === 0) continue;
      out.push({
        profile_id: id,
        date: formatDate(first + (start + d) * DAY_SECONDS),
        followers,
        posts,
        engagement,
        reach,
        impressions,
      });
    }
  }
  return out;
}

/** The CSV text of the panel: comma-separated with a header. */
export function engagementCsv(rows: readonly EngagementRow[]): string {
  return toCsv(ENGAGEMENT_COLUMNS, rows);
}
