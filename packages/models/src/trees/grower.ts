import type { Rng } from '@campaign-ml/core';
import type { BinMapper, BinnedData } from './binning';
import {
  buildHistogram,
  buildHistogramRows,
  buildHistogramRowsNoCount,
  rowMajorBinIndex,
  rowMajorBins,
} from './histogram';
import {
  arenaBytes,
  blockScratchBytes,
  buildHistogramBlocks,
  codeBlockBytes,
  codeBlocks,
  MAX_HISTOGRAM_BYTES,
  subtractHistogramWasm,
  WasmArena,
} from './histogram-wasm';
import { SCAN_OUT_DOUBLES, SplitScan } from './split-scan-wasm';
import { countPartition, partitionKernels, table, TABLE_BYTES, wasmPartitionOn } from './partition-wasm';
import type { PartitionKernels } from './partition-wasm';
import { minParallelRows, minParallelWork, SplitThreads } from './split-threads';
import type { ThreadsWasm } from './split-threads';
import { findBestSplitSparse, SparseScratch } from './sparse-split';
import { CAT_WORDS, DEFAULT_BY_COUNT, findBestSplit, SplitCandidate, SplitScratch } from './splitting';
import { softThreshold } from './split-gain';
import type { SplitParams } from './splitting';
import { computeGradients } from './losses';
import type { Objective } from './losses';
import type { GrowPolicy } from './tree-params';
import type { TreeArrays } from './tree-arrays';

/** A copy of a in shared memory (worker threads read it in place). */
function sharedCopy(a: Uint8Array): Uint8Array {
  const out = new Uint8Array(new SharedArrayBuffer(Math.max(1, a.length)));
  out.set(a);
  return out;
}

export interface GrowerConfig extends SplitParams {
  /** Gradient channels (1 for boosting; classes for multiclass forests). */
  K: number;
  maxDepth: number;
  maxLeaves: number;
  growPolicy: GrowPolicy;
  minSamplesSplit: number;
  /** Leaf values are multiplied by this (the learning rate). */
  shrinkage: number;
  /** Features drawn per split (random forests); 0 uses every tree feature and histogram subtraction. */
  featuresPerSplit: number;
  /**
   * Threads for histograms and split search (split-threads.ts); single-channel trees with dense
   * histograms only. Default 1. Any count grows the same tree.
   */
  threads?: number;
  /**
   * Lengths of the gradient and hessian arrays the fit takes from fitArrays() (with a row index of
   * every row). Given, single-channel dense trees build their histograms in WebAssembly from those
   * arrays in place (histogram-wasm.ts); not given, fitArrays() is unavailable and histograms are
   * built in JavaScript.
   */
  fitArrays?: { grad: number; hess: number };
}

/**
 * Grows one tree at a time on pre-binned data. Rows of a node are a range of one Uint32Array of
 * row indices, partitioned in place when the node splits. Histograms come from a pool: the smaller
 * child's is built, the larger child's is the parent's minus it. The grower keeps its buffers
 * between trees; it is a fit-time worker, never part of a fitted model.
 */
export class TreeGrower {
  private readonly S: number;
  private readonly countFree: boolean;
  private readonly pool: Float64Array[] = [];
  private readonly free: number[] = [];
  private og: Float64Array;
  private oh: Float64Array;
  private readonly cand: SplitCandidate;
  private readonly scratch: SplitScratch;
  private nodeFeatures: Int32Array;
  // Node arrays (capacity grows by doubling).
  private cap = 0;
  private n = 0;
  private start = new Int32Array(0);
  private end = new Int32Array(0);
  private depth = new Int32Array(0);
  private slot = new Int32Array(0);
  private G = new Float64Array(0);
  private H = new Float64Array(0);
  private C = new Float64Array(0);
  private feature = new Int32Array(0);
  private bin = new Int32Array(0);
  private threshold = new Float64Array(0);
  private left = new Int32Array(0);
  private right = new Int32Array(0);
  private defaultLeft = new Uint8Array(0);
  private catOffset = new Int32Array(0);
  private gain = new Float64Array(0);
  // The pending (best) split of each open node.
  private pFeature = new Int32Array(0);
  private pBin = new Int32Array(0);
  private pDl = new Uint8Array(0);
  private pCat = new Uint8Array(0);
  private pBits = new Uint32Array(0);
  private pGain = new Float64Array(0);
  private pLG = new Float64Array(0);
  private pLH = new Float64Array(0);
  private pLC = new Float64Array(0);
  private catPool = new Uint32Array(64);
  private catLen = 0;

  constructor(
    private readonly mapper: BinMapper,
    private readonly data: BinnedData,
    private readonly cfg: GrowerConfig,
  ) {
    // Count-free histograms ([g, h] per bin) when no split test needs row counts: one channel,
    // minSamplesLeaf <= 1 implied by minChildWeight > 0 (hessians are >= 0), no categorical
    // features, no missing values in training.
    this.countFree =
      cfg.K === 1 && cfg.minSamplesLeaf <= 1 && cfg.minChildWeight >= 1e-6 && !hasCategoricalOrMissing(mapper, data);
    this.S = this.countFree ? 2 : cfg.K + 2;
    // Gathered gradients for the multi-channel (column-major) histogram path only.
    this.og = new Float64Array(cfg.K === 1 ? 0 : data.rows * cfg.K);
    this.oh = new Float64Array(cfg.K === 1 ? 0 : data.rows);
    this.cand = new SplitCandidate(cfg.K);
    this.candB = new SplitCandidate(cfg.K);
    this.scratch = new SplitScratch(cfg.K);
    this.nodeFeatures = new Int32Array(data.cols);
    // Single-channel forests drawing features per split find splits without dense histograms
    // (findBestSplitSparse), from a row-major copy of the bins.
    const sparse = cfg.K === 1 && cfg.featuresPerSplit > 0 && cfg.featuresPerSplit < data.cols;
    this.sparse = sparse ? new SparseScratch(cfg.featuresPerSplit) : null;
    this.sparseBins = sparse ? rowMajorBins(data.bins, data.rows, data.cols) : new Uint8Array(0);
    // Other single-channel trees build histograms from row-major bins: in WebAssembly from the
    // column blocks' codes when the fit's arrays can live in its memory, else in JavaScript from a
    // row-major copy of the bins (see buildHistogramRows).
    const rowsPath = cfg.K === 1 && !sparse;
    const wantThreads =
      rowsPath &&
      (cfg.threads ?? 1) > 1 &&
      data.cols > 1 &&
      typeof SharedArrayBuffer === 'function' &&
      SplitThreads.available();
    // Slots for the histograms alive at once: the open nodes plus one being built.
    const slotSize = mapper.totalBins * this.S;
    const byShape = Math.min(cfg.maxLeaves, cfg.maxDepth < 30 ? 2 ** cfg.maxDepth : Infinity) + 2;
    const byMemory = Math.floor((256 * 2 ** 20) / (slotSize * 8));
    const nSlots = Math.max(2, Math.min(byShape, byMemory, 512));
    // One block of codes per thread (the threads' feature blocks); one thread builds every block.
    const T = wantThreads ? Math.min(cfg.threads!, data.cols) : 1;
    const fa = cfg.fitArrays;
    const histBytes = fa
      ? [
          ...codeBlockBytes(data.rows, data.cols, T),
          (data.cols + 1) * 4,
          data.cols * 4,
          data.cols * 4,
          nSlots * slotSize * 8,
          fa.grad * 8,
          fa.hess * 8,
          data.rows * 4,
          ...new Array<number>(T).fill(blockScratchBytes(data.cols, T)),
          ...new Array<number>(T).fill(SCAN_OUT_DOUBLES * 8),
        ]
      : [];
    // The row partition in WebAssembly (partition-wasm.ts) reads a column-major copy of the bins and
    // a scratch index in the same memory (with threads, instead of their own shared copies), when
    // the histograms' memory can hold them too.
    const partBytes = [data.rows * data.cols, (data.rows + 3) * 4, TABLE_BYTES];
    const wantPart =
      rowsPath &&
      fa !== undefined &&
      wasmPartitionOn() &&
      arenaBytes(...histBytes, ...partBytes) <= MAX_HISTOGRAM_BYTES;
    const arena =
      rowsPath && fa ? WasmArena.create(arenaBytes(...histBytes, ...(wantPart ? partBytes : [])), wantThreads) : null;
    let threadsWasm: ThreadsWasm | undefined;
    let threadBins: Uint8Array | null = null;
    let partTmp: Uint32Array | null = null;
    if (arena && wantPart) {
      const kernels = partitionKernels(arena.memory, arena.shared);
      if (kernels) {
        const bins = arena.u8(data.rows * data.cols);
        bins.set(data.bins);
        // Three spare rows past the last: the kernels store four lanes at a time.
        partTmp = arena.u32(data.rows + 3).subarray(0, data.rows);
        const tab = arena.u8(TABLE_BYTES);
        tab.set(table());
        this.part = { kernels, bins, table: tab.byteOffset };
        threadBins = bins;
      }
    }
    this.tmp = partTmp ?? new Uint32Array(data.rows);
    if (arena && fa) {
      const codes = codeBlocks(data.bins, data.rows, data.cols, T, (n) => arena.u8(n));
      const offsets = arena.i32(data.cols + 1);
      offsets.set(mapper.offsets);
      const nBins = arena.i32(data.cols);
      nBins.set(mapper.nBins);
      this.nodeFeatures = arena.i32(data.cols);
      const arenaSlots = arena.f64(nSlots * slotSize);
      for (let i = 0; i < nSlots; i++) this.slots.push(arenaSlots.subarray(i * slotSize, (i + 1) * slotSize));
      this.reserved = { grad: arena.f64(fa.grad), hess: arena.f64(fa.hess), idx: arena.u32(data.rows) };
      // The kernels' scratch, one per block: a block runs on one thread at a time.
      const scratch = Array.from({ length: T }, () => arena.u8(blockScratchBytes(data.cols, T)));
      // The split scan's results, one per block (the grower's own scans use the first).
      const scanOut = Array.from({ length: T }, () => arena.f64(SCAN_OUT_DOUBLES));
      this.wasm = { arena, codes, offsets, scratch };
      this.splitScan = SplitScan.create(arena.memory, arena.shared, scanOut[0], offsets, nBins);
      threadsWasm = { arena, slots: arenaSlots, codes, offsets, nBins, scratch, scanOut };
      if (this.part) threadsWasm.partition = { tmp: this.tmp, table: this.part.table };
    }
    this.gidx =
      rowsPath && !arena ? rowMajorBinIndex(data.bins, data.rows, data.cols, mapper.offsets, wantThreads) : null;
    if (wantThreads && (this.gidx || threadsWasm)) {
      const features = threadsWasm ? this.nodeFeatures : new Int32Array(new SharedArrayBuffer(data.cols * 4));
      this.threads = SplitThreads.open(
        cfg.threads!,
        this.gidx ?? new Uint16Array(0),
        data.cols,
        mapper,
        cfg,
        this.countFree,
        nSlots,
        slotSize,
        features,
        threadBins ?? sharedCopy(data.bins),
        threadsWasm,
      );
      if (this.threads) {
        this.nodeFeatures = features;
        if (!threadsWasm) this.slots.push(...this.threads.ctx.slots);
      }
    }
  }

  /**
   * The fit's WebAssembly memory (histogram-wasm.ts): its kernels, the column blocks' codes and
   * the feature offsets; the node features, the first histogram slots and fitArrays() live there.
   */
  private readonly wasm: { arena: WasmArena; codes: Uint8Array[]; offsets: Int32Array; scratch: Uint8Array[] } | null =
    null;
  /** The split scan kernels over the fit's WebAssembly memory (split-scan-wasm.ts), for its slots. */
  private readonly splitScan: SplitScan | null = null;
  /**
   * The row partition's kernels over the fit's WebAssembly memory, the column-major bins there
   * (bin of row r, feature f at f * rows + r) and the address of their swizzle tables; this.tmp is
   * then in that memory too. Null: the partition runs in JavaScript.
   */
  private readonly part: { kernels: PartitionKernels; bins: Uint8Array; table: number } | null = null;
  /** Histogram slots allocated up front (in the WebAssembly memory or shared with the threads). */
  private readonly slots: Float64Array[] = [];
  private reserved: { grad: Float64Array; hess: Float64Array; idx: Uint32Array } | null = null;

  /**
   * The gradient and hessian arrays (lengths cfg.fitArrays) and row index (every row) for grow():
   * in the WebAssembly memory when histograms are built there, else in shared memory when the
   * grower has threads, else plain. Once per grower.
   */
  fitArrays(): { grad: Float64Array; hess: Float64Array; idx: Uint32Array } {
    const fa = this.cfg.fitArrays;
    if (!fa) throw new Error('TreeGrower.fitArrays: the grower was configured without fitArrays');
    if (this.reserved) {
      const r = this.reserved;
      this.reserved = null;
      return r;
    }
    const shared = this.threads !== null;
    const f64 = (n: number): Float64Array =>
      shared ? new Float64Array(new SharedArrayBuffer(n * 8)) : new Float64Array(n);
    const rows = this.data.rows;
    return {
      grad: f64(fa.grad),
      hess: f64(fa.hess),
      idx: shared ? new Uint32Array(new SharedArrayBuffer(rows * 4)) : new Uint32Array(rows),
    };
  }

  /** Worker threads of this grower (null: everything on the main thread). */
  private readonly threads: SplitThreads | null = null;
  private readonly candB: SplitCandidate;

  /** True when nodes may be split on worker threads (then pass shared grad, hess and idx to grow). */
  get threaded(): boolean {
    return this.threads !== null;
  }

  /**
   * computeGradients, on the worker threads when there are enough rows and every array is in
   * shared memory (the same values either way: each row's depend on that row alone).
   */
  gradients(
    obj: Objective,
    y: Float64Array,
    w: Float64Array | undefined,
    raw: Float64Array,
    K: number,
    grad: Float64Array,
    hess: Float64Array,
  ): void {
    const t = this.threads;
    if (
      t &&
      t.usable() &&
      y.length >= minParallelRows() &&
      SplitThreads.sharable(y, w, raw) &&
      grad.buffer instanceof SharedArrayBuffer &&
      hess.buffer instanceof SharedArrayBuffer
    )
      t.gradients(obj, y, w, raw, K, grad, hess);
    else computeGradients(obj, y, w, raw, K, grad, hess);
  }

  /** Lets the worker threads drop this fit's shared memory; call when the fit is done. */
  close(): void {
    this.threads?.close();
  }

  /**
   * True when a node's histogram work should be split across the threads: the arrays are shared,
   * the slots are shared ones and the node is large enough to pay for the hand-off.
   */
  private parallel(
    idx: Uint32Array,
    grad: Float64Array,
    hess: Float64Array,
    rows: number,
    nf: number,
    ...slots: number[]
  ): boolean {
    const t = this.threads;
    if (!t || rows * nf < minParallelWork() || !t.canUse(idx, grad, hess)) return false;
    for (const s of slots) if (s >= t.nSlots) return false;
    return true;
  }

  private readonly sparse: SparseScratch | null;
  private readonly sparseBins: Uint8Array;

  private readonly gidx: Uint16Array | Uint32Array | null;

  /** Histogram of the node's rows for the first nf of this.nodeFeatures into slot s. */
  private build(
    s: number,
    nf: number,
    idx: Uint32Array,
    start: number,
    end: number,
    grad: Float64Array,
    hess: Float64Array,
  ): void {
    const d = this.data;
    const w = this.wasm;
    if (w) {
      // The kernels read only their memory: a slot past the first ones, or arrays not from
      // fitArrays(), take the same loops in JavaScript.
      const a = w.arena;
      const inMemory = s < this.slots.length && a.holds(idx) && a.holds(grad) && a.holds(hess);
      buildHistogramBlocks(
        inMemory ? a.kernels : null,
        w.scratch[0],
        this.pool[s],
        this.S,
        w.offsets,
        this.nodeFeatures,
        0,
        nf,
        w.codes,
        d.cols,
        idx,
        start,
        end,
        grad,
        hess,
      );
    } else if (this.gidx && this.countFree)
      buildHistogramRowsNoCount(
        this.pool[s],
        this.mapper.offsets,
        this.nodeFeatures,
        nf,
        this.gidx,
        d.cols,
        idx,
        start,
        end,
        grad,
        hess,
      );
    else if (this.gidx)
      buildHistogramRows(
        this.pool[s],
        this.mapper.offsets,
        this.nodeFeatures,
        nf,
        this.gidx,
        d.cols,
        idx,
        start,
        end,
        grad,
        hess,
      );
    else
      buildHistogram(
        this.pool[s],
        this.mapper.offsets,
        this.nodeFeatures,
        nf,
        d.bins,
        d.rows,
        idx,
        start,
        end,
        grad,
        hess,
        this.cfg.K,
        this.og,
        this.oh,
      );
  }

  /** Slot `parent` -= slot `child` over the first nf node features: the parent becomes the sibling. */
  private subtract(parent: number, child: number, nf: number): void {
    const w = this.wasm;
    const kernels = w && parent < this.slots.length && child < this.slots.length ? w.arena.kernels : null;
    subtractHistogramWasm(
      kernels,
      this.pool[parent],
      this.pool[child],
      this.mapper.offsets,
      this.nodeFeatures,
      0,
      nf,
      this.S,
    );
  }

  private readonly tmp: Uint32Array;

  /**
   * Grow a tree on rows idx[0, nIdx) (idx is reordered). grad is channel-major (grad[k * rows + r]),
   * hess per row. `features` are the columns this tree may use.
   */
  grow(
    grad: Float64Array,
    hess: Float64Array,
    idx: Uint32Array,
    nIdx: number,
    features: Int32Array,
    rng: Rng,
  ): TreeArrays {
    const cfg = this.cfg;
    const K = cfg.K;
    const rows = this.data.rows;
    this.n = 0;
    this.catLen = 0;
    this.ensureCapacity(64);
    const root = this.newNode(0, 0, nIdx);
    let h = 0;
    if (K === 1) {
      // One pass for both sums (each still adds its rows in idx order).
      let g = 0;
      for (let i = 0; i < nIdx; i++) {
        const r = idx[i];
        h += hess[r];
        g += grad[r];
      }
      this.G[root] = g;
    } else {
      for (let i = 0; i < nIdx; i++) h += hess[idx[i]];
      for (let k = 0; k < K; k++) {
        let g = 0;
        const off = k * rows;
        for (let i = 0; i < nIdx; i++) g += grad[off + idx[i]];
        this.G[root * K + k] = g;
      }
    }
    this.H[root] = h;
    this.C[root] = nIdx;
    this.setValue(root);

    const open: number[] = [];
    if (this.canSplit(root)) this.buildAndEvaluate(root, idx, grad, hess, features, rng, open);
    let leaves = 1;
    let head = 0;
    while (head < open.length && leaves < cfg.maxLeaves) {
      let pick = head;
      if (cfg.growPolicy === 'lossguide') {
        for (let i = head + 1; i < open.length; i++) if (this.pGain[open[i]] > this.pGain[open[pick]]) pick = i;
        const t = open[head];
        open[head] = open[pick];
        open[pick] = t;
      }
      const node = open[head++];
      this.split(node, idx, grad, hess, features, rng, open);
      leaves++;
    }
    // Nodes still open stay leaves.
    for (let i = head; i < open.length; i++) this.release(this.slot[open[i]]);
    return this.toArrays();
  }

  /**
   * Adds the last grown single-channel tree's leaf values to scores[r * stride + k] for the rows it
   * was grown on (idx[0, nIdx) as grow() left it): each leaf owns a range of idx, so no tree walk.
   */
  addLeafValues(idx: Uint32Array, scores: Float64Array, stride: number, k: number, nIdx = idx.length): void {
    const vals = this.valueBuf;
    const t = this.threads;
    if (
      t &&
      t.usable() &&
      nIdx >= minParallelRows() &&
      SplitThreads.sharable(scores) &&
      idx.buffer instanceof SharedArrayBuffer
    ) {
      // The same sums on the threads, leaves cut in runs of about equal rows.
      const leaves = this.leafList;
      let n = 0;
      for (let node = 0; node < this.n && 3 * n < leaves.length; node++) {
        if (this.left[node] >= 0) continue;
        leaves[3 * n] = this.start[node];
        leaves[3 * n + 1] = this.end[node];
        leaves[3 * n + 2] = vals[node];
        n++;
      }
      if (3 * n < leaves.length && t.leafValues(idx, scores, stride, k, leaves, n)) return;
    }
    for (let node = 0; node < this.n; node++) {
      if (this.left[node] >= 0) continue;
      const v = vals[node];
      const e = this.end[node];
      for (let i = this.start[node]; i < e; i++) scores[idx[i] * stride + k] += v;
    }
  }

  /** addLeafValues' list for the threads: start, end, value per leaf (a full list means too many leaves). */
  private readonly leafList = new Float64Array(3 * 512);

  private canSplit(node: number): boolean {
    const c = this.C[node];
    const cfg = this.cfg;
    return (
      this.depth[node] < cfg.maxDepth &&
      c >= cfg.minSamplesSplit &&
      c >= 2 * cfg.minSamplesLeaf &&
      this.H[node] >= 2 * cfg.minChildWeight
    );
  }

  /** Features for this node in this.nodeFeatures; returns how many. */
  private pickFeatures(features: Int32Array, rng: Rng): number {
    const nf = features.length;
    this.nodeFeatures.set(features);
    const m = this.cfg.featuresPerSplit;
    if (m <= 0 || m >= nf) return nf;
    const a = this.nodeFeatures;
    for (let i = 0; i < m; i++) {
      const j = i + rng.int(nf - i);
      const t = a[i];
      a[i] = a[j];
      a[j] = t;
    }
    return m;
  }

  /** Find the node's best split from histogram slot s; keeps the slot when the node can split. */
  private evaluate(node: number, s: number, nf: number): boolean {
    const K = this.cfg.K;
    const c = this.cand;
    findBestSplit(
      this.pool[s],
      this.mapper,
      this.nodeFeatures,
      nf,
      K,
      this.G,
      node * K,
      this.H[node],
      this.C[node],
      this.cfg,
      c,
      this.scratch,
      this.countFree,
      this.splitScan,
    );
    if (c.feature < 0) return false;
    this.setPending(node, s);
    return true;
  }

  /** Record this.cand as the node's pending split (histogram in slot s, or -1). */
  private setPending(node: number, s: number, c: SplitCandidate = this.cand): void {
    const K = this.cfg.K;
    this.slot[node] = s;
    this.pFeature[node] = c.feature;
    this.pBin[node] = c.bin;
    this.pDl[node] = c.defaultLeft;
    this.pCat[node] = c.categorical;
    this.pGain[node] = c.gain;
    if (c.categorical) this.pBits.set(c.catBits, node * CAT_WORDS);
    for (let k = 0; k < K; k++) this.pLG[node * K + k] = c.leftG[k];
    this.pLH[node] = c.leftH;
    this.pLC[node] = c.leftC;
  }

  private split(
    node: number,
    idx: Uint32Array,
    grad: Float64Array,
    hess: Float64Array,
    features: Int32Array,
    rng: Rng,
    open: number[],
  ): void {
    const cfg = this.cfg;
    const K = cfg.K;
    const rows = this.data.rows;
    const f = this.pFeature[node];
    const bins = this.data.bins;
    const off = f * rows;
    const missing = this.mapper.nBins[f];
    const dl = this.pDl[node];
    const isCat = this.pCat[node];
    const bitBase = node * CAT_WORDS;
    const pBits = this.pBits;
    const thr = this.pBin[node];
    // Stable partition: left rows stay in place (in order), right rows go through a buffer, so
    // rows keep ascending order and column reads stay local.
    const tmp = this.tmp;
    let w = this.start[node];
    let nr = 0;
    let placed = false;
    const e = this.end[node];
    if (!isCat && this.sparse) {
      // As below, reading the row-major copy: the children's split finding then finds each row's
      // bins in cache.
      const missLeft = dl === 1 ? 1 : 0;
      const rb = this.sparseBins;
      const cols = this.data.cols;
      for (let i = w; i < e; i++) {
        const r = idx[i];
        const b = rb[r * cols + f];
        const left = b === missing ? missLeft : +(b <= thr);
        idx[w] = r;
        tmp[nr] = r;
        w += left;
        nr += 1 - left;
      }
    } else if (!isCat && e - w >= minParallelRows() && this.threads?.canUse(idx, grad, hess)) {
      // The same partition, one row chunk per thread (SplitThreads.partition).
      w = this.threads.partition(idx, w, e, f, thr, missing, dl === 1 ? 1 : 0);
      placed = true;
    } else if (!isCat && this.part && idx.buffer === this.part.bins.buffer) {
      // The same partition in WebAssembly SIMD (partition-wasm.ts), the right rows copied back too.
      const p = this.part;
      const at = idx.byteOffset;
      const firstRight = p.kernels.part(
        p.bins.byteOffset + off,
        1,
        at + 4 * w,
        at + 4 * e,
        tmp.byteOffset,
        thr,
        missing,
        dl === 1 ? 1 : 0,
        p.table,
      );
      w = (firstRight - at) >>> 2;
      placed = true;
      countPartition(true);
    } else if (!isCat) {
      countPartition(false);
      // Branch-free: every row is written to both sides and only the chosen cursor advances
      // (the side taken is data-dependent, so a branch would mispredict about half the time).
      const missLeft = dl === 1 ? 1 : 0;
      for (let i = w; i < e; i++) {
        const r = idx[i];
        const b = bins[off + r];
        const left = b === missing ? missLeft : +(b <= thr);
        idx[w] = r;
        tmp[nr] = r;
        w += left;
        nr += 1 - left;
      }
    } else {
      for (let i = w; i < e; i++) {
        const r = idx[i];
        const b = bins[off + r];
        const goLeft = b === missing ? dl === 1 : ((pBits[bitBase + (b >>> 5)] >>> (b & 31)) & 1) === 1;
        if (goLeft) idx[w++] = r;
        else tmp[nr++] = r;
      }
    }
    // Small nodes copy in a loop (a subarray view per split costs more than the copy).
    if (placed) {
      // (partitioned by the threads or in WebAssembly: idx is final)
    } else if (nr < 64) for (let i = 0; i < nr; i++) idx[w + i] = tmp[i];
    else idx.set(tmp.subarray(0, nr), w);
    const mid = w;
    const d = this.depth[node] + 1;
    const L = this.newNode(d, this.start[node], mid);
    const R = this.newNode(d, mid, this.end[node]);
    for (let k = 0; k < K; k++) {
      this.G[L * K + k] = this.pLG[node * K + k];
      this.G[R * K + k] = this.G[node * K + k] - this.pLG[node * K + k];
    }
    this.H[L] = this.pLH[node];
    this.H[R] = this.H[node] - this.pLH[node];
    this.C[L] = mid - this.start[node];
    this.C[R] = this.end[node] - mid;
    // Count-free scans leave NaN's direction (unseen in training) to the larger child.
    const dlFinal = dl === DEFAULT_BY_COUNT ? (this.C[L] >= this.C[R] ? 1 : 0) : dl;
    this.setValue(L);
    this.setValue(R);
    // Record the split.
    this.feature[node] = f;
    this.left[node] = L;
    this.right[node] = R;
    this.defaultLeft[node] = dlFinal;
    this.gain[node] = this.pGain[node];
    if (isCat) {
      if (this.catLen + CAT_WORDS > this.catPool.length) {
        const grown = new Uint32Array(this.catPool.length * 2);
        grown.set(this.catPool);
        this.catPool = grown;
      }
      this.catPool.set(pBits.subarray(bitBase, bitBase + CAT_WORDS), this.catLen);
      this.catOffset[node] = this.catLen;
      this.catLen += CAT_WORDS;
      this.threshold[node] = NaN;
    } else {
      this.catOffset[node] = -1;
      const e = this.mapper.edges[f];
      this.threshold[node] = thr < e.length ? e[thr] : Infinity;
    }
    this.bin[node] = thr;

    const parentSlot = this.slot[node];
    const canL = this.canSplit(L);
    const canR = this.canSplit(R);
    if (this.sparse || (cfg.featuresPerSplit > 0 && cfg.featuresPerSplit < features.length)) {
      this.release(parentSlot);
      if (canL) this.buildAndEvaluate(L, idx, grad, hess, features, rng, open);
      if (canR) this.buildAndEvaluate(R, idx, grad, hess, features, rng, open);
      return;
    }
    if (!canL && !canR) {
      this.release(parentSlot);
      return;
    }
    const nf = features.length;
    this.nodeFeatures.set(features);
    const smallIsLeft = this.C[L] <= this.C[R];
    const small = smallIsLeft ? L : R;
    const large = smallIsLeft ? R : L;
    const s = this.acquire();
    const canSmall = smallIsLeft ? canL : canR;
    const canLarge = smallIsLeft ? canR : canL;
    if (this.parallel(idx, grad, hess, this.C[small], nf, s, parentSlot)) {
      const cA = this.cand;
      const cB = this.candB;
      this.threads!.run(
        2,
        nf,
        nf === this.data.cols,
        idx,
        this.start[small],
        this.end[small],
        grad,
        hess,
        s,
        parentSlot,
        canSmall,
        { G: this.G[small], H: this.H[small], C: this.C[small] },
        canLarge,
        { G: this.G[large], H: this.H[large], C: this.C[large] },
        cA,
        cB,
      );
      // The same order as below: left child first.
      if (smallIsLeft) {
        this.pendingOrRelease(small, s, canSmall, cA, open);
        this.pendingOrRelease(large, parentSlot, canLarge, cB, open);
      } else {
        this.pendingOrRelease(large, parentSlot, canLarge, cB, open);
        this.pendingOrRelease(small, s, canSmall, cA, open);
      }
      return;
    }
    this.build(s, nf, idx, this.start[small], this.end[small], grad, hess);
    this.subtract(parentSlot, s, nf);
    // Left child first, so depth-wise trees open nodes in a fixed order.
    if (smallIsLeft) {
      this.evaluateOrRelease(small, s, canSmall, nf, open);
      this.evaluateOrRelease(large, parentSlot, canLarge, nf, open);
    } else {
      this.evaluateOrRelease(large, parentSlot, canLarge, nf, open);
      this.evaluateOrRelease(small, s, canSmall, nf, open);
    }
  }

  /** As evaluateOrRelease, with the split already found (by the threads) in c. */
  private pendingOrRelease(node: number, s: number, can: boolean, c: SplitCandidate, open: number[]): void {
    if (can && c.feature >= 0) {
      this.setPending(node, s, c);
      open.push(node);
    } else this.release(s);
  }

  private evaluateOrRelease(node: number, s: number, can: boolean, nf: number, open: number[]): void {
    if (can && this.evaluate(node, s, nf)) open.push(node);
    else this.release(s);
  }

  private buildAndEvaluate(
    node: number,
    idx: Uint32Array,
    grad: Float64Array,
    hess: Float64Array,
    features: Int32Array,
    rng: Rng,
    open: number[],
  ): void {
    const nf = this.pickFeatures(features, rng);
    if (this.sparse) {
      const c = this.cand;
      const d = this.data;
      findBestSplitSparse(
        this.sparseBins,
        d.cols,
        idx,
        this.start[node],
        this.end[node],
        grad,
        hess,
        this.mapper,
        this.nodeFeatures,
        nf,
        this.G[node],
        this.H[node],
        this.C[node],
        this.cfg,
        c,
        this.scratch,
        this.sparse,
      );
      if (c.feature >= 0) {
        this.setPending(node, -1);
        open.push(node);
      }
      return;
    }
    const s = this.acquire();
    if (this.parallel(idx, grad, hess, this.C[node], nf, s)) {
      const none = { G: 0, H: 0, C: 0 };
      const node1 = { G: this.G[node], H: this.H[node], C: this.C[node] };
      const contiguous = nf === this.data.cols;
      this.threads!.run(
        1,
        nf,
        contiguous,
        idx,
        this.start[node],
        this.end[node],
        grad,
        hess,
        s,
        -1,
        true,
        node1,
        false,
        none,
        this.cand,
        this.candB,
      );
      this.pendingOrRelease(node, s, true, this.cand, open);
      return;
    }
    this.build(s, nf, idx, this.start[node], this.end[node], grad, hess);
    this.evaluateOrRelease(node, s, true, nf, open);
  }

  private setValue(node: number): void {
    const K = this.cfg.K;
    const den = this.H[node] + this.cfg.regLambda;
    for (let k = 0; k < K; k++) {
      const g = softThreshold(this.G[node * K + k], this.cfg.regAlpha);
      this.valueBuf[node * K + k] = den > 0 ? (-g / den) * this.cfg.shrinkage : 0;
    }
  }

  private valueBuf = new Float64Array(0);

  private newNode(depth: number, start: number, end: number): number {
    if (this.n >= this.cap) this.ensureCapacity(this.cap * 2);
    const id = this.n++;
    this.depth[id] = depth;
    this.start[id] = start;
    this.end[id] = end;
    this.feature[id] = -1;
    this.left[id] = -1;
    this.right[id] = -1;
    this.defaultLeft[id] = 0;
    this.catOffset[id] = -1;
    this.threshold[id] = NaN;
    this.gain[id] = 0;
    this.slot[id] = -1;
    return id;
  }

  private acquire(): number {
    const s = this.free.pop();
    if (s !== undefined) return s;
    const n = this.pool.length;
    this.pool.push(n < this.slots.length ? this.slots[n] : new Float64Array(this.mapper.totalBins * this.S));
    return this.pool.length - 1;
  }

  private release(s: number): void {
    if (s >= 0) this.free.push(s);
  }

  private ensureCapacity(cap: number): void {
    if (cap <= this.cap) return;
    const K = this.cfg.K;
    const grow = <T extends Int32Array | Float64Array | Uint8Array | Uint32Array>(a: T, width = 1): T => {
      const b = new (a.constructor as new (n: number) => T)(cap * width);
      b.set(a);
      return b;
    };
    this.start = grow(this.start);
    this.end = grow(this.end);
    this.depth = grow(this.depth);
    this.slot = grow(this.slot);
    this.G = grow(this.G, K);
    this.H = grow(this.H);
    this.C = grow(this.C);
    this.feature = grow(this.feature);
    this.bin = grow(this.bin);
    this.threshold = grow(this.threshold);
    this.left = grow(this.left);
    this.right = grow(this.right);
    this.defaultLeft = grow(this.defaultLeft);
    this.catOffset = grow(this.catOffset);
    this.gain = grow(this.gain);
    this.valueBuf = grow(this.valueBuf, K);
    this.pFeature = grow(this.pFeature);
    this.pBin = grow(this.pBin);
    this.pDl = grow(this.pDl);
    this.pCat = grow(this.pCat);
    this.pBits = grow(this.pBits, CAT_WORDS);
    this.pGain = grow(this.pGain);
    this.pLG = grow(this.pLG, K);
    this.pLH = grow(this.pLH);
    this.pLC = grow(this.pLC);
    this.cap = cap;
  }

  private toArrays(): TreeArrays {
    const n = this.n;
    const K = this.cfg.K;
    return {
      feature: this.feature.slice(0, n),
      threshold: this.threshold.slice(0, n),
      left: this.left.slice(0, n),
      right: this.right.slice(0, n),
      defaultLeft: this.defaultLeft.slice(0, n),
      catOffset: this.catOffset.slice(0, n),
      catBits: this.catPool.slice(0, this.catLen),
      value: this.valueBuf.slice(0, n * K),
      cover: this.H.slice(0, n),
      count: this.C.slice(0, n),
      gain: this.gain.slice(0, n),
    };
  }
}

/** True when some feature is categorical or some training row is missing (its bin = nBins[f]). */
function hasCategoricalOrMissing(mapper: BinMapper, data: BinnedData): boolean {
  for (let f = 0; f < data.cols; f++) {
    if (mapper.isCategorical[f]) return true;
    const missing = mapper.nBins[f];
    const off = f * data.rows;
    for (let r = 0; r < data.rows; r++) if (data.bins[off + r] === missing) return true;
  }
  return false;
}
