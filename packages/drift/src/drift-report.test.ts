import * as aq from 'arquero';
import { createRng } from '@campaign-ml/core';
import { Bundle, computeReference, type BundleDocument, type NumericReference } from '@campaign-ml/bundle';
import doc from './__fixtures__/bundle.json';
import { driftReport, type DriftReport } from './drift-report';
import { summarizePerformanceReference } from './performance-estimate';
import { NUMERIC_COLUMNS, driftTable, fixtureSplit, randomSplit } from './test-data';

const bundle = Bundle.fromJSON(doc as unknown as BundleDocument);
const { a, b } = fixtureSplit();
const reference = bundle.document.reference!;
const INPUTS = Object.keys(reference.inputs);

/** b with `column` replaced by f(value) (nulls kept). */
function withColumn(t: aq.ColumnTable, column: string, f: (v: unknown, i: number) => unknown): aq.ColumnTable {
  const values = t.array(column) as ArrayLike<unknown>;
  return t.assign(aq.table({ [column]: Array.from(values, (v, i) => (v === null ? null : f(v, i))) }));
}

const drifted = (r: DriftReport) => r.columns.filter((c) => c.drifted).map((c) => c.column);

describe('the bundle fixture', () => {
  it('is the bundle tools/fixtures/drift-bundle.ts trains on fixtureSplit().a (same reference, same scores)', () => {
    const P = bundle.scoreTable(a);
    const positive = Float64Array.from({ length: a.numRows() }, (_, i) => P[i * 2 + 1]);
    expect(computeReference(a, bundle.document.schema, positive)).toEqual(reference);
    expect(INPUTS).toEqual([
      'goal',
      'backers',
      'duration_days',
      'rating',
      'category',
      'country',
      'video',
      'staff_pick',
      'launched_at',
    ]);
  });
});

describe('driftReport, robust mode', () => {
  const same = driftReport(bundle, b);

  it('compares the inputs alone with predictions: false (no scoring, no prediction, no target), with the same column results', () => {
    const inputsOnly = driftReport(bundle, b, { predictions: false, window: { rows: 500 } });
    expect(inputsOnly.prediction).toBeUndefined();
    expect(inputsOnly.target).toBeUndefined();
    expect(inputsOnly.windows![0].prediction).toBeUndefined();
    expect(inputsOnly.columns).toEqual(same.columns);
    expect(inputsOnly.dataset).toEqual(same.dataset);
  });

  it('finds no drift in a random split of the training table: no column, no prediction shift, no dataset drift', () => {
    expect(drifted(same)).toEqual([]);
    expect(same.dataset).toMatchObject({ drifted: false, driftedColumns: 0, columns: INPUTS.length, driftShare: 0.5 });
    expect(same.prediction!.drifted).toBe(false);
    for (const c of same.columns) {
      expect(c.test).toBe('chi-square (frozen bins)');
      expect(c.effect.name).toBe('psi');
      expect(c.effect.value).toBeLessThan(0.05); // ~ (bins - 1) (1/2000 + 1/2000) under no drift
      expect(c.rows).toEqual({ reference: expect.closeTo(2000, -1), current: 2000 });
    }
  });

  it('puts the labelled rows through the model: the same metrics as the test split kept in the bundle', () => {
    const t = same.target!;
    expect(t).toMatchObject({ column: 'state', rows: 2000, unknownLabels: 0 });
    expect(t.metrics.accuracy).toBeCloseTo(t.referenceMetrics!.accuracy, 12);
    expect(t.metrics.rocAuc).toBeCloseTo(t.referenceMetrics!.rocAuc, 12);
    expect(t.metrics.f1Score).toBeCloseTo(t.referenceMetrics!.f1Score, 12);
    expect(Math.abs(t.change!.accuracy)).toBeLessThan(1e-12);
    expect(t.shares!.failed + t.shares!.successful).toBeCloseTo(1, 3);
  });

  it.each(NUMERIC_COLUMNS.map((c) => [c]))(
    'flags %s, and only it, when it moves by half a standard deviation',
    (column) => {
      const std = (reference.inputs[column] as NumericReference).std;
      const integer = bundle.document.schema.columns.find((c) => c.name === column)!.type === 'integer';
      const shifted = withColumn(b, column, (v) =>
        integer ? Math.round((v as number) + 0.5 * std) : (v as number) + 0.5 * std,
      );
      const r = driftReport(bundle, shifted);
      expect(drifted(r)).toEqual([column]);
      const c = r.columns[0];
      expect(c.column).toBe(column);
      expect(c.pValue!).toBeLessThan(1e-6);
      expect(c.effect.value).toBeGreaterThanOrEqual(0.1);
      expect(r.dataset.drifted).toBe(false); // 1 of 9 columns
      expect(r.columns.slice(1).every((x) => x.effect.value < 0.1)).toBe(true);
    },
  );

  it('reports a new category by name, with its count, in the unseen bin', () => {
    const poetry = withColumn(b, 'category', (v, i) => (i % 10 === 0 ? 'Poetry' : v));
    const r = driftReport(bundle, poetry);
    expect(drifted(r)).toEqual(['category']);
    const c = r.columns[0];
    const expected = (poetry.array('category') as unknown[]).filter((v) => v === 'Poetry').length;
    expect(c.unseen!.values).toEqual([{ value: 'Poetry', count: expected }]);
    expect(c.unseen!.share).toBeCloseTo(
      expected / (2000 - (poetry.array('category') as unknown[]).filter((v) => v === null).length),
      4,
    );
    expect(c.histogram.labels).toContain('(unseen)');
  });

  it('counts numbers outside the training range in the unseen bin, below and above', () => {
    const { min, max } = bundle.document.schema.columns.find((c) => c.name === 'rating')! as {
      min: number;
      max: number;
    };
    const rating = b.array('rating') as ArrayLike<number>;
    const natural = (f: (v: number) => boolean) => Array.from(rating).filter((v, i) => i % 20 > 1 && f(v)).length;
    const r = driftReport(
      bundle,
      withColumn(b, 'rating', (v, i) => (i % 20 === 0 ? 9.5 : i % 20 === 1 ? -1 : v)),
    );
    const c = r.columns.find((x) => x.column === 'rating')!;
    const below = 100 + natural((v) => v < min);
    const above = 100 + natural((v) => v > max);
    expect(c.unseen).toEqual({ below, above, share: (below + above) / 2000 });
    expect(c.drifted).toBe(true);
  });

  it('shows a rise in missing values as drift of that column', () => {
    const r = driftReport(
      bundle,
      withColumn(b, 'backers', (v, i) => (i % 3 === 0 ? null : v)),
    );
    const c = r.columns.find((x) => x.column === 'backers')!;
    expect(c.missing.reference).toBeCloseTo(0.093, 3);
    expect(c.missing.current).toBeGreaterThan(0.35);
    expect(c.drifted).toBe(true);
  });

  it('ranks drifted columns by the importance given, and flags the dataset when half the columns drift', () => {
    let t = b;
    for (const column of ['goal', 'rating', 'duration_days', 'backers']) {
      const std = (reference.inputs[column] as NumericReference).std;
      t = withColumn(t, column, (v) => Math.round((v as number) + std));
    }
    t = withColumn(t, 'country', () => 'DE');
    const r = driftReport(bundle, t, {
      importance: { goal: 0.05, rating: 0.2, duration_days: 0.01, backers: 0.3, country: 0.1 },
    });
    expect(drifted(r)).toEqual(['backers', 'rating', 'country', 'goal', 'duration_days']);
    expect(r.columns[0].importance).toBe(0.3);
    expect(r.dataset).toMatchObject({ drifted: true, driftedColumns: 5, columns: 9 });
  });

  it('types the rows with the bundle validator: unreadable rows are counted and named, not compared', () => {
    const bad = withColumn(b, 'goal', (v, i) => (i === 3 ? 'lots' : v));
    const r = driftReport(bundle, bad);
    expect(r.rows).toEqual({ input: 2000, compared: 1999, rejected: 1, reference: 2000 });
    expect(r.problems[0]).toMatchObject({ row: 3, column: 'goal', value: 'lots' });
  });

  it('skips typing when told the rows are typed already, with the same result', () => {
    const typed = bundle.validator('unseen').table(b).table;
    const r = driftReport(bundle, typed, { typed: true });
    // The typed table has no label column: no target, and no realised metrics beside the estimates.
    expect({ ...r, performance: undefined }).toEqual({ ...same, target: undefined, performance: undefined });
    const estimate = (x: DriftReport) =>
      x.performance?.status === 'not estimated' ? undefined : x.performance?.overall;
    expect(estimate(r)!.estimated).toEqual(estimate(same)!.estimated);
    expect(estimate(r)!.realised).toBeUndefined();
  });

  it('takes precomputed predictions (the API window) instead of scoring the rows', () => {
    const scores = bundle.scoreTable(b);
    const r = driftReport(bundle, b, { predictions: scores });
    expect(r.prediction).toEqual(same.prediction);
    expect(() => driftReport(bundle, b, { predictions: scores.subarray(2) })).toThrow(
      /options.predictions has 3998 values; expected 4000/,
    );
  });

  it('refuses a column the bundle does not know, and a bundle without reference', () => {
    expect(() => driftReport(bundle, b, { columns: ['nope'] })).toThrow(/column "nope" is not an input/);
    const { reference: _r, ...bare } = bundle.document;
    expect(() => driftReport(Bundle.fromJSON(bare as BundleDocument), b)).toThrow(/keeps no reference distributions/);
  });
});

describe('driftReport, windows', () => {
  it('checks windows of rows with fixed thresholds; the shift shows in the windows after it starts', () => {
    const std = (reference.inputs.rating as NumericReference).std;
    const later = withColumn(b, 'rating', (v, i) => (i >= 1000 ? (v as number) + std : v));
    const r = driftReport(bundle, later, { window: { rows: 500 } });
    expect(r.windows!.map((w) => w.label)).toEqual([
      'rows 1-500',
      'rows 501-1,000',
      'rows 1,001-1,500',
      'rows 1,501-2,000',
    ]);
    expect(r.windows!.map((w) => w.columns.rating.drifted)).toEqual([false, false, true, true]);
    expect(r.windows!.every((w) => Object.values(w.columns).filter((c) => c.drifted).length <= 1)).toBe(true);
  });

  it('learns thresholds from reference windows (mean + 3 sd of PSI) and windows by calendar period', () => {
    const r = driftReport(bundle, b, {
      window: { column: 'launched_at', period: 'quarter' },
      thresholds: 'learned',
      reference: a,
    });
    expect(r.windows!.map((w) => w.label)).toEqual([
      '2022-Q1',
      '2022-Q2',
      '2022-Q3',
      '2022-Q4',
      '2023-Q1',
      '2023-Q2',
      '2023-Q3',
      '2023-Q4',
    ]);
    const w = r.windows![0];
    // goal: its quarters vary no more than sampling noise, so the floor for a 222-row window wins.
    expect(w.rows).toBe(222);
    expect(w.columns.goal.threshold).toBeCloseTo((9 + 3 * Math.sqrt(18)) * (1 / 222 + 1 / 2000), 3);
    // A quarter of launch dates is far from two years of them in every reference window too, so the
    // learned threshold absorbs what time always does, where a fixed 0.1 flags every quarter.
    expect(w.columns.launched_at.threshold).toBeGreaterThan(1);
    expect(r.windows!.some((x) => x.columns.launched_at.drifted)).toBe(false);
    const fixed = driftReport(bundle, b, { window: { column: 'launched_at', period: 'quarter' } });
    expect(fixed.windows!.every((x) => x.columns.launched_at.drifted)).toBe(true);
    expect(r.windows!.every((x) => Object.values(x.columns).filter((c) => c.drifted).length <= 1)).toBe(true);
  });

  it('without reference rows, learns the threshold from PSI under no drift at the window size', () => {
    const r = driftReport(bundle, b, { window: { rows: 400 }, thresholds: 'learned' });
    const t = r.windows![0].columns.goal.threshold;
    // 10 bins, 400 vs 2000 rows: (9 + 3 sqrt 18) (1/400 + 1/2000) = 0.0652
    expect(t).toBeCloseTo((9 + 3 * Math.sqrt(18)) * (1 / 400 + 1 / 2000), 3);
    expect(r.windows!.flatMap((w) => Object.values(w.columns)).filter((c) => c.drifted).length).toBeLessThanOrEqual(2);
  });
});

describe('driftReport, estimated performance (CBPE)', () => {
  /** Rows of the generator with the label drawn from the bundle's own probability: calibrated by construction. */
  function calibratedRows(n: number, seed: number): aq.ColumnTable {
    const t = driftTable(n, seed);
    const P = bundle.scoreTable(t);
    const rng = createRng(seed + 1);
    return t.assign(
      aq.table({ state: Array.from({ length: n }, (_, i) => (rng.random() < P[i * 2 + 1] ? 'successful' : 'failed')) }),
    );
  }
  const labelledReference = calibratedRows(4000, 31);

  it('estimates the realised metrics of a calibrated model under covariate shift, and alerts when they leave the bounds', () => {
    // Covariate shift: only campaigns without a video and with a goal above the median.
    const all = calibratedRows(12_000, 32);
    const goals = Float64Array.from(all.array('goal') as ArrayLike<number>).sort();
    const median = goals[goals.length >> 1];
    const shifted = all.filter(aq.escape((d: { video: boolean; goal: number }) => !d.video && d.goal > median));
    const r = driftReport(bundle, shifted, { performance: { reference: labelledReference } });
    const p = r.performance!;
    if (p.status === 'not estimated') throw new Error(p.reason);
    expect(p.status).toBe('estimated');
    expect(p.calibration).toMatchObject({ checked: true, calibrated: true, failed: [] });
    expect(p.reference).toMatchObject({ rows: 4000, chunks: 10, chunkRows: 400, source: 'rows' });
    const o = p.overall;
    expect(o.rows).toBe(shifted.numRows());
    expect(o.labelled).toBe(shifted.numRows());
    for (const m of ['accuracy', 'precision', 'recall', 'f1Score', 'rocAuc'] as const)
      expect(Math.abs(o.estimated[m] - o.realised![m])).toBeLessThan(0.03);
    // The shift costs recall (fewer predicted successes); the estimate sees it without labels.
    expect(p.reference!.realised.recall! - o.realised!.recall).toBeGreaterThan(0.2);
    expect(o.alerts).toContain('recall');
    expect(p.alert).toBe(true);
  });

  it("uses the test split's summary training keeps in the bundle when no labelled rows are given", () => {
    const labelled = driftReport(bundle, b, { performance: { reference: labelledReference } });
    const p = labelled.performance!;
    if (p.status === 'not estimated') throw new Error(p.reason);
    const scores = bundle.scoreTable(labelledReference);
    const summary = summarizePerformanceReference(
      Float64Array.from({ length: 4000 }, (_, i) => scores[i * 2 + 1]),
      Float64Array.from(labelledReference.array('state') as string[], (v) => (v === 'successful' ? 1 : 0)),
      { threshold: bundle.threshold },
    );
    const withSummary = Bundle.fromJSON({
      ...bundle.document,
      reference: { ...bundle.document.reference!, performance: summary },
    });
    const q = driftReport(withSummary, b).performance!;
    if (q.status === 'not estimated') throw new Error(q.reason);
    expect(q.reference).toMatchObject({ source: 'test split', rows: 4000 });
    expect(q.calibration).toEqual(p.calibration);
    expect(q.overall).toEqual(p.overall);
  });

  it('flags the fixture model as miscalibrated on its real labels (underconfident GBDT) and raises no alert', () => {
    const { a: refRows, b: cur } = randomSplit(b, 3);
    const r = driftReport(bundle, cur, { reference: refRows });
    const p = r.performance!;
    if (p.status === 'not estimated') throw new Error(p.reason);
    expect(p.status).toBe('miscalibrated');
    expect(p.calibration.failed).toContain('rocAuc');
    const c = p.calibration.metrics!.accuracy;
    expect(c.estimated).toBeLessThan(c.realised - c.tolerance); // probabilities closer to 0.5 than outcomes are
    expect(p.alert).toBe(false);
    expect(p.warnings[0]).toMatch(/not calibrated enough/);
    // With labels, estimated and realised stand side by side.
    expect(p.overall.realised!.accuracy).toBeCloseTo(r.target!.metrics.accuracy, 5);
  });

  it('estimates per window, unchecked without labelled reference rows, and is left out on request', () => {
    const r = driftReport(bundle, b, { window: { rows: 500 } });
    const p = r.performance!;
    if (p.status === 'not estimated') throw new Error(p.reason);
    expect(p.calibration).toMatchObject({ checked: false, calibrated: null });
    expect(p.reference).toMatchObject({ source: 'bundle', realised: { accuracy: 0.8125 } });
    expect(p.windows!.map((w) => w.label)).toEqual(r.windows!.map((w) => w.label));
    expect(p.windows!.map((w) => w.rows)).toEqual([500, 500, 500, 500]);
    expect(driftReport(bundle, b, { performance: false }).performance).toBeUndefined();
    expect(driftReport(bundle, b, { predictions: false }).performance).toEqual({
      method: 'cbpe',
      status: 'not estimated',
      reason: 'the rows were not scored (predictions: false)',
    });
  });
});

describe('driftReport, evidently mode', () => {
  it("uses Evidently's default tests on raw reference rows: reference > 1,000 rows -> Wasserstein (numbers) and Jensen-Shannon (categories)", () => {
    const r = driftReport(bundle, b, { mode: 'evidently', reference: a });
    const tests = Object.fromEntries(r.columns.map((c) => [c.column, c.test]));
    expect(tests).toEqual({
      goal: 'Wasserstein distance (normed)',
      backers: 'Wasserstein distance (normed)',
      duration_days: 'Wasserstein distance (normed)',
      rating: 'Wasserstein distance (normed)',
      category: 'Jensen-Shannon distance',
      country: 'Jensen-Shannon distance',
      video: 'Jensen-Shannon distance',
      staff_pick: 'Jensen-Shannon distance',
      launched_at: 'none',
    });
    expect(r.columns.find((c) => c.column === 'launched_at')!.skipped).toMatch(/datetime/);
    // Evidently counts the prediction and the target among the columns.
    expect(r.dataset).toMatchObject({ drifted: false, driftedColumns: 0, columns: 10 });
    expect(r.target!.drift!.test).toBe('Jensen-Shannon distance');
  });

  it('switches to KS / chi-square / Z at 1,000 reference rows or fewer', () => {
    const small = a.slice(0, 1000);
    const r = driftReport(bundle, b, { mode: 'evidently', reference: small });
    const tests = Object.fromEntries(r.columns.map((c) => [c.column, c.test]));
    expect(tests).toMatchObject({
      goal: 'K-S p_value',
      category: 'chi-square p_value',
      video: 'Z-test p_value',
      staff_pick: 'Z-test p_value',
    });
    const shifted = driftReport(
      bundle,
      withColumn(b, 'goal', (v) => (v as number) * 1.5),
      { mode: 'evidently', reference: small },
    );
    expect(shifted.columns[0]).toMatchObject({ column: 'goal', drifted: true });
  });

  it('needs the reference rows', () => {
    expect(() => driftReport(bundle, b, { mode: 'evidently' })).toThrow(/pass the reference rows/);
  });
});

describe('scoring in blocks', () => {
  it('gives the scores of one scoreTable call on more rows than a block (65,536)', () => {
    const t = driftTable(70_000, 23);
    const typed = bundle.validator('unseen').table(t).table;
    const whole = bundle.scoreTable(typed);
    const inBlocks = driftReport(bundle, typed, { typed: true });
    const given = driftReport(bundle, typed, { typed: true, predictions: whole });
    expect(inBlocks.prediction).toEqual(given.prediction);
    expect(inBlocks.target).toEqual(given.target);
  });
});
