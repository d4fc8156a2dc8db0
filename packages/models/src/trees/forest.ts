import { checkClassLabels, checkXy, ConfigError, createRng, InputError, progressReporter } from '@campaign-ml/core';
import type { FitOptions, Matrix } from '@campaign-ml/core';
import { prepareFit } from './fit-setup';
import { FittedTreeClassifier, FittedTreeRegressor } from './fitted-tree-model';
import type { TreeModelKind } from './fitted-tree-model';
import { TreeGrower } from './grower';
import { addOutOfBag, emptyOutOfBag, mergeOutOfBag, outOfBagScore } from './out-of-bag';
import type { OutOfBagSums } from './out-of-bag';
import { TreeEnsemble } from './predictor';
import { runForestParts } from './split-threads';
import { resolveThreads } from './thread-count';
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
  /**
   * Threads growing trees side by side; 0 or unset = CAMPAIGN_ML_THREADS, or every core. Any count
   * fits the same forest bit for bit; not saved with the model. With oobScore, a progress callback
   * or an abort signal the forest grows on one thread.
   */
  threads?: number;
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
  if (p.threads !== undefined) checkNumber(owner, 'threads', p.threads, { min: 0, integer: true });
}

/** Which trees of a forest to grow: tree indices [start, end) of `nEstimators`. */
export interface TreeRange {
  start: number;
  end: number;
}

/**
 * Trees [start, end) of a forest, fitted on their own (e.g. one half in each of two worker threads),
 * with the out-of-bag sums of those trees when the forest keeps them (oobScore). Plain data: it
 * crosses a thread boundary by structured clone. fromParts joins the parts of one forest into the
 * model a single fit gives.
 */
export interface ForestPart {
  kind: TreeModelKind;
  start: number;
  end: number;
  nEstimators: number;
  columns: string[];
  /** Number of classes (0 for a regressor). */
  classes: number;
  trees: TreeArrays[];
  oob: OutOfBagSums | null;
}

interface Grown {
  classes: number;
  trees: TreeArrays[];
  oob: OutOfBagSums | null;
}

/**
 * Grow trees [range.start, range.end) of a forest (or, with one tree and no bootstrap, a decision
 * tree) on the shared engine. Classification fits leaf class frequencies (gini = variance of the
 * one-hot labels), regression fits leaf means (squared error); both are gradient sums with
 * g = -y w, h = w and no shrinkage. Tree t draws its bootstrap and features from the t-th fork of
 * the seed's stream, whichever range it is grown in, so the parts of a forest are its trees.
 */
function growForest(
  owner: string,
  p: ForestParams,
  classification: boolean,
  X: Matrix,
  y: ArrayLike<number>,
  opts: FitOptions,
  range: TreeRange,
): Grown {
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
    fitArrays: { grad: n * K, hess: n },
  });
  const features = Int32Array.from({ length: X.cols }, (_, i) => i);
  const rng = createRng(p.seed);
  // Tree t's stream is the t-th fork: skip the forks of the trees before the range.
  for (let t = 0; t < range.start; t++) rng.fork();
  // Where the grower builds histograms from them (its WebAssembly memory, when it does).
  const { grad, hess, idx } = grower.fitArrays();
  const counts = new Int32Array(n);
  const trees: TreeArrays[] = [];
  const oob = p.oobScore && p.bootstrap ? emptyOutOfBag(n, K) : null;
  const tick = progressReporter('trees', range.end - range.start, opts);
  for (let t = range.start; t < range.end; t++) {
    tick(t - range.start);
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
    if (oob) addOutOfBag(tree, X, counts, oob);
  }
  tick(range.end - range.start);
  return { classes, trees, oob };
}

/** Fit a whole forest (or a decision tree): every tree, then the fitted model. */
export function fitForest(
  owner: string,
  kind: TreeModelKind,
  p: ForestParams,
  classification: boolean,
  X: Matrix,
  y: ArrayLike<number>,
  opts: FitOptions,
): FittedTreeClassifier | FittedTreeRegressor {
  const threads = resolveThreads(owner, p.threads);
  // Trees side by side: tree t draws from the t-th random stream in any range, so the parts joined
  // are the trees of one fit (fromParts). Out-of-bag sums would be added part by part, not tree by
  // tree (equal only up to rounding), so oobScore stays on one thread, as do progress and abort.
  if (threads > 1 && p.nEstimators > 1 && !(p.oobScore && p.bootstrap) && !opts.onProgress && !opts.signal) {
    const T = Math.min(threads, p.nEstimators);
    const ranges = Array.from({ length: T }, (_, b) => ({
      start: Math.floor((b * p.nEstimators) / T),
      end: Math.floor(((b + 1) * p.nEstimators) / T),
    }));
    const params = withoutThreads(p);
    const fitLocal = (range: TreeRange): ForestPart =>
      fitForestPart(owner, kind, params, classification, X, y, range, opts);
    const parts = runForestParts(
      threads,
      { owner, kind, params, classification, ranges },
      X,
      y,
      opts.sampleWeight,
      fitLocal,
    );
    if (parts) return forestFromParts(owner, kind, params, classification, parts, y);
  }
  const grown = growForest(owner, p, classification, X, y, opts, { start: 0, end: p.nEstimators });
  return fittedForest(kind, p, classification, X.columns, grown, y);
}

/** The parameters a fitted forest keeps: threads change how fast, never what is fitted. */
function withoutThreads(p: ForestParams): ForestParams {
  const out = { ...p };
  delete out.threads;
  return out;
}

/** Fit trees [range.start, range.end) of the forest `fitForest` would fit, for fromParts to join. */
export function fitForestPart(
  owner: string,
  kind: TreeModelKind,
  p: ForestParams,
  classification: boolean,
  X: Matrix,
  y: ArrayLike<number>,
  range: TreeRange,
  opts: FitOptions,
): ForestPart {
  const { start, end } = range;
  if (!Number.isInteger(start) || !Number.isInteger(end) || start < 0 || end > p.nEstimators || start >= end) {
    throw new ConfigError(
      'INVALID_OPTION',
      `${owner}.fitPart: trees [${start}, ${end}) are not a part of a forest of ${p.nEstimators} trees`,
      { value: `[${start}, ${end})`, expected: `integers 0 <= start < end <= ${p.nEstimators}` },
    );
  }
  const grown = growForest(owner, p, classification, X, y, opts, range);
  return { kind, start, end, nEstimators: p.nEstimators, columns: [...X.columns], ...grown };
}

/**
 * Join the parts of one forest (any order; together they must hold trees 0..nEstimators-1 once
 * each) into the fitted model: the same trees, in the same order, as a single fit. The out-of-bag
 * sums are added part by part in tree order, so they equal a single fit's up to rounding; the
 * out-of-bag score is computed from them with `y`, the training labels (needed only with oobScore).
 */
export function forestFromParts(
  owner: string,
  kind: TreeModelKind,
  p: ForestParams,
  classification: boolean,
  parts: readonly ForestPart[],
  y?: ArrayLike<number>,
): FittedTreeClassifier | FittedTreeRegressor {
  const sorted = [...parts].sort((a, b) => a.start - b.start);
  const bad = (message: string) => new InputError('INVALID_PARTS', `${owner}.fromParts: ${message}`);
  if (sorted.length === 0) throw bad('no parts given');
  let next = 0;
  for (const part of sorted) {
    if (part.kind !== kind) throw bad(`a part of a ${part.kind} cannot join a ${kind}`);
    if (part.nEstimators !== p.nEstimators)
      throw bad(`a part of a forest of ${part.nEstimators} trees cannot join one of ${p.nEstimators}`);
    if (part.start > next) throw bad(`trees [${next}, ${part.start}) are missing`);
    if (part.start < next) throw bad(`trees [${part.start}, ${next}) are in two parts`);
    if (part.trees.length !== part.end - part.start) throw bad(`part [${part.start}, ${part.end}) lacks trees`);
    if (part.classes !== sorted[0].classes || part.columns.join('\u0000') !== sorted[0].columns.join('\u0000'))
      throw bad('the parts were fitted on different data (columns or classes differ)');
    if ((part.oob === null) !== (sorted[0].oob === null)) throw bad('some parts kept out-of-bag sums and some not');
    next = part.end;
  }
  if (next !== p.nEstimators) throw bad(`trees [${next}, ${p.nEstimators}) are missing`);
  const oob = sorted[0].oob ? mergeOutOfBag(sorted.map((s) => s.oob!)) : null;
  if (oob && (!y || y.length !== oob.hits.length))
    throw bad(`the out-of-bag score needs the ${oob.hits.length} training labels the parts were fitted on`);
  const grown = { classes: sorted[0].classes, trees: sorted.flatMap((s) => s.trees), oob };
  return fittedForest(kind, p, classification, sorted[0].columns, grown, y ?? []);
}

function fittedForest(
  kind: TreeModelKind,
  p: ForestParams,
  classification: boolean,
  columns: readonly string[],
  grown: Grown,
  y: ArrayLike<number>,
): FittedTreeClassifier | FittedTreeRegressor {
  const { trees, oob, classes } = grown;
  const K = classes > 2 ? classes : 1;
  const ensemble = TreeEnsemble.fromTrees(trees, {
    nOutputs: K,
    valueWidth: K,
    treeOutput: new Int32Array(trees.length),
    baseScore: new Float64Array(K),
    scale: 1 / trees.length,
  });
  const oobScore = oob ? outOfBagScore(oob, y, classification) : null;
  const base = { kind, columns, ensemble, params: { ...withoutThreads(p) }, oobScore, oob };
  return classification
    ? new FittedTreeClassifier({ ...base, link: 'identity', classes })
    : new FittedTreeRegressor({ ...base, link: 'identity' });
}
