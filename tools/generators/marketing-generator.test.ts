import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  generateMarketing,
  MARKETING_COLUMNS,
  MARKETING_INCOME_OUTLIER,
  marketingCsv,
  type MarketingRow,
} from './marketing-generator';

const shared = path.resolve(__dirname, '../../../shared/data');
const hasShared = fs.existsSync(path.join(shared, 'marketing/marketing_campaign.csv'));
const d = hasShared ? describe : describe.skip;

const rows = generateMarketing({ rows: 2240, seed: 11 });
const num = (r: MarketingRow, c: keyof MarketingRow): number => r[c] as number;
const mean = (xs: readonly number[]): number => xs.reduce((s, v) => s + v, 0) / xs.length;

describe('generateMarketing', () => {
  it('is deterministic for a seed and differs between seeds', () => {
    const a = marketingCsv(generateMarketing({ rows: 200, seed: 3 }));
    expect(marketingCsv(generateMarketing({ rows: 200, seed: 3 }))).toBe(a);
    expect(marketingCsv(generateMarketing({ rows: 200, seed: 4 }))).not.toBe(a);
  });

  it('writes the 29 columns, ;-separated, with a BOM and YYYY-MM-DD dates', () => {
    const text = marketingCsv(rows);
    expect(text.charCodeAt(0)).toBe(0xfeff);
    const lines = text.slice(1).split('\n');
    expect(lines[0].split(';')).toEqual([...MARKETING_COLUMNS]);
    expect(MARKETING_COLUMNS).toHaveLength(29);
    expect(lines).toHaveLength(rows.length + 1);
    expect(lines.every((l) => l.split(';').length === 29)).toBe(true);
    expect(rows.every((r) => /^201[234]-\d{2}-\d{2}$/.test(r.Dt_Customer as string))).toBe(true);
    expect(new Set(rows.map((r) => r.ID)).size).toBe(rows.length);
  });

  it('keeps the quirks of the real table: missing incomes, old birth years, one absurd income, constants', () => {
    const missing = rows.filter((r) => r.Income === null).length;
    expect(missing).toBe(24);
    expect(rows.filter((r) => num(r, 'Year_Birth') < 1930).length).toBe(3);
    expect(rows.filter((r) => r.Income === MARKETING_INCOME_OUTLIER)).toHaveLength(1);
    expect(rows.filter((r) => r.Income !== null && num(r, 'Income') > 200000)).toHaveLength(1);
    expect(rows.every((r) => r.Z_CostContact === 3 && r.Z_Revenue === 11)).toBe(true);
    expect(marketingCsv(rows)).toContain(';;'); // the empty Income fields
  });

  it('has ~15% responders, more among recent, rich, big-spending and previously accepting customers', () => {
    const rate = (pred: (r: MarketingRow) => boolean): number => mean(rows.filter(pred).map((r) => num(r, 'Response')));
    const overall = rate(() => true);
    expect(overall).toBeGreaterThan(0.11);
    expect(overall).toBeLessThan(0.19);
    expect(rate((r) => num(r, 'Recency') < 30)).toBeGreaterThan(rate((r) => num(r, 'Recency') >= 70) + 0.08);
    expect(rate((r) => num(r, 'AcceptedCmp5') === 1)).toBeGreaterThan(overall + 0.15);
    expect(rate((r) => num(r, 'MntWines') > 500)).toBeGreaterThan(rate((r) => num(r, 'MntWines') < 50));
    expect(rate((r) => r.Income !== null && num(r, 'Income') > 70000)).toBeGreaterThan(
      rate((r) => r.Income !== null && num(r, 'Income') < 35000),
    );
    for (const c of ['AcceptedCmp1', 'AcceptedCmp3', 'AcceptedCmp4', 'AcceptedCmp5'] as const) {
      expect(mean(rows.map((r) => num(r, c)))).toBeGreaterThan(0.03);
      expect(mean(rows.map((r) => num(r, c)))).toBeLessThan(0.12);
    }
  });
});

d('against the real iFood table', () => {
  it('uses exactly its header, BOM and delimiter', () => {
    const head = fs.readFileSync(path.join(shared, 'marketing/marketing_campaign.csv'), 'utf8').split('\n')[0];
    expect(marketingCsv(rows.slice(0, 1)).split('\n')[0]).toBe(head.replace(/\r$/, ''));
  });
});
