import { createMatrix, createRng } from '@campaign-ml/core';
import { BinMapper } from './binning';
import { GradientBoostingClassifier, GradientBoostingRegressor } from './gradient-boosting';
import type { GradientBoostingParams } from './gradient-boosting';
import { buildHistogramRowsBlock, rowMajorBinIndex } from './histogram';
import {
  arenaBytes,
  blockOf,
  blockScratchBytes,
  blockStart,
  buildHistogramBlocks,
  codeBlockBytes,
  codeBlocks,
  histogramBuildCounts,
  setWasmHistograms,
  subtractHistogramWasm,
  WasmArena,
  wasmHistogramsOn,
} from './histogram-wasm';
import { MIN_PARALLEL_ROWS, MIN_PARALLEL_WORK, minParallelRows, minParallelWork } from './split-threads';
import { randomMatrix } from './test-data';

describe('WebAssembly histograms', () => {
  // More rows than one gathered chunk of the kernels (2048).
  const n = 4501;
  const P = 11;
  const X = randomMatrix(n, P, 8);
  for (let r = 0; r < n; r += 9) X.data[2 * n + r] = NaN;
  // A feature with few bins: many rows of a four-row step share a slot.
  for (let r = 0; r < n; r++) X.data[4 * n + r] = r % 3;
  // Two values: three bins with the missing one, an odd number of doubles at stride 3.
  for (let r = 0; r < n; r++) X.data[6 * n + r] = r % 2;
  const mapper = BinMapper.fit(X, { maxBins: 255, categorical: new Int32Array(0) });
  const bins = mapper.transform(X).bins;
  const gidx = rowMajorBinIndex(bins, n, P, mapper.offsets);
  const rng = createRng(6);
  const grad = Float64Array.from({ length: n }, () => rng.normal() * 1e3 ** rng.normal());
  const hess = Float64Array.from({ length: n }, () => rng.random());
  const all = Int32Array.from({ length: P }, (_, f) => f);

  /** Arrays in a fresh arena: the codes in T blocks, offsets, features, rows, gradients and two histograms. */
  function setup(T: number, shared: boolean, features: Int32Array, rows: Uint32Array) {
    const S3 = mapper.totalBins * 3;
    const bytes = arenaBytes(
      ...codeBlockBytes(n, P, T),
      (P + 1) * 4,
      features.length * 4,
      rows.length * 4,
      n * 8,
      n * 8,
      S3 * 8,
      blockScratchBytes(P, T),
    );
    const arena = WasmArena.create(bytes, shared)!;
    const codes = codeBlocks(bins, n, P, T, (m) => arena.u8(m));
    const offsets = arena.i32(P + 1);
    offsets.set(mapper.offsets);
    const feats = arena.i32(features.length);
    feats.set(features);
    const idx = arena.u32(rows.length);
    idx.set(rows);
    const g = arena.f64(n);
    g.set(grad);
    const h = arena.f64(n);
    h.set(hess);
    return { arena, codes, offsets, feats, idx, g, h, hist: arena.f64(S3), scratch: arena.u8(blockScratchBytes(P, T)) };
  }

  function expected(S: number, features: Int32Array, rows: Uint32Array, start: number, end: number): Float64Array {
    const out = new Float64Array(mapper.totalBins * S);
    buildHistogramRowsBlock(
      out,
      S,
      mapper.offsets,
      features,
      0,
      features.length,
      false,
      gidx,
      P,
      rows,
      start,
      end,
      grad,
      hess,
    );
    return out;
  }

  it('runs in this Node', () => {
    expect(wasmHistogramsOn()).toBe(true);
  });

  it('finds the block of every column', () => {
    for (const cols of [1, 2, 5, 30, 31])
      for (let T = 1; T <= cols; T++)
        for (let f = 0; f < cols; f++) {
          const b = blockOf(f, cols, T);
          expect(blockStart(b, cols, T) <= f && f < blockStart(b + 1, cols, T)).toBe(true);
        }
  });

  const rowSets: [string, Uint32Array][] = [
    ['every row', Uint32Array.from({ length: n }, (_, i) => i)],
    ['an odd sorted subset', rng.sampleIndices(n, 2333).sort()],
    ['seven rows', rng.sampleIndices(n, 7).sort()],
  ];
  const featureSets: [string, Int32Array][] = [
    ['every feature', all],
    ['a sorted subset', Int32Array.of(0, 2, 3, 4, 7, 10)],
    ['an unsorted subset', Int32Array.of(9, 4, 1, 6, 5)],
  ];
  for (const [rowsName, rows] of rowSets)
    for (const [featName, features] of featureSets)
      it(`equals the JavaScript kernels bit for bit: ${rowsName}, ${featName}, strides 2 and 3, 1-3 blocks`, () => {
        for (const S of [2, 3])
          for (const T of [1, 2, 3])
            for (const shared of [false, true]) {
              const a = setup(T, shared, features, rows);
              // Rows [1, len - 1) of the index: addresses away from the array's start.
              const [s, e] = rows.length > 2 ? [1, rows.length - 1] : [0, rows.length];
              const want = expected(S, features, rows, s, e);
              const hist = a.hist.subarray(0, mapper.totalBins * S).fill(NaN);
              buildHistogramBlocks(
                a.arena.kernels,
                a.scratch,
                hist,
                S,
                a.offsets,
                a.feats,
                0,
                features.length,
                a.codes,
                P,
                a.idx,
                s,
                e,
                a.g,
                a.h,
              );
              const js = new Float64Array(hist.length).fill(NaN);
              buildHistogramBlocks(
                null,
                null,
                js,
                S,
                a.offsets,
                a.feats,
                0,
                features.length,
                a.codes,
                P,
                a.idx,
                s,
                e,
                a.g,
                a.h,
              );
              for (const f of features)
                for (let j = mapper.offsets[f] * S; j < mapper.offsets[f + 1] * S; j++) {
                  if (!Object.is(hist[j], want[j]) || !Object.is(js[j], want[j]))
                    throw new Error(
                      `S=${S} T=${T} shared=${shared} feature ${f} slot ${j}: ${hist[j]} ${js[j]} vs ${want[j]}`,
                    );
                }
            }
      });

  it('leaves the slots of unlisted features alone', () => {
    const a = setup(2, false, Int32Array.of(3), rowSets[1][1]);
    const hist = a.hist.subarray(0, mapper.totalBins * 2).fill(5);
    buildHistogramBlocks(
      a.arena.kernels,
      a.scratch,
      hist,
      2,
      a.offsets,
      a.feats,
      0,
      1,
      a.codes,
      P,
      a.idx,
      0,
      333,
      a.g,
      a.h,
    );
    for (let j = 0; j < hist.length; j++)
      if (j < mapper.offsets[3] * 2 || j >= mapper.offsets[4] * 2) expect(hist[j]).toBe(5);
  });

  it('subtracts a child from its parent as the JavaScript does, bit for bit, leaving other features alone', () => {
    expect(mapper.offsets[7] - mapper.offsets[6]).toBe(3);
    for (const S of [2, 3])
      for (const features of [all, Int32Array.of(0, 2, 3, 4, 7, 10), Int32Array.of(9, 4, 1, 6, 5)]) {
        const len = mapper.totalBins * S;
        const arena = WasmArena.create(arenaBytes(len * 8, len * 8), false)!;
        const [parent, child] = [arena.f64(len), arena.f64(len)];
        for (let j = 0; j < len; j++) {
          parent[j] = rng.normal() * 10 ** rng.int(6);
          child[j] = rng.normal();
        }
        const js = Float64Array.from(parent);
        subtractHistogramWasm(null, js, child, mapper.offsets, features, 0, features.length, S);
        // features[1, len): the block's range of the list.
        const ref = Float64Array.from(parent);
        subtractHistogramWasm(null, ref, child, mapper.offsets, features, 1, features.length, S);
        const whole = Float64Array.from(parent);
        subtractHistogramWasm(arena.kernels, parent, child, mapper.offsets, features, 1, features.length, S);
        expect(Array.from(parent)).toEqual(Array.from(ref));
        parent.set(whole);
        subtractHistogramWasm(arena.kernels, parent, child, mapper.offsets, features, 0, features.length, S);
        expect(Array.from(parent)).toEqual(Array.from(js));
        expect(Array.from(js)).not.toEqual(Array.from(whole));
      }
  });

  it('is off when switched off, and then gives no arena', () => {
    setWasmHistograms(false);
    try {
      expect(wasmHistogramsOn()).toBe(false);
      expect(WasmArena.create(1024, false)).toBeNull();
    } finally {
      setWasmHistograms(true);
    }
    expect(WasmArena.create(1024, false)).not.toBeNull();
  });
});

describe('gradient boosting with WebAssembly histograms', () => {
  const N = 3000;
  const P = 9;
  const X = randomMatrix(N, P, 21);
  const d = Float64Array.from(X.data);
  for (let r = 0; r < N; r++) d[4 * N + r] = (r * 7919) % 7; // integer codes 0..6
  for (let r = 0; r < N; r += 5) d[((r * 11) % P) * N + r] = NaN;
  const Xm = createMatrix(N, P, d);
  const y = new Float64Array(N);
  const yc = new Float64Array(N);
  for (let r = 0; r < N; r++) {
    const x = (c: number): number => X.data[c * N + r];
    y[r] = x(0) + x(1) * x(2) - 0.5 * x(3) + (r % 7 === 2 ? 0.8 : 0);
    yc[r] = y[r] > 0.8 ? 2 : y[r] > -0.3 ? 1 : 0;
  }
  const yb = yc.map((v) => (v === 2 ? 1 : 0));
  const base: Partial<GradientBoostingParams> = { nEstimators: 6, maxDepth: 5, learningRate: 0.3 };

  /** The model's JSON with the WebAssembly histograms on (checking they ran) and off, threads 1 and 3. */
  function fits(fit: (threads: number) => { toJSON(): unknown }): void {
    const json = (on: boolean, threads: number): string => {
      setWasmHistograms(on);
      const before = histogramBuildCounts();
      const s = JSON.stringify(fit(threads).toJSON());
      const after = histogramBuildCounts();
      // On: every histogram this thread built went through the kernels; off: none came here.
      expect(after.js).toBe(before.js);
      if (on) expect(after.wasm).toBeGreaterThan(before.wasm);
      else expect(after.wasm).toBe(before.wasm);
      return s;
    };
    try {
      const js = json(false, 1);
      expect(json(true, 1)).toBe(js);
      expect(json(true, 3)).toBe(js);
      expect(json(false, 3)).toBe(js);
    } finally {
      setWasmHistograms(true);
    }
  }

  // Every node through the threads, down to nodes with fewer rows than threads.
  beforeAll(() => {
    minParallelWork(0);
    minParallelRows(0);
  });
  afterAll(() => {
    minParallelWork(MIN_PARALLEL_WORK);
    minParallelRows(MIN_PARALLEL_ROWS);
  });

  it('binary (count-free histograms): the same model bit for bit, on and off, one and three threads', () => {
    fits((threads) => new GradientBoostingClassifier({ ...base, threads }).fit(X, yb));
  });

  it('multiclass with missing values and a categorical feature (histograms with counts)', () => {
    fits((threads) => new GradientBoostingClassifier({ ...base, categoricalFeatures: [4], threads }).fit(Xm, yc));
  });

  it('row and column subsampling (listed features across blocks), and loss-guided growth', () => {
    fits((threads) =>
      new GradientBoostingRegressor({ ...base, subsample: 0.7, colsampleBytree: 0.6, seed: 4, threads }).fit(X, y),
    );
    fits((threads) => new GradientBoostingRegressor({ ...base, maxDepth: null, maxLeaves: 12, threads }).fit(Xm, y));
  });
});
