import { childFor, type TreeArrays } from '@campaign-ml/models';
import { gaussLegendre } from './gauss-legendre';

/**
 * Path-dependent TreeSHAP (Lundberg et al. 2018) for one row and one tree of a flat ensemble.
 *
 * The walk is Algorithm 2's: from the root, a split on a feature the row follows (hot child, one
 * fraction 1) and the other child (cold, one fraction 0), each with its cover share as zero
 * fraction; a feature met twice on a path merges into one element. At a leaf, feature i on the
 * path gets
 *
 *   v · (o_i − z_i) · ∫₀¹ Π_{j ≠ i} (z_j + t (o_j − z_j)) dt,
 *
 * which is the Shapley-weighted sum Algorithm 2's EXTEND/UNWIND computes (the weight
 * |S|!(M−|S|−1)!/M! is ∫ t^|S| (1−t)^(M−|S|−1) dt). The integral is taken with Gauss–Legendre nodes
 * (exact for the polynomial's degree), so there is no division by a one- or zero-fraction: the
 * result stays additive at any depth, where the textbook unwind loses additivity past depth ~50.
 * A node with zero cover sends half its weight each way (XGBoost's rule), never a division by 0.
 *
 * `condition` (+1 on, −1 off) with `conditionFeature` computes the conditioned values SHAP
 * interaction values are made of: the feature is not a player; "on" follows the row, "off" averages
 * over both children by cover.
 */
export class PathShap {
  private readonly q: number;
  private readonly tq: Float64Array;
  private readonly wq: Float64Array;
  // Path stack, one level per depth: features, zero and one fractions, and the products at the nodes.
  private readonly feat: Int32Array;
  private readonly zf: Float64Array;
  private readonly of: Float64Array;
  private readonly prod: Float64Array;
  private readonly stride: number;
  private row!: Float64Array;
  private out!: Float64Array;
  private outOffset = 0;
  private nOut = 1;
  private condFeature = -1;
  private cond = 0;

  constructor(
    private readonly e: TreeArrays & { readonly valueWidth: number },
    private readonly cover: Float64Array,
    maxDepth: number,
  ) {
    this.q = Math.max(1, Math.ceil(maxDepth / 2));
    const rule = gaussLegendre(this.q);
    this.tq = rule.nodes;
    this.wq = rule.weights;
    this.stride = maxDepth + 1;
    const levels = maxDepth + 2;
    this.feat = new Int32Array(levels * this.stride);
    this.zf = new Float64Array(levels * this.stride);
    this.of = new Float64Array(levels * this.stride);
    this.prod = new Float64Array(levels * this.q);
  }

  /**
   * Add the tree rooted at `root` to `out` (features x nOut, row-major from `outOffset`) for `row`,
   * each leaf value times `scale`. `leafOutput` picks one output of a one-wide leaf (-1: every output).
   */
  explain(
    root: number,
    row: Float64Array,
    out: Float64Array,
    outOffset: number,
    nOut: number,
    leafOutput: number,
    scale: number,
    conditionFeature = -1,
    condition = 0,
  ): void {
    this.row = row;
    this.out = out;
    this.outOffset = outOffset;
    this.nOut = nOut;
    this.condFeature = conditionFeature;
    this.cond = condition;
    for (let k = 0; k < this.q; k++) this.prod[k] = 1;
    this.recurse(root, 0, 0, scale, leafOutput);
  }

  private recurse(node: number, level: number, len: number, weight: number, leafOutput: number): void {
    const e = this.e;
    const left = e.left[node];
    if (left < 0) {
      this.leaf(node, level, len, weight, leafOutput);
      return;
    }
    const right = e.right[node];
    const f = e.feature[node];
    const x = this.row[f];
    const hot = childFor(e, node, x);
    const cold = hot === left ? right : left;
    const c = this.cover[node];
    const zHot = c > 0 ? this.cover[hot] / c : 0.5;
    const zCold = c > 0 ? this.cover[cold] / c : 0.5;
    if (f === this.condFeature) {
      // Conditioned feature: not a player. On follows the row; off averages both children by cover.
      this.copyLevel(level, len);
      if (this.cond > 0) this.recurse(hot, level + 1, len, weight, leafOutput);
      else {
        if (zHot > 0) this.recurse(hot, level + 1, len, weight * zHot, leafOutput);
        this.copyLevel(level, len);
        if (zCold > 0) this.recurse(cold, level + 1, len, weight * zCold, leafOutput);
      }
      return;
    }
    this.push(level, len, f, zHot, 1);
    this.recurse(hot, level + 1, this.lenAfter(level, len, f), weight, leafOutput);
    // A cold child with no cover adds nothing (its zero fraction makes every product 0).
    if (zCold === 0) return;
    this.push(level, len, f, zCold, 0);
    this.recurse(cold, level + 1, this.lenAfter(level, len, f), weight, leafOutput);
  }

  /** Level + 1 = level's path, unchanged (for a conditioned split). */
  private copyLevel(level: number, len: number): void {
    const s = this.stride;
    const a = level * s;
    const b = a + s;
    for (let i = 0; i < len; i++) {
      this.feat[b + i] = this.feat[a + i];
      this.zf[b + i] = this.zf[a + i];
      this.of[b + i] = this.of[a + i];
    }
    const q = this.q;
    for (let k = 0; k < q; k++) this.prod[(level + 1) * q + k] = this.prod[level * q + k];
  }

  private lenAfter(level: number, len: number, f: number): number {
    const a = level * this.stride;
    for (let i = 0; i < len; i++) if (this.feat[a + i] === f) return len;
    return len + 1;
  }

  /** Level + 1 = level's path extended by (f, z, o), merged into f's element when f is on it already. */
  private push(level: number, len: number, f: number, z: number, o: number): void {
    const s = this.stride;
    const a = level * s;
    const b = a + s;
    const q = this.q;
    const tq = this.tq;
    const prodA = level * q;
    const prodB = prodA + q;
    let found = -1;
    for (let i = 0; i < len; i++) {
      this.feat[b + i] = this.feat[a + i];
      this.zf[b + i] = this.zf[a + i];
      this.of[b + i] = this.of[a + i];
      if (this.feat[a + i] === f) found = i;
    }
    if (found < 0) {
      this.feat[b + len] = f;
      this.zf[b + len] = z;
      this.of[b + len] = o;
      for (let k = 0; k < q; k++) this.prod[prodB + k] = this.prod[prodA + k] * (z + tq[k] * (o - z));
      return;
    }
    // The feature is on the path: its element takes both splits (fractions multiply); recompute
    // the products from the elements rather than divide the old factor out.
    this.zf[b + found] *= z;
    this.of[b + found] *= o;
    for (let k = 0; k < q; k++) {
      let p = 1;
      const t = tq[k];
      for (let i = 0; i < len; i++) p *= this.zf[b + i] + t * (this.of[b + i] - this.zf[b + i]);
      this.prod[prodB + k] = p;
    }
  }

  private leaf(node: number, level: number, len: number, weight: number, leafOutput: number): void {
    const e = this.e;
    const s = this.stride;
    const a = level * s;
    const q = this.q;
    const prodA = level * q;
    const W = e.valueWidth;
    const nOut = this.nOut;
    for (let i = 0; i < len; i++) {
      const z = this.zf[a + i];
      const o = this.of[a + i];
      const d = o - z;
      if (d === 0) continue;
      let integral = 0;
      for (let k = 0; k < q; k++) {
        const g = z + this.tq[k] * d;
        // g is 0 only where z = o = 0, excluded above (d = 0).
        integral += (this.wq[k] * this.prod[prodA + k]) / g;
      }
      const w = weight * d * integral;
      const base = this.outOffset + this.feat[a + i] * nOut;
      if (leafOutput >= 0) this.out[base + leafOutput] += w * e.value[node];
      else for (let k = 0; k < W; k++) this.out[base + k] += w * e.value[node * W + k];
    }
  }
}

/** Deepest leaf of the tree at `root` (root depth 0), by an explicit stack. */
export function treeDepth(t: TreeArrays, root: number): number {
  let max = 0;
  const nodes = [root];
  const depth = [0];
  while (nodes.length) {
    const n = nodes.pop()!;
    const d = depth.pop()!;
    if (d > max) max = d;
    if (t.left[n] >= 0) {
      nodes.push(t.left[n], t.right[n]);
      depth.push(d + 1, d + 1);
    }
  }
  return max;
}

/** Cover-weighted mean of the leaves below `node` (per output), the tree's expected value. */
export function expectedLeafValue(
  t: TreeArrays & { readonly valueWidth: number },
  cover: Float64Array,
  node: number,
  out: Float64Array,
  weight = 1,
): void {
  const l = t.left[node];
  if (l < 0) {
    const W = t.valueWidth;
    for (let k = 0; k < W; k++) out[k] += weight * t.value[node * W + k];
    return;
  }
  const r = t.right[node];
  const c = cover[node];
  expectedLeafValue(t, cover, l, out, weight * (c > 0 ? cover[l] / c : 0.5));
  expectedLeafValue(t, cover, r, out, weight * (c > 0 ? cover[r] / c : 0.5));
}
