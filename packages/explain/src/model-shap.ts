import {
  ConfigError,
  createMatrix,
  isClassifier,
  selectColumns,
  type Classifier,
  type FittedModel,
  type Matrix,
  type Regressor,
} from '@campaign-ml/core';
import {
  FittedLinearRegressor,
  FittedMLPClassifier,
  FittedMLPRegressor,
  FittedLogisticRegression,
  FittedTreeClassifier,
  FittedTreeRegressor,
  FittedVotingClassifier,
  FittedVotingRegressor,
  type MlpLayers,
} from '@campaign-ml/models';
import type { ModelFunction } from './coalition-values';
import { deepShap } from './deep-shap';
import { linearShap } from './linear-shap';
import { permutationShap } from './permutation-shap';
import { treeShap } from './tree-shap';

/** The space contributions add up in. */
export type ShapSpace = 'margin' | 'probability';

/** The method that explained a model (for an ensemble, its members' methods joined by "+"). */
export type ShapMethod = string;

/**
 * Contributions per input column: rows x columns x outputs, row-major, with the base value per
 * output. Outputs: 1 for a regressor and for a binary classifier (the positive class), the
 * classes of a multiclass one.
 */
export interface ColumnShap {
  values: Float64Array;
  base: Float64Array;
  outputs: number;
  method: ShapMethod;
}

export interface ModelShapContext {
  /** Input columns the contributions are summed into. */
  columns: readonly string[];
  /** Per feature of X: the input columns it is made from (split evenly among them). */
  sources: readonly (readonly string[])[];
  /** Background rows in the model's feature space (the interventional and agnostic explainers). */
  background: Matrix | null;
  seed: number;
  /** Coalitions per row of the permutation explainer (default 2 × 10 orders of the columns). */
  maxEvals?: number;
  /**
   * Networks with one output (MLP regressors, binary MLP classifiers): 'deep' (default), DeepLIFT's
   * rescale rule over the background as shap's DeepExplainer; 'permutation', the model-agnostic
   * permutation explainer over input columns (slower by two to three orders of magnitude).
   */
  neural?: 'deep' | 'permutation';
}

const SPACE_NAMES = "'margin' | 'probability'";

/**
 * SHAP values of any model of the product, summed per input column, additive in `space`:
 * exact TreeSHAP for tree models, exact linear SHAP for linear ones, the members' own exact
 * values weighted by their weights for a weighted ensemble (its output is the weighted mean of
 * the members' probabilities or values, and SHAP values are linear in the model), and the
 * DeepLIFT's rescale rule for single-output networks (shap's DeepExplainer), and the permutation
 * explainer over input columns for everything else (multiclass MLPs).
 */
export function modelShap(model: FittedModel, X: Matrix, space: ShapSpace, ctx: ModelShapContext): ColumnShap {
  if (space !== 'margin' && space !== 'probability') {
    throw new ConfigError('INVALID_OPTION', `space "${String(space)}" is unknown`, {
      column: 'space',
      value: space,
      expected: SPACE_NAMES,
    });
  }
  const binary = isClassifier(model) && model.classes === 2;
  if (model instanceof FittedVotingClassifier || model instanceof FittedVotingRegressor) {
    return votingShap(model, X, space, ctx);
  }
  if (model instanceof FittedTreeClassifier || model instanceof FittedTreeRegressor) {
    if (space === 'probability' && !isClassifier(model)) return noProbability();
    // Forests and single trees average leaf probabilities: their raw output is the probability.
    if (space === 'margin' || model.link === 'identity') {
      const shap = treeShap(model, X);
      return toColumns(shap.values, baseOf(shap.expectedValue), shap.outputs, X.rows, ctx, 'tree');
    }
    if (model.link === 'logit') {
      const shap = treeShap(model, X, {
        featurePerturbation: 'interventional',
        background: needBackground(ctx),
        output: 'probability',
      });
      return toColumns(shap.values, baseOf(shap.expectedValue), 1, X.rows, ctx, 'tree (interventional)');
    }
    // Softmax probabilities are not additive over trees: the agnostic explainer below.
  }
  if (model instanceof FittedLinearRegressor) {
    if (space === 'probability') return noProbability();
    const shap = linearShap(model, X, { background: needBackground(ctx) });
    return toColumns(shap.values, baseOf(shap.expectedValue), 1, X.rows, ctx, 'linear');
  }
  if (model instanceof FittedLogisticRegression && (space === 'margin' || binary)) {
    if (space === 'margin') {
      const shap = linearShap(model, X, { background: needBackground(ctx) });
      return toColumns(shap.values, baseOf(shap.expectedValue), shap.outputs, X.rows, ctx, 'linear');
    }
    return logisticProbabilityShap(model, X, needBackground(ctx), ctx);
  }
  const deep = (ctx.neural ?? 'deep') === 'deep';
  if (deep && model instanceof FittedMLPRegressor && space === 'margin') {
    const shap = deepShap(layersOf(model), X, needBackground(ctx));
    return toColumns(shap.values, baseOf(shap.expectedValue), 1, X.rows, ctx, 'deep');
  }
  if (deep && model instanceof FittedMLPClassifier && binary && space === 'probability') {
    const shap = deepShap(layersOf(model), X, needBackground(ctx));
    return toColumns(shap.values, baseOf(shap.expectedValue), 1, X.rows, ctx, 'deep');
  }
  if (space === 'margin' && isClassifier(model)) {
    throw new ConfigError('INVALID_OPTION', "this model has no margin to explain; use space 'probability'", {
      column: 'space',
      value: space,
      expected: "'probability'",
    });
  }
  return agnosticShap(model, X, ctx);
}

function noProbability(): never {
  throw new ConfigError('INVALID_OPTION', "a regressor's output is a value: use space 'margin'", {
    column: 'space',
    value: 'probability',
    expected: "'margin'",
  });
}

function needBackground(ctx: ModelShapContext): Matrix {
  if (!ctx.background || ctx.background.rows === 0) {
    throw new ConfigError(
      'NO_BACKGROUND',
      'this explanation needs background rows, and the bundle keeps none; pass background records',
      { column: 'background', expected: 'records of the training data (up to 1,000)' },
    );
  }
  return ctx.background;
}

function baseOf(expected: number | number[]): Float64Array {
  return Float64Array.from(typeof expected === 'number' ? [expected] : expected);
}

/** Feature values (rows x features x outputs) summed into input columns by their sources. */
function toColumns(
  values: Float64Array,
  base: Float64Array,
  outputs: number,
  rows: number,
  ctx: ModelShapContext,
  method: ShapMethod,
  sources: readonly (readonly string[])[] = ctx.sources,
): ColumnShap {
  const C = ctx.columns.length;
  const F = sources.length;
  const K = outputs;
  const index = new Map(ctx.columns.map((c, i) => [c, i]));
  const out = new Float64Array(rows * C * K);
  for (let f = 0; f < F; f++) {
    const targets = sources[f].map((s) => index.get(s)).filter((i): i is number => i !== undefined);
    if (targets.length === 0) continue;
    const share = 1 / targets.length;
    for (let r = 0; r < rows; r++) {
      for (const c of targets) {
        for (let k = 0; k < K; k++) out[(r * C + c) * K + k] += share * values[(r * F + f) * K + k];
      }
    }
  }
  return { values: out, base, outputs: K, method };
}

/**
 * P(class 1) of a binary logistic regression: per reference b, φ_i = w_i (x_i − b_i) sums to
 * f(x) − f(b) in log-odds; each reference's values are rescaled to σ(f(x)) − σ(f(b)) and averaged
 * (the interventional values with shap's per-reference link rescaling), so they add up to P(x)
 * minus the background's mean probability.
 */
function logisticProbabilityShap(
  model: FittedLogisticRegression,
  X: Matrix,
  bg: Matrix,
  ctx: ModelShapContext,
): ColumnShap {
  const w = model.coef;
  const F = X.cols;
  const n = X.rows;
  const R = bg.rows;
  const fx = model.decisionFunction(X);
  const fb = model.decisionFunction(bg);
  const values = new Float64Array(n * F);
  let base = 0;
  for (let b = 0; b < R; b++) base += sigmoid(fb[b]) / R;
  for (let r = 0; r < n; r++) {
    const px = sigmoid(fx[r]);
    for (let b = 0; b < R; b++) {
      const pb = sigmoid(fb[b]);
      const s = fx[r] === fb[b] ? px * (1 - px) : (px - pb) / (fx[r] - fb[b]);
      for (let c = 0; c < F; c++) values[r * F + c] += (s * w[c] * (X.data[c * n + r] - bg.data[c * R + b])) / R;
    }
  }
  return toColumns(values, new Float64Array([base]), 1, n, ctx, 'linear');
}

/** The permutation explainer with one player per input column (all of its features move together). */
function agnosticShap(model: FittedModel, X: Matrix, ctx: ModelShapContext): ColumnShap {
  const bg = needBackground(ctx);
  const classifier = isClassifier(model);
  const k = classifier ? (model as Classifier).classes : 0;
  const outputs = k === 2 || !classifier ? 1 : k;
  const f: ModelFunction = classifier
    ? (M) => {
        const p = (model as Classifier).predictProba(M);
        if (k !== 2) return p;
        const out = new Float64Array(M.rows);
        for (let r = 0; r < M.rows; r++) out[r] = p[2 * r + 1];
        return out;
      }
    : (M) => (model as Regressor).predict(M);
  const groups = ctx.columns.map((c) => ctx.sources.flatMap((s, i) => (s[0] === c ? [i] : [])));
  const kept = groups.map((g, i) => ({ g, i })).filter(({ g }) => g.length > 0);
  const shap = permutationShap(f, X, {
    background: bg,
    groups: kept.map(({ g }) => g),
    outputs,
    seed: ctx.seed,
    maxEvals: ctx.maxEvals ?? 20 * kept.length + 10,
    output: classifier ? 'probability' : 'margin',
  });
  const C = ctx.columns.length;
  const out = new Float64Array(X.rows * C * outputs);
  for (let r = 0; r < X.rows; r++) {
    kept.forEach(({ i }, p) => {
      for (let o = 0; o < outputs; o++)
        out[(r * C + i) * outputs + o] = shap.values[(r * kept.length + p) * outputs + o];
    });
  }
  return { values: out, base: baseOf(shap.expectedValue), outputs, method: 'permutation' };
}

/**
 * A weighted ensemble outputs Σ w_m out_m / Σ w_m (probabilities or values), so its SHAP values
 * are the members' values, each in that space, weighted the same way: every member explained by
 * its own exact method on its own columns.
 */
function votingShap(
  model: FittedVotingClassifier | FittedVotingRegressor,
  X: Matrix,
  space: ShapSpace,
  ctx: ModelShapContext,
): ColumnShap {
  const classifier = model instanceof FittedVotingClassifier;
  if (classifier && space === 'margin') {
    throw new ConfigError(
      'INVALID_OPTION',
      "a weighted ensemble averages probabilities and has no margin: use space 'probability'",
      { column: 'space', value: space, expected: "'probability'" },
    );
  }
  if (!classifier && space === 'probability') return noProbability();
  const index = new Map(X.columns.map((c, i) => [c, i]));
  let total = 0;
  for (const m of model.members) total += m.weight;
  let acc: ColumnShap | null = null;
  const methods: string[] = [];
  for (const m of model.members) {
    const cols = m.columns ? m.columns.map((c) => index.get(c)!) : X.columns.map((_, i) => i);
    let Xm = m.columns ? selectColumns(X, m.columns) : X;
    const bg = ctx.background ? memberBackground(ctx.background, m) : null;
    if (m.featureNames) Xm = createMatrix(Xm.rows, Xm.cols, Xm.data, m.featureNames);
    const part = modelShap(m.model, Xm, space, { ...ctx, background: bg, sources: cols.map((i) => ctx.sources[i]) });
    methods.push(part.method);
    if (!acc) {
      acc = {
        values: new Float64Array(part.values.length),
        base: new Float64Array(part.outputs),
        outputs: part.outputs,
        method: '',
      };
    }
    const w = m.weight / total;
    for (let i = 0; i < part.values.length; i++) acc.values[i] += w * part.values[i];
    for (let k = 0; k < part.outputs; k++) acc.base[k] += w * part.base[k];
  }
  acc!.method = `ensemble(${[...new Set(methods)].join('+')})`;
  return acc!;
}

type Member = (FittedVotingClassifier | FittedVotingRegressor)['members'][number];

/**
 * A member's background (its columns, its feature names), made once per background and member:
 * the tree explainers cache their per-background work by the matrix object.
 */
const MEMBER_BACKGROUNDS = new WeakMap<Matrix, WeakMap<Member, Matrix>>();

function memberBackground(bg: Matrix, m: Member): Matrix {
  let byMember = MEMBER_BACKGROUNDS.get(bg);
  if (!byMember) MEMBER_BACKGROUNDS.set(bg, (byMember = new WeakMap()));
  let out = byMember.get(m);
  if (!out) {
    out = m.columns ? selectColumns(bg, m.columns) : bg;
    if (m.featureNames) out = createMatrix(out.rows, out.cols, out.data, m.featureNames);
    byMember.set(m, out);
  }
  return out;
}

function sigmoid(z: number): number {
  return 1 / (1 + Math.exp(-z));
}

/** A fitted network's layers (`layers()` copies them), taken once per model: deepShap keeps its reference passes per layers object. */
const LAYERS = new WeakMap<FittedMLPClassifier | FittedMLPRegressor, MlpLayers>();

function layersOf(model: FittedMLPClassifier | FittedMLPRegressor): MlpLayers {
  let layers = LAYERS.get(model);
  if (!layers) LAYERS.set(model, (layers = model.layers()));
  return layers;
}
