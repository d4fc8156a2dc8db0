import { createRng } from '@campaign-ml/core';
import {
  estimatePerformance,
  expectedConfusion,
  expectedRocAuc,
  PERFORMANCE_METRICS,
  summarizePerformanceReference,
} from './performance-estimate';

const sigmoid = (z: number) => 1 / (1 + Math.exp(-z));

/** A calibrated model: p = sigmoid(2x), labels drawn from p; x ~ N(mean, sd). */
function sample(n: number, mean: number, sd: number, seed: number, distort = (p: number) => p) {
  const rng = createRng(seed);
  const p = new Float64Array(n);
  const y = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const truth = sigmoid(2 * rng.normal(mean, sd));
    y[i] = rng.random() < truth ? 1 : 0;
    p[i] = distort(truth);
  }
  return { p, y };
}

describe('expectedConfusion and expectedRocAuc (worked by hand)', () => {
  // p = 0.9, 0.7 (predicted positive at 0.5), 0.4, 0.1 (negative):
  // TP = 0.9 + 0.7 = 1.6, FP = 0.1 + 0.3 = 0.4, FN = 0.4 + 0.1 = 0.5, TN = 0.6 + 0.9 = 1.5.
  const p = [0.9, 0.7, 0.4, 0.1];

  it('sums p and 1 - p on each side of the threshold', () => {
    const c = expectedConfusion(p, 0.5);
    expect(c.tp).toBeCloseTo(1.6, 12);
    expect(c.fp).toBeCloseTo(0.4, 12);
    expect(c.fn).toBeCloseTo(0.5, 12);
    expect(c.tn).toBeCloseTo(1.5, 12);
    // p >= threshold is positive: at 0.7 the row 0.7 counts as positive.
    expect(expectedConfusion(p, 0.7).tp).toBeCloseTo(1.6, 12);
  });

  it('gives the metrics of the expected confusion matrix', () => {
    const r = estimatePerformance(p, { threshold: 0.5 });
    expect(r.overall.estimated.accuracy).toBeCloseTo(3.1 / 4, 6);
    expect(r.overall.estimated.precision).toBeCloseTo(1.6 / 2, 6);
    expect(r.overall.estimated.recall).toBeCloseTo(1.6 / 2.1, 6);
    expect(r.overall.estimated.f1Score).toBeCloseTo(3.2 / (3.2 + 0.4 + 0.5), 6);
    // Pairs i above j: 0.9(0.3 + 0.6 + 0.9) + 0.7(0.6 + 0.9) + 0.4(0.9) = 3.03, plus half of
    // sum p(1 - p) = 0.315; over P N = 2.1 x 1.9.
    expect(r.overall.estimated.rocAuc).toBeCloseTo(3.345 / 3.99, 6);
  });

  it('treats tied probabilities as one step of the curve', () => {
    // All equal: the expected curve is the diagonal.
    expect(expectedRocAuc([0.3, 0.3, 0.3])).toBeCloseTo(0.5, 12);
    // Ties count half, as the pair formula says: p = 0.8, 0.8, 0.2.
    const pairs = 0.8 * 0.8 + 0.8 * 0.8 + 0.5 * (0.8 * 0.2 * 2 + 0.8 * 0.2 * 2) + 0.5 * 0.2 * 0.8;
    expect(expectedRocAuc([0.8, 0.8, 0.2])).toBeCloseTo(pairs / (1.8 * 1.2), 12);
  });

  it('names the row of a value that is not a probability', () => {
    expect(() => estimatePerformance([0.2, 1.5])).toThrow(/row 1 has 1.5/);
    expect(() => estimatePerformance([0.2, NaN])).toThrow(/row 1 has NaN/);
  });
});

describe('estimatePerformance on a calibrated model', () => {
  const reference = sample(20_000, 0, 1.5, 1);

  it('passes the calibration check and estimates the realised metrics under covariate shift', () => {
    // Covariate shift: x concentrates near 0, where p is near 0.5: accuracy falls a lot.
    const current = sample(20_000, 0.2, 0.5, 2);
    const r = estimatePerformance(current.p, {
      threshold: 0.5,
      reference: { probabilities: reference.p, labels: reference.y },
      labels: current.y,
    });
    expect(r.status).toBe('estimated');
    expect(r.calibration.calibrated).toBe(true);
    expect(r.calibration.failed).toEqual([]);
    const o = r.overall;
    expect(o.labelled).toBe(20_000);
    for (const m of PERFORMANCE_METRICS) expect(Math.abs(o.estimated[m] - o.realised![m])).toBeLessThan(0.02);
    // The shift is real: realised accuracy fell by more than 0.1, and the estimate saw it.
    expect(r.reference!.realised.accuracy! - o.realised!.accuracy).toBeGreaterThan(0.1);
    expect(o.alerts).toContain('accuracy');
    expect(o.alerts).toContain('rocAuc');
    expect(r.alert).toBe(true);
  });

  it('raises no alert on new rows from the reference distribution, window by window', () => {
    const current = sample(6_000, 0, 1.5, 3);
    const windows = [0, 1, 2].map((k) => ({
      label: `w${k}`,
      rows: Int32Array.from({ length: 2_000 }, (_, i) => k * 2_000 + i),
    }));
    const r = estimatePerformance(current.p, {
      reference: { probabilities: reference.p, labels: reference.y },
      labels: current.y,
      windows,
    });
    expect(r.alert).toBe(false);
    expect(r.windows).toHaveLength(3);
    for (const w of r.windows!) {
      expect(w.rows).toBe(2_000);
      for (const m of PERFORMANCE_METRICS) {
        expect(w.estimated[m]).toBeGreaterThanOrEqual(w.bounds![m].lower);
        expect(w.estimated[m]).toBeLessThanOrEqual(w.bounds![m].upper);
        expect(Math.abs(w.estimated[m] - w.realised![m])).toBeLessThan(0.04);
      }
    }
    // Bounds widen as windows shrink (sd scaled by sqrt(chunk rows / window rows)).
    const width = (b: { lower: number; upper: number }) => b.upper - b.lower;
    expect(width(r.windows![0].bounds!.f1Score)).toBeGreaterThan(width(r.overall.bounds!.f1Score));
  });

  it('gives the same estimate, bounds and check from the reference summary a bundle keeps as from the rows', () => {
    const current = sample(3_000, 0.5, 1, 7);
    const summary = summarizePerformanceReference(reference.p, reference.y, { threshold: 0.4 });
    expect(JSON.parse(JSON.stringify(summary))).toEqual(summary); // plain JSON, for bundle.json
    const fromRows = estimatePerformance(current.p, {
      threshold: 0.4,
      reference: { probabilities: reference.p, labels: reference.y },
    });
    const fromSummary = estimatePerformance(current.p, { threshold: 0.4, referenceSummary: summary });
    expect(fromSummary).toEqual({ ...fromRows, reference: { ...fromRows.reference, source: 'test split' } });
    expect(() => estimatePerformance(current.p, { threshold: 0.5, referenceSummary: summary })).toThrow(
      /computed at threshold 0.4, the estimate is asked at 0.5/,
    );
  });

  it('gives realised metrics only for the labelled rows', () => {
    const current = sample(1_000, 0, 1.5, 4);
    const labels = Float64Array.from(current.y, (v, i) => (i % 2 ? NaN : v));
    const r = estimatePerformance(current.p, {
      reference: { probabilities: reference.p, labels: reference.y },
      labels,
    });
    expect(r.overall.labelled).toBe(500);
  });
});

describe('estimatePerformance on a miscalibrated model', () => {
  it('flags overconfident probabilities and raises no alert from them', () => {
    // Probabilities pushed to the extremes: logit x 3 (labels still drawn from the true p).
    const sharpen = (p: number) => sigmoid(3 * Math.log(p / (1 - p)));
    const reference = sample(20_000, 0, 1.5, 5, sharpen);
    const current = sample(5_000, 0.2, 0.5, 6, sharpen);
    const r = estimatePerformance(current.p, { reference: { probabilities: reference.p, labels: reference.y } });
    expect(r.status).toBe('miscalibrated');
    expect(r.calibration.calibrated).toBe(false);
    expect(r.calibration.failed!.length).toBeGreaterThan(0);
    expect(r.calibration.ece!).toBeGreaterThan(0.05);
    expect(r.warnings[0]).toMatch(/not calibrated enough for CBPE/);
    expect(r.alert).toBe(false);
    expect(r.overall.alerts).toEqual([]);
  });

  it('says the calibration was not checked without a labelled reference', () => {
    const r = estimatePerformance([0.2, 0.8], { referenceMetrics: { accuracy: 0.8 } });
    expect(r.calibration).toMatchObject({ checked: false, calibrated: null });
    expect(r.reference).toMatchObject({ source: 'bundle', realised: { accuracy: 0.8 } });
    expect(r.overall.bounds).toBeUndefined();
    expect(r.warnings[0]).toMatch(/not checked/);
  });

  it('refuses a reference too small for its chunks, naming the sizes', () => {
    expect(() => estimatePerformance([0.5], { reference: { probabilities: [0.1, 0.9], labels: [0, 1] } })).toThrow(
      /2 rows: CBPE's bounds need at least 100/,
    );
    expect(() =>
      estimatePerformance([0.5], {
        reference: { probabilities: new Array(100).fill(0.5), labels: new Array(100).fill(2) },
      }),
    ).toThrow(/row 0 has 2, expected 0 or 1/);
  });
});
