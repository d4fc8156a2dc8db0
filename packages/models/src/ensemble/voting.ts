import {
  ConfigError,
  InputError,
  SerializationError,
  checkClassLabels,
  checkPredictColumns,
  checkXy,
  createMatrix,
  expectKind,
  load,
  registerLoader,
  sameNames,
  selectColumns,
  type Classifier,
  type Estimator,
  type FitOptions,
  type FittedModel,
  type Matrix,
  type Regressor,
  type Serialized,
} from '@campaign-ml/core';
import { labelsFromProba } from '../cv/predictions';

/** One member of a voting ensemble: an estimator and, optionally, the input columns it reads. */
export interface VotingMember<F extends FittedModel = FittedModel> {
  name: string;
  estimator: Estimator<F>;
  /** Columns of X (by name) this member is fitted on and predicts from; all columns when absent. */
  columns?: readonly string[];
}

export interface VotingParams<F extends FittedModel = FittedModel> {
  estimators: ReadonlyArray<VotingMember<F>>;
  /** Non-negative weight per member (default: equal). Members with weight 0 are not fitted. */
  weights?: readonly number[];
}

interface FittedMember<F extends FittedModel> {
  name: string;
  /** Input columns the member reads (all when null). */
  columns: readonly string[] | null;
  /** The names those columns had when the member was fitted (when they differ from `columns`). */
  featureNames: readonly string[] | null;
  weight: number;
  model: F;
}

/** Checks member names (some, unique) and weights (one each, finite, >= 0, not all 0); returns the weights. */
function checkMembers(who: string, names: readonly string[], weights: readonly number[] | undefined): number[] {
  if (names.length === 0)
    throw new ConfigError('INVALID_OPTION', `${who}: estimators must hold at least one member`, {
      value: 0,
      expected: 'one or more estimators',
    });
  const seen = new Set<string>();
  for (const name of names) {
    if (seen.has(name))
      throw new ConfigError('INVALID_OPTION', `${who}: member name "${name}" is used twice`, {
        value: name,
        expected: 'unique member names',
      });
    seen.add(name);
  }
  const w = weights ? [...weights] : names.map(() => 1);
  if (w.length !== names.length) {
    throw new ConfigError('INVALID_OPTION', `${who}: ${w.length} weights for ${names.length} estimators`, {
      value: w.length,
      expected: `${names.length} weights`,
    });
  }
  w.forEach((x, i) => {
    if (!Number.isFinite(x) || x < 0) {
      throw new ConfigError('INVALID_OPTION', `${who}: weight of "${names[i]}" is ${x}`, {
        value: x,
        expected: 'a finite number >= 0',
      });
    }
  });
  if (!w.some((x) => x > 0))
    throw new ConfigError('INVALID_OPTION', `${who}: every weight is 0`, {
      value: 0,
      expected: 'at least one positive weight',
    });
  return w;
}

function fitMembers<F extends FittedModel>(
  members: VotingMember<F>[],
  weights: number[],
  X: Matrix,
  y: ArrayLike<number>,
  opts: FitOptions,
): FittedMember<F>[] {
  const out: FittedMember<F>[] = [];
  members.forEach((m, i) => {
    if (weights[i] === 0) return;
    const Xm = m.columns ? selectColumns(X, m.columns) : X;
    const validation =
      opts.validation && m.columns
        ? { X: selectColumns(opts.validation.X, m.columns), y: opts.validation.y }
        : opts.validation;
    out.push({
      name: m.name,
      columns: m.columns ? Object.freeze([...m.columns]) : null,
      featureNames: null,
      weight: weights[i],
      model: m.estimator.fit(Xm, y, { ...opts, validation }),
    });
  });
  return out;
}

/** A fitted model for `fromFitted`: it reads `columns` of the ensemble's input, which it knew as `featureNames`. */
export interface FittedVotingMember<F extends FittedModel> {
  name: string;
  model: F;
  weight: number;
  columns?: readonly string[];
  featureNames?: readonly string[];
}

function checkFitted<F extends FittedModel>(
  who: string,
  inputColumns: readonly string[],
  members: ReadonlyArray<FittedVotingMember<F>>,
): FittedMember<F>[] {
  const weights = checkMembers(
    who,
    members.map((m) => m.name),
    members.map((m) => m.weight),
  );
  const known = new Set(inputColumns);
  const kept: FittedMember<F>[] = [];
  members.forEach((m, i) => {
    for (const c of m.columns ?? []) {
      if (!known.has(c))
        throw new InputError(
          'UNKNOWN_COLUMN',
          `${who}: member "${m.name}" reads column "${c}", which is not among the inputs`,
          { column: c, expected: 'an input column' },
        );
    }
    if (m.featureNames && m.featureNames.length !== (m.columns ?? inputColumns).length) {
      throw new InputError(
        'COLUMN_MISMATCH',
        `${who}: member "${m.name}" has ${m.featureNames.length} feature names for ${(m.columns ?? inputColumns).length} columns`,
        {
          value: m.featureNames.length,
          expected: `${(m.columns ?? inputColumns).length} names`,
        },
      );
    }
    if (weights[i] > 0)
      kept.push({
        name: m.name,
        columns: m.columns ? Object.freeze([...m.columns]) : null,
        featureNames: m.featureNames ? Object.freeze([...m.featureNames]) : null,
        weight: weights[i],
        model: m.model,
      });
  });
  return kept;
}

/** Weighted sum of the members' outputs on their own columns, divided by the total weight. */
function blend<F extends FittedModel>(
  members: readonly FittedMember<F>[],
  X: Matrix,
  out: (m: F, Xm: Matrix) => Float64Array,
): Float64Array {
  let acc: Float64Array | undefined;
  let total = 0;
  for (const m of members) {
    const part = out(m.model, memberInput(m, X));
    acc ??= new Float64Array(part.length);
    for (let i = 0; i < part.length; i++) acc[i] += m.weight * part[i];
    total += m.weight;
  }
  for (let i = 0; i < acc!.length; i++) acc![i] /= total;
  return acc!;
}

/**
 * Where each member's columns sit in the matrix it was last given. A served bundle passes the
 * same feature names (new arrays) on every call: comparing them is cheaper than looking ~100
 * names up among ~200 each time.
 */
const memberColumnIndex = new WeakMap<FittedMember<FittedModel>, { names: readonly string[]; idx: Int32Array }>();

function memberInput(m: FittedMember<FittedModel>, X: Matrix): Matrix {
  if (!m.columns) return m.featureNames ? createMatrix(X.rows, X.cols, X.data, m.featureNames) : X;
  let cached = memberColumnIndex.get(m);
  if (!cached || !sameNames(cached.names, X.columns)) {
    const Xm = selectColumns(X, m.columns); // throws naming a missing column
    const at = new Map<string, number>();
    for (let i = X.cols - 1; i >= 0; i--) at.set(X.columns[i], i);
    cached = { names: X.columns, idx: Int32Array.from(Xm.columns, (name) => at.get(name)!) };
    memberColumnIndex.set(m, cached);
  }
  const { idx } = cached;
  const rows = X.rows;
  const data = new Float64Array(rows * idx.length);
  const src = X.data;
  if (rows < 64) {
    // A served batch of a few rows: copy by hand (a subarray per column costs more than its rows).
    for (let dst = 0, o = 0; dst < idx.length; dst++) {
      const from = idx[dst] * rows;
      for (let r = 0; r < rows; r++) data[o++] = src[from + r];
    }
  } else {
    for (let dst = 0; dst < idx.length; dst++)
      data.set(src.subarray(idx[dst] * rows, (idx[dst] + 1) * rows), dst * rows);
  }
  return createMatrix(rows, idx.length, data, m.featureNames ?? m.columns);
}

function membersToJSON(members: readonly FittedMember<FittedModel>[]) {
  return members.map((m) => ({
    name: m.name,
    columns: m.columns,
    featureNames: m.featureNames,
    weight: m.weight,
    model: m.model.toJSON(),
  }));
}

function membersFromJSON<F extends FittedModel>(json: Serialized): FittedMember<F>[] {
  const members = json.members as Array<{
    name: string;
    columns: string[] | null;
    featureNames?: string[] | null;
    weight: number;
    model: Serialized;
  }>;
  if (!Array.isArray(members) || members.length === 0)
    throw new SerializationError('INVALID_FIELD', `${json.kind}: "members" must be a non-empty list`, {
      value: members,
      expected: 'a non-empty list of members',
    });
  return members.map((m) => ({
    name: m.name,
    columns: m.columns,
    featureNames: m.featureNames ?? null,
    weight: m.weight,
    model: load<F>(m.model),
  }));
}

const CLASSIFIER_KIND = 'models/VotingClassifier';
const REGRESSOR_KIND = 'models/VotingRegressor';

/**
 * Soft voting: the weighted mean of the members' class probabilities (scikit-learn's
 * `VotingClassifier(voting='soft')`). Each member may read its own columns, so members built on
 * different feature recipes share one input matrix (see `FittedColumnPipeline.union`).
 *
 * ```ts
 * const vote = new VotingClassifier({
 *   estimators: [
 *     { name: 'gbdt', estimator: new GradientBoostingClassifier(), columns: treeColumns },
 *     { name: 'logistic', estimator: new LogisticRegression(), columns: linearColumns },
 *   ],
 *   weights: [0.6, 0.4],
 * }).fit(X, y);
 * ```
 */
export class VotingClassifier implements Estimator<FittedVotingClassifier, VotingParams<Classifier>> {
  readonly params: Readonly<VotingParams<Classifier>>;
  private readonly members: VotingMember<Classifier>[];
  private readonly weights: number[];

  constructor(params: VotingParams<Classifier>) {
    const members = [...(params.estimators ?? [])];
    const weights = checkMembers(
      'VotingClassifier',
      members.map((m) => m.name),
      params.weights,
    );
    this.members = members;
    this.weights = weights;
    this.params = Object.freeze({ estimators: members, weights });
  }

  fit(X: Matrix, y: ArrayLike<number>, opts: FitOptions = {}): FittedVotingClassifier {
    const { classes } = checkClassLabels(checkXy(X, y));
    const fitted = fitMembers(this.members, this.weights, X, y, opts);
    for (const m of fitted) {
      if (m.model.classes !== classes) {
        throw new InputError(
          'CLASS_MISMATCH',
          `VotingClassifier: member "${m.name}" has ${m.model.classes} classes, the labels ${classes}`,
          { value: m.model.classes, expected: `${classes} classes` },
        );
      }
    }
    return new FittedVotingClassifier(X.columns, classes, fitted);
  }
}

export class FittedVotingClassifier implements Classifier {
  readonly columns: readonly string[];
  readonly classes: number;
  readonly members: ReadonlyArray<Readonly<FittedMember<Classifier>>>;

  /** @internal */
  constructor(columns: readonly string[], classes: number, members: FittedMember<Classifier>[]) {
    this.columns = Object.freeze([...columns]);
    this.classes = classes;
    this.members = Object.freeze(members.map((m) => Object.freeze({ ...m })));
    Object.freeze(this);
  }

  /**
   * An ensemble of already fitted classifiers (e.g. the members an ensemble selection chose), each
   * reading `columns` of an input with `inputColumns`. Members with weight 0 are left out.
   */
  static fromFitted(
    inputColumns: readonly string[],
    members: ReadonlyArray<FittedVotingMember<Classifier>>,
  ): FittedVotingClassifier {
    const kept = checkFitted('FittedVotingClassifier.fromFitted', inputColumns, members);
    const classes = kept[0].model.classes;
    for (const m of kept) {
      if (m.model.classes !== classes) {
        throw new InputError(
          'CLASS_MISMATCH',
          `FittedVotingClassifier.fromFitted: member "${m.name}" has ${m.model.classes} classes, "${kept[0].name}" ${classes}`,
          { value: m.model.classes, expected: `${classes} classes` },
        );
      }
    }
    return new FittedVotingClassifier(inputColumns, classes, kept);
  }

  predictProba(X: Matrix): Float64Array {
    checkPredictColumns(X, this.columns);
    return blend(this.members, X, (m, Xm) => m.predictProba(Xm));
  }

  predict(X: Matrix): Int32Array {
    return labelsFromProba(this.predictProba(X), X.rows, this.classes, 0.5);
  }

  toJSON(): Serialized {
    return {
      kind: CLASSIFIER_KIND,
      version: 1,
      columns: [...this.columns],
      classes: this.classes,
      members: membersToJSON(this.members),
    };
  }

  static fromJSON(json: Serialized): FittedVotingClassifier {
    expectKind(json, CLASSIFIER_KIND, 1);
    return new FittedVotingClassifier(
      json.columns as string[],
      json.classes as number,
      membersFromJSON<Classifier>(json),
    );
  }
}

/** The weighted mean of the members' predictions (scikit-learn's `VotingRegressor`), members on their own columns. */
export class VotingRegressor implements Estimator<FittedVotingRegressor, VotingParams<Regressor>> {
  readonly params: Readonly<VotingParams<Regressor>>;
  private readonly members: VotingMember<Regressor>[];
  private readonly weights: number[];

  constructor(params: VotingParams<Regressor>) {
    const members = [...(params.estimators ?? [])];
    const weights = checkMembers(
      'VotingRegressor',
      members.map((m) => m.name),
      params.weights,
    );
    this.members = members;
    this.weights = weights;
    this.params = Object.freeze({ estimators: members, weights });
  }

  fit(X: Matrix, y: ArrayLike<number>, opts: FitOptions = {}): FittedVotingRegressor {
    checkXy(X, y);
    return new FittedVotingRegressor(X.columns, fitMembers(this.members, this.weights, X, y, opts));
  }
}

export class FittedVotingRegressor implements Regressor {
  readonly columns: readonly string[];
  readonly members: ReadonlyArray<Readonly<FittedMember<Regressor>>>;

  /** @internal */
  constructor(columns: readonly string[], members: FittedMember<Regressor>[]) {
    this.columns = Object.freeze([...columns]);
    this.members = Object.freeze(members.map((m) => Object.freeze({ ...m })));
    Object.freeze(this);
  }

  /** An ensemble of already fitted regressors, as FittedVotingClassifier.fromFitted. */
  static fromFitted(
    inputColumns: readonly string[],
    members: ReadonlyArray<FittedVotingMember<Regressor>>,
  ): FittedVotingRegressor {
    return new FittedVotingRegressor(
      inputColumns,
      checkFitted('FittedVotingRegressor.fromFitted', inputColumns, members),
    );
  }

  predict(X: Matrix): Float64Array {
    checkPredictColumns(X, this.columns);
    return blend(this.members, X, (m, Xm) => m.predict(Xm));
  }

  toJSON(): Serialized {
    return { kind: REGRESSOR_KIND, version: 1, columns: [...this.columns], members: membersToJSON(this.members) };
  }

  static fromJSON(json: Serialized): FittedVotingRegressor {
    expectKind(json, REGRESSOR_KIND, 1);
    return new FittedVotingRegressor(json.columns as string[], membersFromJSON<Regressor>(json));
  }
}

registerLoader(CLASSIFIER_KIND, FittedVotingClassifier.fromJSON);
registerLoader(REGRESSOR_KIND, FittedVotingRegressor.fromJSON);
