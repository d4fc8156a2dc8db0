import * as aq from 'arquero';
import { Bundle, type BundleDocument } from '@campaign-ml/bundle';
import doc from './__fixtures__/bundle.json';
import { driftHtml } from './drift-html';
import { driftReport, type DriftReport } from './drift-report';
import { driftTable, fixtureSplit } from './test-data';

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

  it('shows the estimated performance beside the test set at training, per window, estimated / realised', () => {
    expect(html).toContain('<h2>Estimated performance (CBPE)</h2>');
    expect(html).toContain('<th>Test set at training</th>');
    expect(html).toContain('Calibration not checked: no labelled reference rows.');
    expect(html).toMatch(/<th>Realised \(2,000 labelled\)<\/th>/);
    expect(html).toContain('Per window: estimated / realised');
    expect((html.match(/<td>rows \d/g) ?? []).length).toBe(4);
    const miscalibrated = driftHtml(driftReport(bundle, b, { reference: poetry.slice(0, 1000) }));
    expect(miscalibrated).toContain('<b>Not trusted</b>');
    expect(miscalibrated).toMatch(/Calibration on the reference: <span class="yes">failed<\/span> for [\w, ]+\(ECE/);
    const inputsOnly = driftHtml(driftReport(bundle, b, { predictions: false }));
    expect(inputsOnly).toContain('Not estimated: the rows were not scored (predictions: false).');
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

  it('groups many windows into at most 120 cells per row, so 1,000 windows x 50 columns stay under 2 MB', () => {
    const widest = report.columns.reduce((a, c) => (c.histogram.labels.length > a.histogram.labels.length ? c : a));
    const columns = Array.from({ length: 50 }, (_, i) => ({ ...widest, column: `column_${i}` }));
    const win = report.windows![0];
    const windows = Array.from({ length: 1000 }, (_, i) => ({
      ...win,
      label: `w${i}`,
      dataset: { ...win.dataset, drifted: i === 437 },
      columns: Object.fromEntries(
        columns.map((c) => [c.column, { ...win.columns.category, drifted: i === 437 && c.column === 'column_3' }]),
      ),
    }));
    const page = driftHtml({ ...report, columns, windows });
    expect(Buffer.byteLength(page)).toBeLessThan(2_000_000);
    expect(page).toContain('1000 windows, shown in 112 groups of 9 consecutive windows');
    // The one drifted window is still visible in its group: red for column_3 and the dataset only.
    expect(page).toContain('title="column_3, w432 .. w440: 1 of 9 windows drifted');
    expect(page.match(/class="g1" title="[^"]*w432 \.\. w440/g)).toHaveLength(2);
  });
});

describe('driftHtml: the page does not grow with the rows (the 2 MB bound for 1M rows x 50 columns)', () => {
  // The same generated table at 5k and 50k rows (the second ten times longer, same distributions).
  const pages = [5_000, 50_000].map((n) => {
    const table = driftTable(n, 31);
    const report = driftReport(bundle, table, { importance: { category: 0.2, goal: 0.1 } });
    const html = driftHtml(report);
    const shown = report.columns.length + (report.prediction ? 1 : 0) + (report.target?.drift ? 1 : 0);
    return { n, table, report, html, bytes: Buffer.byteLength(html), shown };
  });

  it('has the same size (within 1%) on 10x the rows: it holds bin shares, not values', () => {
    const [small, large] = pages;
    expect(large.report.rows.compared).toBe(50_000);
    expect(Math.abs(large.bytes - small.bytes)).toBeLessThan(0.01 * small.bytes);
  });

  it('stays within a fixed bound per column, which puts 50 columns (and the prediction) under 2 MB', () => {
    // 30 kB per shown column plus 20 kB of page: 51 x 30 kB + 20 kB = 1.55 MB for 50 inputs and the prediction.
    const perColumn = 30_000;
    const page = 20_000;
    expect(page + 51 * perColumn).toBeLessThan(2_000_000);
    for (const p of pages) expect(p.bytes).toBeLessThan(page + p.shown * perColumn);
    // The widest column this report holds (most bins), 51 times: still under the bound.
    const report = pages[1].report;
    const widest = report.columns.reduce((a, c) => (c.histogram.labels.length > a.histogram.labels.length ? c : a));
    const columns = Array.from({ length: 50 }, (_, i) => ({ ...widest, column: `column_${i}` }));
    expect(Buffer.byteLength(driftHtml({ ...report, columns }))).toBeLessThan(page + 51 * perColumn);
  });

  it('embeds no raw value: of the 50k rows’ goals (5 digits and more) only the bundle’s bin edges appear', () => {
    const { table, html, report } = pages[1];
    const split = (text: string) => text.split(/[\s,;:()]+|\s-\s/);
    const tokens = new Set(split(html.replace(/<[^>]+>/g, ' ')));
    // The bin edges are the reference's deciles, kept in the bundle: they may equal a current value.
    const edges = new Set(report.columns.flatMap((c) => c.histogram.labels.flatMap(split)));
    const goals = new Set((table.array('goal') as number[]).filter((g) => g >= 10_000).map(String));
    expect(goals.size).toBeGreaterThan(1000);
    expect([...goals].filter((g) => tokens.has(g) && !edges.has(g))).toEqual([]);
  });
});
