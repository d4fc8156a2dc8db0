/**
 * iFood-like marketing customers: the 29 columns of the public "Marketing Campaign" table in its
 * order. A latent wealth (from education and age) drives income, children at home and spending;
 * a latent receptiveness drives the five earlier campaigns; `Response` (~15%) rises with
 * receptiveness, earlier acceptances, spending, early enrolment and a recent purchase
 * (low `Recency`), as in the real data. Data quirks kept on purpose: ~1% missing `Income`
 * (empty), a few `Year_Birth` before 1930, one absurd `Income` of 666666, the constant columns
 * `Z_CostContact` = 3 and `Z_Revenue` = 11, and the odd marital statuses "Alone", "Absurd", "YOLO".
 */
import { createRng } from '@campaign-ml/core';
import { type Cell, toCsv } from './csv-writer';
import { DAY_SECONDS, epochSeconds, formatDate } from './date-parts';
import { Categorical, checkRowCount, clamp, poisson, sigmoid } from './sampling';

export const MARKETING_COLUMNS = [
  'ID',
  'Year_Birth',
  'Education',
  'Marital_Status',
  'Income',
  'Kidhome',
  'Teenhome',
  'Dt_Customer',
  'Recency',
  'MntWines',
  'MntFruits',
  'MntMeatProducts',
  'MntFishProducts',
  'MntSweetProducts',
  'MntGoldProds',
  'NumDealsPurchases',
  'NumWebPurchases',
  'NumCatalogPurchases',
  'NumStorePurchases',
  'NumWebVisitsMonth',
  'AcceptedCmp3',
  'AcceptedCmp4',
  'AcceptedCmp5',
  'AcceptedCmp1',
  'AcceptedCmp2',
  'Complain',
  'Z_CostContact',
  'Z_Revenue',
  'Response',
] as const;

export type MarketingColumn = (typeof MARKETING_COLUMNS)[number];
export type MarketingRow = Record<MarketingColumn, Cell>;

export interface MarketingOptions {
  /** Number of customers; default 2240. */
  rows?: number;
  /** Seed of core's RNG; default 42. */
  seed?: number;
}

/** The implausible incomes and birth years planted in every sample. */
export const MARKETING_INCOME_OUTLIER = 666666;
const OLD_BIRTH_YEARS = [1893, 1899, 1900];

const EDUCATION: readonly (readonly [string, number])[] = [
  ['Graduation', 1127],
  ['PhD', 486],
  ['Master', 370],
  ['2n Cycle', 203],
  ['Basic', 54],
];
const EDUCATION_INCOME: Readonly<Record<string, number>> = {
  Basic: -30000,
  '2n Cycle': -4000,
  Graduation: 0,
  Master: 1500,
  PhD: 4500,
};
const EDUCATION_RESPONSE: Readonly<Record<string, number>> = {
  Basic: -1.2,
  '2n Cycle': -0.2,
  Graduation: 0,
  Master: 0.15,
  PhD: 0.5,
};
const MARITAL: readonly (readonly [string, number])[] = [
  ['Married', 864],
  ['Together', 580],
  ['Single', 480],
  ['Divorced', 232],
  ['Widow', 77],
  ['Alone', 3],
  ['Absurd', 2],
  ['YOLO', 2],
];
// Spending per product line: [median at average wealth, cap].
const PRODUCTS: readonly (readonly [MarketingColumn, number, number])[] = [
  ['MntWines', 190, 1493],
  ['MntFruits', 10, 199],
  ['MntMeatProducts', 75, 1725],
  ['MntFishProducts', 14, 259],
  ['MntSweetProducts', 10, 263],
  ['MntGoldProds', 26, 362],
];
const FIRST_CUSTOMER = epochSeconds(2012, 7, 30);
const LAST_CUSTOMER = epochSeconds(2014, 6, 29);
const RESPONSE_INTERCEPT = -3.2;

/** Generate iFood-like customers (deterministic for a seed), in random ID order. */
export function generateMarketing(options: MarketingOptions = {}): MarketingRow[] {
  const n = options.rows ?? 2240;
  checkRowCount(n);
  const rng = createRng(options.seed ?? 42);
  const education = new Categorical(EDUCATION);
  const marital = new Categorical(MARITAL);
  const ids = rng.sampleIndices(Math.max(11192, 5 * n), n);
  const enrolDays = Math.round((LAST_CUSTOMER - FIRST_CUSTOMER) / DAY_SECONDS);

  const out: MarketingRow[] = [];
  for (let i = 0; i < n; i++) {
    const yearBirth = clamp(Math.round(rng.normal(1969, 11.7)), 1940, 1996);
    const edu = education.draw(rng);
    const status = marital.draw(rng);
    const income = Math.round(
      clamp(52000 + EDUCATION_INCOME[edu] + 180 * (1969 - yearBirth) + rng.normal(0, 19000), 1730, 165000),
    );
    const wealth = (income - 52000) / 21000;
    const kid = rng.bernoulli(sigmoid(-0.45 - 1.7 * wealth)) ? (rng.bernoulli(0.05) ? 2 : 1) : 0;
    const teen = rng.bernoulli(sigmoid(0.05 * (1969 - yearBirth) - 0.05 * wealth)) ? (rng.bernoulli(0.04) ? 2 : 1) : 0;
    const enrolled = rng.int(enrolDays + 1);
    const earliness = 1 - enrolled / enrolDays; // 1 = customer since the start
    const recency = rng.int(100);
    const spend = 1.1 * wealth - 0.7 * kid - 0.3 * teen + 0.3 * earliness + rng.normal(0, 0.4);
    const receptive = rng.normal(0, 1);

    const row = {
      ID: ids[i],
      Year_Birth: yearBirth,
      Education: edu,
      Marital_Status: status,
      Income: income,
      Kidhome: kid,
      Teenhome: teen,
      Dt_Customer: formatDate(FIRST_CUSTOMER + enrolled * DAY_SECONDS),
      Recency: recency,
    } as MarketingRow;
    for (const [column, median, cap] of PRODUCTS) {
      row[column] = Math.round(clamp(median * Math.exp(1.1 * spend + rng.normal(0, 0.75)) - 1, 0, cap));
    }
    row.NumDealsPurchases = Math.min(15, poisson(rng, 1.1 + 0.9 * kid + 0.8 * teen + 0.3 * Math.max(spend, 0)));
    row.NumWebPurchases = Math.min(27, poisson(rng, Math.exp(1.25 + 0.35 * spend)));
    row.NumCatalogPurchases = Math.min(28, poisson(rng, Math.exp(0.55 + 0.85 * spend)));
    row.NumStorePurchases = Math.min(13, poisson(rng, Math.exp(1.65 + 0.35 * spend)));
    row.NumWebVisitsMonth = Math.min(20, poisson(rng, Math.exp(1.55 - 0.2 * spend + 0.15 * kid)));
    const cmp3 = rng.bernoulli(sigmoid(-2.9 + 0.9 * receptive - 0.15 * spend)) ? 1 : 0;
    const cmp4 = rng.bernoulli(sigmoid(-2.9 + 0.8 * receptive + 0.5 * spend)) ? 1 : 0;
    const cmp5 = rng.bernoulli(sigmoid(-3.7 + 0.8 * receptive + 1.7 * wealth)) ? 1 : 0;
    const cmp1 = rng.bernoulli(sigmoid(-3.4 + 0.8 * receptive + 1.3 * wealth)) ? 1 : 0;
    const cmp2 = rng.bernoulli(sigmoid(-4.8 + 1.0 * receptive + 0.6 * wealth)) ? 1 : 0;
    row.AcceptedCmp3 = cmp3;
    row.AcceptedCmp4 = cmp4;
    row.AcceptedCmp5 = cmp5;
    row.AcceptedCmp1 = cmp1;
    row.AcceptedCmp2 = cmp2;
    row.Complain = rng.bernoulli(0.0094) ? 1 : 0;
    row.Z_CostContact = 3;
    row.Z_Revenue = 11;
    const single = status !== 'Married' && status !== 'Together';
    const z =
      RESPONSE_INTERCEPT +
      0.3 * receptive +
      1.35 * (cmp1 + cmp2 + cmp3 + cmp4 + cmp5) -
      0.047 * (recency - 49) +
      0.7 * spend +
      2.2 * (earliness - 0.5) +
      EDUCATION_RESPONSE[edu] +
      (single ? 0.75 : 0) -
      0.45 * teen;
    row.Response = rng.bernoulli(sigmoid(z)) ? 1 : 0;
    out.push(row);
  }

  // Quirks, planted on distinct random rows: missing incomes, one absurd income, very old customers.
  const missing = Math.round((n * 24) / 2240);
  const old = Math.max(1, Math.round((n * 3) / 2240));
  const picks = rng.sampleIndices(n, Math.min(n, missing + 1 + old));
  for (let k = 0; k < picks.length; k++) {
    const row = out[picks[k]];
    if (k < missing) row.Income = null;
    else if (k === missing) row.Income = MARKETING_INCOME_OUTLIER;
    else row.Year_Birth = OLD_BIRTH_YEARS[(k - missing - 1) % OLD_BIRTH_YEARS.length];
  }
  return out;
}

/** The CSV text of marketing rows: `;`-separated, UTF-8 BOM, no newline after the last row. */
export function marketingCsv(rows: readonly MarketingRow[]): string {
  return toCsv(MARKETING_COLUMNS, rows, { delimiter: ';', bom: true, trailingNewline: false });
}
