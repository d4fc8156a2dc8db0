/**
 * Kickstarter-like campaigns with the 46 columns of the real study table, in its order.
 *
 * Built in: log-normal goals by category, 17 countries and their currencies with a drifting
 * `static_usd_rate`, created_at < launched_at < deadline (1-60 days, 30 the most common), the
 * derived date and length columns consistent with the values they derive from, and a success
 * model where a lower goal, a staff pick, a video, some categories and shorter campaigns raise the
 * odds. The leakage columns behave as in the real table: pledged/usd_pledged reach the goal for
 * (nearly) exactly the successful campaigns, backers_count follows pledged, state_changed_at is
 * the deadline unless the campaign was canceled (earlier) or is live, spotlight is True exactly
 * for successful campaigns, staff_pick.1 is True exactly for live ones, and show_feature_image is
 * only ever True on successful ones. Names of canceled campaigns end in "(Canceled)".
 */
import { createRng, type Rng } from '@campaign-ml/core';
import { type Cell, toCsv } from './csv-writer';
import { dateParts, epochSeconds, formatDateTime } from './date-parts';
import { COUNTRIES, MAIN_CATEGORIES, SUBCATEGORY_EFFECTS, USD_RATES } from './kickstarter-categories';
import { Categorical, checkRowCount, clamp, logNormal, sigmoid } from './sampling';

export const KICKSTARTER_COLUMNS = [
  'id',
  'name',
  'goal',
  'pledged',
  'state',
  'disable_communication',
  'country',
  'currency',
  'deadline',
  'state_changed_at',
  'created_at',
  'launched_at',
  'staff_pick',
  'backers_count',
  'static_usd_rate',
  'usd_pledged',
  'category',
  'spotlight',
  'name_len',
  'name_len_clean',
  'blurb_len',
  'blurb_len_clean',
  'deadline_weekday',
  'state_changed_at_weekday',
  'created_at_weekday',
  'launched_at_weekday',
  'deadline_month',
  'deadline_day',
  'deadline_yr',
  'deadline_hr',
  'state_changed_at_month',
  'state_changed_at_day',
  'state_changed_at_yr',
  'state_changed_at_hr',
  'created_at_month',
  'created_at_day',
  'created_at_yr',
  'created_at_hr',
  'launched_at_month',
  'launched_at_day',
  'launched_at_yr',
  'launched_at_hr',
  'main_category',
  'staff_pick.1',
  'show_feature_image',
  'video',
] as const;

export type KickstarterColumn = (typeof KICKSTARTER_COLUMNS)[number];
export type KickstarterRow = Record<KickstarterColumn, Cell>;
export type KickstarterState = 'successful' | 'failed' | 'canceled' | 'live';

/** Columns written as floats (`5530.0`), as in the real CSV. */
export const KICKSTARTER_FLOAT_COLUMNS: readonly KickstarterColumn[] = ['pledged', 'static_usd_rate', 'usd_pledged'];

/** Columns known only after the outcome (or a direct function of it). */
export const KICKSTARTER_LEAKAGE_COLUMNS: readonly KickstarterColumn[] = [
  'pledged',
  'usd_pledged',
  'backers_count',
  'state_changed_at',
  'state_changed_at_weekday',
  'state_changed_at_month',
  'state_changed_at_day',
  'state_changed_at_yr',
  'state_changed_at_hr',
  'spotlight',
  'staff_pick.1',
  'show_feature_image',
];

export interface KickstarterOptions {
  /** Number of campaigns; default 4000. */
  rows?: number;
  /** Seed of core's RNG; default 42. */
  seed?: number;
}

const STOPWORDS = new Set([
  'a',
  'an',
  'the',
  'of',
  'for',
  'and',
  'in',
  'with',
  'to',
  'my',
  'our',
  'on',
  'at',
  'by',
  'from',
  'your',
]);

/**
 * `name_len` and `name_len_clean` of a name: its words (runs of letters, digits and apostrophes)
 * and those words that are not stopwords ("the", "a", "of", ...).
 */
export function countNameWords(name: string): { len: number; clean: number } {
  const words = name.match(/[A-Za-z0-9']+/g) ?? [];
  let clean = 0;
  for (const w of words) if (!STOPWORDS.has(w.toLowerCase())) clean++;
  return { len: words.length, clean };
}

const NAME_WORDS = [
  'Luna',
  'Harbor',
  'Maple',
  'Juniper',
  'Atlas',
  'Echo',
  'Willow',
  'Ember',
  'Orion',
  'Cedar',
  'Nova',
  'Aurora',
  'Velvet',
  'Copper',
  'Hollow',
  'River',
  'Summit',
  'Meadow',
  'Saffron',
  'Indigo',
  'Falcon',
  'Pioneer',
  'Lantern',
  'Paper',
  'Stone',
  'Thunder',
  'Coral',
  'Midnight',
  'Sunday',
  'Brooklyn',
  'Tokyo',
  'London',
  'Wild',
  'Golden',
  'Secret',
  'Little',
  'Modern',
  'Handmade',
  'Electric',
  'Quiet',
  'Bold',
  'Tiny',
  'Brave',
  'Lost',
  'First',
  'New',
  'Ultimate',
  'Original',
  'Sustainable',
  'Analog',
  'Cosmic',
  'Northern',
  'Urban',
  'Vintage',
  'Heritage',
  '2nd',
  "Grandma's",
  'Project',
  'Season',
  'Edition',
  'Volume',
  'Story',
  'Dreams',
  'Journey',
  'Garden',
  'House',
];
const NAME_TAILS = ['Volume 2', 'Part One', 'Live', 'and More', 'Reprinted'];
const NAME_STOPWORDS = ['The', 'of', 'for', 'and', 'a', 'with', 'in', 'to', 'my', 'our'];
const DURATIONS: readonly (readonly [number, number])[] = [
  [30, 6086],
  [60, 1986],
  [45, 579],
  [31, 523],
  [21, 428],
  [35, 366],
  [40, 361],
  [20, 339],
  [28, 334],
  [25, 283],
  [14, 260],
  [15, 250],
  [10, 150],
  [7, 110],
  [50, 160],
  [42, 120],
  [33, 110],
  // everything else, 1..60 days, spread thin
  ...Array.from({ length: 60 }, (_, i) => [i + 1, 40] as const),
];
// Launch hour (UTC) shares: the afternoon and evening of the Americas dominate.
const LAUNCH_HOURS = [
  501, 495, 369, 375, 393, 351, 311, 346, 367, 350, 409, 465, 678, 900, 1011, 1075, 1216, 1057, 873, 869, 785, 754, 672,
  593,
];
const DEADLINE_HOURS = [
  510, 519, 431, 712, 758, 513, 483, 435, 310, 302, 339, 455, 568, 693, 837, 882, 1003, 924, 786, 831, 719, 779, 782,
  644,
];
const LAUNCH_YEARS: readonly (readonly [number, number])[] = [
  [2017, 3138],
  [2018, 2447],
  [2019, 2219],
  [2020, 2086],
  [2021, 2175],
  [2022, 2633],
  [2023, 441],
];
const DAY = 86400;
/** When the live campaigns were seen: every live campaign's deadline is after this. */
const SCRAPED_AT = epochSeconds(2024, 6, 19, 15, 0, 0);
const LIVE_RATE = 0.0017;
const SUCCESS_INTERCEPT = -0.05;
/** Scales every effect on the success logit: tuned so a GBDT reaches ROC AUC ~0.88. */
const SIGNAL_STRENGTH = 1.4;

interface Draft {
  created: number;
  row: KickstarterRow;
}

function hoursTable(weights: readonly number[]): Categorical<number> {
  return new Categorical(weights.map((w, h) => [h, w] as const));
}

/** Round a goal the way people set them: two or three significant digits. */
function niceGoal(rng: Rng, x: number): number {
  if (x < 10) return Math.max(1, Math.round(x));
  const digits = rng.bernoulli(0.75) ? 2 : 3;
  const scale = Math.pow(10, Math.floor(Math.log10(x)) - digits + 1);
  return Math.max(1, Math.round(x / scale) * scale);
}

function makeName(rng: Rng, nouns: readonly string[]): string {
  // Word count ~ 1..14 around 5.
  const target = clamp(Math.round(rng.normal(4.6, 2.2)), 1, 13);
  const noun = rng.choice(nouns);
  const nounWords = noun.split(' ').length;
  const words: string[] = [];
  let n = 0;
  while (n + nounWords < target) {
    const w = n > 0 && rng.bernoulli(0.1) ? rng.choice(NAME_STOPWORDS) : rng.choice(NAME_WORDS);
    words.push(n === 0 && w === 'a' ? 'A' : w);
    n++;
    if (n === 2 && n + nounWords < target && rng.bernoulli(0.2)) words.push(rng.bernoulli(0.5) ? '-' : ':');
  }
  words.push(noun);
  if (rng.bernoulli(0.02)) words[0] = `"${words[0]}"`;
  let name = words.join(' ').replace(/ :/g, ':');
  if (rng.bernoulli(0.04)) name += `, ${rng.choice(NAME_TAILS)}`;
  else if (rng.bernoulli(0.06)) name += '!';
  return name;
}

function usdRate(rng: Rng, currency: string, launched: number, phase: number): number {
  const [base, swing] = USD_RATES[currency];
  if (currency === 'USD') return 1;
  const years = (launched - epochSeconds(2017, 1, 1)) / (365.25 * DAY);
  const drift = 1 + swing * Math.sin((2 * Math.PI * years) / 3.1 + phase);
  const r = base * drift * (1 + rng.normal(0, 0.004));
  // Eight significant digits, like the real column.
  const scale = Math.pow(10, 7 - Math.floor(Math.log10(r)));
  return Math.round(r * scale) / scale;
}

function durationEffect(days: number): number {
  if (days <= 29) return 0.35;
  if (days <= 31) return 0;
  if (days <= 50) return -0.25;
  return -0.9;
}

function addDateParts(
  row: KickstarterRow,
  prefix: 'deadline' | 'state_changed_at' | 'created_at' | 'launched_at',
  t: number,
): void {
  const p = dateParts(t);
  row[prefix] = formatDateTime(t);
  row[`${prefix}_weekday`] = p.weekday;
  row[`${prefix}_month`] = p.month;
  row[`${prefix}_day`] = p.day;
  row[`${prefix}_yr`] = p.year;
  row[`${prefix}_hr`] = p.hour;
}

/** Generate Kickstarter-like campaigns (deterministic for a seed), sorted by created_at with rising ids. */
export function generateKickstarter(options: KickstarterOptions = {}): KickstarterRow[] {
  const rows = options.rows ?? 4000;
  checkRowCount(rows);
  const rng = createRng(options.seed ?? 42);
  const mains = new Categorical(MAIN_CATEGORIES.map((m) => [m, m.weight] as const));
  const subs = MAIN_CATEGORIES.map((m) => new Categorical(m.subcategories));
  const countries = new Categorical(COUNTRIES.map((c) => [c, c[2]] as const));
  const durations = new Categorical(DURATIONS);
  const launchHours = hoursTable(LAUNCH_HOURS);
  const deadlineHours = hoursTable(DEADLINE_HOURS);
  const years = new Categorical(LAUNCH_YEARS);
  const phases: Record<string, number> = {};
  for (const c of Object.keys(USD_RATES)) phases[c] = rng.uniform(0, 2 * Math.PI);

  const drafts: Draft[] = [];
  for (let i = 0; i < rows; i++) {
    const mainIndex = mains.drawIndex(rng);
    const main = MAIN_CATEGORIES[mainIndex];
    const category = subs[mainIndex].draw(rng);
    const [country, homeCurrency, , countryEffect] = countries.draw(rng);
    let currency = homeCurrency;
    if (rng.bernoulli(0.02)) {
      currency =
        country === 'US' ? rng.choice(['CAD', 'EUR', 'GBP']) : ['SE', 'DK', 'CH'].includes(country) ? 'EUR' : 'USD';
    }

    // Dates.
    const live = rng.bernoulli(LIVE_RATE);
    let launched: number;
    if (live) {
      launched = Math.floor(rng.uniform(epochSeconds(2024, 4, 30), SCRAPED_AT - 3600));
    } else {
      const year = years.draw(rng);
      const end = year === 2023 ? epochSeconds(2023, 5, 1) : epochSeconds(year + 1, 1, 1);
      const day = Math.floor(rng.uniform(epochSeconds(year, 1, 1), end) / DAY) * DAY;
      launched = day + launchHours.draw(rng) * 3600 + rng.int(3600);
    }
    let durationDays = durations.draw(rng);
    if (live) durationDays = Math.min(60, Math.max(durationDays, Math.ceil((SCRAPED_AT - launched) / DAY) + 1));
    let deadline = launched + durationDays * DAY;
    if (rng.bernoulli(0.45)) {
      // A deadline set to a round clock time on the last day.
      const day = Math.floor(deadline / DAY) * DAY;
      deadline = day + deadlineHours.draw(rng) * 3600 + (rng.bernoulli(0.3) ? 59 * 60 : 0);
      if (deadline - launched > 60 * DAY) deadline -= DAY;
      if (deadline - launched < DAY / 2) deadline += DAY;
      if (live && deadline <= SCRAPED_AT) deadline += DAY;
    }
    let prepDays = logNormal(rng, 14, 1.77);
    if (prepDays > 3900) prepDays = rng.uniform(1000, 3900);
    const created = launched - Math.max(600, Math.round(prepDays * DAY));

    // Money.
    const rate = usdRate(rng, currency, launched, phases[currency]);
    const goalUsd = Math.pow(10, clamp(rng.normal(main.goalLog10Median, main.goalLog10Sd), 0, 8));
    const goal = niceGoal(rng, goalUsd / rate);
    const video = rng.bernoulli(main.videoRate);
    const staffPick = rng.bernoulli(clamp(main.staffPickRate * (video ? 1.18 : 0.65), 0, 1));

    // Outcome.
    const launchedYear = dateParts(launched).year;
    const z =
      SUCCESS_INTERCEPT +
      SIGNAL_STRENGTH *
        (main.successEffect +
          (SUBCATEGORY_EFFECTS[category] ?? 0) +
          countryEffect -
          0.8 * (Math.log10(goal * rate) - 3.7) +
          (staffPick ? 2.4 : 0) +
          (video ? 0.5 : 0) +
          durationEffect((deadline - launched) / DAY) +
          0.18 * (Math.min(launchedYear, 2023) - 2019.5));
    const pSuccess = sigmoid(z);
    let state: KickstarterState;
    if (live) state = 'live';
    else if (rng.bernoulli(0.11 * (1 - pSuccess))) state = 'canceled';
    else state = rng.bernoulli(pSuccess) ? 'successful' : 'failed';

    let name = makeName(rng, main.nouns);
    if (state === 'canceled') name += ' (Canceled)';
    const words = countNameWords(name);
    const blurbLen = clamp(Math.round(rng.normal(16.3, 5.9)), 0, 31);
    const blurbClean = Math.max(0, blurbLen - clamp(Math.round(rng.normal(1.33, 1.1)), 0, 7));

    // What happened after launch (leakage).
    let ratio: number;
    if (state === 'successful') ratio = 1 + Math.min(2000, logNormal(rng, 0.25, 2));
    else if (state === 'failed') ratio = rng.bernoulli(0.064) ? 0 : Math.min(0.99, logNormal(rng, 0.06, 1.4));
    else if (state === 'canceled') ratio = rng.bernoulli(0.14) ? 0 : Math.min(20, logNormal(rng, 0.06, 1.8));
    else ratio = Math.min(50, logNormal(rng, 0.6, 1.5));
    let pledged = state === 'successful' ? Math.ceil(goal * ratio) : Math.floor(goal * ratio);
    if (state === 'failed' && pledged >= goal) pledged = goal - 1;
    const usdPledged = pledged * rate;
    const backers = pledged === 0 ? 0 : Math.max(1, Math.round(usdPledged / clamp(logNormal(rng, 52, 0.45), 1, 5000)));
    let stateChanged: number;
    if (state === 'canceled') {
      stateChanged = launched + Math.floor((deadline - launched) * clamp(Math.pow(rng.random(), 1.3), 0.001, 0.999));
    } else if (state === 'live') {
      stateChanged = launched + 1 + rng.int(6);
    } else {
      const u = rng.random();
      stateChanged = deadline + (u < 0.7 ? 0 : u < 0.9 ? 1 : 2);
    }

    const row = {
      id: 0,
      name,
      goal,
      pledged,
      state,
      disable_communication: false,
      country,
      currency,
      staff_pick: staffPick,
      backers_count: backers,
      static_usd_rate: rate,
      usd_pledged: usdPledged,
      category,
      spotlight: state === 'successful',
      name_len: words.len,
      name_len_clean: words.clean,
      blurb_len: blurbLen,
      blurb_len_clean: blurbClean,
      main_category: main.name,
      'staff_pick.1': state === 'live',
      show_feature_image: state === 'successful' && rng.bernoulli(0.058),
      video,
    } as KickstarterRow;
    addDateParts(row, 'deadline', deadline);
    addDateParts(row, 'state_changed_at', stateChanged);
    addDateParts(row, 'created_at', created);
    addDateParts(row, 'launched_at', launched);
    drafts.push({ created, row });
  }

  // Ids rise with created_at, as Kickstarter's do.
  drafts.sort((a, b) => a.created - b.created);
  const t0 = epochSeconds(2009, 4, 1);
  let lastId = 0;
  return drafts.map(({ created, row }) => {
    const id = Math.max(lastId + 1 + rng.int(50), 20000 + Math.round(((created - t0) / DAY) * 900 + rng.int(900)));
    lastId = id;
    const ordered = {} as KickstarterRow;
    for (const c of KICKSTARTER_COLUMNS) ordered[c] = c === 'id' ? id : row[c];
    return ordered;
  });
}

/** The CSV text of Kickstarter rows: comma-separated, `"` quoting, True/False, floats as `5530.0`. */
export function kickstarterCsv(rows: readonly KickstarterRow[]): string {
  return toCsv(KICKSTARTER_COLUMNS, rows, { floatColumns: KICKSTARTER_FLOAT_COLUMNS });
}
