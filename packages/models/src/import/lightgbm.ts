import { InputError } from '@campaign-ml/core';
import { FittedTreeClassifier, FittedTreeRegressor } from '../trees/fitted-tree-model';
import type { Link } from '../trees/fitted-tree-model';
import { TreeEnsemble } from '../trees/predictor';
import type { TreeArrays } from '../trees/tree-arrays';
import { buildTree, copySubtree, leafNode, scaleCovers } from './build-tree';
import type { SourceNode } from './build-tree';
import { nextDown64 } from './float32-split';

/**
 * importLightGBMModel: a LightGBM text model (`Booster.save_model("model.txt")`, format v2 to v4)
 * as an ordinary fitted model of ours (FittedTreeClassifier / FittedTreeRegressor).
 *
 * Header: num_class, num_tree_per_iteration (trees per round; tree t feeds output t mod it),
 * max_feature_idx, feature_names, objective, average_output (random forests: the sum of the trees
 * divided by the rounds). Objectives: `binary sigmoid:k` (classifier, logit link; k != 1 scales
 * the margin: ours is k times LightGBM's raw score, applied as the ensemble's scale),
 * `multiclass num_class:K` (softmax), regression / regression_l1 / huber / fair / quantile / mape
 * (identity), poisson / gamma / tweedie (log link: predictions exp(margin)). Others (multiclassova,
 * cross_entropy, lambdarank, `regression sqrt`, linear trees) are an InputError naming the field.
 *
 * Trees: leaf_value already includes the shrinkage; leaf_count / internal_count are the covers
 * (LightGBM's TreeSHAP uses counts), split_gain the gain. LightGBM's decision (tree.h,
 * NumericalDecision / CategoricalDecision), per node's decision_type (bit 0 categorical, bit 1
 * default left, bits 2-3 missing type), reproduced exactly with our `x <= threshold` and NaN to
 * the default child:
 *
 *   missing type None  NaN is read as 0: it goes where 0 goes (defaultLeft = 0 <= threshold).
 *   missing type NaN   NaN goes to the default child; every number compares x <= threshold.
 *   missing type Zero  NaN and every x with |x| <= 1e-35f (LightGBM's kZeroThreshold, zero
 *                      included) go to the default child; other numbers compare. When the default
 *                      child is the side the band would compare to anyway the threshold is just
 *                      moved to the band's edge; otherwise the node becomes three (split at one band
 *                      edge, then at the other edge or the threshold) and one child subtree is
 *                      duplicated, each copy carrying half of the original's covers (so
 *                      path-dependent TreeSHAP values stay those of the single node).
 *   categorical        x's integer part in the node's bitset (cat_threshold) goes left; NaN and
 *                      negative values right. Known difference: LightGBM truncates x in (-1, 0)
 *                      to category 0; our walk sends it right.
 *
 * Categories above 255 cannot be represented by our splits and are refused.
 */
export function importLightGBMModel(text: string): FittedTreeClassifier | FittedTreeRegressor {
  if (typeof text !== 'string') {
    throw new InputError('INVALID_MODEL', 'the LightGBM model must be given as text (the model.txt contents)', {
      value: typeof text,
      expected: 'a string',
    });
  }
  const { header, blocks } = splitModel(text);
  const version = header.get('version');
  if (version !== undefined && !/^v[234]$/.test(version)) {
    throw new InputError(
      'UNSUPPORTED_MODEL',
      `version is "${version}"; importLightGBMModel reads LightGBM text models v2 to v4`,
      {
        column: 'version',
        value: version,
        expected: 'v2 | v3 | v4',
      },
    );
  }
  const numClass = headerInt(header, 'num_class');
  const perIter = header.has('num_tree_per_iteration') ? headerInt(header, 'num_tree_per_iteration') : numClass;
  const nFeatures = headerInt(header, 'max_feature_idx') + 1;
  const names = (header.get('feature_names') ?? '').split(' ').filter((s) => s !== '');
  if (names.length !== nFeatures) {
    throw new InputError(
      'INVALID_MODEL',
      `feature_names has ${names.length} names for max_feature_idx + 1 = ${nFeatures} features`,
      {
        column: 'feature_names',
      },
    );
  }
  const objective = header.get('objective');
  if (!objective) {
    throw new InputError(
      'UNSUPPORTED_MODEL',
      'the model has no objective line (a custom objective?); its outputs cannot be interpreted',
      {
        column: 'objective',
      },
    );
  }
  const spec = objectiveSpec(objective, numClass, perIter);
  const averageOutput = header.has('average_output');

  if (blocks.length === 0 || blocks.length % perIter !== 0) {
    throw new InputError(
      'INVALID_MODEL',
      `the model has ${blocks.length} trees, not a multiple of num_tree_per_iteration ${perIter}`,
      {
        column: 'num_tree_per_iteration',
      },
    );
  }
  const trees: TreeArrays[] = blocks.map((b) => convertTree(b, nFeatures));
  const treeOutput = Int32Array.from(trees, (_, t) => t % perIter);
  const rounds = blocks.length / perIter;
  const scale = spec.sigmoid * (averageOutput ? 1 / rounds : 1);
  const ensemble = TreeEnsemble.fromTrees(trees, {
    nOutputs: perIter,
    valueWidth: 1,
    treeOutput,
    baseScore: new Float64Array(perIter),
    scale,
  });
  const params: Record<string, unknown> = { importedFrom: 'lightgbm', objective, lightgbmFormat: version ?? null };
  if (spec.link === 'logit') params.sigmoid = spec.sigmoid;
  if (averageOutput) params.averageOutput = true;
  if (spec.kind === 'classifier') {
    return new FittedTreeClassifier({
      kind: 'models/GradientBoostingClassifier',
      columns: names,
      ensemble,
      link: spec.link,
      params,
      classes: spec.link === 'softmax' ? perIter : 2,
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

/** LightGBM's kZeroThreshold (meta.h: `const double kZeroThreshold = 1e-35f;`). */
export const LGBM_ZERO_THRESHOLD = Math.fround(1e-35);

interface Block {
  index: number;
  fields: Map<string, string>;
}

/** Header key=value lines (a bare word is a key with value ''), then the Tree=i blocks. */
function splitModel(text: string): { header: Map<string, string>; blocks: Block[] } {
  const lines = text.split(/\r?\n/);
  const header = new Map<string, string>();
  const blocks: Block[] = [];
  let current: Block | null = null;
  for (const raw of lines) {
    const line = raw.trim();
    if (line.startsWith('Tree=')) {
      current = { index: Number(line.slice(5)), fields: new Map() };
      blocks.push(current);
      continue;
    }
    if (line === 'end of trees') break;
    if (line === '') {
      current = null;
      continue;
    }
    const eq = line.indexOf('=');
    const key = eq < 0 ? line : line.slice(0, eq);
    const value = eq < 0 ? '' : line.slice(eq + 1);
    if (current) current.fields.set(key, value);
    else if (blocks.length === 0) header.set(key, value);
  }
  if (blocks.length === 0 && !header.has('num_class')) {
    throw new InputError('INVALID_MODEL', 'this is not a LightGBM text model (no num_class line and no Tree= blocks)', {
      column: 'num_class',
    });
  }
  return { header, blocks };
}

interface LgbObjective {
  kind: 'classifier' | 'regressor';
  link: Link;
  /** binary: the sigmoid parameter (margin scale); 1 otherwise. */
  sigmoid: number;
}

const IDENTITY = ['regression', 'regression_l1', 'huber', 'fair', 'quantile', 'mape'];
const LOG = ['poisson', 'gamma', 'tweedie'];

function objectiveSpec(objective: string, numClass: number, perIter: number): LgbObjective {
  const [name, ...rest] = objective.split(' ').filter((s) => s !== '');
  const opts = new Map(rest.map((r) => [r.split(':')[0], r.split(':')[1] ?? '']));
  const unsupported = (why: string): InputError =>
    new InputError('UNSUPPORTED_MODEL', `objective is "${objective}": ${why}`, {
      column: 'objective',
      value: objective,
      expected: `binary, multiclass, ${[...IDENTITY, ...LOG].join(', ')}`,
    });
  if (name === 'binary') {
    const sigmoid = opts.has('sigmoid') ? Number(opts.get('sigmoid')) : 1;
    if (!(sigmoid > 0) || !Number.isFinite(sigmoid)) throw unsupported('sigmoid must be a positive number');
    if (perIter !== 1) throw unsupported(`a binary model has one tree per round, not ${perIter}`);
    return { kind: 'classifier', link: 'logit', sigmoid };
  }
  if (name === 'multiclass') {
    const k = opts.has('num_class') ? Number(opts.get('num_class')) : numClass;
    if (k !== numClass || k !== perIter || k < 2) {
      throw unsupported(
        `num_class ${k}, header num_class ${numClass} and num_tree_per_iteration ${perIter} must agree`,
      );
    }
    return { kind: 'classifier', link: 'softmax', sigmoid: 1 };
  }
  if (IDENTITY.includes(name) || LOG.includes(name)) {
    if (opts.has('sqrt')) throw unsupported('reg_sqrt squares the raw score back; such models do not import');
    if (perIter !== 1) throw unsupported(`a regression model has one tree per round, not ${perIter}`);
    return { kind: 'regressor', link: IDENTITY.includes(name) ? 'identity' : 'log', sigmoid: 1 };
  }
  throw unsupported(`importLightGBMModel supports binary, multiclass, ${[...IDENTITY, ...LOG].join(', ')}`);
}

function headerInt(header: Map<string, string>, key: string): number {
  const v = header.get(key);
  const n = v === undefined ? NaN : Number(v);
  if (!Number.isInteger(n) || n < 0) {
    throw new InputError(
      'INVALID_MODEL',
      `the header's ${key} is ${v === undefined ? 'missing' : `"${v}"`}; expected a non-negative integer`,
      {
        column: key,
        value: v,
      },
    );
  }
  return n;
}

/** A number as LightGBM writes it (also inf, -inf, nan). */
function parseNumber(tok: string): number {
  const t = tok.toLowerCase();
  if (t === 'inf' || t === '+inf' || t === 'infinity') return Infinity;
  if (t === '-inf' || t === '-infinity') return -Infinity;
  if (t === 'nan' || t === '-nan') return NaN;
  return tok === '' ? NaN : Number(tok);
}

function numbers(b: Block, key: string, n: number, where: string, required = true): number[] | null {
  const v = b.fields.get(key);
  if (v === undefined || (v.trim() === '' && !required)) {
    if (!required) return null;
    throw new InputError('INVALID_MODEL', `${where} has no ${key} line`, { column: `${where}.${key}` });
  }
  const tokens = v.split(' ').filter((s) => s !== '');
  const a = tokens.map(parseNumber);
  if (a.length !== n || a.some((x, i) => Number.isNaN(x) && !/^-?nan$/i.test(tokens[i]))) {
    throw new InputError('INVALID_MODEL', `${where}.${key} should hold ${n} numbers`, {
      column: `${where}.${key}`,
      value: v.slice(0, 80),
    });
  }
  return a;
}

/** A node whose Zero missing type still needs the band treatment (see the module comment). */
interface LgbNode extends SourceNode {
  zeroBand: boolean;
}

/** Node count past which duplicating subtrees for Zero-missing splits is refused. */
const MAX_NODES = 2_000_000;

function convertTree(b: Block, nFeatures: number): TreeArrays {
  const where = `Tree=${b.index}`;
  const L = Number(b.fields.get('num_leaves'));
  if (!Number.isInteger(L) || L < 1) {
    throw new InputError('INVALID_MODEL', `${where}.num_leaves is missing or not a positive integer`, {
      column: `${where}.num_leaves`,
    });
  }
  if (Number(b.fields.get('is_linear') ?? '0') !== 0) {
    throw new InputError(
      'UNSUPPORTED_MODEL',
      `${where} is a linear tree (is_linear=1, linear_tree); such models do not import`,
      {
        column: `${where}.is_linear`,
        value: b.fields.get('is_linear'),
      },
    );
  }
  const leafValue = numbers(b, 'leaf_value', L, where)!;
  const leafCount = numbers(b, 'leaf_count', L, where, false);
  if (leafValue.some((v) => !Number.isFinite(v))) {
    throw new InputError('INVALID_MODEL', `${where}.leaf_value holds a value that is not finite`, {
      column: `${where}.leaf_value`,
    });
  }
  if (L === 1) return buildTree([leafNode(leafValue[0], leafCount ? leafCount[0] : 0)], where);

  const I = L - 1;
  const feature = numbers(b, 'split_feature', I, where)!;
  const threshold = numbers(b, 'threshold', I, where)!;
  const decision = numbers(b, 'decision_type', I, where, false) ?? new Array<number>(I).fill(0);
  const leftChild = numbers(b, 'left_child', I, where)!;
  const rightChild = numbers(b, 'right_child', I, where)!;
  const gain = numbers(b, 'split_gain', I, where, false);
  const internalCount = numbers(b, 'internal_count', I, where, false);
  const numCat = Number(b.fields.get('num_cat') ?? '0');
  const catBoundaries = numCat > 0 ? numbers(b, 'cat_boundaries', numCat + 1, where)! : [];
  const catThreshold =
    numCat > 0
      ? (b.fields.get('cat_threshold') ?? '')
          .split(' ')
          .filter((s) => s !== '')
          .map(Number)
      : [];

  // Internal nodes 0..I-1, then leaf k at I + k (LightGBM's child ~k).
  const child = (c: number): number => (c < 0 ? I + ~c : c);
  const nodes: LgbNode[] = [];
  for (let i = 0; i < I; i++) {
    const f = feature[i];
    if (!Number.isInteger(f) || f < 0 || f >= nFeatures) {
      throw new InputError('INVALID_MODEL', `${where}, node ${i}: split_feature ${f} is not a feature of the model`, {
        column: `${where}.split_feature`,
        value: f,
      });
    }
    const dt = decision[i];
    const base = {
      feature: f,
      left: child(leftChild[i]),
      right: child(rightChild[i]),
      value: 0,
      cover: internalCount ? internalCount[i] : 0,
      gain: gain ? gain[i] : 0,
    };
    if (dt & 1) {
      const idx = threshold[i];
      if (!Number.isInteger(idx) || idx < 0 || idx >= numCat) {
        throw new InputError(
          'INVALID_MODEL',
          `${where}, node ${i}: categorical threshold ${idx} is not a cat_boundaries index`,
          {
            column: `${where}.threshold`,
            value: idx,
          },
        );
      }
      const words = catThreshold.slice(catBoundaries[idx], catBoundaries[idx + 1]);
      const categories: number[] = [];
      words.forEach((w, k) => {
        for (let bit = 0; bit < 32; bit++) if ((w >>> bit) & 1) categories.push(k * 32 + bit);
      });
      // NaN goes right in LightGBM 3.3+ (and negative values, as in ours).
      nodes.push({ ...base, threshold: NaN, categories, defaultLeft: false, zeroBand: false });
      continue;
    }
    const missing = (dt >> 2) & 3;
    const dl = (dt & 2) !== 0;
    const thr = threshold[i];
    if (Number.isNaN(thr)) {
      throw new InputError('INVALID_MODEL', `${where}, node ${i}: threshold is NaN`, { column: `${where}.threshold` });
    }
    if (missing === 0)
      nodes.push({ ...base, threshold: thr, categories: null, defaultLeft: 0 <= thr, zeroBand: false });
    else if (missing === 2) nodes.push({ ...base, threshold: thr, categories: null, defaultLeft: dl, zeroBand: false });
    else if (missing === 1) nodes.push({ ...base, threshold: thr, categories: null, defaultLeft: dl, zeroBand: true });
    else {
      throw new InputError('INVALID_MODEL', `${where}, node ${i}: decision_type ${dt} has missing type 3`, {
        column: `${where}.decision_type`,
        value: dt,
      });
    }
  }
  for (let k = 0; k < L; k++) nodes.push({ ...leafNode(leafValue[k], leafCount ? leafCount[k] : 0), zeroBand: false });
  // Zero-missing splits, including those in copies appended while resolving earlier ones.
  for (let i = 0; i < nodes.length; i++) {
    if (!nodes[i].zeroBand) continue;
    resolveZeroBand(nodes, i);
    if (nodes.length > MAX_NODES) {
      throw new InputError(
        'UNSUPPORTED_MODEL',
        `${where}: its zero-as-missing splits would need more than ${MAX_NODES} nodes`,
        {
          column: `${where}.decision_type`,
        },
      );
    }
  }
  return buildTree(nodes, where);
}

/**
 * A Zero-missing node: NaN and x in [-z, z] (z = kZeroThreshold) go to the default child, other x
 * left when x <= threshold. Rewritten in place into `x <= t` splits (see the module comment).
 */
function resolveZeroBand(nodes: LgbNode[], i: number): void {
  const z = LGBM_ZERO_THRESHOLD;
  const belowBand = nextDown64(-z); // x <= this ⟺ x < -z
  const n = nodes[i];
  n.zeroBand = false;
  const thr = n.threshold;
  if (n.defaultLeft) {
    // left: x <= thr, or x in the band (or NaN)
    if (thr >= z) return; // the band already compares left
    if (thr >= -z) {
      n.threshold = z;
      return;
    }
  } else {
    // left: x <= thr and x outside the band
    if (thr < -z) return; // the band already compares right
    if (thr < z) {
      n.threshold = belowBand;
      return;
    }
  }
  // Three nodes: N1 splits at a band edge, N2 and N3 each hold one original child and a copy of the
  // other; originals and copies keep half the covers each.
  const L = n.left;
  const R = n.right;
  const Lcopy = copySubtree(nodes, L, 0.5);
  const Rcopy = copySubtree(nodes, R, 0.5);
  scaleCovers(nodes, L, 0.5);
  scaleCovers(nodes, R, 0.5);
  const split = (threshold: number, left: number, right: number, defaultLeft: boolean): number => {
    nodes.push({
      feature: n.feature,
      threshold,
      categories: null,
      defaultLeft,
      left,
      right,
      value: 0,
      cover: nodes[left].cover + nodes[right].cover,
      gain: 0,
      zeroBand: false,
    });
    return nodes.length - 1;
  };
  if (n.defaultLeft) {
    // thr < -z. x < -z: x <= thr ? L : R;  otherwise: x <= z (band, NaN) ? L : R.
    n.left = split(thr, L, Rcopy, true);
    n.right = split(z, Lcopy, R, true);
    n.threshold = belowBand;
    n.defaultLeft = false;
  } else {
    // thr >= z. x <= z (NaN too): x < -z ? L : R (the band);  x > z: x <= thr ? L : R.
    n.left = split(belowBand, L, Rcopy, false);
    n.right = split(thr, Lcopy, R, false);
    n.threshold = z;
    n.defaultLeft = true;
  }
}
