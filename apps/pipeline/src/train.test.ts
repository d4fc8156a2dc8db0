import * as path from 'node:path';
import { Bundle } from '@campaign-ml/bundle';
import { parseConfig } from './config';
import { Progress } from './progress';
import { train, type TrainResult } from './train';

const sample = path.resolve(__dirname, '../../../data/kickstarter-sample.csv');
const cfg = parseConfig({
  data: sample,
  target: 'state',
  positive: 'successful',
  excludeLabels: ['canceled', 'live'],
  models: ['dummy', 'logistic', 'gradientBoosting'],
  tuning: { trials: 0, folds: 3 },
  tracking: { enabled: false },
});

describe('train on the embedded sample', () => {
  let first: TrainResult;
  beforeAll(async () => {
    first = await train(cfg, new Progress('quiet'));
  }, 120_000);

  it('drops the leakage columns by itself and beats the dummy baseline', () => {
    const m = first.metrics;
    const leaked = m.leakage.map((f) => f.column);
    for (const c of ['pledged', 'usd_pledged', 'backers_count', 'spotlight', 'state_changed_at']) expect(leaked).toContain(c);
    for (const name of m.features.names) expect(leaked.some((c) => name === c || name.startsWith(`${c}=`) || name.startsWith(`${c}.`))).toBe(false);
    expect(m.best.model).not.toBe('dummy');
    expect(m.best.test.rocAuc).toBeGreaterThan(0.75);
    expect(m.models.find((r) => r.model === 'dummy')!.baseline.test.rocAuc).toBe(0.5);
    expect(m.best.threshold).toBeGreaterThan(0);
    expect(m.best.threshold).toBeLessThan(1);
  });

  it('writes a bundle that reproduces the test predictions bit for bit after a JSON round trip', () => {
    const bundle = Bundle.fromJSON(JSON.parse(JSON.stringify(first.bundle)));
    const again = bundle.scoreTable(first.testTable);
    expect(Buffer.from(again.buffer).equals(Buffer.from(first.testScores.buffer))).toBe(true);
    expect(first.bundle.provenance.dataSha256).toMatch(/^[0-9a-f]{64}$/);
    expect(first.bundle.schema.columns.find((c) => c.name === 'state')).toBeUndefined();
  });

  it('gives the same metrics for the same config and seed', async () => {
    const second = await train(cfg, new Progress('quiet'));
    const strip = (r: TrainResult) => JSON.stringify({ ...r.metrics, stageTimesMs: undefined, models: r.metrics.models.map((m) => ({ ...m, baseline: { ...m.baseline, fitMs: 0 } })) });
    expect(strip(second)).toBe(strip(first));
  }, 120_000);
});
