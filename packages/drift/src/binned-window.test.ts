import * as aq from 'arquero';
import { Bundle, type BundleDocument } from '@campaign-ml/bundle';
import doc from './__fixtures__/bundle.json';
import { BinnedWindow } from './binned-window';
import { driftReport } from './drift-report';
import { liveDriftReport } from './live-drift-report';
import { summarizePerformanceReference } from './performance-estimate';
import { fixtureSplit } from './test-data';

const bundle = Bundle.fromJSON(doc as unknown as BundleDocument);
const { b } = fixtureSplit();

/** b typed by the bundle's validator, with P(positive) per row. */
function typedWithScores(t: aq.ColumnTable) {
  const typed = bundle.validator('unseen').table(t).table;
  const scores = bundle.scoreTable(typed);
  const positive = Float64Array.from({ length: typed.numRows() }, (_, i) => scores[i * 2 + 1]);
  return { typed, scores, positive };
}

function withColumn(t: aq.ColumnTable, column: string, f: (v: unknown, i: number) => unknown): aq.ColumnTable {
  const values = t.array(column) as ArrayLike<unknown>;
  return t.assign(aq.table({ [column]: Array.from(values, (v, i) => (v === null ? null : f(v, i))) }));
}

function records(t: aq.ColumnTable): Record<string, unknown>[] {
  return t.objects() as Record<string, unknown>[];
}

describe('liveDriftReport on a BinnedWindow', () => {
  it("gives driftReport's robust results for the same rows: every column, the prediction, the dataset", () => {
    for (const table of [
      b,
      // drifted: goal tripled (many above the training range), a new category, rating shifted
      withColumn(
        withColumn(
          withColumn(b, 'goal', (v) => (v as number) * 3),
          'category',
          (v, i) => (i % 7 === 0 ? 'Poetry' : i % 11 === 0 ? 'Dance' : v),
        ),
        'rating',
        (v) => (v as number) - 0.4,
      ),
    ]) {
      const { typed, scores, positive } = typedWithScores(table);
      const window = new BinnedWindow(bundle, { rows: 10_000 });
      window.addTable(typed, positive);
      const live = liveDriftReport(window);
      const rows = driftReport(bundle, typed, { typed: true, predictions: scores });
      expect(live.columns).toEqual(rows.columns);
      expect(live.prediction).toEqual(rows.prediction);
      expect(live.dataset).toEqual(rows.dataset);
      expect(live.rows).toEqual({ ...rows.rows, input: 2000, compared: 2000 });
      expect(live.window).toEqual({ rows: 2000, seen: 2000, capacity: 10_000, buckets: 10 });
    }
  });

  it("estimates performance without labels (CBPE) as driftReport does: the same confusion matrix, ROC AUC within 0.01 from the bins, the bundle's bounds", () => {
    const { typed, scores, positive } = typedWithScores(b);
    // A test-split summary in the bundle (here: of the first 1,000 rows with their real labels).
    const y = Float64Array.from(b.array('state') as string[], (v) => (v === 'successful' ? 1 : 0));
    const summary = summarizePerformanceReference(positive.subarray(0, 1000), y.subarray(0, 1000), {
      threshold: bundle.threshold,
    });
    const withSummary = Bundle.fromJSON({
      ...bundle.document,
      reference: { ...bundle.document.reference!, performance: summary },
    });
    for (const bndl of [bundle, withSummary]) {
      const window = new BinnedWindow(bndl, { rows: 10_000 });
      window.addTable(typed, positive);
      const live = liveDriftReport(window).performance!;
      const rows = driftReport(bndl, typed, { typed: true, predictions: scores }).performance!;
      if (live.status === 'not estimated' || rows.status === 'not estimated') throw new Error('not estimated');
      for (const k of ['tp', 'fp', 'fn', 'tn'] as const)
        expect(live.overall.confusion[k]).toBeCloseTo(rows.overall.confusion[k], 4);
      for (const m of ['accuracy', 'precision', 'recall', 'f1Score'] as const)
        expect(live.overall.estimated[m]).toBeCloseTo(rows.overall.estimated[m], 5);
      expect(Math.abs(live.overall.estimated.rocAuc - rows.overall.estimated.rocAuc)).toBeLessThan(0.01);
      expect(live.calibration).toEqual(rows.calibration);
      expect(live.reference).toEqual(rows.reference);
      if (bndl === withSummary) expect(live.overall.bounds).toEqual(rows.overall.bounds);
      expect(live.warnings.at(-1)).toMatch(/prediction bins/);
    }
    // Rows dropped from the window leave its sums too: after 3,000 more rows in a 2,000-row window,
    // the estimate is that of the last 2,000 rows.
    const window = new BinnedWindow(bundle, { rows: 2000, buckets: 10 });
    window.addTable(typed, positive);
    window.addTable(typed, positive);
    const again = liveDriftReport(window).performance!;
    const once = liveDriftReport(
      (() => {
        const w = new BinnedWindow(bundle, { rows: 2000, buckets: 10 });
        w.addTable(typed, positive);
        return w;
      })(),
    ).performance!;
    if (again.status === 'not estimated' || once.status === 'not estimated') throw new Error('not estimated');
    expect(again.overall.rows).toBe(2000);
    for (const k of ['tp', 'fp', 'fn', 'tn'] as const)
      expect(again.overall.confusion[k]).toBeCloseTo(once.overall.confusion[k], 4);
  });

  it('flags the shifted column and not the others', () => {
    const shifted = withColumn(b, 'rating', (v) => (v as number) + 0.5);
    const { typed, positive } = typedWithScores(shifted);
    const window = new BinnedWindow(bundle);
    window.addTable(typed, positive);
    const live = liveDriftReport(window);
    expect(live.columns.filter((c) => c.drifted).map((c) => c.column)).toEqual(['rating']);
  });

  it('counts a record at a time exactly as a table (add = addTable)', () => {
    const { typed, positive } = typedWithScores(b);
    const one = new BinnedWindow(bundle);
    const all = new BinnedWindow(bundle);
    records(typed).forEach((r, i) => one.add(r, positive[i]));
    all.addTable(typed, positive);
    expect(one.counts()).toEqual(all.counts());
  });
});

describe('BinnedWindow, the ring of buckets', () => {
  const { typed, positive } = typedWithScores(b);
  const rows = records(typed);

  it('keeps only the last buckets: after 253 rows in 10 buckets of 10, the counts of rows 160..252', () => {
    const window = new BinnedWindow(bundle, { rows: 100, buckets: 10 });
    for (let i = 0; i < 253; i++) window.add(rows[i], positive[i]);
    // 25 full buckets and 3 rows: the window holds the 9 previous full buckets and the 3 rows.
    const fresh = new BinnedWindow(bundle, { rows: 100, buckets: 10 });
    for (let i = 160; i < 253; i++) fresh.add(rows[i], positive[i]);
    expect(window.rows).toBe(93);
    expect(window.seen).toBe(253);
    expect(window.counts().columns).toEqual(fresh.counts().columns);
    expect(window.counts().prediction).toEqual(fresh.counts().prediction);
  });

  it('holds capacity rows once the newest bucket is full, and reset forgets everything', () => {
    const window = new BinnedWindow(bundle, { rows: 100, buckets: 10 });
    for (let i = 0; i < 300; i++) window.add(rows[i], positive[i]);
    expect(window.rows).toBe(100);
    const hand = new Float64Array(window.predictionBins.labels.length);
    for (let i = 200; i < 300; i++) hand[window.predictionBins.bin(positive[i])]++;
    expect(window.counts().prediction).toEqual(hand);
    window.reset();
    expect(window.rows).toBe(0);
    expect(window.counts().prediction.every((c) => c === 0)).toBe(true);
  });

  it('keeps at most unseenNames new category names per bucket, while the unseen bin counts them all', () => {
    const window = new BinnedWindow(bundle, { rows: 1000, buckets: 10, unseenNames: 5 });
    const before = window.retainedBytes();
    for (let i = 0; i < 50_000; i++) window.add({ ...rows[i % rows.length], category: `new-${i}` }, positive[0]);
    const category = window.counts().columns.find((c) => c.column === 'category')!;
    expect(category.counts[category.counts.length - 1]).toBe(1000);
    expect(category.unseen!.length).toBe(50); // 5 names x 10 buckets
    expect(window.retainedBytes()).toBeLessThan(before + 50 * 2 * 12 + 50 * 8 + 1);
  });

  it('refuses a value of the wrong type, naming the column and row, and counts nothing of that row', () => {
    const window = new BinnedWindow(bundle);
    window.add(rows[0], positive[0]);
    expect(() => window.add({ ...rows[1], goal: 'lots' }, positive[1])).toThrow(/column "goal".*expected a number/);
    expect(() => window.addTable(aq.table({ rating: [3, {}] }), [0.1, 0.2])).toThrow(/column "rating" \(row 1\)/);
    expect(() => window.addTable(typed, [0.5])).toThrow(/1 predictions for 2000 rows/);
    expect(window.rows).toBe(2); // rows[0] and the good first row of the small table
    expect(() => new BinnedWindow(bundle, { rows: 5, buckets: 10 })).toThrow(/rows must be an integer >= buckets/);
    expect(
      () => new BinnedWindow(Bundle.fromJSON({ ...(doc as unknown as BundleDocument), reference: undefined })),
    ).toThrow(/keeps no reference/);
  });
});
