import * as fs from 'node:fs';
import * as path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { createMatrix, type Matrix } from '@campaign-ml/core';
import { importLightGBMModel, importXGBoostModel } from '@campaign-ml/models';
import { treeShap } from './tree-shap';

/**
 * Our TreeSHAP on imported XGBoost models against XGBoost's own `pred_contribs` and
 * `pred_interactions` (fixtures from tools/fixtures/xgboost-import.py, XGBoost 1.7: Algorithm 2 in
 * float32). XGBoost's bias column is our expectedValue.
 */
const DIR = path.join(__dirname, '../../models/src/trees/__fixtures__/xgboost');

interface Fixture {
  xgboostVersion: string;
  model: string;
  X: (number | null)[][];
  contribs: number[][] | number[][][];
  interactions?: number[][][] | number[][][][];
}

function read(name: string): Fixture {
  const raw = fs.readFileSync(path.join(DIR, name));
  return JSON.parse((name.endsWith('.gz') ? gunzipSync(raw) : raw).toString('utf8')) as Fixture;
}

function matrixOf(rows: (number | null)[][], columns: readonly string[]): Matrix {
  const n = rows.length;
  const p = columns.length;
  const d = new Float64Array(n * p);
  for (let r = 0; r < n; r++) for (let c = 0; c < p; c++) d[c * n + r] = rows[r][c] ?? NaN;
  return createMatrix(n, p, d, columns);
}

const CASES: Array<[string, number]> = [
  ['binary-logistic.json', 1e-5],
  ['multi-softprob.json', 1e-5],
  ['reg-squarederror.json', 1e-5],
  ['count-poisson.json', 1e-5],
  ['dart-binary.json', 1e-5],
  ['categorical.json', 1e-5],
  // 300 trees of depth 6: XGBoost's float32 accumulation drifts further (measured ~3e-6).
  ['bench-300x6.json.gz', 5e-5],
];

describe('treeShap on imported XGBoost models equals pred_contribs and pred_interactions', () => {
  for (const [file, tol] of CASES) {
    it(file, () => {
      const fx = read(file);
      expect(fx.xgboostVersion).toMatch(/^1\./); // 3.3+ computes by quadrature in float32: other rounding
      const model = importXGBoostModel(fx.model);
      const X = matrixOf(fx.X, model.columns);
      const F = X.cols;
      const shap = treeShap(model, X, { interactions: fx.interactions !== undefined });
      const K = shap.outputs;
      const base = typeof shap.expectedValue === 'number' ? [shap.expectedValue] : shap.expectedValue;
      let worst = 0;
      for (let r = 0; r < X.rows; r++) {
        for (let k = 0; k < K; k++) {
          const ref = (K === 1 ? fx.contribs[r] : (fx.contribs as number[][][])[r][k]) as number[];
          for (let f = 0; f < F; f++) worst = Math.max(worst, Math.abs(shap.values[(r * F + f) * K + k] - ref[f]));
          worst = Math.max(worst, Math.abs(base[k] - ref[F]));
        }
      }
      if (process.env.SHOW_WORST) process.stdout.write(`${file} contribs ${worst.toExponential(2)}\n`);
      expect(worst).toBeLessThan(tol);
      if (!fx.interactions) return;
      let worstI = 0;
      for (let r = 0; r < X.rows; r++) {
        for (let k = 0; k < K; k++) {
          const ref = (K === 1 ? fx.interactions[r] : (fx.interactions as number[][][][])[r][k]) as number[][];
          for (let i = 0; i < F; i++) {
            for (let j = 0; j < F; j++) {
              const ours = shap.interactions![((r * F + i) * F + j) * K + k];
              worstI = Math.max(worstI, Math.abs(ours - ref[i][j]));
            }
          }
        }
      }
      if (process.env.SHOW_WORST) process.stdout.write(`${file} interactions ${worstI.toExponential(2)}\n`);
      expect(worstI).toBeLessThan(tol);
    });
  }
});

describe('treeShap on imported LightGBM models is additive to their raw scores', () => {
  const LGB = path.join(__dirname, '../../models/src/trees/__fixtures__/lightgbm');
  for (const name of ['binary_classification', 'multiclass', 'regression_missing']) {
    it(`${name}, with hessian-free count covers (LightGBM's)`, () => {
      const model = importLightGBMModel(fs.readFileSync(path.join(LGB, `boosters/${name}/model.txt`), 'utf8'));
      const input = JSON.parse(fs.readFileSync(path.join(LGB, `boosters/${name}/input.json`), 'utf8')) as {
        data: (number | null)[][];
      };
      const X = matrixOf(input.data.slice(0, 60), model.columns);
      const shap = treeShap(model, X);
      const raw = model.predictRaw(X);
      const K = shap.outputs;
      const base = typeof shap.expectedValue === 'number' ? [shap.expectedValue] : shap.expectedValue;
      for (let r = 0; r < X.rows; r++) {
        for (let k = 0; k < K; k++) {
          let s = base[k];
          for (let f = 0; f < X.cols; f++) s += shap.values[(r * X.cols + f) * K + k];
          expect(Math.abs(s - raw[r * K + k])).toBeLessThan(1e-12 * Math.max(1, Math.abs(raw[r * K + k])));
        }
      }
    });
  }
});
