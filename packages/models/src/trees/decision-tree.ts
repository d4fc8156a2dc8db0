import type { Estimator, FitOptions, Matrix } from '@campaign-ml/core';
import { checkForestParams, FOREST_DEFAULTS, fitForest } from './forest';
import type { ForestParams } from './forest';
import type { FittedTreeClassifier, FittedTreeRegressor } from './fitted-tree-model';

/** Parameters of a single tree: a forest's, without the ensemble ones. */
export type DecisionTreeParams = Omit<ForestParams, 'nEstimators' | 'bootstrap' | 'oobScore'>;

const TREE_DEFAULTS: DecisionTreeParams = { ...FOREST_DEFAULTS, maxFeatures: 'all' };

function asForest(p: DecisionTreeParams): ForestParams {
  return { ...p, nEstimators: 1, bootstrap: false, oobScore: false };
}

/**
 * One classification tree (gini), on the same histogram engine as the forests.
 *
 * ```ts
 * const tree = new DecisionTreeClassifier({ maxDepth: 3 }).fit(X, y);
 * tree.trees()[0]; // feature, threshold, left, right, value, ...
 * ```
 */
export class DecisionTreeClassifier implements Estimator<FittedTreeClassifier, DecisionTreeParams> {
  readonly params: Readonly<DecisionTreeParams>;
  constructor(params: Partial<DecisionTreeParams> = {}) {
    this.params = Object.freeze({ ...TREE_DEFAULTS, ...params });
    checkForestParams('DecisionTreeClassifier', asForest(this.params));
  }
  fit(X: Matrix, y: ArrayLike<number>, opts: FitOptions = {}): FittedTreeClassifier {
    return fitForest(
      'DecisionTreeClassifier',
      'models/DecisionTreeClassifier',
      asForest(this.params),
      true,
      X,
      y,
      opts,
    ) as FittedTreeClassifier;
  }
}

/** One regression tree (squared error). */
export class DecisionTreeRegressor implements Estimator<FittedTreeRegressor, DecisionTreeParams> {
  readonly params: Readonly<DecisionTreeParams>;
  constructor(params: Partial<DecisionTreeParams> = {}) {
    this.params = Object.freeze({ ...TREE_DEFAULTS, ...params });
    checkForestParams('DecisionTreeRegressor', asForest(this.params));
  }
  fit(X: Matrix, y: ArrayLike<number>, opts: FitOptions = {}): FittedTreeRegressor {
    return fitForest(
      'DecisionTreeRegressor',
      'models/DecisionTreeRegressor',
      asForest(this.params),
      false,
      X,
      y,
      opts,
    ) as FittedTreeRegressor;
  }
}
