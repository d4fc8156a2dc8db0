import { createMatrix, createRng } from '@campaign-ml/core';
import { GradientBoostingClassifier, GradientBoostingRegressor } from './gradient-boosting';
import type { GradientBoostingParams } from './gradient-boosting';
import { arenaBytes, setWasmHistograms, WasmArena } from './histogram-wasm';
import {
  partitionCounts,
  partitionKernels,
  setWasmPartition,
  table,
  TABLE_BYTES,
  wasmPartitionOn,
} from './partition-wasm';
import {
  blockContext,
  chunkStart,
  KIND_PARTITION,
  KIND_SCATTER,
  PART_LEFT,
  PART_LEFT_AT,
  PART_RIGHT_AT,
  runPartitionBlock,
  T_BLOCKS,
  T_END,
  T_KIND,
  T_PART_BIN,
  T_PART_FEATURE,
  T_PART_MISS_LEFT,
  T_PART_MISSING,
  T_START,
  T_WASM,
  TASK_INTS,
} from './split-block';
import { MIN_PARALLEL_ROWS, MIN_PARALLEL_WORK, minParallelRows, minParallelWork } from './split-threads';
import { randomMatrix } from './test-data';

/** The one-thread JavaScript partition of TreeGrower.split; returns the first right row's position. */
function jsPartition(
  idx: Uint32Array,
  start: number,
  end: number,
  bins: Uint8Array,
  off: number,
  thr: number,
  missing: number,
  missLeft: number,
  tmp: Uint32Array,
): number {
  let w = start;
  let nr = 0;
  for (let i = start; i < end; i++) {
    const r = idx[i];
    const b = bins[off + r];
    const left = b === missing ? missLeft : +(b <= thr);
    idx[w] = r;
    tmp[nr] = r;
    w += left;
    nr += 1 - left;
  }
  for (let i = 0; i < nr; i++) idx[w + i] = tmp[i];
  return w;
}

describe('WebAssembly row partition', () => {
  const rows = 3001;
  // Column f has nBins[f] bins and the missing bin nBins[f] (some features without missing rows).
  const nBins = [1, 2, 3, 17, 255, 254];
  const cols = nBins.length;
  const rng = createRng(11);
  const codes = new Uint8Array(rows * cols);
  for (let f = 0; f < cols; f++) {
    const miss = f % 2 === 0 ? 0.1 : 0;
    for (let r = 0; r < rows; r++) codes[f * rows + r] = rng.random() < miss ? nBins[f] : rng.int(nBins[f]);
  }

  /** Codes, the row index, scratch and tables in a fresh memory. */
  function setup(shared: boolean) {
    const arena = WasmArena.create(arenaBytes(rows * cols, rows * 4, (rows + 3) * 4, TABLE_BYTES), shared)!;
    const bins = arena.u8(rows * cols);
    bins.set(codes);
    const idx = arena.u32(rows);
    const tmp = arena.u32(rows + 3).subarray(0, rows);
    const tab = arena.u8(TABLE_BYTES);
    tab.set(table());
    const kernels = partitionKernels(arena.memory, shared)!;
    return { arena, bins, idx, tmp, table: tab.byteOffset, kernels };
  }

  /** A random case: the rows (a sorted subset or any order), a range of them, and a split. */
  function randomCase(trial: number) {
    const f = trial % cols;
    const len = trial % 17 === 0 ? rng.int(rows + 1) : rng.int(80);
    const picked = rng.sampleIndices(rows, rows);
    const list = trial % 3 === 0 ? picked : Uint32Array.from(picked).sort();
    const start = rng.int(rows - len + 1);
    // Thresholds at both ends and past them: every row on one side, or none.
    const ends = [-1, 0, nBins[f] - 1, nBins[f], 300];
    const thr = trial % 4 === 0 ? ends[rng.int(ends.length)] : rng.int(nBins[f]);
    return { f, list, start, end: start + len, thr, missing: nBins[f], missLeft: rng.int(2) };
  }

  it('runs in this Node', () => {
    expect(wasmPartitionOn()).toBe(true);
  });

  it('partitions a node as the JavaScript does: the same rows in the same order, nothing else touched', () => {
    let emptyLeft = 0;
    let emptyRight = 0;
    for (const shared of [false, true]) {
      const a = setup(shared);
      for (let trial = 0; trial < 400; trial++) {
        const c = randomCase(trial);
        const want = Uint32Array.from(c.list);
        const wantMid = jsPartition(
          want,
          c.start,
          c.end,
          codes,
          c.f * rows,
          c.thr,
          c.missing,
          c.missLeft,
          new Uint32Array(rows),
        );
        a.idx.set(c.list);
        const at = a.idx.byteOffset;
        const mid = a.kernels.part(
          a.bins.byteOffset + c.f * rows,
          1,
          at + 4 * c.start,
          at + 4 * c.end,
          a.tmp.byteOffset,
          c.thr,
          c.missing,
          c.missLeft,
          a.table,
        );
        if ((mid - at) / 4 !== wantMid || a.idx.some((v, i) => v !== want[i]))
          throw new Error(`shared=${shared} trial ${trial} (${JSON.stringify({ ...c, list: undefined })}) differs`);
        if (c.end > c.start && wantMid === c.start) emptyLeft++;
        if (c.end > c.start && wantMid === c.end) emptyRight++;
      }
    }
    // The cases did reach both empty sides.
    expect(emptyLeft).toBeGreaterThan(10);
    expect(emptyRight).toBeGreaterThan(10);
  });

  it('splits a node by row chunks as the threads do (chunk, then scatter), with the one-thread order', () => {
    const layout = {
      offsets: new Int32Array(cols + 1),
      nBins: Int32Array.from(nBins),
      isCategorical: new Uint8Array(cols),
    };
    const params = { regLambda: 1, regAlpha: 0, gamma: 0, minChildWeight: 1, minSamplesLeaf: 1, catSmooth: 10 };
    for (const shared of [false, true]) {
      const a = setup(shared);
      const wasm = {
        kernels: null,
        offsets: layout.offsets,
        scratch: [],
        scan: [],
        partition: a.kernels,
        table: a.table,
      };
      const ctx = blockContext(
        new Uint16Array(0),
        cols,
        layout,
        params,
        true,
        [],
        new Int32Array(cols),
        [],
        a.bins,
        a.tmp,
        wasm,
      );
      const ti = new Int32Array(TASK_INTS);
      const out = new Float64Array(3 * 64);
      /** SplitThreads.partition's two tasks in B chunks, the kernels' (on = 1) or the JavaScript's. */
      const partition = (
        idx: Uint32Array,
        start: number,
        end: number,
        B: number,
        f: number,
        thr: number,
        missLeft: number,
        on: number,
      ): number => {
        ti[T_START] = start;
        ti[T_END] = end;
        ti[T_BLOCKS] = B;
        ti[T_WASM] = on;
        ti[T_PART_FEATURE] = f;
        ti[T_PART_BIN] = thr;
        ti[T_PART_MISSING] = nBins[f];
        ti[T_PART_MISS_LEFT] = missLeft;
        ti[T_KIND] = KIND_PARTITION;
        for (let b = B - 1; b >= 0; b--) runPartitionBlock(ctx, ti, b, idx, out);
        let left = start;
        for (let b = 0; b < B; b++) {
          out[PART_LEFT_AT + b] = left;
          left += out[PART_LEFT + b];
        }
        let right = left;
        for (let b = 0; b < B; b++) {
          out[PART_RIGHT_AT + b] = right;
          right += chunkStart(start, end, b + 1, B) - chunkStart(start, end, b, B) - out[PART_LEFT + b];
        }
        ti[T_KIND] = KIND_SCATTER;
        for (let b = 0; b < B; b++) runPartitionBlock(ctx, ti, b, idx, out);
        return left;
      };
      for (let trial = 0; trial < 300; trial++) {
        const c = randomCase(trial);
        const B = 1 + (trial % 4);
        const want = Uint32Array.from(c.list);
        const wantMid = jsPartition(
          want,
          c.start,
          c.end,
          codes,
          c.f * rows,
          c.thr,
          c.missing,
          c.missLeft,
          new Uint32Array(rows),
        );
        for (const on of [1, 0]) {
          a.idx.set(c.list);
          const before = partitionCounts();
          const mid = partition(a.idx, c.start, c.end, B, c.f, c.thr, c.missLeft, on);
          const after = partitionCounts();
          expect(on ? after.wasm - before.wasm : after.js - before.js).toBe(B);
          if (mid !== wantMid || a.idx.some((v, i) => v !== want[i]))
            throw new Error(`shared=${shared} B=${B} on=${on} trial ${trial} differs`);
        }
      }
    }
  });

  it('is off when switched off', () => {
    setWasmPartition(false);
    try {
      expect(wasmPartitionOn()).toBe(false);
    } finally {
      setWasmPartition(true);
    }
    expect(wasmPartitionOn()).toBe(true);
  });
});

describe('gradient boosting with the WebAssembly row partition', () => {
  const N = 3000;
  const P = 9;
  const X = randomMatrix(N, P, 23);
  const d = Float64Array.from(X.data);
  for (let r = 0; r < N; r++) d[4 * N + r] = (r * 7919) % 7; // integer codes 0..6
  for (let r = 0; r < N; r += 5) d[((r * 11) % P) * N + r] = NaN;
  const Xm = createMatrix(N, P, d);
  const y = new Float64Array(N);
  for (let r = 0; r < N; r++) {
    const x = (c: number): number => X.data[c * N + r];
    y[r] = x(0) + x(1) * x(2) - 0.5 * x(3) + (r % 7 === 2 ? 0.8 : 0);
  }
  const yb = y.map((v) => (v > 0.3 ? 1 : 0));
  const yc = y.map((v) => (v > 0.8 ? 2 : v > -0.3 ? 1 : 0));
  const base: Partial<GradientBoostingParams> = { nEstimators: 6, maxDepth: 5, learningRate: 0.3 };

  /**
   * The model's JSON with the partition in WebAssembly (checking it ran on this thread) and in
   * JavaScript (switched off, and with no WebAssembly memory at all), one and two threads.
   */
  function fits(fit: (threads: number) => { toJSON(): unknown }): void {
    const json = (mode: 'on' | 'off' | 'no memory', threads: number): string => {
      setWasmPartition(mode === 'on');
      setWasmHistograms(mode !== 'no memory');
      const before = partitionCounts();
      const s = JSON.stringify(fit(threads).toJSON());
      const after = partitionCounts();
      if (mode === 'on') {
        expect(after.wasm).toBeGreaterThan(before.wasm);
        expect(after.js).toBe(before.js);
      } else {
        expect(after.js).toBeGreaterThan(before.js);
        expect(after.wasm).toBe(before.wasm);
      }
      return s;
    };
    try {
      const js = json('off', 1);
      expect(json('on', 1)).toBe(js);
      expect(json('on', 2)).toBe(js);
      expect(json('off', 2)).toBe(js);
      expect(json('no memory', 1)).toBe(js);
      expect(json('no memory', 2)).toBe(js);
    } finally {
      setWasmPartition(true);
      setWasmHistograms(true);
    }
  }

  // Every node's partition through the threads' chunks (with two threads).
  beforeAll(() => {
    minParallelWork(0);
    minParallelRows(0);
  });
  afterAll(() => {
    minParallelWork(MIN_PARALLEL_WORK);
    minParallelRows(MIN_PARALLEL_ROWS);
  });

  it('binary: the same model bit for bit, partition in WebAssembly or JavaScript, one and two threads', () => {
    fits((threads) => new GradientBoostingClassifier({ ...base, threads }).fit(X, yb));
  });

  it('missing values (both default directions) and a categorical feature, multiclass', () => {
    fits((threads) => new GradientBoostingClassifier({ ...base, threads }).fit(Xm, yb));
    fits((threads) => new GradientBoostingClassifier({ ...base, categoricalFeatures: [4], threads }).fit(Xm, yc));
  });

  it('row and column subsampling, and loss-guided growth', () => {
    fits((threads) =>
      new GradientBoostingRegressor({ ...base, subsample: 0.7, colsampleBytree: 0.6, seed: 4, threads }).fit(Xm, y),
    );
    fits((threads) => new GradientBoostingRegressor({ ...base, maxDepth: null, maxLeaves: 12, threads }).fit(Xm, y));
  });
});
