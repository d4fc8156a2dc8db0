import type { Estimator, FitOptions, Matrix } from '@campaign-ml/core';
import { checkForestParams, FOREST_DEFAULTS, fitForest, fitForestPart, forestFromParts } from './forest';
import type { ForestParams, ForestPart, TreeRange } from './forest';
import type { FittedTreeClassifier, FittedTreeRegressor } from './fitted-tree-model';

/**
 * Random forest classifier: bootstrapped trees grown to purity with `maxFeatures` ('sqrt') features
 * drawn per split; probabilities are the average of leaf class frequencies.
 *
 * ```ts
 * const rf = new RandomForestClassifier({ nEstimators: 200, oobScore: true }).fit(X, y);
 * rf.oobScore; rf.oobPrediction(); rf.predictProba(Xtest);
 *
 * // The same forest grown as two halves (e.g. in two worker threads), then joined:
 * const est = new RandomForestClassifier({ nEstimators: 200, oobScore: true });
 * const parts = [est.fitPart(X, y, { start: 0, end: 100 }), est.fitPart(X, y, { start: 100, end: 200 })];
 * const same = est.fromParts(parts, y); // the trees of est.fit(X, y), in the same order
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

  /** Trees [range.start, range.end) of the forest `fit` grows (same seed streams per tree), for fromParts. */
  fitPart(X: Matrix, y: ArrayLike<number>, range: TreeRange, opts: FitOptions = {}): ForestPart {
    return fitForestPart(
      'RandomForestClassifier',
      'models/RandomForestClassifier',
      this.params,
      true,
      X,
      y,
      range,
      opts,
    );
  }

  /**
   * The fitted forest from parts that hold every tree once: the model `fit` gives, tree for tree.
   * `y` (the training labels) is needed for the out-of-bag score when the parts kept their sums.
   */
  fromParts(parts: readonly ForestPart[], y?: ArrayLike<number>): FittedTreeClassifier {
    return forestFromParts(
      'RandomForestClassifier',
      'models/RandomForestClassifier',
      this.params,
      true,
      parts,
      y,
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

  /** Trees [range.start, range.end) of the forest `fit` grows (same seed streams per tree), for fromParts. */
  fitPart(X: Matrix, y: ArrayLike<number>, range: TreeRange, opts: FitOptions = {}): ForestPart {
    return fitForestPart(
      'RandomForestRegressor',
      'models/RandomForestRegressor',
      this.params,
      false,
      X,
      y,
      range,
      opts,
    );
  }

  /**
   * The fitted forest from parts that hold every tree once: the model `fit` gives, tree for tree.
   * `y` (the training labels) is needed for the out-of-bag score when the parts kept their sums.
   */
  fromParts(parts: readonly ForestPart[], y?: ArrayLike<number>): FittedTreeRegressor {
    return forestFromParts(
      'RandomForestRegressor',
      'models/RandomForestRegressor',
      this.params,
      false,
      parts,
      y,
    ) as FittedTreeRegressor;
  }
}
