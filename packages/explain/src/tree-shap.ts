import { ConfigError, InputError, checkPredictColumns, type Matrix } from '@campaign-ml/core';
import { FittedTreeClassifier, FittedTreeRegressor, type TreeEnsemble } from '@campaign-ml/models';
import { expectedOf, type ShapValues } from './shap-values';
import { PathShap, expectedLeafValue, treeDepth } from './tree-shap-path';
import { InterventionalShap, ShapleyWeights } from './tree-shap-interventional';
import { LeafMaskShap } from './tree-shap-leaf-masks';

export interface TreeShapOptions {
  /**
   * 'tree_path_dependent' (default): v(S) = E[f(x) | x_S] by the trees' covers, no data needed.
   * 'interventional': v(S) = mean over `background` rows of f(x_S, r_S̄) (shap's with a background).
   */
  featurePerturbation?: 'tree_path_dependent' | 'interventional';
  /** Reference rows for 'interventional' (at most 1,000 rows; the model's columns). */
  background?: Matrix;
  /** Also compute SHAP interaction values (path-dependent only). */
  interactions?: boolean;
  /**
   * 'margin' (default) explains the raw score; 'probability' explains P(class 1) of a binary
   * classifier: exact for forests and trees (their raw score is the probability), and for a boosted
   * (logit) model by the interventional per-reference rescaling (needs a background).
   */
  output?: 'margin' | 'probability';
  /**
   * Which node weight the path-dependent expectations use: 'weight' (default) is the stored cover,
   * the hessian sum for boosting (XGBoost's) and the weighted row count for forests and trees
   * (scikit-learn's); 'count' is the number of training rows (LightGBM's).
   */
  cover?: 'weight' | 'count';
}

export type TreeModel = FittedTreeClassifier | FittedTreeRegressor;

const MAX_BACKGROUND = 1000;

/**
 * Exact SHAP values of a tree model (boosting, forest or single tree, fitted or imported), float64.
 *
 * ```ts
 * const shap = treeShap(model, X);                   // path-dependent, margin space
 * shap.values[r * X.cols + f];                       // row r, feature f
 * const p = treeShap(model, X, { featurePerturbation: 'interventional', background: Xbg, output: 'probability' });
 * ```
 */
export function treeShap(model: TreeModel, X: Matrix, options: TreeShapOptions = {}): ShapValues {
  if (!(model instanceof FittedTreeClassifier) && !(model instanceof FittedTreeRegressor)) {
    throw new InputError('UNSUPPORTED_MODEL', 'treeShap explains fitted tree models (boosting, forests, trees)', {
      value: (model as { kind?: string })?.kind,
      expected: 'a FittedTreeClassifier or FittedTreeRegressor',
    });
  }
  checkPredictColumns(X, model.columns);
  const perturbation = options.featurePerturbation ?? 'tree_path_dependent';
  if (perturbation !== 'tree_path_dependent' && perturbation !== 'interventional') {
    throw new ConfigError('INVALID_OPTION', `featurePerturbation "${String(perturbation)}" is unknown`, {
      column: 'featurePerturbation',
      value: perturbation,
      expected: "'tree_path_dependent' | 'interventional'",
    });
  }
  const output = options.output ?? 'margin';
  const e = model.ensemble;
  const probability = output === 'probability';
  if (probability && !(model instanceof FittedTreeClassifier && e.nOutputs === 1)) {
    throw new ConfigError('INVALID_OPTION', "output 'probability' explains binary classifiers only", {
      column: 'output',
      value: output,
      expected: "'margin' for this model",
    });
  }
  const logitProbability = probability && model.link === 'logit';
  if (logitProbability && perturbation !== 'interventional') {
    throw new ConfigError(
      'INVALID_OPTION',
      "output 'probability' of a boosted model needs featurePerturbation 'interventional' and a background",
      { column: 'output', value: output, expected: "'margin', or featurePerturbation 'interventional'" },
    );
  }
  if (perturbation === 'interventional') {
    if (options.interactions) {
      throw new ConfigError('INVALID_OPTION', 'interaction values are computed path-dependent only', {
        column: 'interactions',
        value: true,
        expected: "featurePerturbation 'tree_path_dependent'",
      });
    }
    const bg = options.background;
    if (!bg || bg.rows === 0) {
      throw new ConfigError('INVALID_OPTION', 'interventional TreeSHAP needs background rows', {
        column: 'background',
        expected: `a Matrix of 1 to ${MAX_BACKGROUND} rows with the model's columns`,
      });
    }
    if (bg.rows > MAX_BACKGROUND) {
      throw new ConfigError('INVALID_OPTION', `background has ${bg.rows} rows; sample at most ${MAX_BACKGROUND}`, {
        column: 'background',
        value: bg.rows,
        expected: `at most ${MAX_BACKGROUND} rows`,
      });
    }
    checkPredictColumns(bg, model.columns);
    return interventional(e, X, bg, model.columns, logitProbability ? 'logit' : null, output);
  }
  const cover = chooseCover(e, options.cover ?? 'weight');
  return pathDependent(e, X, cover, model.columns, options.interactions === true, output);
}

function chooseCover(e: TreeEnsemble, kind: 'weight' | 'count'): Float64Array {
  if (kind === 'weight') return e.cover;
  if (kind === 'count') {
    if (!e.count) {
      throw new ConfigError(
        'INVALID_OPTION',
        "this model keeps no row counts (saved before they were kept); use cover 'weight'",
        {
          column: 'cover',
          value: kind,
          expected: "'weight'",
        },
      );
    }
    return e.count;
  }
  throw new ConfigError('INVALID_OPTION', `cover "${String(kind)}" is unknown`, {
    column: 'cover',
    value: kind,
    expected: "'weight' | 'count'",
  });
}

/** Row r of column-major X into buf. */
function readRow(X: Matrix, r: number, buf: Float64Array): void {
  const n = X.rows;
  for (let c = 0; c < X.cols; c++) buf[c] = X.data[c * n + r];
}

function leafOutputOf(e: TreeEnsemble, t: number): number {
  return e.valueWidth === 1 ? e.treeOutput[t] : -1;
}

/** baseScore + Σ_t scale · (the tree's cover-weighted mean leaf), per output. */
function pathExpectation(e: TreeEnsemble, cover: Float64Array): Float64Array {
  const K = e.nOutputs;
  const base = Float64Array.from(e.baseScore);
  const tmp = new Float64Array(e.valueWidth);
  for (let t = 0; t < e.nTrees; t++) {
    tmp.fill(0);
    expectedLeafValue(e, cover, e.roots[t], tmp);
    const lo = leafOutputOf(e, t);
    if (lo >= 0) base[lo] += e.scale * tmp[0];
    else for (let k = 0; k < K; k++) base[k] += e.scale * tmp[k];
  }
  return base;
}

interface PathSetup {
  explainer: PathShap;
  expected: Float64Array;
}

/** Per model and cover: the explainer (cover shares, quadrature) and the expected value, built once. */
const SETUPS = new WeakMap<TreeEnsemble, Map<Float64Array, PathSetup>>();

function pathSetup(e: TreeEnsemble, cover: Float64Array, features: number): PathSetup {
  let byCover = SETUPS.get(e);
  if (!byCover) SETUPS.set(e, (byCover = new Map()));
  const hit = byCover.get(cover);
  if (hit) return hit;
  let maxDepth = 0;
  for (let t = 0; t < e.nTrees; t++) maxDepth = Math.max(maxDepth, treeDepth(e, e.roots[t]));
  const setup = { explainer: new PathShap(e, cover, maxDepth, features), expected: pathExpectation(e, cover) };
  byCover.set(cover, setup);
  return setup;
}

function pathDependent(
  e: TreeEnsemble,
  X: Matrix,
  cover: Float64Array,
  features: readonly string[],
  withInteractions: boolean,
  output: 'margin' | 'probability',
): ShapValues {
  const F = X.cols;
  const K = e.nOutputs;
  const n = X.rows;
  const { explainer, expected } = pathSetup(e, cover, features.length);
  const values = new Float64Array(n * F * K);
  const rows = new Float64Array(n * F);
  for (let r = 0; r < n; r++) readRow(X, r, rows.subarray(r * F, (r + 1) * F));
  explainer.explainRows(rows, n, values, K, e.scale);
  const result: ShapValues = {
    values,
    expectedValue: expectedOf(expected),
    output,
    rows: n,
    features: [...features],
    outputs: K,
  };
  if (withInteractions) result.interactions = pathInteractions(e, X, explainer, values);
  return result;
}

/**
 * Φ_ij = (φ_i with j on − φ_i with j off) / 2 for i ≠ j, tree by tree over the features each tree
 * splits on; Φ_ii = φ_i − Σ_{j≠i} Φ_ij, so each row of the matrix sums to φ_i.
 */
function pathInteractions(e: TreeEnsemble, X: Matrix, explainer: PathShap, values: Float64Array): Float64Array {
  const F = X.cols;
  const K = e.nOutputs;
  const n = X.rows;
  const out = new Float64Array(n * F * F * K);
  const row = new Float64Array(F);
  const on = new Float64Array(F * K);
  const off = new Float64Array(F * K);
  const used = treeFeatures(e);
  for (let r = 0; r < n; r++) {
    readRow(X, r, row);
    const base = r * F * F * K;
    for (let t = 0; t < e.nTrees; t++) {
      const lo = leafOutputOf(e, t);
      for (const j of used[t]) {
        on.fill(0);
        off.fill(0);
        explainer.explain(e.roots[t], row, on, 0, K, lo, e.scale, j, 1);
        explainer.explain(e.roots[t], row, off, 0, K, lo, e.scale, j, -1);
        for (let i = 0; i < F; i++) {
          if (i === j) continue;
          for (let k = 0; k < K; k++) out[base + (i * F + j) * K + k] += (on[i * K + k] - off[i * K + k]) / 2;
        }
      }
    }
    for (let i = 0; i < F; i++) {
      for (let k = 0; k < K; k++) {
        let s = 0;
        for (let j = 0; j < F; j++) if (j !== i) s += out[base + (i * F + j) * K + k];
        out[base + (i * F + i) * K + k] = values[(r * F + i) * K + k] - s;
      }
    }
  }
  return out;
}

function treeFeatures(e: TreeEnsemble): number[][] {
  const out: number[][] = [];
  for (let t = 0; t < e.nTrees; t++) {
    const seen = new Set<number>();
    for (let i = e.roots[t]; i < e.roots[t + 1]; i++) if (e.left[i] >= 0) seen.add(e.feature[i]);
    out.push([...seen].sort((a, b) => a - b));
  }
  return out;
}

/** The background's rows and raw outputs, per model and background matrix (a server reuses both). */
interface BackgroundWork {
  rows: Float64Array[];
  raw: Float64Array;
  /** The Shapley weights for the trees' depth (once: finding the depth walks every tree, ~0.1 ms for 500). */
  weights: ShapleyWeights;
  /** The references' leaf masks (built on first use; null: the trees are too deep for them). */
  masks?: LeafMaskShap | null;
}

const BACKGROUNDS = new WeakMap<TreeEnsemble, WeakMap<Matrix, BackgroundWork>>();

function backgroundOf(e: TreeEnsemble, bg: Matrix, features: number): BackgroundWork {
  let byBg = BACKGROUNDS.get(e);
  if (!byBg) BACKGROUNDS.set(e, (byBg = new WeakMap()));
  let out = byBg.get(bg);
  if (!out) {
    const rows: Float64Array[] = [];
    for (let b = 0; b < bg.rows; b++) {
      const buf = new Float64Array(bg.cols);
      readRow(bg, b, buf);
      rows.push(buf);
    }
    let maxDepth = 0;
    for (let t = 0; t < e.nTrees; t++) maxDepth = Math.max(maxDepth, treeDepth(e, e.roots[t]));
    out = { rows, raw: e.predictRaw(bg), weights: new ShapleyWeights(Math.max(1, Math.min(features, maxDepth))) };
    byBg.set(bg, out);
  }
  return out;
}

function interventional(
  e: TreeEnsemble,
  X: Matrix,
  bg: Matrix,
  features: readonly string[],
  link: 'logit' | null,
  output: 'margin' | 'probability',
): ShapValues {
  const F = X.cols;
  const K = e.nOutputs;
  const n = X.rows;
  const R = bg.rows;
  const values = new Float64Array(n * F * K);
  const background = backgroundOf(e, bg, F);
  const { rows: bgRows, raw: fBg, weights } = background;
  if (background.masks === undefined) background.masks = LeafMaskShap.build(e, bgRows, weights);
  const masks = background.masks;
  const explainer = masks ? null : new InterventionalShap(e, F, weights);
  const fX = link ? e.predictRaw(X) : null;
  const row = new Float64Array(F);
  const phi = new Float64Array(F * K);
  // Per reference: 1/R, times the link rescaling of a logit model's probability — shap's
  // per-reference rescaling (s = (σ(f(x)) − σ(f(r))) / (f(x) − f(r))), so the values stay additive.
  const refWeight = new Float64Array(R);
  for (let r = 0; r < n; r++) {
    readRow(X, r, row);
    const base = r * F * K;
    for (let b = 0; b < R; b++) {
      let s = 1;
      if (link) {
        const fx = fX![r];
        const fr = fBg[b];
        const px = sigmoid(fx);
        const pr = sigmoid(fr);
        s = fx === fr ? px * (1 - px) : (px - pr) / (fx - fr);
      }
      refWeight[b] = s / R;
    }
    if (masks) {
      masks.explain(row, refWeight, values, base, K, e.scale);
      continue;
    }
    for (let b = 0; b < R; b++) {
      phi.fill(0);
      for (let t = 0; t < e.nTrees; t++) {
        explainer!.explain(e.roots[t], row, bgRows[b], phi, K, leafOutputOf(e, t), e.scale);
      }
      for (let i = 0; i < F * K; i++) values[base + i] += refWeight[b] * phi[i];
    }
  }
  const expected = new Float64Array(K);
  for (let b = 0; b < R; b++) {
    for (let k = 0; k < K; k++) expected[k] += (link ? sigmoid(fBg[b * K + k]) : fBg[b * K + k]) / R;
  }
  return { values, expectedValue: expectedOf(expected), output, rows: n, features: [...features], outputs: K };
}

function sigmoid(z: number): number {
  return 1 / (1 + Math.exp(-z));
}
