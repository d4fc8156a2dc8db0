import * as path from 'node:path';
import { Bundle } from '@campaign-ml/bundle';
import { applyBins, demographicParityDifference } from '@campaign-ml/fairness';
import { parseConfig } from '../config';
import { Progress } from '../progress';
import { fairnessSection } from '../report/fairness-section';
import { train, type TrainResult } from './train';

const sample = path.resolve(__dirname, '../../../../data/kickstarter-sample.csv');
const config = (fairness: Record<string, unknown>) =>
  parseConfig({
    data: sample,
    target: 'state',
    positive: 'successful',
    excludeLabels: ['canceled', 'live'],
    models: ['logistic', 'gradientBoosting'],
    tuning: { trials: 0, folds: 3 },
    ensemble: { enabled: false },
    tracking: { enabled: false },
    fairness: { sensitive: ['goal'], bins: { goal: { quantiles: 4 } }, bootstrap: 50, ...fairness },
  });

describe('train with fairness on the embedded sample (goal-size quartiles)', () => {
  let run: TrainResult;
  beforeAll(async () => {
    run = await train(config({ mitigation: 'thresholds', tolerance: 0.01 }), new Progress('quiet'));
  }, 120_000);

  it('metrics.json has the audit before and after threshold mitigation, with the accuracy cost', () => {
    const f = run.metrics.fairness!;
    expect(f.before.byGroup.map((g) => g.group)).toEqual(f.bins!.goal.labels);
    expect(f.before.demographicParityDifference).toBeGreaterThan(0.1);
    expect(f.after.demographicParityDifference).toBeLessThan(f.before.demographicParityDifference);
    expect(f.accuracyCost).toBeCloseTo(f.after.accuracy - f.before.accuracy, 12);
    const [lo, hi] = f.before.intervals!.demographicParityDifference;
    expect(lo).toBeLessThanOrEqual(hi);
    expect(Object.keys(f.thresholds!).sort()).toEqual([...f.bins!.goal.labels].sort());
    expect(run.bundle.metrics.fairness).toMatchObject({
      mitigation: 'thresholds',
      before: { demographicParityDifference: f.before.demographicParityDifference },
    });
  });

  it('the bundle applies the thresholds: its test labels give the reported "after" parity gap', () => {
    const bundle = Bundle.fromJSON(JSON.parse(JSON.stringify(run.bundle)));
    expect(bundle.groupThresholds?.column).toBe('goal');
    expect(bundle.requiredColumns).toContain('goal');
    const table = run.testTable;
    const labels = bundle.labelIndices(bundle.scoreTable(table), table.numRows(), table);
    const groups = applyBins(table.array('goal') as ArrayLike<number>, bundle.groupThresholds!.bins!, 'goal');
    const yTest = Float64Array.from(table.array('state') as ArrayLike<string>, (s) => (s === 'successful' ? 1 : 0));
    expect(demographicParityDifference(yTest, labels, { sensitive: groups })).toBeCloseTo(
      run.metrics.fairness!.after.demographicParityDifference,
      12,
    );
  });

  it('the report shows the fairness section', () => {
    const html = fairnessSection(run.report.fairness);
    expect(html).toContain('Fairness by goal');
    expect(html).toContain('accuracy cost');
    expect(html).toContain('after thresholds');
  });

  it('reweighing: weights through CV and the final fit; before is the unweighted model', async () => {
    const r = await train(config({ mitigation: 'reweighing' }), new Progress('quiet'));
    const f = r.metrics.fairness!;
    expect(f.mitigation).toBe('reweighing');
    expect(f.after.demographicParityDifference).not.toBe(f.before.demographicParityDifference);
    expect(r.bundle.model.groupThresholds).toBeUndefined();
  }, 120_000);
});

describe('fairness config', () => {
  it('rejects thresholds over several columns, bins of a column not audited, and a non-binary task', () => {
    expect(() => config({ mitigation: 'thresholds', sensitive: ['goal', 'country'] })).toThrow(
      /exactly one sensitive column/,
    );
    expect(() => config({ bins: { country: { quantiles: 4 } }, sensitive: ['goal'] })).toThrow(
      /not in fairness.sensitive/,
    );
    expect(() =>
      parseConfig({ data: sample, target: 'state', task: 'multiclass', fairness: { sensitive: ['goal'] } }),
    ).toThrow(/binary task/);
  });
});
