import type { Estimator, FitOptions, Matrix } from '@campaign-ml/core';
import { checkForestParams, FOREST_DEFAULTS, fitForest } from './forest';
import type { ForestParams } from './forest';
import type { FittedTreeClassifier, FittedTreeRegressor } from './fitted-tree-model';

/**
 * Random forest classifier: bootstrapped trees grown to purity with `maxFeatures` ('sqrt') features
 * drawn per split; probabilities are the average of leaf class frequencies.
 *
 * ```ts
 * const rf = new RandomForestClassifier({ nEstimators: 200, oobScore: true }).fit(X, y);
 * rf.oobScore; rf.predictProba(Xtest);
 * ```
 */
export class RandomForestClassifier implements Estimator<FittedTreeClassifier, ForestParams> {
  readonly params: Readonly<ForestParams>;
  constructor(params: Partial<ForestParams> = {}) {
    this.params = Object.freeze({ ...FOREST_DEFAULTS, ...params });
    checkForestParams('RandomForestClassifier', this.params);
  }
  fit(X: Matrix, y: ArrayLike<number>, opts: FitOptions = {}): FittedTreeClassifier {
    return fitForest(
      'RandomForestClassifier',
      'models/RandomForestClassifier',
      this.params,
      true,
      X,
      y,
      opts,
    ) as FittedTreeClassifier;
  }
}

/** Random forest regressor: bootstrapped trees on squared error, all features per split by default. */
export class RandomForestRegressor implements Estimator<FittedTreeRegressor, ForestParams> {
  readonly params: Readonly<ForestParams>;
  constructor(params: Partial<ForestParams> = {}) {
    this.params = Object.freeze({ ...FOREST_DEFAULTS, maxFeatures: 'all', ...params });
    checkForestParams('RandomForestRegressor', this.params);
  }
  fit(X: Matrix, y: ArrayLike<number>, opts: FitOptions = {}): FittedTreeRegressor {
    return fitForest(
      'RandomForestRegressor',
      'models/RandomForestRegressor',
      this.params,
      false,
      X,
      y,
      opts,
    ) as FittedTreeRegressor;
  }
}
