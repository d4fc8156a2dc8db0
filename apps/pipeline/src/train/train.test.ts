import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { createRng } from '@campaign-ml/core';
import { Bundle } from '@campaign-ml/bundle';
import { parseConfig } from '../config';
import { Progress } from '../progress';
import { explainSectionsHtml } from '../report/explain-html';
import { train, type TrainResult } from './train';

const sample = path.resolve(__dirname, '../../../../data/kickstarter-sample.csv');
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
    for (const c of ['pledged', 'usd_pledged', 'backers_count', 'spotlight', 'state_changed_at'])
      expect(leaked).toContain(c);
    for (const name of m.features.names)
      expect(leaked.some((c) => name === c || name.startsWith(`${c}=`) || name.startsWith(`${c}.`))).toBe(false);
    expect(m.best.model).not.toBe('dummy');
    expect(m.best.test.rocAuc).toBeGreaterThan(0.75);
    expect(m.models.find((r) => r.model === 'dummy')!.baseline.test.rocAuc).toBe(0.5);
    expect(m.best.threshold).toBeGreaterThan(0);
    expect(m.best.threshold).toBeLessThan(1);
    // The learning curve ends at the kept model itself: its last test score is the reported one.
    const curve = first.report.learningCurve;
    expect(curve[curve.length - 1]).toMatchObject({ fraction: 1, rows: m.data.trainRows, test: m.best.test.rocAuc });
  });

  it("explains the best model in the report: the importance's top 5 columns as PDP panels and sentences", () => {
    const { explain, importance } = first.report;
    expect(explain!.panels.map((p) => p.column)).toEqual(importance.slice(0, 5).map((r) => r.feature));
    expect(explain!.sentences).toHaveLength(5);
    // The sections report.html appends (renderReport itself needs Vega, an ES module jest does not load).
    const html = explainSectionsHtml(explain!, 'state');
    expect(html.match(/class="pdp"/g)).toHaveLength(5);
    expect(html.match(/class="sentence"/g)).toHaveLength(5);
    expect(html.match(/class="bar"/g)).toHaveLength(5);
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
    const strip = (r: TrainResult) =>
      JSON.stringify({
        ...r.metrics,
        stageTimesMs: undefined,
        models: r.metrics.models.map((m) => ({ ...m, baseline: { ...m.baseline, fitMs: 0 } })),
      });
    expect(strip(second)).toBe(strip(first));
  }, 120_000);
});

describe('weighted ensemble', () => {
  // Half the signal is an XOR of a and b (trees find it, a linear model cannot), half is a sum of
  // many small linear effects (a linear model finds it, shallow boosting on few rows struggles).
  const dir = mkdtempSync(path.join(os.tmpdir(), 'ensemble-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const file = path.join(dir, 'mixed.csv');
  const rng = createRng(5);
  const lines = [['a', 'b', ...Array.from({ length: 12 }, (_, k) => `x${k}`), 'label'].join(',')];
  for (let r = 0; r < 900; r++) {
    const a = rng.normal();
    const b = rng.normal();
    const xs = Array.from({ length: 12 }, () => rng.normal());
    const s = (a > 0 !== b > 0 ? 1.2 : -1.2) + xs.reduce((t, x) => t + 0.45 * x, 0) + 0.5 * rng.normal();
    lines.push([a, b, ...xs].map((v) => v.toFixed(4)).join(',') + `,${s > 0 ? 'yes' : 'no'}`);
  }
  writeFileSync(file, lines.join('\n'));
  const mixed = parseConfig({
    data: file,
    target: 'label',
    positive: 'yes',
    models: ['dummy', 'logistic', 'gradientBoosting'],
    tuning: { trials: 0, folds: 3 },
    tracking: { enabled: false },
  });
  let run: TrainResult;
  beforeAll(async () => {
    run = await train(mixed, new Progress('quiet'));
  }, 120_000);

  it('blends the families when neither sees all the signal, and wins on cross-validation', () => {
    const m = run.metrics;
    const ens = m.models.find((r) => r.model === 'ensemble')!;
    expect(ens).toBeDefined();
    expect(ens.recipe).toBe('tree+linear');
    const weights = ens.baseline.params as Record<string, number>;
    expect(Object.keys(weights).sort()).toEqual(['gradientBoosting', 'logistic']);
    expect(Object.values(weights).reduce((a, b) => a + b, 0)).toBeCloseTo(1, 2);
    expect(ens.baseline.cv.folds).toHaveLength(3);
    for (const name of ['logistic', 'gradientBoosting']) {
      const r = m.models.find((x) => x.model === name)!;
      expect(ens.baseline.cv.mean).toBeGreaterThan(r.baseline.cv.mean);
    }
    expect(ens.baseline.test.rocAuc).toBeGreaterThan(
      Math.min(
        ...['logistic', 'gradientBoosting'].map((n) => m.models.find((x) => x.model === n)!.baseline.test.rocAuc),
      ),
    );
    expect(m.best.model).toBe('ensemble');
    expect(m.features.names.some((n) => n.startsWith('tree:'))).toBe(true);
    expect(m.features.names.some((n) => n.startsWith('linear:'))).toBe(true);
  });

  it("ranks the input columns (not each recipe's copies) by permutation importance through the whole pipeline", () => {
    const { importance, importanceKind } = run.report;
    expect(importanceKind).toMatch(/^permutation of input columns \(drop in test ROC AUC\)/);
    const names = importance.map((r) => r.feature);
    expect(new Set(names).size).toBe(names.length);
    for (const n of names) expect(['a', 'b', ...Array.from({ length: 12 }, (_, k) => `x${k}`)]).toContain(n);
    // a and b carry the XOR, the strongest single signal; each x carries a small share.
    expect(names.slice(0, 2).sort()).toEqual(['a', 'b']);
    expect(importance[0].importance).toBeGreaterThan(0.05);
  });

  it('writes a bundle of the ensemble that reproduces the test predictions bit for bit', () => {
    const bundle = Bundle.fromJSON(JSON.parse(JSON.stringify(run.bundle)));
    expect(run.bundle.model.fitted.kind).toBe('models/VotingClassifier');
    const again = bundle.scoreTable(run.testTable);
    expect(Buffer.from(again.buffer).equals(Buffer.from(run.testScores.buffer))).toBe(true);
    expect(
      bundle.predictRecords([
        Object.fromEntries(
          run.testTable
            .columnNames()
            .filter((c) => c !== 'label')
            .map((c) => [c, run.testTable.get(c, 0)]),
        ),
      ])[0].label,
    ).toMatch(/^(yes|no)$/);
  });

  it('is left out with ensemble.enabled: false', async () => {
    const off = await train(parseConfig({ ...mixed, data: file, ensemble: { enabled: false } }), new Progress('quiet'));
    expect(off.metrics.models.map((r) => r.model)).not.toContain('ensemble');
  }, 120_000);
});
