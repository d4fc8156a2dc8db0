import { checkClassLabels, checkXy, ConfigError, createRng, InputError, progressReporter } from '@campaign-ml/core';
import type { Estimator, FitOptions, Matrix } from '@campaign-ml/core';
import { prepareFit, sampleFeatures } from './fit-setup';
import { FittedTreeClassifier, FittedTreeRegressor } from './fitted-tree-model';
import type { FittedTreeInfo } from './fitted-tree-model';
import { TreeGrower } from './grower';
import { baseScore, meanLoss } from './losses';
import type { Objective } from './losses';
import { TreeEnsemble } from './predictor';
import type { TreeArrays } from './tree-arrays';
import { resolveThreads } from './thread-count';
import { checkNumber, resolveMaxDepth, resolveMaxLeaves } from './tree-params';
import type { GrowPolicy } from './tree-params';

/** Parameters shared by GradientBoostingClassifier and GradientBoostingRegressor (XGBoost names, camelCase). */
export interface GradientBoostingParams {
  /** Boosting rounds (trees per class for multiclass). Default 100. */
  nEstimators: number;
  /** Shrinkage of each tree's leaf values. Default 0.1. */
  learningRate: number;
  /** Maximum depth; null or 0 = unlimited. Default 6. */
  maxDepth: number | null;
  /** Maximum leaves per tree; null or 0 = unlimited. Default null. */
  maxLeaves: number | null;
  /** 'depthwise' (level by level) or 'lossguide' (best leaf first). Default: 'lossguide' when only maxLeaves limits the tree, else 'depthwise'. */
  growPolicy: GrowPolicy | null;
  /** Minimum hessian sum in a child. Default 1. */
  minChildWeight: number;
  /** L2 regularization of leaf values. Default 1. */
  regLambda: number;
  /** L1 regularization of leaf values. Default 0. */
  regAlpha: number;
  /** Minimum gain to split (XGBoost gamma / min_split_loss), applied while growing. Default 0. */
  gamma: number;
  /** Fraction of rows drawn (without replacement) for each round. Default 1. */
  subsample: number;
  /** Fraction of features drawn for each tree. Default 1. */
  colsampleBytree: number;
  /** Bins per numeric feature (2..255). Default 255. */
  maxBins: number;
  /** Integer-coded categorical features (indices or names), split natively. Default []. */
  categoricalFeatures: ReadonlyArray<number | string>;
  /** Stop when the validation loss has not improved for this many rounds (needs opts.validation); 0 = off. */
  earlyStoppingRounds: number;
  /** Seed for row/feature sampling and binning subsamples. Default 0. */
  seed: number;
  /**
   * Threads for histograms and split search; 0 or unset = the CAMPAIGN_ML_THREADS environment
   * variable, or every core. Any count fits the same model bit for bit; not saved with the model.
   */
  threads?: number;
}

export interface GradientBoostingRegressorParams extends GradientBoostingParams {
  /** 'squaredError' (default) or 'poisson' (counts; log link, predictions are exp(raw)). */
  objective: 'squaredError' | 'poisson';
}

const DEFAULTS: GradientBoostingParams = {
  nEstimators: 100,
  learningRate: 0.1,
  maxDepth: 6,
  maxLeaves: null,
  growPolicy: null,
  minChildWeight: 1,
  regLambda: 1,
  regAlpha: 0,
  gamma: 0,
  subsample: 1,
  colsampleBytree: 1,
  maxBins: 255,
  categoricalFeatures: [],
  earlyStoppingRounds: 0,
  seed: 0,
};

function checkParams(owner: string, p: GradientBoostingParams): void {
  checkNumber(owner, 'nEstimators', p.nEstimators, { min: 1, integer: true });
  checkNumber(owner, 'learningRate', p.learningRate, { min: 0, minExclusive: true });
  resolveMaxDepth(owner, p.maxDepth);
  resolveMaxLeaves(owner, p.maxLeaves);
  checkNumber(owner, 'minChildWeight', p.minChildWeight, { min: 0 });
  checkNumber(owner, 'regLambda', p.regLambda, { min: 0 });
  checkNumber(owner, 'regAlpha', p.regAlpha, { min: 0 });
  checkNumber(owner, 'gamma', p.gamma, { min: 0 });
  checkNumber(owner, 'subsample', p.subsample, { min: 0, max: 1, minExclusive: true });
  checkNumber(owner, 'colsampleBytree', p.colsampleBytree, { min: 0, max: 1, minExclusive: true });
  checkNumber(owner, 'maxBins', p.maxBins, { min: 2, max: 255, integer: true });
  checkNumber(owner, 'earlyStoppingRounds', p.earlyStoppingRounds, { min: 0, integer: true });
  checkNumber(owner, 'seed', p.seed, { integer: true });
  if (p.threads !== undefined) checkNumber(owner, 'threads', p.threads, { min: 0, integer: true });
  if (p.growPolicy !== null && p.growPolicy !== 'depthwise' && p.growPolicy !== 'lossguide') {
    throw new ConfigError(
      'INVALID_PARAM',
      `${owner}: growPolicy is ${JSON.stringify(p.growPolicy)}; expected 'depthwise' or 'lossguide'`,
      {
        column: 'growPolicy',
        value: p.growPolicy,
        expected: "'depthwise' | 'lossguide'",
      },
    );
  }
}

/** The parameters a fitted model keeps: threads change how fast, never what is fitted. */
function withoutThreads<P extends GradientBoostingParams>(p: P): Omit<P, 'threads'> {
  const out: Partial<P> = { ...p };
  delete out.threads;
  return out as Omit<P, 'threads'>;
}

/** Labels must be class indices 0..classes-1 (validation sets may hold fewer classes). */
export function checkLabelRange(y: ArrayLike<number>, classes: number): void {
  for (let i = 0; i < y.length; i++) {
    const v = y[i];
    if (!Number.isInteger(v) || v < 0 || v >= classes) {
      throw new InputError(
        'INVALID_LABEL',
        `label at row ${i} is ${v}; labels must be class indices 0..${classes - 1} as in the training data`,
        {
          row: i,
          value: v,
          expected: `an integer 0..${classes - 1}`,
        },
      );
    }
  }
}

interface BoostResult {
  ensemble: TreeEnsemble;
  bestIteration: number | null;
  validationLoss: Float64Array | null;
}

function copyTo(to: Float64Array, from: ArrayLike<number>): Float64Array {
  to.set(from);
  return to;
}

/** The boosting loop: one tree per output per round on the gradients of the loss at the current scores. */
function boost(
  owner: string,
  p: GradientBoostingParams,
  obj: Objective,
  K: number,
  X: Matrix,
  y: ArrayLike<number>,
  yChecked: (y: Float64Array) => void,
  opts: FitOptions,
): BoostResult {
  const prep = prepareFit(owner, X, y, opts, p.maxBins, p.categoricalFeatures, p.seed);
  yChecked(prep.y);
  const maxDepth = resolveMaxDepth(owner, p.maxDepth);
  const maxLeaves = resolveMaxLeaves(owner, p.maxLeaves);
  const growPolicy: GrowPolicy =
    p.growPolicy ?? (p.maxLeaves && (p.maxDepth === null || p.maxDepth === 0) ? 'lossguide' : 'depthwise');
  const threads = resolveThreads(owner, p.threads);
  const grower = new TreeGrower(prep.mapper, prep.binned, {
    K: 1,
    maxDepth,
    maxLeaves,
    growPolicy,
    minSamplesSplit: 2,
    minSamplesLeaf: 1,
    minChildWeight: p.minChildWeight,
    regLambda: p.regLambda,
    regAlpha: p.regAlpha,
    gamma: p.gamma,
    catSmooth: 10,
    shrinkage: p.learningRate,
    featuresPerSplit: 0,
    threads,
    fitArrays: { grad: X.rows * K, hess: X.rows * K },
  });
  try {
    return boostRounds(owner, p, obj, K, X, yChecked, opts, prep, grower, grower.threaded);
  } finally {
    grower.close();
  }
}

function boostRounds(
  owner: string,
  p: GradientBoostingParams,
  obj: Objective,
  K: number,
  X: Matrix,
  yChecked: (y: Float64Array) => void,
  opts: FitOptions,
  prep: ReturnType<typeof prepareFit>,
  grower: TreeGrower,
  shared: boolean,
): BoostResult {
  const n = X.rows;
  const rng = createRng(p.seed);
  const base = baseScore(obj, prep.y, prep.w, K);
  // In shared memory when the grower has worker threads (they read rows and gradients in place,
  // and compute gradients from y, w and raw).
  const f64 = (len: number): Float64Array =>
    shared ? new Float64Array(new SharedArrayBuffer(len * 8)) : new Float64Array(len);
  const raw = f64(n * K);
  const y = shared ? copyTo(f64(n), prep.y) : prep.y;
  const w = shared && prep.w ? copyTo(f64(n), prep.w) : prep.w;
  for (let r = 0; r < n; r++) for (let k = 0; k < K; k++) raw[r * K + k] = base[k];
  // Where the grower builds histograms from them (its WebAssembly memory, or shared memory).
  const { grad, hess, idx } = grower.fitArrays();
  const nSample = Math.max(1, Math.floor(p.subsample * n));
  const nCols = Math.max(1, Math.round(p.colsampleBytree * X.cols));

  const val = opts.validation;
  if (p.earlyStoppingRounds > 0 && !val) {
    throw new ConfigError(
      'MISSING_VALIDATION',
      `${owner}: earlyStoppingRounds needs validation data; pass fit(X, y, { validation: { X, y } })`,
      {
        column: 'earlyStoppingRounds',
      },
    );
  }
  const valY = val ? Float64Array.from(val.y) : null;
  if (valY) yChecked(valY);
  const valRaw = val ? new Float64Array(val.X.rows * K) : null;
  if (valRaw) for (let r = 0; r < val!.X.rows; r++) for (let k = 0; k < K; k++) valRaw[r * K + k] = base[k];
  const losses: number[] = [];
  let bestLoss = Infinity;
  let bestRound = -1;

  const trees: TreeArrays[] = [];
  const treeOutput: number[] = [];
  const tick = progressReporter('boosting', p.nEstimators, opts);
  // A one-tree ensemble view to apply each new tree to the training and validation scores.
  const layout1 = (k: number) => ({
    nOutputs: K,
    valueWidth: 1,
    treeOutput: Int32Array.of(k),
    baseScore: new Float64Array(K),
    scale: 1,
  });
  for (let round = 0; round < p.nEstimators; round++) {
    tick(round);
    grower.gradients(obj, y, w, raw, K, grad, hess);
    const roundRng = rng.fork();
    let nIdx = n;
    let sampled: Uint32Array | null = null;
    if (nSample < n) {
      sampled = roundRng.sampleIndices(n, nSample).sort();
      nIdx = nSample;
    }
    for (let k = 0; k < K; k++) {
      if (sampled) idx.set(sampled);
      else for (let i = 0; i < n; i++) idx[i] = i;
      const features = sampleFeatures(X.cols, nCols, roundRng);
      const tree = grower.grow(
        grad.subarray(k * n, (k + 1) * n),
        hess.subarray(k * n, (k + 1) * n),
        idx,
        nIdx,
        features,
        roundRng,
      );
      trees.push(tree);
      treeOutput.push(k);
      // Training scores: straight from the leaves' row ranges unless rows were subsampled.
      if (nIdx === n) grower.addLeafValues(idx, raw, K, k);
      if (nIdx < n || (val && valRaw)) {
        const one = TreeEnsemble.fromTrees([tree], layout1(k));
        if (nIdx < n) one.addTree(0, X, raw, 0, n);
        if (val && valRaw) one.addTree(0, val.X, valRaw, 0, val.X.rows);
      }
    }
    if (val && valRaw && valY) {
      const loss = meanLoss(obj, valY, undefined, valRaw, K);
      losses.push(loss);
      if (loss < bestLoss) {
        bestLoss = loss;
        bestRound = round;
      } else if (p.earlyStoppingRounds > 0 && round - bestRound >= p.earlyStoppingRounds) {
        break;
      }
    }
  }
  tick(p.nEstimators);
  let kept = trees.length;
  if (p.earlyStoppingRounds > 0 && bestRound >= 0) kept = (bestRound + 1) * K;
  const ensemble = TreeEnsemble.fromTrees(trees.slice(0, kept), {
    nOutputs: K,
    valueWidth: 1,
    treeOutput: Int32Array.from(treeOutput.slice(0, kept)),
    baseScore: base,
    scale: 1,
  });
  return {
    ensemble,
    bestIteration: p.earlyStoppingRounds > 0 ? bestRound : null,
    validationLoss: val ? Float64Array.from(losses) : null,
  };
}

/**
 * Gradient-boosted trees for classification: binary logloss, or softmax with one tree per class
 * per round for more than two classes. Histogram-based (XGBoost `hist`, LightGBM) on the shared
 * tree engine.
 *
 * ```ts
 * const model = new GradientBoostingClassifier({ nEstimators: 200, learningRate: 0.05 }).fit(X, y);
 * const p = model.predictProba(Xtest); // rows x classes
 * ```
 */
export class GradientBoostingClassifier implements Estimator<FittedTreeClassifier, GradientBoostingParams> {
  readonly params: Readonly<GradientBoostingParams>;

  constructor(params: Partial<GradientBoostingParams> = {}) {
    this.params = Object.freeze({ ...DEFAULTS, ...params });
    checkParams('GradientBoostingClassifier', this.params);
  }

  fit(X: Matrix, y: ArrayLike<number>, opts: FitOptions = {}): FittedTreeClassifier {
    const owner = 'GradientBoostingClassifier';
    checkXy(X, y);
    const { classes } = checkClassLabels(y);
    const K = classes === 2 ? 1 : classes;
    const checkY = (yy: Float64Array): void => checkLabelRange(yy, classes);
    const r = boost(owner, this.params, classes === 2 ? 'logloss' : 'softmax', K, X, y, checkY, opts);
    return new FittedTreeClassifier({
      kind: 'models/GradientBoostingClassifier',
      columns: X.columns,
      ensemble: r.ensemble,
      link: classes === 2 ? 'logit' : 'softmax',
      params: withoutThreads(this.params),
      bestIteration: r.bestIteration,
      validationLoss: r.validationLoss,
      classes,
    });
  }
}

/**
 * Gradient-boosted trees for regression: squared error, or Poisson (log link) for counts.
 *
 * ```ts
 * const model = new GradientBoostingRegressor({ objective: 'poisson' }).fit(X, counts);
 * const expected = model.predict(Xtest);
 * ```
 */
export class GradientBoostingRegressor implements Estimator<FittedTreeRegressor, GradientBoostingRegressorParams> {
  readonly params: Readonly<GradientBoostingRegressorParams>;

  constructor(params: Partial<GradientBoostingRegressorParams> = {}) {
    this.params = Object.freeze({ ...DEFAULTS, objective: 'squaredError', ...params });
    checkParams('GradientBoostingRegressor', this.params);
    if (this.params.objective !== 'squaredError' && this.params.objective !== 'poisson') {
      throw new ConfigError(
        'INVALID_PARAM',
        `GradientBoostingRegressor: objective is ${JSON.stringify(this.params.objective)}; expected 'squaredError' or 'poisson'`,
        {
          column: 'objective',
          value: this.params.objective,
          expected: "'squaredError' | 'poisson'",
        },
      );
    }
  }

  fit(X: Matrix, y: ArrayLike<number>, opts: FitOptions = {}): FittedTreeRegressor {
    const owner = 'GradientBoostingRegressor';
    const poisson = this.params.objective === 'poisson';
    const checkY = (yy: Float64Array): void => {
      if (!poisson) return;
      let sum = 0;
      for (let i = 0; i < yy.length; i++) {
        if (yy[i] < 0) {
          throw new InputError(
            'INVALID_LABEL',
            `target at row ${i} is ${yy[i]}; the Poisson objective needs counts >= 0`,
            {
              row: i,
              value: yy[i],
              expected: 'a number >= 0',
            },
          );
        }
        sum += yy[i];
      }
      if (sum === 0)
        throw new InputError('INVALID_LABEL', 'every target is 0; the Poisson objective needs some positive counts');
    };
    const r = boost(owner, this.params, poisson ? 'poisson' : 'squaredError', 1, X, y, checkY, opts);
    const info: FittedTreeInfo = {
      kind: 'models/GradientBoostingRegressor',
      columns: X.columns,
      ensemble: r.ensemble,
      link: poisson ? 'log' : 'identity',
      params: withoutThreads(this.params),
      bestIteration: r.bestIteration,
      validationLoss: r.validationLoss,
    };
    return new FittedTreeRegressor(info);
  }
}
