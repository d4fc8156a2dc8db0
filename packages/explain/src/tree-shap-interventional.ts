import { childFor, type TreeArrays } from '@campaign-ml/models';

/**
 * Interventional TreeSHAP (Lundberg et al. 2020) for one (row, reference) pair and one tree:
 * v(S) = f(x_S, r_S̄). Where x and the reference take the same child the split does not matter;
 * where they part, the feature joins x's side (follow x) or the reference's (follow r), once per
 * path. A leaf reached with n_x features on x's side and n_r on the reference's adds, for each
 * feature on x's side, v · (n_x − 1)! n_r! / (n_x + n_r)!, and for each on the reference's side
 * −v · n_x! (n_r − 1)! / (n_x + n_r)!. The weights come from a table in float64 (shap's C++ keeps
 * them in float32 with int binomials, which overflow past depth ~30).
 */
export class InterventionalShap {
  // side[f]: 0 not decided on this path, 1 x's side, 2 the reference's.
  private readonly side: Uint8Array;
  private readonly xList: Int32Array;
  private readonly rList: Int32Array;
  private nx = 0;
  private nr = 0;
  private x!: Float64Array;
  private r!: Float64Array;
  private out!: Float64Array;
  private nOut = 1;
  private leafOutput = -1;
  private scale = 1;

  constructor(
    private readonly t: TreeArrays & { readonly valueWidth: number },
    nFeatures: number,
    private readonly weights: ShapleyWeights,
  ) {
    this.side = new Uint8Array(nFeatures);
    this.xList = new Int32Array(nFeatures);
    this.rList = new Int32Array(nFeatures);
  }

  /** Add the tree at `root` for row x against reference r to out (features x nOut). */
  explain(
    root: number,
    x: Float64Array,
    r: Float64Array,
    out: Float64Array,
    nOut: number,
    leafOutput: number,
    scale: number,
  ): void {
    this.x = x;
    this.r = r;
    this.out = out;
    this.nOut = nOut;
    this.leafOutput = leafOutput;
    this.scale = scale;
    this.nx = 0;
    this.nr = 0;
    this.recurse(root);
  }

  private recurse(node: number): void {
    const t = this.t;
    if (t.left[node] < 0) {
      this.leaf(node);
      return;
    }
    const f = t.feature[node];
    const cx = childFor(t, node, this.x[f]);
    const cr = childFor(t, node, this.r[f]);
    if (cx === cr) {
      this.recurse(cx);
      return;
    }
    const s = this.side[f];
    if (s === 1) this.recurse(cx);
    else if (s === 2) this.recurse(cr);
    else {
      this.side[f] = 1;
      this.xList[this.nx++] = f;
      this.recurse(cx);
      this.nx--;
      this.side[f] = 2;
      this.rList[this.nr++] = f;
      this.recurse(cr);
      this.nr--;
      this.side[f] = 0;
    }
  }

  private leaf(node: number): void {
    const nx = this.nx;
    const nr = this.nr;
    const n = nx + nr;
    if (n === 0) return;
    const W = this.t.valueWidth;
    const pos = nx > 0 ? this.weights.get(nx - 1, n) * this.scale : 0;
    const neg = nr > 0 ? this.weights.get(nx, n) * this.scale : 0;
    const nOut = this.nOut;
    const lo = this.leafOutput;
    for (let k = 0; k < (lo >= 0 ? 1 : W); k++) {
      const v = lo >= 0 ? this.t.value[node] : this.t.value[node * W + k];
      const o = lo >= 0 ? lo : k;
      for (let i = 0; i < nx; i++) this.out[this.xList[i] * nOut + o] += pos * v;
      for (let i = 0; i < nr; i++) this.out[this.rList[i] * nOut + o] -= neg * v;
    }
  }
}

/** s! (n − s − 1)! / n! for 0 <= s < n <= maxN, from Pascal's triangle in float64. */
export class ShapleyWeights {
  private readonly table: Float64Array;

  constructor(private readonly maxN: number) {
    const m = maxN + 1;
    this.table = new Float64Array(m * m);
    // C(n - 1, s) row by row; the weight is 1 / (n · C(n − 1, s)).
    let row = new Float64Array([1]);
    for (let n = 1; n <= maxN; n++) {
      for (let s = 0; s < n; s++) this.table[n * m + s] = 1 / (n * row[s]);
      const next = new Float64Array(n + 1);
      next[0] = 1;
      next[n] = 1;
      for (let s = 1; s < n; s++) next[s] = row[s - 1] + row[s];
      row = next;
    }
  }

  get(s: number, n: number): number {
    return this.table[n * (this.maxN + 1) + s];
  }
}
