/**
 * One thread's share of a node's work: the histograms of a block of the node's features, and the
 * best split among them. Run by the main thread and by split-worker.ts on the same shared memory
 * (split-threads.ts), so both sides execute the same code.
 *
 * Why the result equals the single-threaded grower's bit for bit: each histogram slot is summed
 * from zero over the node's rows in row order, by exactly one thread, as buildHistogramRows does;
 * subtraction is per slot; and the split search of a block is findBestSplit over the block's
 * features in their order. findBestSplit keeps the first feature (in list order) whose gain is
 * strictly larger than every earlier one, so taking each block's winner in block order with the
 * same strict comparison (mergeCandidate) picks the same feature, bin and sums.
 */
import { buildHistogramCodesBlock, buildHistogramRowsBlock } from './histogram';
import { buildHistogramBlocks, subtractHistogramWasm } from './histogram-wasm';
import type { HistogramKernels } from './histogram-wasm';
import type { SplitScan } from './split-scan-wasm';
import { countPartition } from './partition-wasm';
import type { PartitionKernels } from './partition-wasm';
import { CAT_WORDS, findBestSplit, SplitCandidate, SplitScratch } from './splitting';
import type { BinLayout, SplitParams } from './splitting';
import { computeGradients, OBJECTIVES } from './losses';

/** Int32 fields of a task. */
export const T_KIND = 0; // 1: build + evaluate one node; 2: build small child, subtract, evaluate both
/** The node's feature count (the first T_NF of the shared features); block b of B is [b nf / B, (b + 1) nf / B). */
export const T_NF = 1;
export const T_BLOCKS = 2;
export const T_CONTIGUOUS = 3;
export const T_START = 4;
export const T_END = 5;
export const T_SLOT = 6;
export const T_PARENT = 7;
export const T_EVAL_A = 8;
export const T_EVAL_B = 9;
export const T_IDX = 10;
export const T_GRAD = 11;
export const T_GRAD_OFF = 12;
export const T_HESS = 13;
export const T_HESS_OFF = 14;
/** Partition tasks (kinds 4 and 5): the split's feature, its bin threshold, its missing bin, 1 when missing goes left. */
export const T_PART_FEATURE = 15;
export const T_PART_BIN = 16;
export const T_PART_MISSING = 17;
export const T_PART_MISS_LEFT = 18;
/** Gradient tasks (kind 6): the objective's index in OBJECTIVES, outputs K, buffer ids of y, w (-1: none), raw. */
export const T_OBJ = 20;
export const T_K = 21;
export const T_Y = 22;
export const T_W = 23;
export const T_RAW = 24;
/** The row index's offset in its buffer (in rows). */
export const T_IDX_OFF = 25;
/** 1 when idx, grad and hess are views of the fit's WebAssembly memory (BlockContext.wasm): its kernels then run. */
export const T_WASM = 26;
export const TASK_INTS = 28;
/** Kind 4: each row chunk of a node splits its rows into its own range of the shared scratch. */
export const KIND_PARTITION = 4;
/** Kind 5: each chunk copies its left and right rows to their places in the row index. */
export const KIND_SCATTER = 5;
/** Kind 6: each row chunk [T_START, T_END) computes its rows' gradients and hessians (losses.ts). */
export const KIND_GRADIENTS = 6;
/**
 * Kind 7: each block adds a run of the last tree's leaf values to the training scores (T_RAW,
 * stride T_K, channel T_LEAF_CHANNEL) of the rows each leaf owns in the row index; the leaves and
 * the blocks' runs are in the out array (LEAF_BLOCKS, LEAF_LIST).
 */
export const KIND_LEAF_VALUES = 7;
export const T_LEAF_CHANNEL = 19;
/** Where a leaf-values task's blocks start in the leaf list (B + 1 entries), and the list: start, end, value per leaf. */
export const LEAF_BLOCKS = 0;
export const LEAF_LIST = 72;
/** Where partition tasks keep per-chunk numbers in the out array: left counts, left and right destinations. */
export const PART_LEFT = 0;
export const PART_LEFT_AT = 64;
export const PART_RIGHT_AT = 128;
/** Float64 fields of a task: node A's (the built one's) G, H, C, then node B's. */
export const TASK_FLOATS = 6;
/** A candidate: feature (-1: none), gain, bin, defaultLeft, categorical, leftG, leftH, leftC, catBits. */
export const CAND_FLOATS = 8 + CAT_WORDS;

/** What every thread of a fit shares (views of shared memory, or plain copies of small arrays). */
export interface BlockContext {
  gidx: Uint16Array | Uint32Array;
  cols: number;
  layout: BinLayout;
  params: SplitParams;
  countFree: boolean;
  /** Histogram stride: 2 (count-free) or 3. */
  S: number;
  /** The shared histogram slots. */
  slots: Float64Array[];
  /**
   * Each feature block's own row-major bin codes (block b of the columns, as tasks cut all
   * features; one byte per bin, the slot is offsets[f] + code): a thread then streams only its
   * block's bytes of each row, not every row's cache lines.
   */
  blockGidx: Uint8Array[];
  /** The node's features (shared; written by the main thread before a task). */
  features: Int32Array;
  cand: SplitCandidate;
  scratch: SplitScratch;
  g1: Float64Array;
  /** Column-major bins (bin of row r, feature f at f * rows + r), shared: for row partitions. */
  bins: Uint8Array;
  rows: number;
  /** Shared scratch of one row index (partition tasks). */
  tmp: Uint32Array;
  /**
   * Set when the fit's arrays live in one shared WebAssembly memory (histogram-wasm.ts): its
   * kernels in this thread (null if they could not be instantiated here: the same sums in
   * JavaScript), the feature offsets in that memory, the kernels' scratch of each block (a
   * block runs on one thread at a time) and each block's split scan (split-scan-wasm.ts; null: the
   * JavaScript scans). Then slots, blockGidx (the column blocks' codes) and features are views of
   * it too, and gidx is unused.
   */
  wasm: {
    kernels: HistogramKernels | null;
    offsets: Int32Array;
    scratch: Uint8Array[];
    scan: (SplitScan | null)[];
    /**
     * The row partition's kernels in this thread (partition-wasm.ts; null: partitions in
     * JavaScript, the same rows) and the address of their swizzle tables. With kernels, bins and
     * tmp are views of the memory too.
     */
    partition: PartitionKernels | null;
    table: number;
  } | null;
}

export function blockContext(
  gidx: Uint16Array | Uint32Array,
  cols: number,
  layout: BinLayout,
  params: SplitParams,
  countFree: boolean,
  slots: Float64Array[],
  features: Int32Array,
  blockGidx: Uint8Array[],
  bins: Uint8Array,
  tmp: Uint32Array,
  wasm: BlockContext['wasm'] = null,
): BlockContext {
  return {
    gidx,
    cols,
    layout,
    params,
    countFree,
    S: countFree ? 2 : 3,
    slots,
    features,
    blockGidx,
    cand: new SplitCandidate(1),
    scratch: new SplitScratch(1),
    g1: new Float64Array(1),
    bins,
    rows: tmp.length,
    tmp,
    wasm,
  };
}

/** Kind 6, rows chunk b: gradients and hessians of the rows [a, e) of the chunk, in place. */
export function runGradientBlock(
  ti: Int32Array,
  b: number,
  y: Float64Array,
  w: Float64Array | undefined,
  raw: Float64Array,
  grad: Float64Array,
  hess: Float64Array,
): void {
  const B = ti[T_BLOCKS];
  const a = chunkStart(ti[T_START], ti[T_END], b, B);
  const e = chunkStart(ti[T_START], ti[T_END], b + 1, B);
  computeGradients(OBJECTIVES[ti[T_OBJ]], y, w, raw, ti[T_K], grad, hess, a, e);
}

/**
 * Kind 7, block b: the leaves out[LEAF_BLOCKS + b] up to out[LEAF_BLOCKS + b + 1] of the list at
 * LEAF_LIST (start, end, value each): every row idx[i] of a leaf's range gets its value added, as
 * TreeGrower.addLeafValues does on one thread (leaves own disjoint rows: each score is written by
 * one block only, with the same sum).
 */
export function runLeafValuesBlock(
  ti: Int32Array,
  b: number,
  idx: Uint32Array,
  scores: Float64Array,
  out: Float64Array,
): void {
  const stride = ti[T_K];
  const k = ti[T_LEAF_CHANNEL];
  // Integers from here on (the list holds them as doubles): small-integer loops index fastest.
  const l1 = out[LEAF_BLOCKS + b + 1] | 0;
  for (let l = out[LEAF_BLOCKS + b] | 0; l < l1; l++) {
    const o = LEAF_LIST + 3 * l;
    const e = out[o + 1] | 0;
    const v = out[o + 2];
    if (stride === 1) for (let i = out[o] | 0; i < e; i++) scores[idx[i]] += v;
    else for (let i = out[o] | 0; i < e; i++) scores[idx[i] * stride + k] += v;
  }
}

/** Row chunk b of B of [start, end). */
export function chunkStart(start: number, end: number, b: number, B: number): number {
  return start + Math.floor((b * (end - start)) / B);
}

/**
 * Kind 4, chunk b of a node's rows idx[a, e): the same branch-free test as the one-thread
 * partition (TreeGrower.split), left rows written forward from tmp[a], right rows backward from
 * tmp[e - 1]; the chunk's left count goes to out[PART_LEFT + b]. Kind 5 then copies the chunk's
 * left rows to idx[out[PART_LEFT_AT + b]..] and its right rows, in row order, to
 * idx[out[PART_RIGHT_AT + b]..]: chunks in order, each in row order, is exactly the one-thread
 * order (left rows in order, then right rows in order).
 */
export function runPartitionBlock(
  ctx: BlockContext,
  ti: Int32Array,
  b: number,
  idx: Uint32Array,
  out: Float64Array,
): void {
  const B = ti[T_BLOCKS];
  const a = chunkStart(ti[T_START], ti[T_END], b, B);
  const e = chunkStart(ti[T_START], ti[T_END], b + 1, B);
  const tmp = ctx.tmp;
  // The same steps in WebAssembly when the task says idx is in the kernels' memory.
  const k = ti[T_WASM] === 1 && ctx.wasm ? ctx.wasm.partition : null;
  if (ti[T_KIND] === KIND_PARTITION) {
    const bins = ctx.bins;
    const off = ti[T_PART_FEATURE] * ctx.rows;
    const thr = ti[T_PART_BIN];
    const missing = ti[T_PART_MISSING];
    const missLeft = ti[T_PART_MISS_LEFT];
    countPartition(k !== null);
    if (k) {
      const at = idx.byteOffset;
      const table = ctx.wasm!.table;
      out[PART_LEFT + b] = k.chunk(
        bins.byteOffset + off,
        1,
        at + 4 * a,
        at + 4 * e,
        tmp.byteOffset + 4 * a,
        thr,
        missing,
        missLeft,
        table,
      );
      return;
    }
    let lw = a;
    let rw = e - 1;
    for (let i = a; i < e; i++) {
      const r = idx[i];
      const v = bins[off + r];
      const left = v === missing ? missLeft : +(v <= thr);
      tmp[lw] = r;
      tmp[rw] = r;
      lw += left;
      rw -= 1 - left;
    }
    out[PART_LEFT + b] = lw - a;
    return;
  }
  const nl = out[PART_LEFT + b];
  const la = out[PART_LEFT_AT + b];
  if (k) {
    k.scatter(
      tmp.byteOffset + 4 * a,
      nl,
      e - a - nl,
      idx.byteOffset + 4 * la,
      idx.byteOffset + 4 * out[PART_RIGHT_AT + b],
    );
    return;
  }
  for (let i = 0; i < nl; i++) idx[la + i] = tmp[a + i];
  const ra = out[PART_RIGHT_AT + b];
  const nr = e - a - nl;
  for (let i = 0; i < nr; i++) idx[ra + i] = tmp[e - 1 - i];
}

/**
 * Runs block b of the task; its candidates for node A and node B go to out[b * 2 * CAND_FLOATS..]
 * and the CAND_FLOATS after.
 */
export function runBlock(
  ctx: BlockContext,
  ti: Int32Array,
  tf: Float64Array,
  b: number,
  idx: Uint32Array,
  grad: Float64Array,
  hess: Float64Array,
  out: Float64Array,
): void {
  if (ti[T_KIND] >= KIND_PARTITION) {
    runPartitionBlock(ctx, ti, b, idx, out);
    return;
  }
  const to = 0;
  const fo = 0;
  const outOff = b * 2 * CAND_FLOATS;
  const kind = ti[T_KIND];
  const nf = ti[T_NF];
  const B = ti[T_BLOCKS];
  const fi0 = Math.floor((b * nf) / B);
  const fi1 = Math.floor(((b + 1) * nf) / B);
  const hist = ctx.slots[ti[to + T_SLOT]];
  const offsets = ctx.layout.offsets;
  const contiguous = ti[to + T_CONTIGUOUS] === 1;
  const own = contiguous && ctx.blockGidx.length === B;
  if (ctx.wasm)
    buildHistogramBlocks(
      ti[T_WASM] === 1 ? ctx.wasm.kernels : null,
      ctx.wasm.scratch[b],
      hist,
      ctx.S,
      ctx.wasm.offsets,
      ctx.features,
      fi0,
      fi1,
      ctx.blockGidx,
      ctx.cols,
      idx,
      ti[to + T_START],
      ti[to + T_END],
      grad,
      hess,
    );
  else if (own)
    buildHistogramCodesBlock(
      hist,
      ctx.S,
      offsets,
      fi0,
      fi1,
      ctx.blockGidx[b],
      idx,
      ti[to + T_START],
      ti[to + T_END],
      grad,
      hess,
    );
  else
    buildHistogramRowsBlock(
      hist,
      ctx.S,
      offsets,
      ctx.features,
      fi0,
      fi1,
      contiguous,
      ctx.gidx,
      ctx.cols,
      idx,
      ti[to + T_START],
      ti[to + T_END],
      grad,
      hess,
    );
  const block = ctx.features.subarray(fi0, fi1);
  const scan = ctx.wasm ? ctx.wasm.scan[b] : null;
  out[outOff] = -1;
  out[outOff + CAND_FLOATS] = -1;
  if (ti[to + T_EVAL_A] === 1) evaluateBlock(ctx, hist, block, tf[fo], tf[fo + 1], tf[fo + 2], out, outOff, scan);
  if (kind === 2) {
    const parent = ctx.slots[ti[to + T_PARENT]];
    subtractHistogramWasm(ctx.wasm ? ctx.wasm.kernels : null, parent, hist, offsets, ctx.features, fi0, fi1, ctx.S);
    if (ti[to + T_EVAL_B] === 1)
      evaluateBlock(ctx, parent, block, tf[fo + 3], tf[fo + 4], tf[fo + 5], out, outOff + CAND_FLOATS, scan);
  }
}

function evaluateBlock(
  ctx: BlockContext,
  hist: Float64Array,
  block: Int32Array,
  G: number,
  H: number,
  C: number,
  out: Float64Array,
  o: number,
  scan: SplitScan | null,
): void {
  const c = ctx.cand;
  ctx.g1[0] = G;
  findBestSplit(
    hist,
    ctx.layout,
    block,
    block.length,
    1,
    ctx.g1,
    0,
    H,
    C,
    ctx.params,
    c,
    ctx.scratch,
    ctx.countFree,
    scan,
  );
  out[o] = c.feature;
  if (c.feature < 0) return;
  out[o + 1] = c.gain;
  out[o + 2] = c.bin;
  out[o + 3] = c.defaultLeft;
  out[o + 4] = c.categorical;
  out[o + 5] = c.leftG[0];
  out[o + 6] = c.leftH;
  out[o + 7] = c.leftC;
  if (c.categorical) for (let w = 0; w < CAT_WORDS; w++) out[o + 8 + w] = c.catBits[w];
}

/**
 * Folds a block's candidate (out[o..]) into `into`, which holds the winner of the earlier blocks
 * (into.feature = -1 before the first): taken only when strictly better, as findBestSplit does.
 */
export function mergeCandidate(into: SplitCandidate, out: Float64Array, o: number): void {
  const f = out[o];
  if (f < 0) return;
  if (into.feature >= 0 && !(out[o + 1] > into.gain)) return;
  into.feature = f;
  into.gain = out[o + 1];
  into.bin = out[o + 2];
  into.defaultLeft = out[o + 3];
  into.categorical = out[o + 4];
  into.leftG[0] = out[o + 5];
  into.leftH = out[o + 6];
  into.leftC = out[o + 7];
  if (into.categorical) for (let w = 0; w < CAT_WORDS; w++) into.catBits[w] = out[o + 8 + w];
}
