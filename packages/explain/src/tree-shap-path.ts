import { childFor, type TreeArrays } from '@campaign-ml/models';
import { gaussLegendre } from './gauss-legendre';
import { createShapWalker, wasmTreeShapOn, type ShapWalker } from './tree-shap-wasm';

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
  /** Quadrature nodes of the tree being walked (enough for its longest path's distinct features). */
  private q: number;
  private tq!: Float64Array;
  private wq!: Float64Array;
  /** w_q / (1 − t_q): a cold element's integral is Σ_q these × P_q, divided by its z (see leaf). */
  private wCold!: Float64Array;
  /** 1 − t_q: a cold element's factor is z (1 − t_q). */
  private oneMinusT!: Float64Array;
  private readonly rules = new Map<
    number,
    { tq: Float64Array; wq: Float64Array; wCold: Float64Array; oneMinusT: Float64Array }
  >();
  /** Per tree root: its quadrature size. */
  private readonly qByRoot = new Map<number, number>();
  private readonly nFeatures: number;
  // The path, shared by every level: element i's feature, zero and one fraction; a feature's
  // position on it (or -1); and per level the products Π (z + t_q (o − z)) at the nodes.
  private readonly feat: Int32Array;
  private readonly zf: Float64Array;
  private readonly of: Float64Array;
  /** Per hot element (o = 1) and node: (1 − z) w_q / (z + t_q (1 − z)), its weight's factor of P_q. */
  private readonly inv: Float64Array;
  /** Per level: a merged element's factors, kept to restore them (walk1: 1 / its old factor). */
  private readonly saved: Float64Array;
  private readonly pos: Int32Array;
  private readonly prod: Float64Array;
  /** Each node's share of its parent's cover (0.5 each way under a parent with no cover). */
  private readonly share: Float64Array;
  private readonly left: Int32Array;
  private readonly right: Int32Array;
  private readonly feature: Int32Array;
  private readonly threshold: Float64Array;
  private readonly defaultLeft: Uint8Array;
  private readonly catOffset: Int32Array;
  private readonly value: Float64Array;
  /** Linear walk: per level, the subtree's Σ over leaves of weight · value · P_q (q x width). */
  private readonly acc: Float64Array;
  /** Linear walk: per path element, the part of its subtree below a later split on its feature. */
  private readonly excl: Float64Array;
  /** Linear walk: per level, a merged element's exclusions, kept to restore them. */
  private readonly savedExcl: Float64Array;
  private readonly width: number;
  private row!: Float64Array;
  private out!: Float64Array;
  private outOffset = 0;
  private nOut = 1;
  private condFeature = -1;
  private cond = 0;

  /** The WebAssembly walk of every tree (built on first use; null where there is none). */
  private walker: ShapWalker | null | undefined;

  constructor(
    private readonly e: TreeArrays & {
      readonly valueWidth: number;
      readonly nTrees: number;
      readonly roots: Int32Array;
      readonly treeOutput: Int32Array;
    },
    cover: Float64Array,
    private readonly maxDepth: number,
    nFeatures: number,
  ) {
    // The polynomial's degree is the path's distinct features less one: at most depth − 1 and
    // features − 1, so ceil(min(depth, features) / 2) nodes integrate it exactly.
    // This is the largest; each tree uses the size its own longest path needs (qFor).
    this.q = Math.max(1, Math.ceil(Math.min(maxDepth, nFeatures) / 2));
    this.nFeatures = nFeatures;
    this.useRule(this.q);
    const len = maxDepth + 1;
    this.feat = new Int32Array(len);
    this.zf = new Float64Array(len);
    this.of = new Float64Array(len);
    this.inv = new Float64Array(len * this.q);
    this.saved = new Float64Array((maxDepth + 2) * this.q);
    this.pos = new Int32Array(nFeatures).fill(-1);
    this.prod = new Float64Array((maxDepth + 2) * this.q);
    const n = e.left.length;
    this.share = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      const l = e.left[i];
      if (l < 0) continue;
      const c = cover[i];
      this.share[l] = c > 0 ? cover[l] / c : 0.5;
      this.share[e.right[i]] = c > 0 ? cover[e.right[i]] / c : 0.5;
    }
    this.left = e.left;
    this.right = e.right;
    this.feature = e.feature;
    this.threshold = e.threshold;
    this.defaultLeft = e.defaultLeft;
    this.catOffset = e.catOffset;
    this.value = e.value;
    this.width = e.valueWidth;
    const block = this.q * this.width;
    this.acc = new Float64Array((maxDepth + 2) * block);
    this.excl = new Float64Array(len * block);
    this.savedExcl = new Float64Array((maxDepth + 2) * block);
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
    this.useRule(this.qFor(root));
    for (let k = 0; k < this.q; k++) this.prod[k] = 1;
    if (conditionFeature < 0) {
      this.leafOutput = leafOutput;
      if (this.width === 1) {
        this.outAt = outOffset + (leafOutput >= 0 ? leafOutput : 0);
        this.walk1(root, 0, 0, 0, scale, 0);
        return;
      }
      this.acc.fill(0, 0, this.q * this.width);
      this.walk(root, 0, 0, scale);
    } else this.recurse(root, 0, 0, scale, leafOutput);
  }

  /**
   * Every tree for `row`, each tree's leaf values times `scale` into its output column of `out`
   * (features x nOut from `outOffset`; several columns where leaves are several wide): `explain`
   * tree by tree, or for one-wide leaves the same walk in WebAssembly (tree-shap-wasm.ts), which
   * gives the same values bit for bit.
   */
  explainAll(row: Float64Array, out: Float64Array, outOffset: number, nOut: number, scale: number): void {
    const e = this.e;
    if (this.width === 1 && wasmTreeShapOn()) {
      if (this.walker === undefined) this.walker = this.buildWalker();
      if (this.walker) {
        this.walker.run(row, out, outOffset, nOut, scale);
        return;
      }
    }
    for (let t = 0; t < e.nTrees; t++) {
      this.explain(e.roots[t], row, out, outOffset, nOut, this.width === 1 ? e.treeOutput[t] : -1, scale);
    }
  }

  /**
   * `explainAll` for n rows (row-major in `rows`, n x features; row r's values at r · features ·
   * nOut of `out`). The WebAssembly walk takes several rows per traversal (tree-shap-wasm-rows.ts),
   * each row's values the same bit for bit as one row at a time, whatever the other rows.
   */
  explainRows(rows: Float64Array, n: number, out: Float64Array, nOut: number, scale: number): void {
    const F = this.nFeatures;
    if (this.width === 1 && wasmTreeShapOn()) {
      if (this.walker === undefined) this.walker = this.buildWalker();
      if (this.walker) {
        this.walker.runRows(rows, n, out, 0, nOut, scale);
        return;
      }
    }
    for (let r = 0; r < n; r++) this.explainAll(rows.subarray(r * F, (r + 1) * F), out, r * F * nOut, nOut, scale);
  }

  private buildWalker(): ShapWalker | null {
    const e = this.e;
    const trees = [];
    for (let t = 0; t < e.nTrees; t++) {
      const rule = this.ruleFor(this.qFor(e.roots[t]));
      trees.push({ root: e.roots[t], output: e.treeOutput[t], tq: rule.tq, wq: rule.wq });
    }
    return createShapWalker({
      tree: e,
      share: this.share,
      nFeatures: this.nFeatures,
      maxDepth: this.maxDepth,
      trees,
    });
  }

  private leafOutput = -1;
  /** walk1: where feature 0's value goes in `out` (feature f's is f · nOut further). */
  private outAt = 0;

  private useRule(q: number): void {
    const rule = this.ruleFor(q);
    this.q = q;
    this.tq = rule.tq;
    this.wq = rule.wq;
    this.wCold = rule.wCold;
    this.oneMinusT = rule.oneMinusT;
  }

  private ruleFor(q: number): { tq: Float64Array; wq: Float64Array; wCold: Float64Array; oneMinusT: Float64Array } {
    let rule = this.rules.get(q);
    if (!rule) {
      const g = gaussLegendre(q);
      rule = {
        tq: g.nodes,
        wq: g.weights,
        wCold: g.weights.map((w, k) => w / (1 - g.nodes[k])),
        oneMinusT: g.nodes.map((t) => 1 - t),
      };
      this.rules.set(q, rule);
    }
    return rule;
  }

  /**
   * Gauss–Legendre nodes a tree needs: the polynomial at a leaf has one factor per distinct feature
   * on its path, and ceil(n / 2) nodes integrate degree n − 1 exactly. Deep trees repeat features,
   * so this is often well below half the depth.
   */
  private qFor(root: number): number {
    let q = this.qByRoot.get(root);
    if (q === undefined) {
      const seen = new Int32Array(this.nFeatures);
      let longest = 0;
      const visit = (node: number, distinct: number): void => {
        if (this.left[node] < 0) {
          if (distinct > longest) longest = distinct;
          return;
        }
        const f = this.feature[node];
        const fresh = seen[f]++ === 0;
        visit(this.left[node], distinct + (fresh ? 1 : 0));
        visit(this.right[node], distinct + (fresh ? 1 : 0));
        seen[f]--;
      };
      visit(root, 0);
      q = Math.max(1, Math.ceil(longest / 2));
      this.qByRoot.set(root, q);
    }
    return q;
  }

  /**
   * The same values in time linear in the tree's nodes (the idea of Linear TreeShap, Yu et al.
   * 2022): an element's weight at a leaf is Σ_q inv_q · P_q, and its inv_q is the same at every leaf
   * below the split that put it on the path, so instead of summing per leaf and element, each
   * subtree returns S_q = Σ_leaves weight · value · P_q and the element takes Σ_q inv_q · S_q once,
   * at its split. A later split on the same feature changes the element's factor for the leaves
   * below it: that split credits the element for its own subtree and tells the first split to
   * leave it out (`excl`). A cold element's weight does not depend on its factor
   * (−Σ_q w_q P_q / (1 − t_q)), so it is credited once over its whole subtree.
   * Adds the subtree's S to acc at `level`.
   */
  private walk(node: number, level: number, len: number, weight: number): void {
    const q = this.q;
    const W = this.width;
    const block = q * W;
    const acc = this.acc;
    const a = level * block;
    const left = this.left[node];
    if (left < 0) {
      const p = level * q;
      for (let w = 0; w < W; w++) {
        const v = weight * this.value[node * W + w];
        if (v === 0) continue;
        for (let k = 0; k < q; k++) acc[a + k * W + w] += v * this.prod[p + k];
      }
      return;
    }
    const f = this.feature[node];
    const hot = this.hotChild(node, this.row[f]);
    const cold = hot === left ? this.right[node] : left;
    const zHot = this.share[hot];
    const zCold = this.share[cold];
    const below = a + block;
    const at = this.pos[f];
    if (at < 0) {
      this.feat[len] = f;
      this.pos[f] = len;
      this.zf[len] = zHot;
      this.of[len] = 1;
      this.setInv(len, zHot);
      this.extend(level, zHot, 1);
      acc.fill(0, below, below + block);
      this.excl.fill(0, len * block, len * block + block);
      this.walk(hot, level + 1, len + 1, weight);
      this.creditHot(f, len, below);
      for (let i = 0; i < block; i++) acc[a + i] += acc[below + i];
      if (zCold > 0) {
        this.zf[len] = zCold;
        this.of[len] = 0;
        this.extend(level, zCold, 0);
        acc.fill(0, below, below + block);
        this.walk(cold, level + 1, len + 1, weight);
        this.creditCold(f, below);
        for (let i = 0; i < block; i++) acc[a + i] += acc[below + i];
      }
      this.pos[f] = -1;
      return;
    }
    const z0 = this.zf[at];
    const o0 = this.of[at];
    if (z0 === 0 && o0 === 0) return;
    const keep = level * q;
    for (let k = 0; k < q; k++) this.saved[keep + k] = this.inv[at * q + k];
    // A hot element's exclusions so far are kept; its subtree here starts its own.
    const ex = at * block;
    const sv = level * block;
    if (o0 === 1) {
      for (let i = 0; i < block; i++) this.savedExcl[sv + i] = this.excl[ex + i];
    }
    this.zf[at] = z0 * zHot;
    if (o0 === 1) this.setInv(at, z0 * zHot);
    this.swap(level, z0, o0, z0 * zHot, o0);
    acc.fill(0, below, below + block);
    if (o0 === 1) this.excl.fill(0, ex, ex + block);
    this.walk(hot, level + 1, len, weight);
    if (o0 === 1) {
      this.creditHot(f, at, below);
      for (let i = 0; i < block; i++) this.savedExcl[sv + i] += acc[below + i];
    }
    for (let i = 0; i < block; i++) acc[a + i] += acc[below + i];
    if (zCold > 0) {
      this.zf[at] = z0 * zCold;
      this.of[at] = 0;
      this.swap(level, z0, o0, z0 * zCold, 0);
      acc.fill(0, below, below + block);
      this.walk(cold, level + 1, len, weight);
      if (o0 === 1) {
        // Cold from here down: credited over this subtree, left out by the first split.
        this.creditCold(f, below);
        for (let i = 0; i < block; i++) this.savedExcl[sv + i] += acc[below + i];
      }
      for (let i = 0; i < block; i++) acc[a + i] += acc[below + i];
    }
    this.zf[at] = z0;
    this.of[at] = o0;
    for (let k = 0; k < q; k++) this.inv[at * q + k] = this.saved[keep + k];
    if (o0 === 1) for (let i = 0; i < block; i++) this.excl[ex + i] = this.savedExcl[sv + i];
  }

  /**
   * `walk` for one-wide leaves, the common case. The subtree's S is written (not added) at
   * acc[dst, dst + q): a hot child writes straight into its parent's slot (the parent's S starts
   * as its hot child's), a cold child into the slot of the level below (`a` + q), which the parent
   * then adds. The products the node sees are at prod[p, p + q); new ones for a child go to the
   * level below's slot. A cold element met again changes its factor z (1 − t) by the child's share
   * alone, so the child keeps the products and takes the share into `weight` instead (and a child
   * with no share is skipped: it adds 0). Weight factors are taken where they are credited, from
   * the element's fraction then. Exclusions are not kept: a later split on a hot element's feature
   * takes back, itself, what the first split credits for its subtree (Σ_q inv_q(z0) · S_q, z0 the
   * fraction before it), so the credits telescope to the same sum.
   */
  private walk1(node: number, p: number, a: number, len: number, weight: number, dst: number): void {
    const q = this.q;
    const acc = this.acc;
    const prod = this.prod;
    const left = this.left[node];
    if (left < 0) {
      const v = weight * this.value[node];
      for (let k = 0; k < q; k++) acc[dst + k] = v * prod[p + k];
      return;
    }
    const right = this.right[node];
    const f = this.feature[node];
    const x = this.row[f];
    let hot: number;
    if (x !== x) hot = this.defaultLeft[node] ? left : right;
    else if (this.catOffset[node] < 0) hot = x <= this.threshold[node] ? left : right;
    else hot = childFor(this.e, node, x);
    const cold = hot === left ? right : left;
    const share = this.share;
    const zHot = share[hot];
    const zCold = share[cold];
    const below = a + q;
    const tq = this.tq;
    const wq = this.wq;
    const wCold = this.wCold;
    const oneMinusT = this.oneMinusT;
    const pos = this.pos;
    const zf = this.zf;
    const of = this.of;
    const value = this.value;
    const isLeaf = this.left;
    const at = pos[f];
    let c = 0;
    if (at < 0) {
      pos[f] = len;
      zf[len] = zHot;
      of[len] = 1;
      const d = 1 - zHot;
      if (isLeaf[hot] < 0 && zCold > 0 && isLeaf[cold] < 0) {
        // Two leaf children (the common bottom split): both folded in, in one loop (see below).
        const v = weight * value[hot];
        const vc = weight * value[cold] * zCold;
        let sw = 0;
        for (let k = 0; k < q; k++) {
          const pk = prod[p + k];
          const s = vc * pk * oneMinusT[k];
          acc[dst + k] = v * pk * (zHot + tq[k] * d) + s;
          sw += wq[k] * pk;
          c -= wCold[k] * s;
        }
        c += v * d * sw;
        pos[f] = -1;
        if (c !== 0) this.out[this.outAt + f * this.nOut] += c;
        return;
      }
      if (isLeaf[hot] < 0) {
        // A leaf child: its S straight from the products, not stored for a level below; the
        // element's factor cancels its weight's denominator, so its credit is v (1 − z) Σ w_q P_q.
        const v = weight * value[hot];
        let sw = 0;
        for (let k = 0; k < q; k++) {
          const pk = prod[p + k];
          acc[dst + k] = v * pk * (zHot + tq[k] * d);
          sw += wq[k] * pk;
        }
        c = v * d * sw;
      } else {
        for (let k = 0; k < q; k++) prod[below + k] = prod[p + k] * (zHot + tq[k] * d);
        this.walk1(hot, below, below, len + 1, weight, dst);
        // The element's weight factor (1 − z) w_q / (z + t_q (1 − z)) over its subtree.
        for (let k = 0; k < q; k++) c += ((d * wq[k]) / (zHot + tq[k] * d)) * acc[dst + k];
      }
      if (zCold > 0) {
        zf[len] = zCold;
        of[len] = 0;
        if (isLeaf[cold] < 0) {
          const v = weight * value[cold] * zCold;
          for (let k = 0; k < q; k++) {
            const s = v * prod[p + k] * oneMinusT[k];
            c -= wCold[k] * s;
            acc[dst + k] += s;
          }
        } else {
          for (let k = 0; k < q; k++) prod[below + k] = prod[p + k] * (zCold * oneMinusT[k]);
          this.walk1(cold, below, below, len + 1, weight, below);
          for (let k = 0; k < q; k++) {
            const s = acc[below + k];
            c -= wCold[k] * s;
            acc[dst + k] += s;
          }
        }
      }
      pos[f] = -1;
    } else if (of[at] === 0) {
      // A cold element: not credited here; its factor's change is the child's share, in `weight`.
      if (isLeaf[hot] < 0 && isLeaf[cold] < 0) {
        const v = weight * (zHot * value[hot] + zCold * value[cold]);
        for (let k = 0; k < q; k++) acc[dst + k] = v * prod[p + k];
        return;
      }
      if (zHot === 0) for (let k = 0; k < q; k++) acc[dst + k] = 0;
      else if (isLeaf[hot] < 0) {
        const v = weight * zHot * value[hot];
        for (let k = 0; k < q; k++) acc[dst + k] = v * prod[p + k];
      } else this.walk1(hot, p, below, len, weight * zHot, dst);
      if (zCold > 0) {
        if (isLeaf[cold] < 0) {
          const v = weight * zCold * value[cold];
          for (let k = 0; k < q; k++) acc[dst + k] += v * prod[p + k];
        } else {
          this.walk1(cold, p, below, len, weight * zCold, below);
          for (let k = 0; k < q; k++) acc[dst + k] += acc[below + k];
        }
      }
      return;
    } else {
      // A hot element: fraction z0 becomes z1 (hot) or z2 (cold) below; r = 1 / its old factor.
      const z0 = zf[at];
      const r = this.saved;
      const d0 = 1 - z0;
      const z1 = z0 * zHot;
      const d1 = 1 - z1;
      zf[at] = z1;
      if (isLeaf[hot] < 0) {
        // A leaf child, folded in: its new factor cancels the new weight's denominator.
        const v = weight * value[hot];
        for (let k = 0; k < q; k++) {
          const t = tq[k];
          const r0 = 1 / (z0 + t * d0);
          r[a + k] = r0;
          const f1 = z1 + t * d1;
          const pk = v * prod[p + k] * r0;
          acc[dst + k] = pk * f1;
          c += pk * wq[k] * (d1 - d0 * r0 * f1);
        }
      } else {
        for (let k = 0; k < q; k++) {
          const t = tq[k];
          const r0 = 1 / (z0 + t * d0);
          r[a + k] = r0;
          prod[below + k] = prod[p + k] * r0 * (z1 + t * d1);
        }
        this.walk1(hot, below, below, len, weight, dst);
        for (let k = 0; k < q; k++) {
          const w = wq[k];
          c += ((d1 * w) / (z1 + tq[k] * d1) - d0 * w * r[a + k]) * acc[dst + k];
        }
      }
      if (zCold > 0) {
        const z2 = z0 * zCold;
        if (isLeaf[cold] < 0) {
          const v = weight * value[cold] * z2;
          for (let k = 0; k < q; k++) {
            const s = v * prod[p + k] * r[a + k] * oneMinusT[k];
            c -= (d0 * wq[k] * r[a + k] + wCold[k]) * s;
            acc[dst + k] += s;
          }
        } else {
          zf[at] = z2;
          of[at] = 0;
          for (let k = 0; k < q; k++) prod[below + k] = prod[p + k] * r[a + k] * (z2 * oneMinusT[k]);
          this.walk1(cold, below, below, len, weight, below);
          for (let k = 0; k < q; k++) {
            const s = acc[below + k];
            c -= (d0 * wq[k] * r[a + k] + wCold[k]) * s;
            acc[dst + k] += s;
          }
          of[at] = 1;
        }
      }
      zf[at] = z0;
    }
    if (c !== 0) this.out[this.outAt + f * this.nOut] += c;
  }

  /** Hot element i of feature f over the subtree sums at `from`, less the parts below later splits on f. */
  private creditHot(f: number, i: number, from: number): void {
    const q = this.q;
    const W = this.width;
    const block = q * W;
    const acc = this.acc;
    const ex = i * block;
    for (let w = 0; w < W; w++) {
      let c = 0;
      for (let k = 0; k < q; k++) {
        c += this.inv[i * q + k] * (acc[from + k * W + w] - this.excl[ex + k * W + w]);
      }
      this.credit(f, w, c);
    }
  }

  private creditCold(f: number, from: number): void {
    const q = this.q;
    const W = this.width;
    for (let w = 0; w < W; w++) {
      let c = 0;
      for (let k = 0; k < q; k++) c += this.wCold[k] * this.acc[from + k * W + w];
      this.credit(f, w, -c);
    }
  }

  private credit(f: number, w: number, c: number): void {
    if (c === 0) return;
    const base = this.outOffset + f * this.nOut;
    if (this.leafOutput >= 0) this.out[base + this.leafOutput] += c;
    else this.out[base + w] += c;
  }

  /** The child x takes at `node` (the walk's rule; see childFor in @campaign-ml/models). */
  private hotChild(node: number, x: number): number {
    const l = this.left[node];
    if (x !== x) return this.defaultLeft[node] ? l : this.right[node];
    if (this.catOffset[node] < 0) return x <= this.threshold[node] ? l : this.right[node];
    return childFor(this.e, node, x);
  }

  private recurse(node: number, level: number, len: number, weight: number, leafOutput: number): void {
    const left = this.left[node];
    if (left < 0) {
      this.leaf(node, level, len, weight, leafOutput);
      return;
    }
    const f = this.feature[node];
    const hot = this.hotChild(node, this.row[f]);
    const cold = hot === left ? this.right[node] : left;
    const zHot = this.share[hot];
    const zCold = this.share[cold];
    if (f === this.condFeature) {
      // Conditioned feature: not a player. On follows the row; off averages both children by cover.
      this.copyProducts(level);
      if (this.cond > 0) this.recurse(hot, level + 1, len, weight, leafOutput);
      else {
        if (zHot > 0) this.recurse(hot, level + 1, len, weight * zHot, leafOutput);
        if (zCold > 0) this.recurse(cold, level + 1, len, weight * zCold, leafOutput);
      }
      return;
    }
    const at = this.pos[f];
    if (at < 0) {
      // A new feature: element `len`, products extended by its factor.
      this.feat[len] = f;
      this.pos[f] = len;
      this.zf[len] = zHot;
      this.of[len] = 1;
      this.setInv(len, zHot);
      this.extend(level, zHot, 1);
      this.recurse(hot, level + 1, len + 1, weight, leafOutput);
      // A cold child with no cover adds nothing (its zero fraction makes every product 0).
      if (zCold > 0) {
        this.zf[len] = zCold;
        this.of[len] = 0;
        this.extend(level, zCold, 0);
        this.recurse(cold, level + 1, len + 1, weight, leafOutput);
      }
      this.pos[f] = -1;
      return;
    }
    // The feature is on the path: its element takes both splits (fractions multiply). Its old
    // factor z0 + t (o0 − z0) is swapped for the new one in the products: a division by one factor
    // of a product, exact to rounding (it is the unwind's recurrence, not division, that loses
    // additivity on deep trees). A factor of 0 (z0 = o0 = 0) makes everything below add 0.
    const z0 = this.zf[at];
    const o0 = this.of[at];
    if (z0 === 0 && o0 === 0) return;
    const q = this.q;
    const keep = level * q;
    for (let k = 0; k < q; k++) this.saved[keep + k] = this.inv[at * q + k];
    this.zf[at] = z0 * zHot;
    if (o0 === 1) this.setInv(at, z0 * zHot);
    this.swap(level, z0, o0, z0 * zHot, o0);
    this.recurse(hot, level + 1, len, weight, leafOutput);
    if (zCold > 0) {
      this.zf[at] = z0 * zCold;
      this.of[at] = 0;
      this.swap(level, z0, o0, z0 * zCold, 0);
      this.recurse(cold, level + 1, len, weight, leafOutput);
    }
    this.zf[at] = z0;
    this.of[at] = o0;
    for (let k = 0; k < q; k++) this.inv[at * q + k] = this.saved[keep + k];
  }

  private setInv(i: number, z: number): void {
    const q = this.q;
    const d = 1 - z;
    for (let k = 0; k < q; k++) this.inv[i * q + k] = (d * this.wq[k]) / (z + this.tq[k] * d);
  }

  /** Level + 1's products: level's with the factor of (z0, o0) replaced by that of (z1, o1). */
  private swap(level: number, z0: number, o0: number, z1: number, o1: number): void {
    const q = this.q;
    const a = level * q;
    const tq = this.tq;
    for (let k = 0; k < q; k++) {
      const t = tq[k];
      this.prod[a + q + k] = (this.prod[a + k] / (z0 + t * (o0 - z0))) * (z1 + t * (o1 - z1));
    }
  }

  private copyProducts(level: number): void {
    const q = this.q;
    const a = level * q;
    for (let k = 0; k < q; k++) this.prod[a + q + k] = this.prod[a + k];
  }

  private extend(level: number, z: number, o: number): void {
    const q = this.q;
    const a = level * q;
    const tq = this.tq;
    const d = o - z;
    for (let k = 0; k < q; k++) this.prod[a + q + k] = this.prod[a + k] * (z + tq[k] * d);
  }

  private leaf(node: number, level: number, len: number, weight: number, leafOutput: number): void {
    if (len === 0) return;
    const q = this.q;
    const prodA = level * q;
    const prod = this.prod;
    // A cold element (o = 0) has factor z (1 − t): its weight (0 − z) · ∫ P / (z (1 − t)) is
    // −Σ_q w_q P_q / (1 − t_q), the same for every cold element on the path.
    let cold = 0;
    for (let k = 0; k < q; k++) cold += this.wCold[k] * prod[prodA + k];
    const W = this.e.valueWidth;
    const nOut = this.nOut;
    const out = this.out;
    const inv = this.inv;
    for (let i = 0; i < len; i++) {
      let w: number;
      if (this.of[i] === 0) w = -cold;
      else {
        // (1 − z) ∫ P / (z + t (1 − z)) dt, as Σ_q of the element's factors times P_q.
        w = 0;
        for (let k = 0; k < q; k++) w += inv[i * q + k] * prod[prodA + k];
      }
      w *= weight;
      const base = this.outOffset + this.feat[i] * nOut;
      if (leafOutput >= 0) out[base + leafOutput] += w * this.value[node];
      else for (let k = 0; k < W; k++) out[base + k] += w * this.value[node * W + k];
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
