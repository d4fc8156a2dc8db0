/**
 * Issue 12, item 4: the MLP regressor standardizes its target (and maps predictions back), so on
 * an insurance-like table (charges ≈ 13,000 ± 11,000) it fits instead of scoring below the mean.
 */
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fromColumns, load, type Matrix } from '@campaign-ml/core';
import { MLPRegressor, r2Score, type FittedMLPRegressor } from '@campaign-ml/models';
import { insuranceTable } from '../generators/insurance-table';
import { trainCli } from './pipeline-cli';

const t = insuranceTable();

/** The table as standardized numeric features (what the linear recipe feeds the MLP) and the target. */
function matrix(rows: typeof t.rows): { X: Matrix; y: Float64Array } {
  const col = (k: number, f: (v: unknown) => number = Number) => Float64Array.from(rows, (r) => f(r[k]));
  const z = (x: Float64Array) => {
    const m = x.reduce((a, b) => a + b) / x.length;
    const s = Math.sqrt(x.reduce((a, b) => a + (b - m) ** 2, 0) / x.length);
    return x.map((v) => (v - m) / s);
  };
  const X = fromColumns({
    age: z(col(0)),
    female: col(1, (v) => Number(v === 'female')),
    bmi: z(col(2)),
    children: z(col(3)),
    smoker: col(4, (v) => Number(v === 'yes')),
  });
  return { X, y: col(6) };
}

describe('MLP regressor target scaling (library)', () => {
  const cut = Math.floor(t.rows.length * 0.8);
  const train = matrix(t.rows.slice(0, cut));
  const test = matrix(t.rows.slice(cut));
  // The pipeline's MLP settings (apps/pipeline/src/families.ts).
  const params = { hiddenLayerSizes: [64], maxIter: 60, earlyStopping: true, seed: 42 };

  it('fits the charges (test R² > 0.7), where the unscaled target scores far worse', () => {
    const scaled = new MLPRegressor(params).fit(train.X, train.y);
    const raw = new MLPRegressor({ ...params, scaleTarget: false }).fit(train.X, train.y);
    const r2 = r2Score(test.y, scaled.predict(test.X));
    const r2Raw = r2Score(test.y, raw.predict(test.X));
    expect(r2).toBeGreaterThan(0.7);
    expect(r2Raw).toBeLessThan(0.3);
    expect(scaled.target.scale).toBeGreaterThan(5000);
  });

  it('keeps the scaling through a JSON round trip, bit for bit', () => {
    const m = new MLPRegressor(params).fit(train.X, train.y);
    const back = load<FittedMLPRegressor>(JSON.parse(JSON.stringify(m.toJSON())));
    expect(back.target).toEqual(m.target);
    expect(back.predict(test.X)).toEqual(m.predict(test.X));
  });
});

describe('MLP regressor target scaling (CLI)', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'insurance-'));
  });
  afterAll(() => fs.rm(dir, { recursive: true, force: true }));

  it('the pipeline MLP beats the mean on the charges', async () => {
    const file = path.join(dir, 'insurance.csv');
    await fs.writeFile(file, t.csv);
    const { runDir } = await trainCli([
      '--data',
      file,
      '--target',
      t.target,
      '--models',
      'dummy,mlp',
      '--trials',
      '0',
      '--out',
      path.join(dir, 'runs'),
    ]);
    const metrics = JSON.parse(await fs.readFile(path.join(runDir, 'metrics.json'), 'utf8')) as {
      models: { model: string; baseline: { test: Record<string, number> } }[];
    };
    const mlp = metrics.models.find((m) => m.model === 'mlp')!;
    expect(mlp.baseline.test.r2).toBeGreaterThan(0.6);
  }, 300_000);
});
