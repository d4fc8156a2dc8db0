/**
 * The quirk corpus: small, deterministic tables shaped like the tidy-but-messy exports people
 * train on (bank-marketing and churn flags, census `?`, spreadsheets with currency and percent
 * strings, zip codes, odd headers). Each has a real signal so training has something to find, and
 * states how its columns must be typed, so a test can check that training, batch scoring and the
 * API type every column the same way. Nothing is downloaded.
 */
import { createRng, type Rng } from '@campaign-ml/core';

export interface QuirkTable {
  name: string;
  /** What the table exercises, for test names. */
  about: string;
  /** CSV text (header included). */
  csv: string;
  header: readonly string[];
  rows: readonly Cell[][];
  delimiter: string;
  target: string;
  /** Column (by header) -> the schema type it must get. */
  types: Record<string, string>;
  /** A cell to break for the bad-value check: a data row (1-based), a column and a value that does not fit. */
  bad?: { row: number; column: string; value: string; expected: string };
}

export type Cell = string | number | null;

function csvLine(cells: readonly Cell[], delimiter: string): string {
  return cells
    .map((c) => {
      const s = c === null ? '' : String(c);
      return s.includes(delimiter) || s.includes('"') || /[\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
    })
    .join(delimiter);
}

/** The table as CSV text, quoting cells that hold the delimiter, a quote or a line break. */
export function csv(header: readonly string[], rows: readonly Cell[][], delimiter = ','): string {
  return `${[csvLine(header, delimiter), ...rows.map((r) => csvLine(r, delimiter))].join('\n')}\n`;
}

function withCsv(t: Omit<QuirkTable, 'csv'>): QuirkTable {
  return { ...t, csv: csv(t.header, t.rows, t.delimiter) };
}

const pick = <T>(rng: Rng, xs: readonly T[]): T => xs[rng.int(xs.length)];
const logistic = (z: number) => 1 / (1 + Math.exp(-z));

const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];
const WEEKDAYS = ['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday'];

/** Bank-marketing style: yes/no, Y/N and TRUE/FALSE flags, blanks and lone spaces in a number column. */
function bankFlags(rng: Rng, n: number): QuirkTable {
  const rows: Cell[][] = [];
  for (let i = 0; i < n; i++) {
    const age = 20 + rng.int(50);
    const housing = rng.bernoulli(0.5);
    const loan = rng.bernoulli(0.3);
    const isDefault = rng.bernoulli(0.1);
    const balance = Math.round(rng.normal(1500, 900) * 100) / 100;
    const z = -0.5 + 1.4 * Number(housing) - 1.1 * Number(loan) + 0.0006 * (balance - 1500) - 0.8 * Number(isDefault);
    const balanceText = i % 17 === 3 ? '' : i % 23 === 5 ? ' ' : balance;
    rows.push([
      age,
      isDefault ? 'yes' : 'no',
      housing ? 'Y' : 'N',
      loan ? 'TRUE' : 'FALSE',
      balanceText,
      rng.bernoulli(logistic(z)) ? 'yes' : 'no',
    ]);
  }
  return withCsv({
    name: 'bank-flags',
    about: 'yes/no, Y/N, TRUE/FALSE flags; blank and lone-space numbers; a yes/no target',
    header: ['age', 'default', 'housing', 'loan', 'balance', 'y'],
    rows,
    delimiter: ',',
    target: 'y',
    types: { age: 'integer', default: 'boolean', housing: 'boolean', loan: 'boolean', balance: 'number' },
    bad: { row: 4, column: 'housing', value: 'maybe', expected: 'a boolean' },
  });
}

/** Census style: `?`, `NA`, `n/a` and `-` as missing in text and number columns; a numeric-looking target. */
function census(rng: Rng, n: number): QuirkTable {
  const rows: Cell[][] = [];
  const missing = ['?', 'NA', 'n/a', '-'];
  for (let i = 0; i < n; i++) {
    const education = pick(rng, ['Bachelors', 'HS-grad', 'Masters', 'Some-college', 'Doctorate']);
    const hours = 20 + rng.int(45);
    const gain = rng.bernoulli(0.2) ? rng.int(20000) : 0;
    const z = -2 + 0.05 * (hours - 40) + (education === 'Masters' || education === 'Doctorate' ? 1.6 : 0) + gain / 8000;
    rows.push([
      i % 13 === 2 ? pick(rng, missing) : pick(rng, ['Private', 'Self-emp', 'Gov']),
      education,
      hours,
      i % 11 === 4 ? pick(rng, missing) : gain,
      rng.bernoulli(logistic(z)) ? 1 : 0,
    ]);
  }
  return withCsv({
    name: 'census',
    about: '?, NA, n/a and - as missing; a 1/0 target',
    header: ['workclass', 'education', 'hours_per_week', 'capital_gain', 'income_over_50k'],
    rows,
    delimiter: ',',
    target: 'income_over_50k',
    types: { workclass: 'category', education: 'category', hours_per_week: 'integer', capital_gain: 'integer' },
    bad: { row: 2, column: 'hours_per_week', value: 'forty', expected: 'an integer' },
  });
}

/** Month and weekday names, a date column, a Yes/No target. */
function calendar(rng: Rng, n: number): QuirkTable {
  const rows: Cell[][] = [];
  for (let i = 0; i < n; i++) {
    const month = rng.int(12);
    const day = rng.int(5);
    const duration = Math.round(rng.uniform(5, 900));
    const contacted = new Date(Date.UTC(2023, month, 1 + rng.int(28))).toISOString().slice(0, 10);
    const z = -1.5 + duration / 300 + (month >= 8 ? 0.9 : 0) - (day === 0 ? 0.7 : 0);
    rows.push([MONTHS[month], WEEKDAYS[day], duration, contacted, rng.bernoulli(logistic(z)) ? 'Yes' : 'No']);
  }
  return withCsv({
    name: 'calendar',
    about: 'month and weekday names, ISO dates, a Yes/No target',
    header: ['month', 'day_of_week', 'duration', 'contacted_on', 'subscribed'],
    rows,
    delimiter: ',',
    target: 'subscribed',
    types: { month: 'category', day_of_week: 'category', duration: 'number', contacted_on: 'datetime' },
    bad: { row: 3, column: 'contacted_on', value: '2023-02-30', expected: 'a date' },
  });
}

/** Spreadsheet money: currency signs, thousands separators, percent strings, zip codes, an ID, a constant. */
function money(rng: Rng, n: number): QuirkTable {
  const rows: Cell[][] = [];
  const zips = ['02134', '02139', '10001', '00501', '94105'];
  for (let i = 0; i < n; i++) {
    const price = Math.round(rng.uniform(5, 3000) * 100) / 100;
    const discount = rng.int(40);
    const revenue = Math.round(rng.uniform(1000, 3_000_000));
    const zip = pick(rng, zips);
    const z = -0.5 + discount / 15 - price / 1500 + (zip === '10001' ? 0.8 : 0);
    rows.push([
      `CUST-${String(i + 1).padStart(5, '0')}`,
      `$${price.toLocaleString('en-US', { minimumFractionDigits: 2 })}`,
      `${discount}%`,
      revenue.toLocaleString('en-US'),
      zip,
      'EUR',
      rng.bernoulli(logistic(z)) ? 1 : 0,
    ]);
  }
  return withCsv({
    name: 'money',
    about: 'currency and thousands separators, percent strings, zip codes with leading zeros, an ID, a constant column',
    header: ['customer_id', 'price', 'discount', 'revenue', 'zip', 'currency', 'converted'],
    rows,
    delimiter: ',',
    target: 'converted',
    types: {
      customer_id: 'identifier',
      price: 'number',
      discount: 'integer',
      revenue: 'number',
      zip: 'category',
      currency: 'category',
    },
    bad: { row: 5, column: 'price', value: '$12k', expected: 'a number' },
  });
}

/** Column names with dots, spaces, unicode and a duplicate; a multiclass target. */
function oddNames(rng: Rng, n: number): QuirkTable {
  const rows: Cell[][] = [];
  for (let i = 0; i < n; i++) {
    const total = Math.round(rng.uniform(10, 500) * 100) / 100;
    const size = rng.int(4);
    const score = rng.normal(0, 1);
    const segment = total > 350 ? 'gold' : size >= 2 || score > 0.8 ? 'silver' : 'bronze';
    rows.push([
      total,
      pick(rng, ['Ann', 'Bo', 'Cy']),
      size,
      Math.round(score * 1000) / 1000,
      Math.round(rng.normal(0, 1) * 1000) / 1000,
      segment,
    ]);
  }
  return withCsv({
    name: 'odd-names',
    about: 'dots, spaces, unicode and duplicate column names; a multiclass target',
    header: ['order.total', 'first name', 'größe', 'score', 'score', 'segment'],
    rows,
    delimiter: ',',
    target: 'segment',
    types: { 'order.total': 'number', 'first name': 'category', größe: 'integer', score: 'number' },
    bad: { row: 1, column: 'order.total', value: 'lots', expected: 'a number' },
  });
}

/** European export: `;` separated, decimal commas; a numeric (regression) target. */
function decimalComma(rng: Rng, n: number): QuirkTable {
  const rows: Cell[][] = [];
  for (let i = 0; i < n; i++) {
    const bmi = rng.uniform(17, 40);
    const age = 18 + rng.int(47);
    const smoker = rng.bernoulli(0.2);
    const charges = 2000 + 250 * age + (smoker ? 20000 : 0) + 300 * (bmi - 25) + rng.normal(0, 1500);
    rows.push([age, bmi.toFixed(2).replace('.', ','), smoker ? 'ja' : 'nein', charges.toFixed(2).replace('.', ',')]);
  }
  return withCsv({
    name: 'decimal-comma',
    about: '; separated with decimal commas; a numeric target',
    header: ['age', 'bmi', 'smoker', 'charges'],
    rows,
    delimiter: ';',
    target: 'charges',
    types: { age: 'integer', bmi: 'number', smoker: 'category' },
    bad: { row: 6, column: 'bmi', value: '27,5,1', expected: 'a number' },
  });
}

/** Every table of the corpus, the same for the same seed. */
export function quirkTables(seed = 7, rows = 240): QuirkTable[] {
  const rng = createRng(seed);
  return [bankFlags, census, calendar, money, oddNames, decimalComma].map((make) => make(rng.fork(), rows));
}
