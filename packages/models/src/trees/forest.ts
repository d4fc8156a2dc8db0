import { checkClassLabels, checkXy, createRng, progressReporter } from '@campaign-ml/core';
import type { FitOptions, Matrix } from '@campaign-ml/core';
import { prepareFit } from './fit-setup';
import { FittedTreeClassifier, FittedTreeRegressor } from './fitted-tree-model';
import type { TreeModelKind } from './fitted-tree-model';
import { TreeGrower } from './grower';
import { TreeEnsemble } from './predictor';
import type { TreeArrays } from './tree-arrays';
import { checkNumber, resolveMaxDepth, resolveMaxFeatures, resolveMaxLeaves } from './tree-params';
import type { MaxFeatures } from './tree-params';

/** Parameters of random forests and single decision trees (scikit-learn names, camelCase). */
export interface ForestParams {
  /** Trees in the forest. Default 100 (1 for a decision tree). */
  nEstimators: number;
  /** Maximum depth; null = grow until leaves are pure or too small. Default null. */
  maxDepth: number | null;
  /** Maximum leaves per tree (best leaf first when set); null = unlimited. Default null. */
  maxLeaves: number | null;
  /** A node needs this many rows to be split. Default 2. */
  minSamplesSplit: number;
  /** Each leaf keeps at least this many rows. Default 1. */
  minSamplesLeaf: number;
  /** Features drawn at each split: 'sqrt', 'log2', 'all', a fraction in (0, 1) or a count. Default 'sqrt' (classifier forest), 'all' otherwise. */
  maxFeatures: MaxFeatures;
  /** Draw a bootstrap sample for each tree. Default true (false for a decision tree). */
  bootstrap: boolean;
  /** Score each row with the trees that did not see it (accuracy or R^2) and keep it as oobScore. Default false. */
  oobScore: boolean;
  /** Bins per numeric feature (2..255). Default 255. */
  maxBins: number;
  /** Integer-coded categorical features (indices or names), split natively. Default []. */
  categoricalFeatures: ReadonlyArray<number | string>;
  /** Seed for bootstraps and feature draws. Default 0. */
  seed: number;
}

export const FOREST_DEFAULTS: ForestParams = {
  nEstimators: 100,
  maxDepth: null,
  maxLeaves: null,
  minSamplesSplit: 2,
  minSamplesLeaf: 1,
  maxFeatures: 'sqrt',
  bootstrap: true,
  oobScore: false,
  maxBins: 255,
  categoricalFeatures: [],
  seed: 0,
};

export function checkForestParams(owner: string, p: ForestParams): void {
  checkNumber(owner, 'nEstimators', p.nEstimators, { min: 1, integer: true });
  resolveMaxDepth(owner, p.maxDepth);
  resolveMaxLeaves(owner, p.maxLeaves);
  checkNumber(owner, 'minSamplesSplit', p.minSamplesSplit, { min: 2, integer: true });
  checkNumber(owner, 'minSamplesLeaf', p.minSamplesLeaf, { min: 1, integer: true });
  checkNumber(owner, 'maxBins', p.maxBins, { min: 2, max: 255, integer: true });
  checkNumber(owner, 'seed', p.seed, { integer: true });
  resolveMaxFeatures(owner, p.maxFeatures, 1000);
}

/**
 * Fit a forest (or, with one tree and no bootstrap, a decision tree) on the shared engine.
 * Classification fits leaf class frequencies (gini = variance of the one-hot labels), regression
 * fits leaf means (squared error); both are gradient sums with g = -y w, h = w and no shrinkage.
 */
export function fitForest(
  owner: string,
  kind: TreeModelKind,
  p: ForestParams,
  classification: boolean,
  X: Matrix,
  y: ArrayLike<number>,
  opts: FitOptions,
): FittedTreeClassifier | FittedTreeRegressor {
  checkXy(X, y);
  const classes = classification ? checkClassLabels(y).classes : 0;
  const prep = prepareFit(owner, X, y, opts, p.maxBins, p.categoricalFeatures, p.seed);
  const n = X.rows;
  const K = classes > 2 ? classes : 1;
  const yy = prep.y;
  const w = prep.w;
  const maxDepth = resolveMaxDepth(owner, p.maxDepth);
  const maxLeaves = resolveMaxLeaves(owner, p.maxLeaves);
  const grower = new TreeGrower(prep.mapper, prep.binned, {
    K,
    maxDepth,
    maxLeaves,
    growPolicy: p.maxLeaves ? 'lossguide' : 'depthwise',
    minSamplesSplit: p.minSamplesSplit,
    minSamplesLeaf: p.minSamplesLeaf,
    minChildWeight: 0,
    regLambda: 0,
    regAlpha: 0,
    gamma: 0,
    catSmooth: 10,
    shrinkage: 1,
    featuresPerSplit: resolveMaxFeatures(owner, p.maxFeatures, X.cols),
  });
  const features = Int32Array.from({ length: X.cols }, (_, i) => i);
  const rng = createRng(p.seed);
  const grad = new Float64Array(n * K);
  const hess = new Float64Array(n);
  const counts = new Int32Array(n);
  const idx = new Uint32Array(n);
  const trees: TreeArrays[] = [];
  const oob = p.oobScore && p.bootstrap ? new Float64Array(n * K) : null;
  const oobHits = oob ? new Int32Array(n) : null;
  const layout = {
    nOutputs: K,
    valueWidth: K,
    treeOutput: new Int32Array(1),
    baseScore: new Float64Array(K),
    scale: 1,
  };
  const tick = progressReporter('trees', p.nEstimators, opts);
  for (let t = 0; t < p.nEstimators; t++) {
    tick(t);
    const treeRng = rng.fork();
    if (p.bootstrap) {
      counts.fill(0);
      for (let i = 0; i < n; i++) counts[treeRng.int(n)]++;
    } else {
      counts.fill(1);
    }
    let nIdx = 0;
    for (let r = 0; r < n; r++) {
      const c = counts[r];
      const wr = c * (w ? w[r] : 1);
      hess[r] = wr;
      if (K === 1) grad[r] = -yy[r] * wr;
      else for (let k = 0; k < K; k++) grad[k * n + r] = yy[r] === k ? -wr : 0;
      if (c > 0) idx[nIdx++] = r;
    }
    const tree = grower.grow(grad, hess, idx, nIdx, features, treeRng);
    trees.push(tree);
    if (oob && oobHits) {
      const one = TreeEnsemble.fromTrees([tree], layout);
      const pred = one.predictRaw(X);
      for (let r = 0; r < n; r++) {
        if (counts[r] > 0) continue;
        oobHits[r]++;
        for (let k = 0; k < K; k++) oob[r * K + k] += pred[r * K + k];
      }
    }
  }
  tick(p.nEstimators);
  const ensemble = TreeEnsemble.fromTrees(trees, {
    nOutputs: K,
    valueWidth: K,
    treeOutput: new Int32Array(trees.length),
    baseScore: new Float64Array(K),
    scale: 1 / trees.length,
  });
  const oobScore = oob && oobHits ? scoreOob(oob, oobHits, yy, K, classification) : null;
  const base = { kind, columns: X.columns, ensemble, params: { ...p }, oobScore };
  return classification
    ? new FittedTreeClassifier({ ...base, link: 'identity', classes })
    : new FittedTreeRegressor({ ...base, link: 'identity' });
}

function scoreOob(oob: Float64Array, hits: Int32Array, y: Float64Array, K: number, classification: boolean): number {
  let m = 0;
  let correct = 0;
  let sum = 0;
  let sse = 0;
  let sumSq = 0;
  for (let r = 0; r < hits.length; r++) {
    if (hits[r] === 0) continue;
    m++;
    if (classification) {
      let pred: number;
      if (K === 1) pred = oob[r] / hits[r] >= 0.5 ? 1 : 0;
      else {
        pred = 0;
        for (let k = 1; k < K; k++) if (oob[r * K + k] > oob[r * K + pred]) pred = k;
      }
      if (pred === y[r]) correct++;
    } else {
      const d = oob[r] / hits[r] - y[r];
      sse += d * d;
      sum += y[r];
      sumSq += y[r] * y[r];
    }
  }
  if (m === 0) return NaN;
  if (classification) return correct / m;
  const sst = sumSq - (sum * sum) / m;
  return sst > 0 ? 1 - sse / sst : NaN;
}
