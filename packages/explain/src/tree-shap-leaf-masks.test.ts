import { createMatrix, createRng, type Matrix } from '@campaign-ml/core';
import {
  GradientBoostingClassifier,
  RandomForestClassifier,
  TreeEnsemble,
  type FittedTreeClassifier,
} from '@campaign-ml/models';
import { InterventionalShap, ShapleyWeights } from './tree-shap-interventional';
import { LeafMaskShap } from './tree-shap-leaf-masks';

function data(n: number, p: number, seed: number): { X: Matrix; y: Float64Array; y3: Float64Array } {
  const rng = createRng(seed);
  const d = new Float64Array(n * p);
  for (let i = 0; i < d.length; i++) d[i] = rng.normal();
  // Column 1: category codes; column 2: every third value missing.
  for (let r = 0; r < n; r++) d[n + r] = Math.floor(rng.random() * 6);
  for (let r = 0; r < n; r += 3) d[2 * n + r] = NaN;
  const y = new Float64Array(n);
  const y3 = new Float64Array(n);
  for (let r = 0; r < n; r++) {
    const x2 = Number.isNaN(d[2 * n + r]) ? 1 : d[2 * n + r];
    const s = d[r] + (d[n + r] === 2 ? 1.5 : 0) + x2 * d[3 * n + r] + 0.5 * rng.normal();
    y[r] = s > 0.3 ? 1 : 0;
    y3[r] = s < -0.5 ? 0 : s < 0.8 ? 1 : 2;
  }
  return { X: createMatrix(n, p, d), y, y3 };
}

function rows(X: Matrix): Float64Array[] {
  return Array.from({ length: X.rows }, (_, r) =>
    Float64Array.from({ length: X.cols }, (_, c) => X.data[c * X.rows + r]),
  );
}

/** The pair-by-pair recursive walk, every reference weighted by `w[b]`. */
function pairwise(e: TreeEnsemble, x: Float64Array, refs: Float64Array[], w: Float64Array, F: number): Float64Array {
  const K = e.nOutputs;
  const out = new Float64Array(F * K);
  const phi = new Float64Array(F * K);
  const walk = new InterventionalShap(e, F, new ShapleyWeights(F));
  refs.forEach((ref, b) => {
    phi.fill(0);
    for (let t = 0; t < e.nTrees; t++) {
      walk.explain(e.roots[t], x, ref, phi, K, e.valueWidth === 1 ? e.treeOutput[t] : -1, e.scale);
    }
    for (let i = 0; i < phi.length; i++) out[i] += w[b] * phi[i];
  });
  return out;
}

describe('LeafMaskShap (interventional TreeSHAP by leaf masks)', () => {
  const { X, y, y3 } = data(400, 7, 1);
  const Xt = data(12, 7, 2).X;
  const bg = data(40, 7, 3).X;
  const cases: Record<string, FittedTreeClassifier> = {
    'binary boosting with categorical splits and missing values': new GradientBoostingClassifier({
      nEstimators: 25,
      maxDepth: 5,
      categoricalFeatures: [1],
    }).fit(X, y),
    'multiclass boosting (one tree per class and round)': new GradientBoostingClassifier({
      nEstimators: 8,
      maxDepth: 4,
    }).fit(X, y3),
    'a multiclass forest (leaves of three values)': new RandomForestClassifier({
      nEstimators: 6,
      maxDepth: 6,
      seed: 4,
    }).fit(X, y3),
  };
  for (const [name, model] of Object.entries(cases)) {
    it(`equals the pair-by-pair walk with unequal reference weights: ${name}`, () => {
      const e = model.ensemble;
      const F = X.cols;
      const refs = rows(bg);
      const masks = LeafMaskShap.build(e, refs, new ShapleyWeights(F));
      expect(masks).not.toBeNull();
      const rng = createRng(5);
      const w = Float64Array.from(refs, () => rng.random());
      const K = e.nOutputs;
      for (const x of rows(Xt)) {
        const got = new Float64Array(F * K + 3);
        masks!.explain(x, w, got, 3, K, e.scale);
        const want = pairwise(e, x, refs, w, F);
        for (let i = 0; i < F * K; i++) expect(Math.abs(got[3 + i] - want[i])).toBeLessThan(1e-12);
        expect(got[0] + got[1] + got[2]).toBe(0);
      }
    });
  }

  it('declines trees whose tables would be too large (the caller keeps the recursive walk)', () => {
    const big = data(3000, 7, 6);
    const forest = new RandomForestClassifier({ nEstimators: 40, seed: 1 }).fit(big.X, big.y);
    const refs = rows(data(1000, 7, 7).X);
    expect(LeafMaskShap.build(forest.ensemble, refs, new ShapleyWeights(7))).toBeNull();
  });
});
