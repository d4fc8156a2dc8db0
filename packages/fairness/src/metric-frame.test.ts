import { InputError } from '@campaign-ml/core';
import { accuracy, metricFrame, selectionRate, truePositiveRate } from './index';

const yTrue = [1, 0, 1, 1, 0, 0, 1, 0, 0, 0, 1, 1];
const yPred = [1, 0, 0, 1, 1, 0, 1, 0, 0, 1, 1, 0];
const group = ['x', 'x', 'x', 'x', 'x', 'x', 'y', 'y', 'y', 'y', 'z', 'z'];

describe('metricFrame', () => {
  it('counts rows and positives by group and reports the extremes', () => {
    const mf = metricFrame({ metrics: { selectionRate, accuracy }, yTrue, yPred, sensitive: group });
    expect(mf.groups).toEqual([
      { name: 'x', key: { sensitive: 'x' }, rows: 6, positives: 3 },
      { name: 'y', key: { sensitive: 'y' }, rows: 4, positives: 1 },
      { name: 'z', key: { sensitive: 'z' }, rows: 2, positives: 2 },
    ]);
    expect(mf.byGroup.x.selectionRate).toBeCloseTo(3 / 6, 15);
    expect(mf.groupMax('selectionRate')).toBe(0.5);
    expect(mf.groupMin('selectionRate')).toBe(0.5);
    expect(mf.groupMin('accuracy')).toBe(0.5);
    expect(mf.difference('accuracy')).toBeCloseTo(0.75 - 0.5, 15);
  });

  it('a group smaller than minGroupSize is NaN with a warning, and is left out of the gaps', () => {
    const mf = metricFrame({ metrics: { accuracy }, yTrue, yPred, sensitive: group, minGroupSize: 3 });
    expect(mf.byGroup.z.accuracy).toBeNaN();
    expect(mf.warnings).toEqual(['group "z" has 2 rows (fewer than minGroupSize 3): accuracy is NaN']);
    expect(mf.difference('accuracy')).toBeCloseTo(0.75 - 4 / 6, 15);
  });

  it('a metric that needs positives is NaN (never 0) in a group without them, even when the function says 0', () => {
    const recallSays0 = Object.assign(() => 0, { requires: 'positives' as const });
    const mf = metricFrame({
      metrics: { recallSays0 },
      yTrue,
      yPred,
      sensitive: ['a', 'a', 'a', 'a', 'a', 'a', 'a', 'a', 'b', 'b', 'a', 'a'],
    });
    expect(mf.byGroup.b.recallSays0).toBeNaN();
    expect(mf.warnings[0]).toMatch(/group "b" has no positives/);
  });

  it('bootstrap intervals are seeded, resample within groups, and contain the estimate', () => {
    const n = 400;
    const yt = Array.from({ length: n }, (_, i) => (i % 3 === 0 ? 1 : 0));
    const yp = Array.from({ length: n }, (_, i) => (i % 5 < 2 ? 1 : 0));
    const g = Array.from({ length: n }, (_, i) => (i < 30 ? 'small' : 'big'));
    const run = (seed: number) =>
      metricFrame({
        metrics: { selectionRate, truePositiveRate },
        yTrue: yt,
        yPred: yp,
        sensitive: g,
        bootstrap: { samples: 100, seed },
      });
    const a = run(1);
    expect(run(1).intervals).toEqual(a.intervals);
    expect(run(2).intervals).not.toEqual(a.intervals);
    const [lo, hi] = a.intervals!.byGroup.small.selectionRate;
    expect(lo).toBeLessThanOrEqual(a.byGroup.small.selectionRate);
    expect(hi).toBeGreaterThanOrEqual(a.byGroup.small.selectionRate);
    expect(hi).toBeGreaterThan(lo);
    const [dlo, dhi] = a.intervals!.difference.selectionRate;
    expect(dlo).toBeGreaterThanOrEqual(0);
    expect(dhi).toBeGreaterThan(a.difference('selectionRate') - 1e-12);
    // The small group is in every resample: no NaN from a vanished group.
    expect(Number.isNaN(lo)).toBe(false);
  });

  it('names the row and column of a missing sensitive value, and a length mismatch', () => {
    const sensitive = { band: ['a', 'a', 'b', null, 'b', 'a', 'a', 'a', 'b', 'b', 'a', 'a'] };
    expect(() => metricFrame({ metrics: { accuracy }, yTrue, yPred, sensitive })).toThrow(
      expect.objectContaining({ code: 'MISSING_SENSITIVE_VALUE', row: 3, column: 'band' }),
    );
    expect(() => metricFrame({ metrics: { accuracy }, yTrue, yPred, sensitive: group.slice(1) })).toThrow(InputError);
    expect(() => metricFrame({ metrics: {}, yTrue, yPred, sensitive: group })).toThrow(/at least one metric/);
    const mf = metricFrame({ metrics: { accuracy }, yTrue, yPred, sensitive: group });
    expect(() => mf.difference('recall')).toThrow(/not in this frame/);
  });
});
