import { CAT_WORDS, wasm, type TreeArrays } from '@campaign-ml/models';

const { Fn, Op, I32, F64, assembleModule, compileModule, instantiate } = wasm;
type Fn = InstanceType<typeof Fn>;

/**
 * LeafMaskShap's pass for one row (tree-shap-leaf-masks.ts) in WebAssembly: x's direction at every
 * split, then leaf by leaf the mask A, the groups it reaches, each group's sum of reference weights
 * and its credits. The JavaScript pass spends its time on typed-array reads (a dozen arrays per
 * group) and on the groups a leaf cannot reach; here the tables are packed records in one memory,
 * and a leaf with few path features (every leaf of a depth-5 tree) looks up the groups it reaches
 * in a table by x's deviations D = full & ~A: group i of the leaf is reached iff its mask covers D,
 * so bit i of the table's word for D says so. Only reached groups are visited, in their order.
 *
 * Same arithmetic in the same order, so the same values bit for bit: a group's weight sum starts
 * at 0 and adds its references in the table's order, is scaled, and multiplies the Shapley weight
 * read from the same table; every output cell receives the same credits (pos · v added, neg · v
 * subtracted) from the same (leaf, group) pairs in the same order. (The cells a group credits are
 * distinct features, so the order within a group does not matter.)
 *
 * Linear memory, one per LeafMaskShap and output width (byte addresses, 16-aligned):
 *   wt      Shapley weights, f64 (n, s) at (n · M + s) · 8, M = most path features + 1
 *   refW    f64 per reference: the row's reference weights, and a +0 (the padding's)
 *   row     f64 per feature
 *   out     f64 features x nOut: the row's values
 *   cats    the trees' category bitsets (u32 words)
 *   splits  16 bytes per split node: threshold, feature's byte offset in row, flags (default left
 *           in bit 0, else the address of the split's bitset or 0 when the split is numeric)
 *   xLeft   u8 per split: 1 when x goes left
 *   leaves  32 bytes per leaf, and one more holding the ends: addresses of its conditions,
 *           features and groups and of its reach table (0: scan every group), full mask, words
 *           per row of the reach table, address of its values, byte offset of its output column
 *   values  f64 x width per leaf
 *   conds   i32 per path split: split index << 6 | way (1 left) << 5 | the feature's bit
 *   feats   i32 per path feature: its byte offset in out (feature · nOut · 8)
 *   groups  8 bytes per group, and one more: mask, address of its first reference
 *   refs    u16 per (group, reference): the reference's index (half the bytes of an address: the
 *           sums read 80k of them a row on a 500-tree model), each group's padded to a multiple
 *           of PAD with the +0's index
 *   reach   per tabled leaf: 2^(path features) rows of ⌈groups / 32⌉ words
 */

const LEAF_BYTES = 32;
const L_COND = 0;
const L_FEAT = 4;
const L_GROUP = 8;
const L_REACH = 12;
const L_FULL = 16;
const L_WORDS = 20;
const L_VALUE = 24;
const L_COLUMN = 28;

const GROUP_BYTES = 8;
const G_MASK = 0;
const G_REFS = 4;

const SPLIT_BYTES = 16;
const S_THRESHOLD = 0;
const S_FEATURE = 8;
const S_FLAGS = 12;

/**
 * Path features up to which a leaf gets a reach table, if it has at most 4 rows per group + 32
 * (every leaf of up to 5 path features); other leaves scan their groups. So the tables take at
 * most 128 bytes per leaf and 16 per group for each word of a row (a word per 32 groups).
 */
const MAX_TABLED_FEATURES = 7;
/**
 * Each group's references are padded to a multiple of this with a reference of weight +0, and
 * summed this many at a time: most groups hold at most 4 (on a 500-tree model, 14k of the 19k a
 * row reaches), and a loop of one round is predicted where a loop of 1 to 4 rounds ends with a
 * mispredicted branch (~15% of the whole pass). Adding +0 changes no sum: a sum that starts at +0
 * is never −0 (x + y is −0 only when both are), and s + 0 = s for every other s.
 */
const PAD = 4;

/** Category codes a split's bitset covers: codes from here up, and below 0, go right (childFor's rule). */
const CAT_LIMIT = CAT_WORDS * 32;

/**
 * run(splits, nSplits, row, xLeft, leaves, nLeaves, wt, wtRow, width, out, scale, refW): x's
 * directions, then every leaf's credits into out. `wt` is the weight table's address less 8 (the weight of
 * (n, s − 1) is read at wt + n · wtRow + s · 8, the one of (n, s) 8 bytes on).
 */
function runFn(): Fn {
  const f = new Fn([I32, I32, I32, I32, I32, I32, I32, I32, I32, I32, F64, I32]);
  const [splits, nSplits, row, xLeft, leaves, nLeaves, wt, wtRow, width, out, scale, refW] = [
    0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11,
  ];
  const p = f.localI32();
  const q = f.localI32();
  const end = f.localI32();
  const flags = f.localI32();
  const dir = f.localI32();
  const xi = f.localI32();
  const leaf = f.localI32();
  const c = f.localI32();
  const v = f.localI32();
  const full = f.localI32();
  const A = f.localI32();
  const g = f.localI32();
  const m = f.localI32();
  const xs = f.localI32();
  const rs = f.localI32();
  const nx = f.localI32();
  const k = f.localI32();
  const bits = f.localI32();
  const base = f.localI32();
  const t = f.localI32();
  const at = f.localI32();
  const col = f.localI32();
  const fs = f.localI32();
  const x = f.localF64();
  const s = f.localF64();
  const pos = f.localF64();
  const neg = f.localF64();
  const val = f.localF64();
  const pv = f.localF64();
  const leafValue = f.localI32();
  const leafCol = f.localI32();

  // x's direction at every split (childFor's rule: NaN by the default, numbers by the threshold or
  // the bitset).
  f.get(splits).set(p);
  f.get(xLeft).tee(q).get(nSplits).op(Op.I32Add).set(end);
  f.whileNot(
    () => f.get(q).get(end).op(Op.I32GeU),
    () => {
      f.get(row).get(p).mem(Op.I32Load, 2, S_FEATURE).op(Op.I32Add).mem(Op.F64Load, 3).set(x);
      f.get(p).mem(Op.I32Load, 2, S_FLAGS).set(flags);
      f.ifElse(
        () => f.get(x).get(x).op(Op.F64Ne),
        () => f.get(flags).i32(1).op(Op.I32And).set(dir),
        () =>
          f.ifElse(
            () => f.get(flags).i32(2).op(Op.I32LtU),
            () => f.get(x).get(p).mem(Op.F64Load, 3, S_THRESHOLD).op(Op.F64Le).set(dir),
            () => {
              f.i32(0).set(dir);
              f.when(
                () => f.get(x).f64(0).op(Op.F64Ge).get(x).f64(CAT_LIMIT).op(Op.F64Lt, Op.I32And),
                () => {
                  f.get(x).op(Op.I32TruncF64S).set(xi);
                  f.get(flags).i32(-2).op(Op.I32And).get(xi).i32(5).op(Op.I32ShrU).i32(2).op(Op.I32Shl, Op.I32Add);
                  f.mem(Op.I32Load, 2).get(xi).op(Op.I32ShrU).i32(1).op(Op.I32And).set(dir);
                },
              );
            },
          ),
      );
      f.get(q).get(dir).mem(Op.I32Store8, 0);
      f.inc(p, SPLIT_BYTES);
      f.inc(q);
    },
  );

  /** Group g (address) of this leaf, reached: its weight sum, its Shapley weights, its credits. */
  const group = (): void => {
    f.get(g).mem(Op.I32Load, 2, G_MASK).set(m);
    f.get(A).get(m).i32(-1).op(Op.I32Xor, Op.I32And).set(xs);
    f.get(m).get(A).i32(-1).op(Op.I32Xor, Op.I32And).set(rs);
    f.get(xs).op(Op.I32Popcnt).set(nx);
    // s = 0, plus each reference's weight in the table's order (a group has at least one), PAD
    // at a time (the padding adds +0).
    f.f64(0).set(s);
    f.get(g).mem(Op.I32Load, 2, G_REFS).set(k);
    f.get(g)
      .mem(Op.I32Load, 2, GROUP_BYTES + G_REFS)
      .set(end);
    f.doWhile(
      () => {
        for (let j = 0; j < PAD; j++) {
          f.get(s)
            .get(refW)
            .get(k)
            .mem(Op.I32Load16U, 1, 2 * j)
            .i32(3)
            .op(Op.I32Shl, Op.I32Add)
            .mem(Op.F64Load, 3);
          f.op(Op.F64Add).set(s);
        }
        f.inc(k, 2 * PAD);
      },
      () => f.get(k).get(end).op(Op.I32LtU),
    );
    f.get(s).get(scale).op(Op.F64Mul).set(s);
    // The weights of (n, nx − 1) and (n, nx); one of them unused where nx or nr is 0.
    f.get(wt).get(nx).get(rs).op(Op.I32Popcnt, Op.I32Add).get(wtRow).op(Op.I32Mul, Op.I32Add);
    f.get(nx).i32(3).op(Op.I32Shl, Op.I32Add).set(at);
    f.get(at).mem(Op.F64Load, 3).get(s).op(Op.F64Mul).set(pos);
    f.get(at).mem(Op.F64Load, 3, 8).get(s).op(Op.F64Mul).set(neg);
    f.get(leafValue).set(p);
    f.get(leafCol).set(col);
    const credit = (mask: number, op: number, w: number): void => {
      f.get(mask).set(bits);
      f.whileNot(
        () => f.get(bits).op(Op.I32Eqz),
        () => {
          f.get(col).get(fs).get(bits).op(Op.I32Ctz).i32(2).op(Op.I32Shl, Op.I32Add);
          f.mem(Op.I32Load, 2).op(Op.I32Add).tee(at);
          f.get(at).mem(Op.F64Load, 3).get(w).op(op).mem(Op.F64Store, 3);
          f.get(bits).get(bits).i32(1).op(Op.I32Sub, Op.I32And).set(bits);
        },
      );
    };
    f.doWhile(
      () => {
        f.get(p).mem(Op.F64Load, 3).set(val);
        f.get(pos).get(val).op(Op.F64Mul).set(pv);
        credit(xs, Op.F64Add, pv);
        f.get(neg).get(val).op(Op.F64Mul).set(pv);
        credit(rs, Op.F64Sub, pv);
        f.inc(p, 8);
        f.inc(col, 8);
      },
      () => f.get(p).get(q).op(Op.I32LtU),
    );
  };

  f.get(leaves).set(leaf);
  f.get(leaves).get(nLeaves).i32(LEAF_BYTES).op(Op.I32Mul, Op.I32Add).set(xi);
  f.whileNot(
    () => f.get(leaf).get(xi).op(Op.I32GeU),
    () => {
      // A: the path features x satisfies (a bit cleared where x goes the other way).
      f.get(leaf).mem(Op.I32Load, 2, L_FULL).tee(full).set(A);
      f.get(leaf).mem(Op.I32Load, 2, L_VALUE).tee(leafValue).get(width).i32(3).op(Op.I32Shl, Op.I32Add).set(q);
      f.get(out).get(leaf).mem(Op.I32Load, 2, L_COLUMN).op(Op.I32Add).set(leafCol);
      f.get(leaf).mem(Op.I32Load, 2, L_FEAT).set(fs);
      f.get(leaf).mem(Op.I32Load, 2, L_COND).set(c);
      f.get(leaf)
        .mem(Op.I32Load, 2, LEAF_BYTES + L_COND)
        .set(end);
      f.whileNot(
        () => f.get(c).get(end).op(Op.I32GeU),
        () => {
          f.get(c).mem(Op.I32Load, 2).set(v);
          f.get(A);
          f.get(xLeft).get(v).i32(6).op(Op.I32ShrU, Op.I32Add).mem(Op.I32Load8U, 0);
          f.get(v).i32(5).op(Op.I32ShrU, Op.I32Xor).i32(1).op(Op.I32And).get(v).op(Op.I32Shl);
          f.i32(-1).op(Op.I32Xor, Op.I32And).set(A);
          f.inc(c, 4);
        },
      );
      f.get(leaf).mem(Op.I32Load, 2, L_GROUP).set(base);
      f.ifElse(
        () => f.get(leaf).mem(Op.I32Load, 2, L_REACH),
        () => {
          // The reach table's row for D = full ^ A, a word per 32 groups.
          f.get(leaf).mem(Op.I32Load, 2, L_WORDS).set(v);
          f.get(leaf).mem(Op.I32Load, 2, L_REACH).get(full).get(A).op(Op.I32Xor).get(v).op(Op.I32Mul);
          f.i32(2).op(Op.I32Shl, Op.I32Add).tee(t).get(v).i32(2).op(Op.I32Shl, Op.I32Add).set(c);
          f.doWhile(
            () => {
              f.get(t).mem(Op.I32Load, 2).set(dir);
              f.whileNot(
                () => f.get(dir).op(Op.I32Eqz),
                () => {
                  f.get(base).get(dir).op(Op.I32Ctz).i32(3).op(Op.I32Shl, Op.I32Add).set(g);
                  group();
                  f.get(dir).get(dir).i32(1).op(Op.I32Sub, Op.I32And).set(dir);
                },
              );
              f.inc(base, 32 * GROUP_BYTES);
              f.inc(t, 4);
            },
            () => f.get(t).get(c).op(Op.I32LtU),
          );
        },
        () => {
          // Every group: reached iff its mask and A cover the path, and not both whole (n = 0).
          f.get(base).set(g);
          f.get(leaf)
            .mem(Op.I32Load, 2, LEAF_BYTES + L_GROUP)
            .set(t);
          f.whileNot(
            () => f.get(g).get(t).op(Op.I32GeU),
            () => {
              f.get(g).mem(Op.I32Load, 2, G_MASK).set(m);
              f.when(() => {
                f.get(A).get(m).op(Op.I32Or).get(full).op(Op.I32Eq);
                f.get(A).get(m).op(Op.I32And).get(full).op(Op.I32Ne, Op.I32And);
              }, group);
              f.inc(g, GROUP_BYTES);
            },
          );
        },
      );
      f.inc(leaf, LEAF_BYTES);
    },
  );
  return f;
}

const MEMORY = ['env', 'mem'] as const;

/** Compiled once (one module serves every model); null where WebAssembly is missing. */
let compiled: wasm.CompiledModule | null | undefined;

function leafMaskModule(): wasm.CompiledModule | null {
  if (compiled === undefined) compiled = compileModule(() => assembleModule(MEMORY, { run: runFn() }));
  return compiled;
}

/** LeafMaskShap's tables (see there), as the kernel reads them. */
export interface LeafMaskTables {
  readonly tree: TreeArrays & { readonly valueWidth: number; readonly treeOutput: Int32Array };
  readonly leafNode: Int32Array;
  readonly leafTree: Int32Array;
  readonly featStart: Int32Array;
  readonly feats: Int32Array;
  readonly condStart: Int32Array;
  readonly condNode: Int32Array;
  readonly condLeft: Uint8Array;
  readonly condBit: Int32Array;
  readonly groupStart: Int32Array;
  readonly groupMask: Int32Array;
  readonly refStart: Int32Array;
  readonly refs: Int32Array;
  /** The references (background rows). */
  readonly nRefs: number;
  /** The Shapley weight of s features on a side out of n on the path. */
  weight(s: number, n: number): number;
}

/** The tables in WebAssembly memory, for rows whose values go nOut to a feature. */
export interface LeafMaskKernel {
  /**
   * LeafMaskShap.explain in WebAssembly; false (nothing done) when the call does not fit what the
   * kernel was built for (a row or weights too short, out too short, another nOut).
   */
  explain(
    x: Float64Array,
    refWeight: Float64Array,
    out: Float64Array,
    offset: number,
    nOut: number,
    scale: number,
  ): boolean;
}

/**
 * The kernel, or null where WebAssembly is missing, past 65,535 references (their indexes, and the padding's, are u16)
 * or where a leaf writes past nOut columns: the caller keeps the JavaScript pass.
 */
export function createLeafMaskKernel(tb: LeafMaskTables, nOut: number): LeafMaskKernel | null {
  const mod = leafMaskModule();
  if (!mod) return null;
  const e = tb.tree;
  const W = e.valueWidth;
  const nNodes = e.left.length;
  const nLeaves = tb.leafNode.length;
  const nGroups = tb.groupMask.length;
  const R = tb.nRefs;
  if (R > 65535) return null;
  // The output columns a leaf writes must be within the row's nOut.
  let maxColumn = W - 1;
  if (W === 1) for (let L = 0; L < nLeaves; L++) maxColumn = Math.max(maxColumn, e.treeOutput[tb.leafTree[L]]);
  if (maxColumn >= nOut) return null;
  const splitOf = new Int32Array(nNodes).fill(-1);
  let nSplits = 0;
  let nFeatures = 1;
  for (let i = 0; i < nNodes; i++) {
    if (e.left[i] < 0) continue;
    splitOf[i] = nSplits++;
    nFeatures = Math.max(nFeatures, e.feature[i] + 1);
  }
  let maxPath = 0;
  for (let L = 0; L < nLeaves; L++) maxPath = Math.max(maxPath, tb.featStart[L + 1] - tb.featStart[L]);
  let outFeatures = 1;
  for (const ft of tb.feats) outFeatures = Math.max(outFeatures, ft + 1);
  const outLen = outFeatures * nOut;
  // Reach tables: 2^nf rows of words, where small enough next to the leaf's groups.
  const reachWords = new Int32Array(nLeaves);
  let reachTotal = 0;
  for (let L = 0; L < nLeaves; L++) {
    const nf = tb.featStart[L + 1] - tb.featStart[L];
    const groups = tb.groupStart[L + 1] - tb.groupStart[L];
    const words = Math.ceil(groups / 32);
    if (nf <= MAX_TABLED_FEATURES && 1 << nf <= 4 * groups + 32) {
      reachWords[L] = words;
      reachTotal += (1 << nf) * words;
    }
  }

  let end = 64;
  const take = (bytes: number): number => {
    const here = end;
    end = Math.ceil((end + bytes) / 16) * 16;
    return here;
  };
  const M = maxPath + 1;
  const wtAt = take(M * M * 8);
  const refWAt = take((R + 1) * 8);
  const rowAt = take(nFeatures * 8);
  const outAt = take(outLen * 8);
  const catsAt = take(e.catBits.length * 4);
  const splitsAt = take(nSplits * SPLIT_BYTES);
  const xLeftAt = take(nSplits);
  const leavesAt = take((nLeaves + 1) * LEAF_BYTES);
  const valuesAt = take(nLeaves * W * 8);
  const condsAt = take(tb.condNode.length * 4);
  const featsAt = take(tb.feats.length * 4);
  const groupsAt = take((nGroups + 1) * GROUP_BYTES);
  const padStart = new Int32Array(nGroups + 1);
  for (let gi = 0; gi < nGroups; gi++)
    padStart[gi + 1] = padStart[gi] + Math.ceil((tb.refStart[gi + 1] - tb.refStart[gi]) / PAD) * PAD;
  const refsAt = take(padStart[nGroups] * 2);
  const reachAt = take(reachTotal * 4);
  let instance: ReturnType<typeof instantiate>;
  try {
    instance = instantiate(mod, MEMORY, end);
  } catch {
    return null;
  }
  const buf = instance.memory.buffer;
  const run = instance.exports.run as (...args: number[]) => void;

  const wt = new Float64Array(buf, wtAt, M * M);
  for (let n = 1; n <= maxPath; n++) for (let s = 0; s < n; s++) wt[n * M + s] = tb.weight(s, n);
  new Uint32Array(buf, catsAt, e.catBits.length).set(e.catBits);
  const splitInts = new Int32Array(buf, splitsAt, nSplits * (SPLIT_BYTES / 4));
  const splitFloats = new Float64Array(buf, splitsAt, nSplits * (SPLIT_BYTES / 8));
  for (let i = 0; i < nNodes; i++) {
    const sp = splitOf[i];
    if (sp < 0) continue;
    splitFloats[sp * 2] = e.threshold[i];
    splitInts[sp * 4 + 2] = e.feature[i] * 8;
    splitInts[sp * 4 + 3] = (e.catOffset[i] >= 0 ? catsAt + 4 * e.catOffset[i] : 0) | (e.defaultLeft[i] ? 1 : 0);
  }
  const leafInts = new Int32Array(buf, leavesAt, (nLeaves + 1) * (LEAF_BYTES / 4));
  const values = new Float64Array(buf, valuesAt, nLeaves * W);
  const reach = new Uint32Array(buf, reachAt, reachTotal);
  let reachNext = 0;
  for (let L = 0; L <= nLeaves; L++) {
    const o = L * (LEAF_BYTES / 4);
    leafInts[o + L_COND / 4] = condsAt + 4 * tb.condStart[L];
    leafInts[o + L_FEAT / 4] = featsAt + 4 * tb.featStart[L];
    leafInts[o + L_GROUP / 4] = groupsAt + GROUP_BYTES * tb.groupStart[L];
    if (L === nLeaves) break;
    const nf = tb.featStart[L + 1] - tb.featStart[L];
    const full = (1 << nf) - 1;
    leafInts[o + L_FULL / 4] = full;
    leafInts[o + L_VALUE / 4] = valuesAt + 8 * W * L;
    leafInts[o + L_COLUMN / 4] = W === 1 ? 8 * e.treeOutput[tb.leafTree[L]] : 0;
    for (let w = 0; w < W; w++) values[L * W + w] = e.value[tb.leafNode[L] * W + w];
    const words = reachWords[L];
    if (words === 0) continue;
    leafInts[o + L_REACH / 4] = reachAt + 4 * reachNext;
    leafInts[o + L_WORDS / 4] = words;
    // Group i is reached by deviations D iff its mask covers D, except a whole mask where x
    // deviates nowhere (no feature on either side: n = 0).
    const g0 = tb.groupStart[L];
    const g1 = tb.groupStart[L + 1];
    for (let D = 0; D <= full; D++) {
      for (let gi = g0; gi < g1; gi++) {
        const m = tb.groupMask[gi];
        if ((m & D) !== D || (D === 0 && m === full)) continue;
        const i = gi - g0;
        reach[reachNext + D * words + (i >>> 5)] |= 1 << (i & 31);
      }
    }
    reachNext += (full + 1) * words;
  }
  const conds = new Int32Array(buf, condsAt, tb.condNode.length);
  for (let c = 0; c < conds.length; c++) {
    conds[c] = (splitOf[tb.condNode[c]] << 6) | (tb.condLeft[c] << 5) | tb.condBit[c];
  }
  new Int32Array(buf, featsAt, tb.feats.length).set(tb.feats.map((ft) => ft * nOut * 8));
  const groupInts = new Int32Array(buf, groupsAt, (nGroups + 1) * (GROUP_BYTES / 4));
  for (let gi = 0; gi <= nGroups; gi++) {
    if (gi < nGroups) groupInts[2 * gi + G_MASK / 4] = tb.groupMask[gi];
    groupInts[2 * gi + G_REFS / 4] = refsAt + 2 * padStart[gi];
  }
  const refIdx = new Uint16Array(buf, refsAt, padStart[nGroups]).fill(R);
  for (let gi = 0; gi < nGroups; gi++) refIdx.set(tb.refs.subarray(tb.refStart[gi], tb.refStart[gi + 1]), padStart[gi]);

  const rowView = new Float64Array(buf, rowAt, nFeatures);
  const refView = new Float64Array(buf, refWAt, R);
  const outView = new Float64Array(buf, outAt, outLen);
  return {
    explain(x, refWeight, out, offset, n, scale) {
      if (n !== nOut || x.length < nFeatures || refWeight.length < R || out.length < offset + outLen) return false;
      rowView.set(x.subarray(0, nFeatures));
      refView.set(refWeight.subarray(0, R));
      // The row's values so far go in and come back out: the sums are the JavaScript pass's own.
      outView.set(out.subarray(offset, offset + outLen));
      run(splitsAt, nSplits, rowAt, xLeftAt, leavesAt, nLeaves, wtAt - 8, M * 8, W, outAt, scale, refWAt);
      out.set(outView, offset);
      return true;
    },
  };
}
