import { createRng, load } from '@campaign-ml/core';
import { demographicParityDifference, equalOpportunityDifference, equalizedOddsDifference } from './parity';
import { FittedThresholdOptimizer, ThresholdOptimizer } from './threshold-optimizer';

/** Three groups with different base rates and score shifts, like goal-size bands. */
function sample(n: number, seed: number) {
  const rng = createRng(seed);
  const names = ['small', 'mid', 'large'];
  const base = [0.7, 0.5, 0.25];
  const shift = [0.8, 0, -0.8];
  const y = new Float64Array(n);
  const scores = new Float64Array(n);
  const group: string[] = [];
  for (let i = 0; i < n; i++) {
    const g = i % 7 < 3 ? 0 : i % 7 < 6 ? 1 : 2;
    group.push(names[g]);
    y[i] = rng.random() < base[g] ? 1 : 0;
    const z = 1.6 * (y[i] - 0.5) + shift[g] + rng.normal();
    scores[i] = 1 / (1 + Math.exp(-z));
  }
  return { y, scores, group };
}

const train = sample(9000, 1);
const test = sample(9000, 2);
const cut = (s: Float64Array) => Int32Array.from(s, (v) => (v >= 0.5 ? 1 : 0));

describe('ThresholdOptimizer', () => {
  const before = {
    dp: demographicParityDifference(test.y, cut(test.scores), { sensitive: test.group }),
    eo: equalizedOddsDifference(test.y, cut(test.scores), { sensitive: test.group }),
    tpr: equalOpportunityDifference(test.y, cut(test.scores), { sensitive: test.group }),
  };

  it('demographic parity: the held-out gap shrinks to about the tolerance', () => {
    expect(before.dp).toBeGreaterThan(0.3);
    const fitted = new ThresholdOptimizer({ constraint: 'demographicParity', tolerance: 0.01 }).fit(
      train.scores,
      train.y,
      {
        sensitive: train.group,
      },
    );
    expect(fitted.summary.gap).toBeLessThanOrEqual(0.01 + 1e-12);
    const yPred = fitted.predict(test.scores, test.group);
    expect(demographicParityDifference(test.y, yPred, { sensitive: test.group })).toBeLessThan(0.04);
    // The groups with higher scores get higher thresholds.
    const t = fitted.thresholds;
    expect(t.small).toBeGreaterThan(t.mid);
    expect(t.mid).toBeGreaterThan(t.large);
  });

  it('equalized odds and TPR parity, deterministic, with either objective', () => {
    for (const objective of ['accuracy', 'balancedAccuracy'] as const) {
      const eo = new ThresholdOptimizer({ constraint: 'equalizedOdds', objective, tolerance: 0.02 }).fit(
        train.scores,
        train.y,
        {
          sensitive: train.group,
        },
      );
      expect(eo.summary.gap).toBeLessThanOrEqual(0.02 + 1e-12);
      expect(
        equalizedOddsDifference(test.y, eo.predict(test.scores, test.group), { sensitive: test.group }),
      ).toBeLessThan(Math.min(0.07, before.eo));
    }
    const tpr = new ThresholdOptimizer({ constraint: 'truePositiveRateParity' }).fit(train.scores, train.y, {
      sensitive: train.group,
    });
    expect(
      equalOpportunityDifference(test.y, tpr.predict(test.scores, test.group), { sensitive: test.group }),
    ).toBeLessThan(Math.min(0.05, before.tpr));
  });

  it('randomized (Hardt et al.): equal in expectation, seeded', () => {
    for (const constraint of ['demographicParity', 'equalizedOdds'] as const) {
      const fitted = new ThresholdOptimizer({ constraint, randomized: true }).fit(train.scores, train.y, {
        sensitive: train.group,
      });
      const a = fitted.predict(test.scores, test.group, { seed: 3 });
      expect(fitted.predict(test.scores, test.group, { seed: 3 })).toEqual(a);
      const gap =
        constraint === 'demographicParity'
          ? demographicParityDifference(test.y, a, { sensitive: test.group })
          : equalizedOddsDifference(test.y, a, { sensitive: test.group });
      expect(gap).toBeLessThan(0.05);
      for (const rule of Object.values(fitted.rules)) {
        expect(rule.p0).toBeGreaterThanOrEqual(0);
        expect(rule.p0).toBeLessThanOrEqual(1);
      }
    }
  });

  it('round-trips through JSON and load(), predicting the same', () => {
    const fitted = new ThresholdOptimizer({ constraint: 'demographicParity' }).fit(train.scores, train.y, {
      sensitive: train.group,
    });
    const text = JSON.stringify(fitted);
    const back = FittedThresholdOptimizer.fromJSON(text);
    expect(back.thresholds).toEqual(fitted.thresholds);
    expect(back.predict(test.scores, test.group)).toEqual(fitted.predict(test.scores, test.group));
    expect(load<FittedThresholdOptimizer>(JSON.parse(text)).thresholds).toEqual(fitted.thresholds);
  });

  it('fails loudly: a group without positives, an unseen group, a bad label or score', () => {
    const y = [1, 0, 1, 0, 0, 0];
    const s = [0.9, 0.2, 0.8, 0.3, 0.4, 0.1];
    const g = ['a', 'a', 'a', 'a', 'b', 'b'];
    expect(() => new ThresholdOptimizer({ constraint: 'equalizedOdds' }).fit(s, y, { sensitive: g })).toThrow(
      expect.objectContaining({ code: 'GROUP_LACKS_LABEL', value: 'b' }),
    );
    const dp = new ThresholdOptimizer().fit(s, y, { sensitive: g });
    expect(() => dp.predict([0.5, 0.5], ['a', 'c'])).toThrow(
      expect.objectContaining({ code: 'UNKNOWN_GROUP', row: 1 }),
    );
    expect(() => new ThresholdOptimizer().fit(s, [1, 0, 2, 0, 0, 0], { sensitive: g })).toThrow(
      expect.objectContaining({ row: 2, column: 'y' }),
    );
    expect(() => new ThresholdOptimizer().fit([0.1, NaN], [1, 0], { sensitive: ['a', 'a'] })).toThrow(
      expect.objectContaining({ row: 1, column: 'scores' }),
    );
    expect(() => new ThresholdOptimizer({ constraint: 'parity' as never })).toThrow(/not known/);
  });
});
