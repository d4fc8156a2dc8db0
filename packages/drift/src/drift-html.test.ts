import * as aq from 'arquero';
import { Bundle, type BundleDocument } from '@campaign-ml/bundle';
import doc from './__fixtures__/bundle.json';
import { driftHtml } from './drift-html';
import { driftReport, type DriftReport } from './drift-report';
import { fixtureSplit } from './test-data';

const bundle = Bundle.fromJSON(doc as unknown as BundleDocument);
const { b } = fixtureSplit();

describe('driftHtml', () => {
  const values = b.array('category') as (string | null)[];
  const poetry = b.assign(aq.table({ category: values.map((v, i) => (i % 10 === 0 ? 'Poetry <b>' : v)) }));
  const report = driftReport(bundle, poetry, { window: { rows: 500 }, importance: { category: 0.2, goal: 0.1 } });
  const html = driftHtml(report);

  it('is one self-contained page: no script, no external file, escaped text', () => {
    expect(html.startsWith('<!doctype html>')).toBe(true);
    expect(html).not.toMatch(/<script|<link|src=|href="http/);
    expect(html).toContain('Poetry &lt;b&gt;');
    expect(html).not.toContain('Poetry <b>');
  });

  it('has the summary, every column with histograms, the drill-down, the target and the windows', () => {
    expect(html).toContain('drift is detected for 11.1% of columns (1 out of 9)');
    for (const c of report.columns) expect(html).toContain(`id="col-${c.column}"`);
    expect((html.match(/<svg/g) ?? []).length).toBeGreaterThanOrEqual(3 * 10);
    expect(html).toContain('<h2>Target: state</h2>');
    expect(html).toContain('<h2>Windows</h2>');
    expect(html).toMatch(/category<\/a><\/td><td>categorical<\/td><td class="num">0.2<\/td>/);
  });

  it('embeds no rows, so its size follows the columns, not the rows: well under 2 MB for 50 columns', () => {
    // No raw value of a numeric column appears (the goals are 3-6 digit integers).
    const goals = new Set((b.array('goal') as number[]).map(String));
    const text = html.replace(/<[^>]+>/g, ' ');
    const leaked = text.split(/[\s,;:()]+/).filter((t) => goals.has(t) && t.length >= 5);
    expect(leaked).toEqual([]);
    // 50 columns of the widest kind in this report, 40 windows: build that report and measure it.
    const widest = report.columns.reduce((a, c) => (c.histogram.labels.length > a.histogram.labels.length ? c : a));
    const columns = Array.from({ length: 50 }, (_, i) => ({ ...widest, column: `column_${i}` }));
    const win = report.windows![0];
    const windows = Array.from({ length: 40 }, (_, i) => ({
      ...win,
      label: `w${i}`,
      columns: Object.fromEntries(columns.map((c) => [c.column, win.columns.category])),
    }));
    const big: DriftReport = { ...report, columns, windows };
    const size = Buffer.byteLength(driftHtml(big));
    expect(size).toBeLessThan(500_000);
  });
});
