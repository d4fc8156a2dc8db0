import { checkPredictColumns, expectKind, InputError, registerLoader, SerializationError } from '@campaign-ml/core';
import type { Classifier, Matrix, Regressor, Serialized } from '@campaign-ml/core';
import { TreeEnsemble } from './predictor';
import type { ImportanceType } from './predictor';
import type { EnsembleJSON } from './ensemble-json';
import { outOfBagPrediction } from './out-of-bag';
import type { OutOfBagSums } from './out-of-bag';
import type { TreeArrays } from './tree-arrays';

/** How raw tree output becomes a prediction. */
export type Link = 'identity' | 'logit' | 'softmax' | 'log';

export const TREE_MODEL_KINDS = [
  'models/GradientBoostingClassifier',
  'models/GradientBoostingRegressor',
  'models/RandomForestClassifier',
  'models/RandomForestRegressor',
  'models/DecisionTreeClassifier',
  'models/DecisionTreeRegressor',
] as const;
export type TreeModelKind = (typeof TREE_MODEL_KINDS)[number];

export interface FittedTreeInfo {
  kind: TreeModelKind;
  columns: readonly string[];
  ensemble: TreeEnsemble;
  link: Link;
  /** Parameters the model was fitted with (for reports). */
  params: Readonly<Record<string, unknown>>;
  /** Boosting with early stopping: the 0-based round kept last (trees beyond it were dropped). */
  bestIteration?: number | null;
  /** Validation loss per boosting round, when validation data was given. */
  validationLoss?: Float64Array | null;
  /** Random forests with oobScore: out-of-bag accuracy (classifiers) or R^2 (regressors). */
  oobScore?: number | null;
  /** Random forests with oobScore: per training row, the out-of-bag sums (not saved by toJSON). */
  oob?: OutOfBagSums | null;
}

const VERSION = 1;

/** What every fitted tree model shares: the flattened ensemble, importances, tree arrays, JSON. */
abstract class FittedTreeBase {
  readonly kind: TreeModelKind;
  /** The feature names the model was fitted on; prediction matrices must match. */
  readonly columns: readonly string[];
  readonly ensemble: TreeEnsemble;
  readonly link: Link;
  readonly params: Readonly<Record<string, unknown>>;
  readonly bestIteration: number | null;
  readonly validationLoss: Float64Array | null;
  readonly oobScore: number | null;
  /** Out-of-bag sums of the training rows (forests fitted with oobScore; null after load). */
  protected readonly oob: OutOfBagSums | null;

  constructor(info: FittedTreeInfo) {
    this.kind = info.kind;
    this.columns = Object.freeze([...info.columns]);
    this.ensemble = info.ensemble;
    this.link = info.link;
    this.params = Object.freeze({ ...info.params });
    this.bestIteration = info.bestIteration ?? null;
    this.validationLoss = info.validationLoss ?? null;
    this.oobScore = info.oobScore ?? null;
    this.oob = info.oob ?? null;
  }

  /**
   * Trees that left each training row out of their bootstrap (forests fitted with oobScore; null
   * otherwise, and for a model loaded from JSON, which does not keep its training rows' sums).
   */
  oobCounts(): Int32Array | null {
    return this.oob ? Int32Array.from(this.oob.hits) : null;
  }

  /** Number of trees. */
  get nTrees(): number {
    return this.ensemble.nTrees;
  }

  /** Raw scores (margins for boosting, averaged leaf values for forests), rows x outputs row-major. */
  predictRaw(X: Matrix): Float64Array {
    checkPredictColumns(X, this.columns);
    return this.ensemble.predictRawBlocked(X);
  }

  /** Importance per feature (normalized to sum 1): 'gain' (default), 'cover' or 'weight' (split count). */
  featureImportances(type: ImportanceType = 'gain'): Float64Array {
    return this.ensemble.importances(type, this.columns.length);
  }

  /** Per-tree typed arrays (feature, threshold, left, right, defaultLeft, value, cover, ...), e.g. for TreeSHAP. */
  trees(): TreeArrays[] {
    return this.ensemble.trees();
  }

  toJSON(): Serialized {
    return {
      kind: this.kind,
      version: VERSION,
      columns: [...this.columns],
      link: this.link,
      params: this.params,
      bestIteration: this.bestIteration,
      oobScore: this.oobScore,
      ensemble: this.ensemble.toJSON(),
    };
  }

  protected static infoFromJSON(json: Serialized, kind: TreeModelKind): FittedTreeInfo {
    expectKind(json, kind, VERSION);
    if (!Array.isArray(json.columns) || typeof json.link !== 'string') {
      throw new SerializationError('CORRUPT_MODEL', `"${kind}" lacks its columns or link; the model file is damaged`);
    }
    return {
      kind,
      columns: json.columns as string[],
      link: json.link as Link,
      params: (json.params ?? {}) as Record<string, unknown>,
      bestIteration: (json.bestIteration ?? null) as number | null,
      oobScore: (json.oobScore ?? null) as number | null,
      ensemble: TreeEnsemble.fromJSON(json.ensemble as EnsembleJSON),
    };
  }
}

/** A fitted tree classifier (boosting, forest or single tree). Labels are class indices. */
export class FittedTreeClassifier extends FittedTreeBase implements Classifier {
  readonly classes: number;

  constructor(info: FittedTreeInfo & { classes: number }) {
    super(info);
    this.classes = info.classes;
    Object.freeze(this);
  }

  /** Class probabilities, rows x classes row-major. */
  predictProba(X: Matrix): Float64Array {
    const raw = this.predictRaw(X);
    const n = X.rows;
    const k = this.classes;
    const out = new Float64Array(n * k);
    if (this.ensemble.nOutputs === 1) {
      const logit = this.link === 'logit';
      for (let r = 0; r < n; r++) {
        // Averaged leaf values (forests) can stray past 1 by a rounding error: clamp to [0, 1].
        const p = logit ? 1 / (1 + Math.exp(-raw[r])) : Math.min(1, Math.max(0, raw[r]));
        out[2 * r] = 1 - p;
        out[2 * r + 1] = p;
      }
      return out;
    }
    if (this.link === 'softmax') {
      for (let r = 0; r < n; r++) {
        let max = -Infinity;
        for (let c = 0; c < k; c++) if (raw[r * k + c] > max) max = raw[r * k + c];
        let sum = 0;
        for (let c = 0; c < k; c++) {
          const e = Math.exp(raw[r * k + c] - max);
          out[r * k + c] = e;
          sum += e;
        }
        for (let c = 0; c < k; c++) out[r * k + c] /= sum;
      }
      return out;
    }
    for (let i = 0; i < out.length; i++) out[i] = Math.min(1, Math.max(0, raw[i]));
    return out;
  }

  /**
   * Out-of-bag class probabilities of the training rows, rows x classes row-major: per row the
   * average of the trees whose bootstrap left it out, clamped as predictProba clamps. A row every
   * tree drew (likely only with a few trees) has NaN. Null unless a forest was fitted with
   * oobScore in this process (toJSON does not keep them).
   */
  oobPrediction(): Float64Array | null {
    return this.oob ? outOfBagPrediction(this.oob, this.classes) : null;
  }

  /** Most probable class per row. */
  predict(X: Matrix): Int32Array {
    const p = this.predictProba(X);
    const k = this.classes;
    const out = new Int32Array(X.rows);
    for (let r = 0; r < X.rows; r++) {
      let best = 0;
      for (let c = 1; c < k; c++) if (p[r * k + c] > p[r * k + best]) best = c;
      out[r] = best;
    }
    return out;
  }

  override toJSON(): Serialized {
    return { ...super.toJSON(), classes: this.classes };
  }

  static fromJSON(json: Serialized): FittedTreeClassifier {
    const info = FittedTreeBase.infoFromJSON(json, json.kind as TreeModelKind);
    const classes = json.classes;
    if (typeof classes !== 'number' || !(classes >= 2)) {
      throw new SerializationError('CORRUPT_MODEL', `"${json.kind}" lacks a class count; the model file is damaged`);
    }
    return new FittedTreeClassifier({ ...info, classes });
  }
}

/** A fitted tree regressor. */
export class FittedTreeRegressor extends FittedTreeBase implements Regressor {
  constructor(info: FittedTreeInfo) {
    super(info);
    Object.freeze(this);
  }

  /**
   * Out-of-bag predictions of the training rows: per row the average of the trees whose bootstrap
   * left it out; NaN for a row every tree drew. Null unless a forest was fitted with oobScore in
   * this process (toJSON does not keep them).
   */
  oobPrediction(): Float64Array | null {
    return this.oob ? outOfBagPrediction(this.oob, 0) : null;
  }

  predict(X: Matrix): Float64Array {
    const raw = this.predictRaw(X);
    if (this.link === 'log') for (let r = 0; r < raw.length; r++) raw[r] = Math.exp(raw[r]);
    return raw;
  }

  static fromJSON(json: Serialized): FittedTreeRegressor {
    return new FittedTreeRegressor(FittedTreeBase.infoFromJSON(json, json.kind as TreeModelKind));
  }
}

for (const kind of TREE_MODEL_KINDS) {
  if (kind.endsWith('Classifier')) registerLoader(kind, FittedTreeClassifier.fromJSON);
  else registerLoader(kind, FittedTreeRegressor.fromJSON);
}

/** Throws an InputError when `X` is not a Matrix. */
export function assertMatrix(X: Matrix, what: string): void {
  if (!X || typeof X.rows !== 'number' || !(X.data instanceof Float64Array)) {
    throw new InputError('INVALID_MATRIX', `${what} must be a Matrix (see createMatrix in @campaign-ml/core)`);
  }
}
