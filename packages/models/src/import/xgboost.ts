import { InputError } from '@campaign-ml/core';
import { FittedTreeClassifier, FittedTreeRegressor } from '../trees/fitted-tree-model';
import type { Link } from '../trees/fitted-tree-model';
import { TreeEnsemble } from '../trees/predictor';
import type { TreeArrays } from '../trees/tree-arrays';
import { buildTree, leafNode } from './build-tree';
import type { SourceNode } from './build-tree';
import { float32LessThanAsLessEqual } from './float32-split';
import { num, parseLenientJson } from './parse-json';

/**
 * importXGBoostModel: an XGBoost `Booster.save_model("model.json")` document (XGBoost 1.x to 3.x)
 * as an ordinary fitted model of ours (FittedTreeClassifier / FittedTreeRegressor), so it
 * predicts, saves and loads, and can be explained from `model.trees()`.
 *
 * What is read (learner.*):
 * - objective.name: binary:logistic (classifier, 2 classes, logit link), multi:softprob and
 *   multi:softmax (classifier, softmax link; one tree per class per round, `tree_info` gives each
 *   tree's class), reg:squarederror and reg:absoluteerror (regressor, identity), count:poisson,
 *   reg:gamma and reg:tweedie (regressor, log link: predictions are exp(margin)).
 * - learner_model_param.base_score: in output space, "5E-1" or (3.x) "[5E-1]" or one value per
 *   class; moved to the margin through the objective's link as XGBoost does it, in float32
 *   (logit: -log(1/p - 1); log; identity, also for multiclass), into the ensemble's baseScore.
 * - gradient_booster: gbtree, or dart (its gbtree, each tree's leaves times weight_drop[t]).
 * - trees: split_conditions are the thresholds and, at leaves, the leaf values (already times
 *   eta; base_weights are not used); sum_hessian is the cover, loss_changes the gain.
 *   Numeric splits `float32(x) < thr` become `x <= t` (float32-split.ts). Categorical splits
 *   (split_type 1; categories_nodes/_segments/_sizes/categories, the set that goes right in
 *   XGBoost) become ours with the children swapped: the set goes left, the rest and invalid
 *   (negative) categories right, NaN to XGBoost's default child.
 * - feature_names (else f0 .. f{num_feature-1}) and feature_types.
 *
 * Anything else (another objective or booster, vector-leaf trees, several targets) is an
 * InputError naming the field.
 */
export function importXGBoostModel(jsonText: string): FittedTreeClassifier | FittedTreeRegressor {
  const doc = parseLenientJson(jsonText, 'the XGBoost model (Booster.save_model("model.json"))') as Record<
    string,
    unknown
  >;
  const learner = obj(doc?.learner, 'learner');
  const version = Array.isArray(doc.version) ? (doc.version as unknown[]).join('.') : null;
  const objective = str(obj(learner.objective, 'learner.objective').name, 'learner.objective.name');
  const spec = OBJECTIVES[objective];
  if (!spec) {
    throw new InputError(
      'UNSUPPORTED_MODEL',
      `learner.objective.name is "${objective}"; importXGBoostModel supports ${Object.keys(OBJECTIVES).join(', ')}`,
      { column: 'learner.objective.name', value: objective, expected: Object.keys(OBJECTIVES).join(' | ') },
    );
  }
  const mp = obj(learner.learner_model_param, 'learner.learner_model_param');
  const numFeature = int(mp.num_feature, 'learner.learner_model_param.num_feature');
  const numClass = mp.num_class === undefined ? 0 : int(mp.num_class, 'learner.learner_model_param.num_class');
  const numTarget = mp.num_target === undefined ? 1 : int(mp.num_target, 'learner.learner_model_param.num_target');
  if (numTarget > 1) {
    throw new InputError(
      'UNSUPPORTED_MODEL',
      `learner.learner_model_param.num_target is ${numTarget}; only single-target models import`,
      {
        column: 'learner.learner_model_param.num_target',
        value: numTarget,
        expected: '1',
      },
    );
  }
  const multiclass = spec.link === 'softmax';
  if (multiclass && numClass < 2) {
    throw new InputError('INVALID_MODEL', `objective ${objective} needs learner.learner_model_param.num_class >= 2`, {
      column: 'learner.learner_model_param.num_class',
      value: numClass,
    });
  }
  const K = multiclass ? numClass : 1;
  const baseOutput = parseBaseScore(mp.base_score, K);
  const baseScore = Float64Array.from(baseOutput, (b) => toMargin(b, spec.link, objective));

  const names = featureNames(learner.feature_names, numFeature);
  const types =
    Array.isArray(learner.feature_types) && learner.feature_types.length ? (learner.feature_types as string[]) : null;

  // gbtree, or dart around a gbtree (and its per-tree weights, beside it or in the model).
  const gb = obj(learner.gradient_booster, 'learner.gradient_booster');
  const booster = str(gb.name, 'learner.gradient_booster.name');
  if (booster !== 'gbtree' && booster !== 'dart') {
    throw new InputError(
      'UNSUPPORTED_MODEL',
      `learner.gradient_booster.name is "${booster}"; only tree boosters (gbtree, dart) import`,
      { column: 'learner.gradient_booster.name', value: booster, expected: "'gbtree' | 'dart'" },
    );
  }
  const gbtree = booster === 'dart' ? obj(gb.gbtree, 'learner.gradient_booster.gbtree') : gb;
  const model = obj(gbtree.model, 'learner.gradient_booster.model');
  const jsonTrees = arr(model.trees, 'learner.gradient_booster.model.trees');
  const treeInfo = arr(model.tree_info ?? [], 'learner.gradient_booster.model.tree_info');
  const weightDrop = (model.weight_drop ?? gb.weight_drop) as unknown[] | undefined;
  if (treeInfo.length !== jsonTrees.length) {
    throw new InputError('INVALID_MODEL', `tree_info has ${treeInfo.length} entries for ${jsonTrees.length} trees`, {
      column: 'learner.gradient_booster.model.tree_info',
    });
  }

  const trees: TreeArrays[] = [];
  const treeOutput = new Int32Array(jsonTrees.length);
  for (let t = 0; t < jsonTrees.length; t++) {
    const out = Number(treeInfo[t]);
    if (!Number.isInteger(out) || out < 0 || out >= K) {
      throw new InputError(
        'INVALID_MODEL',
        `tree_info[${t}] is ${String(treeInfo[t])}; expected a class in 0..${K - 1}`,
        {
          column: 'learner.gradient_booster.model.tree_info',
          value: treeInfo[t],
        },
      );
    }
    treeOutput[t] = out;
    const w = weightDrop && weightDrop.length ? num(weightDrop[t]) : 1;
    if (w === undefined || !Number.isFinite(w)) {
      throw new InputError('INVALID_MODEL', `weight_drop[${t}] is missing or not a number`, {
        column: 'learner.gradient_booster.weight_drop',
      });
    }
    trees.push(convertTree(obj(jsonTrees[t], `trees[${t}]`), t, numFeature, Math.fround(w)));
  }

  const ensemble = TreeEnsemble.fromTrees(trees, { nOutputs: K, valueWidth: 1, treeOutput, baseScore, scale: 1 });
  const params: Record<string, unknown> = {
    importedFrom: 'xgboost',
    objective,
    booster,
    xgboostVersion: version,
    baseScore: K === 1 ? baseOutput[0] : Array.from(baseOutput),
  };
  if (types) params.featureTypes = [...types];
  if (spec.kind === 'classifier') {
    return new FittedTreeClassifier({
      kind: 'models/GradientBoostingClassifier',
      columns: names,
      ensemble,
      link: spec.link,
      params,
      classes: multiclass ? numClass : 2,
    });
  }
  return new FittedTreeRegressor({
    kind: 'models/GradientBoostingRegressor',
    columns: names,
    ensemble,
    link: spec.link,
    params,
  });
}

interface ObjectiveSpec {
  kind: 'classifier' | 'regressor';
  link: Link;
}

const OBJECTIVES: Record<string, ObjectiveSpec> = {
  'binary:logistic': { kind: 'classifier', link: 'logit' },
  'multi:softprob': { kind: 'classifier', link: 'softmax' },
  'multi:softmax': { kind: 'classifier', link: 'softmax' },
  'reg:squarederror': { kind: 'regressor', link: 'identity' },
  'reg:absoluteerror': { kind: 'regressor', link: 'identity' },
  'count:poisson': { kind: 'regressor', link: 'log' },
  'reg:gamma': { kind: 'regressor', link: 'log' },
  'reg:tweedie': { kind: 'regressor', link: 'log' },
};

/** XGBoost's ProbToMargin, in its float32 steps: logit (clamped to [1e-6, 1 - 1e-6]), log or identity. */
function toMargin(b: number, link: Link, objective: string): number {
  const f = Math.fround;
  if (link === 'logit') {
    if (!(b >= 0 && b <= 1)) {
      throw new InputError('INVALID_MODEL', `base_score ${b} is not a probability, as ${objective} needs`, {
        column: 'learner.learner_model_param.base_score',
        value: b,
      });
    }
    const p = Math.min(Math.max(b, f(1e-6)), f(1 - f(1e-6)));
    return f(-Math.log(f(f(1 / p) - 1)));
  }
  if (link === 'log') {
    if (!(b > 0)) {
      throw new InputError('INVALID_MODEL', `base_score ${b} must be > 0 for ${objective}`, {
        column: 'learner.learner_model_param.base_score',
        value: b,
      });
    }
    return f(Math.log(b));
  }
  return b;
}

/** "5E-1", "[5E-1]" or "[2E-1,3E-1,5E-1]" as float32 values, one per output. */
function parseBaseScore(v: unknown, K: number): Float64Array {
  const field = 'learner.learner_model_param.base_score';
  const s = typeof v === 'number' ? String(v) : str(v, field);
  const parts = s.replace(/^\s*\[|\]\s*$/g, '').split(',');
  const values = parts.map((p) => Math.fround(Number(p.trim())));
  if (values.some((x) => !Number.isFinite(x)) || parts.some((p) => p.trim() === '')) {
    throw new InputError('INVALID_MODEL', `${field} is "${s}"; expected a number or a list of numbers`, {
      column: field,
      value: s,
    });
  }
  if (values.length === 1) return new Float64Array(K).fill(values[0]);
  if (values.length !== K) {
    throw new InputError('INVALID_MODEL', `${field} has ${values.length} values for ${K} outputs`, {
      column: field,
      value: s,
    });
  }
  return Float64Array.from(values);
}

function featureNames(v: unknown, numFeature: number): string[] {
  if (Array.isArray(v) && v.length > 0) {
    if (v.length !== numFeature || v.some((x) => typeof x !== 'string')) {
      throw new InputError('INVALID_MODEL', `learner.feature_names has ${v.length} names for ${numFeature} features`, {
        column: 'learner.feature_names',
      });
    }
    return v as string[];
  }
  return Array.from({ length: numFeature }, (_, i) => `f${i}`);
}

/** One XGBoost tree (its JSON object) as TreeArrays. */
function convertTree(j: Record<string, unknown>, t: number, numFeature: number, weight: number): TreeArrays {
  const where = `trees[${t}]`;
  const tp = j.tree_param as Record<string, unknown> | undefined;
  const leafVector = tp?.size_leaf_vector === undefined ? 0 : Number(tp.size_leaf_vector);
  if (leafVector > 1) {
    throw new InputError(
      'UNSUPPORTED_MODEL',
      `${where}.tree_param.size_leaf_vector is ${leafVector}; vector-leaf (multi_output_tree) models do not import`,
      {
        column: `${where}.tree_param.size_leaf_vector`,
        value: leafVector,
      },
    );
  }
  const lefts = arr(j.left_children, `${where}.left_children`);
  const n = lefts.length;
  const rights = field(j, 'right_children', n, where);
  const conds = field(j, 'split_conditions', n, where);
  const indices = field(j, 'split_indices', n, where);
  const defaults = field(j, 'default_left', n, where);
  const hess = field(j, 'sum_hessian', n, where);
  const loss = field(j, 'loss_changes', n, where);
  const splitType = j.split_type === undefined ? null : field(j, 'split_type', n, where);
  // Categories per categorical node (CSR: node ids, then each one's segment of `categories`).
  const catsOf = new Map<number, number[]>();
  if (splitType) {
    const nodes = arr(j.categories_nodes ?? [], `${where}.categories_nodes`);
    const segments = arr(j.categories_segments ?? [], `${where}.categories_segments`);
    const sizes = arr(j.categories_sizes ?? [], `${where}.categories_sizes`);
    const categories = arr(j.categories ?? [], `${where}.categories`);
    nodes.forEach((nodeId, k) => {
      const b = Number(segments[k]);
      const e = b + Number(sizes[k]);
      if (!(b >= 0 && e >= b && e <= categories.length)) {
        throw new InputError(
          'INVALID_MODEL',
          `${where}: categories_segments/sizes of node ${String(nodeId)} fall outside categories`,
          {
            column: `${where}.categories_segments`,
          },
        );
      }
      catsOf.set(Number(nodeId), categories.slice(b, e).map(Number));
    });
  }
  // Nodes reachable from the root (pruning leaves deleted nodes in the arrays; they are skipped).
  const reachable = new Uint8Array(n);
  for (const stack = [0]; stack.length;) {
    const i = stack.pop()!;
    if (!(i >= 0 && i < n) || reachable[i]) continue;
    reachable[i] = 1;
    if (Number(lefts[i]) !== -1) stack.push(Number(lefts[i]), Number(rights[i]));
  }
  const src: SourceNode[] = [];
  for (let i = 0; i < n; i++) {
    const l = Number(lefts[i]);
    const cover = num(hess[i]) ?? NaN;
    if (!reachable[i]) {
      src.push(leafNode(0, 0));
      continue;
    }
    if (l === -1) {
      const v = num(conds[i]);
      if (v === undefined || !Number.isFinite(v)) {
        throw new InputError(
          'INVALID_MODEL',
          `${where}, leaf ${i}: split_conditions (the leaf value) is not a finite number`,
          {
            column: `${where}.split_conditions`,
            value: conds[i],
          },
        );
      }
      src.push(leafNode(Math.fround(v) * weight, cover));
      continue;
    }
    const f = Number(indices[i]);
    if (!Number.isInteger(f) || f < 0 || f >= numFeature) {
      throw new InputError(
        'INVALID_MODEL',
        `${where}, node ${i}: split_indices ${String(indices[i])} is not a feature of the model`,
        {
          column: `${where}.split_indices`,
          value: indices[i],
        },
      );
    }
    const r = Number(rights[i]);
    const dl = Boolean(defaults[i]);
    const gain = num(loss[i]) ?? 0;
    if (splitType && Number(splitType[i]) === 1) {
      const cats = catsOf.get(i);
      if (!cats) {
        throw new InputError('INVALID_MODEL', `${where}, node ${i}: a categorical split without categories`, {
          column: `${where}.categories_nodes`,
        });
      }
      // XGBoost: in the set → right, else left; ours: in the set → left. Swap the children.
      src.push({
        feature: f,
        threshold: NaN,
        categories: cats,
        defaultLeft: !dl,
        left: r,
        right: l,
        value: 0,
        cover,
        gain,
      });
      continue;
    }
    const thr = num(conds[i]);
    if (thr === undefined || Number.isNaN(thr)) {
      throw new InputError('INVALID_MODEL', `${where}, node ${i}: split_conditions is not a number`, {
        column: `${where}.split_conditions`,
        value: conds[i],
      });
    }
    const threshold = float32LessThanAsLessEqual(Math.fround(thr));
    src.push({ feature: f, threshold, categories: null, defaultLeft: dl, left: l, right: r, value: 0, cover, gain });
  }
  return buildTree(src, where);
}

function field(j: Record<string, unknown>, key: string, n: number, where: string): unknown[] {
  const a = arr(j[key], `${where}.${key}`);
  if (a.length !== n) {
    throw new InputError('INVALID_MODEL', `${where}.${key} has ${a.length} entries for ${n} nodes`, {
      column: `${where}.${key}`,
    });
  }
  return a;
}

function obj(v: unknown, name: string): Record<string, unknown> {
  if (!v || typeof v !== 'object' || Array.isArray(v)) {
    throw new InputError(
      'INVALID_MODEL',
      `the XGBoost model has no "${name}" object; is this a save_model JSON file?`,
      {
        column: name,
      },
    );
  }
  return v as Record<string, unknown>;
}

function arr(v: unknown, name: string): unknown[] {
  if (!Array.isArray(v))
    throw new InputError('INVALID_MODEL', `"${name}" is missing or not an array`, { column: name });
  return v;
}

function str(v: unknown, name: string): string {
  if (typeof v !== 'string')
    throw new InputError('INVALID_MODEL', `"${name}" is missing or not a string`, { column: name });
  return v;
}

function int(v: unknown, name: string): number {
  const x = typeof v === 'string' ? Number(v) : v;
  if (typeof x !== 'number' || !Number.isInteger(x) || x < 0) {
    throw new InputError('INVALID_MODEL', `"${name}" is ${JSON.stringify(v)}; expected a non-negative integer`, {
      column: name,
      value: v,
    });
  }
  return x;
}
