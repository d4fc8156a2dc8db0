import {
  demographicParityDifference,
  demographicParityRatio,
  equalOpportunityDifference,
  equalizedOddsDifference,
  equalizedOddsRatio,
  fourFifthsRule,
  metricFrame,
  reweighing,
  falseNegativeRate,
  falsePositiveRate,
  selectionRate,
  trueNegativeRate,
  truePositiveRate,
} from './index';
// Written by tools/fixtures/fairness.py (NumPy, by definition); NaN is null in JSON.
import fixture from './__fixtures__/fairness.json';

interface Frame {
  groups: string[];
  rows: Record<string, number>;
  byGroup: Record<string, Record<string, number | null>>;
  [measure: string]: unknown;
}
const { y, yPred, group, sex, sampleWeight } = fixture.inputs;
const metrics = { selectionRate, truePositiveRate, falsePositiveRate, falseNegativeRate, trueNegativeRate };

function expectClose(actual: number, expected: number | null) {
  if (expected === null) expect(actual).toBeNaN();
  else expect(actual).toBeCloseTo(expected, 12);
}

function checkFrame(expected: Frame, sensitive: Parameters<typeof metricFrame>[0]['sensitive'], weights?: number[]) {
  const mf = metricFrame({ metrics, yTrue: y, yPred, sensitive, sampleWeight: weights });
  expect(mf.groups.map((g) => g.name)).toEqual(expected.groups);
  expect(Object.fromEntries(mf.groups.map((g) => [g.name, g.rows]))).toEqual(expected.rows);
  for (const g of expected.groups) {
    for (const m of mf.metrics) {
      expectClose(mf.byGroup[g][m], expected.byGroup[g][m]);
    }
  }
  for (const m of mf.metrics) {
    const e = (k: string) => (expected[k] as Record<string, number | null>)[m];
    expectClose(mf.overall[m], e('overall'));
    expectClose(mf.difference(m), e('difference'));
    expectClose(mf.ratio(m), e('ratio'));
    expectClose(mf.difference(m, 'toOverall'), e('differenceToOverall'));
    expectClose(mf.ratio(m, 'toOverall'), e('ratioToOverall'));
  }
  return mf;
}

describe('measures against NumPy by definition', () => {
  it('by group of one column: unequal groups, one without positives (NaN and a warning, not 0)', () => {
    const mf = checkFrame(fixture.single, group);
    expect(mf.byGroup.c.truePositiveRate).toBeNaN();
    expect(mf.warnings).toEqual([
      'group "c" has no positives (y = 1): truePositiveRate is NaN',
      'group "c" has no positives (y = 1): falseNegativeRate is NaN',
    ]);
  });

  it('with sample weights', () => {
    checkFrame(fixture.weighted, group, sampleWeight);
  });

  it('intersections of two columns', () => {
    checkFrame(fixture.intersection, { group, sex });
  });

  it('the named gaps', () => {
    for (const [expected, sensitive] of [
      [fixture.single, group],
      [fixture.intersection, { group, sex }],
    ] as Array<[(typeof fixture)['single'], Parameters<typeof metricFrame>[0]['sensitive']]>) {
      const o = { sensitive };
      expectClose(demographicParityDifference(y, yPred, o), expected.demographicParityDifference);
      expectClose(demographicParityRatio(y, yPred, o), expected.demographicParityRatio);
      expectClose(equalizedOddsDifference(y, yPred, o), expected.equalizedOddsDifference);
      expectClose(equalizedOddsRatio(y, yPred, o), expected.equalizedOddsRatio);
      expectClose(equalOpportunityDifference(y, yPred, o), expected.equalOpportunityDifference);
      expect(fourFifthsRule(y, yPred, o).flagged).toEqual(expected.fourFifthsFlagged);
    }
    const w = { sensitive: group, sampleWeight };
    expectClose(demographicParityDifference(y, yPred, w), fixture.weighted.demographicParityDifference);
    expectClose(equalizedOddsDifference(y, yPred, w), fixture.weighted.equalizedOddsDifference);
  });

  it('reweighing weights, one column and intersections', () => {
    const one = reweighing(y, group).weights;
    fixture.reweighing.weights.forEach((w, i) => expect(one[i]).toBeCloseTo(w, 12));
    const two = reweighing(y, { group, sex }).weights;
    fixture.reweighing.intersectionWeights.forEach((w, i) => expect(two[i]).toBeCloseTo(w, 12));
    // Groups a and b hold both labels: with the weights their positive rates are equal (c has no positives).
    const rates = fixture.reweighing.weightedPositiveRate;
    expect(weightedRate(y, one, group, 'a')).toBeCloseTo(rates.a, 12);
    expect(weightedRate(y, one, group, 'b')).toBeCloseTo(rates.b, 12);
    expect(rates.a).toBeCloseTo(rates.b, 12);
  });
});

function weightedRate(yy: number[], w: Float64Array, groups: string[], g: string): number {
  let num = 0;
  let den = 0;
  yy.forEach((v, i) => {
    if (groups[i] !== g) return;
    num += w[i] * v;
    den += w[i];
  });
  return num / den;
}
