import { createMatrix, createRng } from '@campaign-ml/core';
import type { Rng } from '@campaign-ml/core';
import { GradientBoostingClassifier, GradientBoostingRegressor } from './gradient-boosting';
import type { GradientBoostingParams } from './gradient-boosting';
import { DecisionTreeRegressor } from './decision-tree';
import { RandomForestClassifier } from './random-forest';
import { WasmArena } from './histogram-wasm';
import { SCAN_OUT_DOUBLES, scanStats, setWasmSplitScan, SplitScan, wasmSplitScanOn } from './split-scan-wasm';
import { MIN_PARALLEL_ROWS, MIN_PARALLEL_WORK, minParallelRows, minParallelWork } from './split-threads';
import { DEFAULT_BY_COUNT, findBestSplit, SplitCandidate, SplitScratch } from './splitting';
import type { BinLayout, SplitParams } from './splitting';
import { randomMatrix } from './test-data';

describe('WebAssembly split scan', () => {
  // Bin counts of the features: equal and different ones side by side, one bin, two bins, 255.
  const NB = [255, 255, 40, 7, 1, 2, 255, 3, 64, 64, 9, 128, 255, 5];
  const P = NB.length;
  let total = 0;
  for (let f = 0; f < P; f++) total += NB[f] + 1;
  // The histogram, results, layout and feature lists in one memory, as a fit has them.
  const arena = WasmArena.create(total * 3 * 8 + SCAN_OUT_DOUBLES * 8 + 4096, false)!;
  const hist = arena.f64(total * 3);
  const offsets = arena.i32(P + 1);
  for (let f = 0; f < P; f++) offsets[f + 1] = offsets[f] + NB[f] + 1;
  const nBins = arena.i32(P);
  nBins.set(NB);
  const featureList = arena.i32(P);
  const scan = SplitScan.create(arena.memory, false, arena.f64(SCAN_OUT_DOUBLES), offsets, nBins)!;

  const layout = (categorical: number[] = []): BinLayout => {
    const isCategorical = new Uint8Array(P);
    for (const f of categorical) isCategorical[f] = 1;
    return { offsets: Int32Array.from(offsets), nBins: Int32Array.from(NB), isCategorical };
  };

  /** Fills hist (stride S) in one of several shapes; returns the node sums over every bin. */
  function fill(rng: Rng, S: 2 | 3, shape: number, missing: boolean): { G: number; H: number; C: number } {
    hist.fill(0);
    let G = 0;
    let H = 0;
    let C = 0;
    for (let f = 0; f < P; f++) {
      for (let b = 0; b <= NB[f]; b++) {
        if (b === NB[f] && (!missing || S === 2 || rng.random() < 0.3)) continue;
        let g: number;
        let h: number;
        if (shape === 0) {
          g = rng.normal() * 10 ** rng.int(4);
          h = rng.random() * 5;
        } else if (shape === 1) {
          // Small integers: many equal gains, within a feature and across features.
          g = rng.int(5) - 2;
          h = rng.int(3);
        } else if (shape === 2) {
          // Mostly empty bins (runs of equal gains), signed zeros.
          const empty = rng.random() < 0.7;
          g = empty ? (rng.random() < 0.5 ? -0 : 0) : rng.normal();
          h = empty ? 0 : rng.random();
        } else {
          // Hessians near the minChildWeight limits.
          g = rng.normal();
          h = 0.25 + rng.random() * 0.5;
        }
        const c = h === 0 ? 0 : 1 + rng.int(4);
        const j = (offsets[f] + b) * S;
        hist[j] = g;
        hist[j + 1] = h;
        if (S === 3) hist[j + 2] = c;
        G += g;
        H += h;
        C += c;
      }
    }
    // Feature 9 repeats feature 8 (same bin count): equal gains in two features.
    if (shape === 1) hist.copyWithin(offsets[9] * S, offsets[8] * S, offsets[9] * S);
    return { G, H, C };
  }

  const fields = (c: SplitCandidate) => ({
    feature: c.feature,
    gain: c.gain,
    bin: c.bin,
    defaultLeft: c.defaultLeft,
    categorical: c.categorical,
    leftG: c.leftG[0],
    leftH: c.leftH,
    leftC: c.leftC,
    catBits: c.categorical ? Array.from(c.catBits) : [],
  });

  /** findBestSplit in JavaScript (copies outside the memory) and with the kernels. */
  function both(
    L: BinLayout,
    features: Int32Array,
    sums: { G: number; H: number; C: number },
    p: SplitParams,
    countFree: boolean,
  ): SplitCandidate {
    const js = new SplitCandidate(1);
    const wa = new SplitCandidate(1);
    const scratch = new SplitScratch(1);
    const G = Float64Array.of(sums.G);
    const copy = Float64Array.from(hist);
    findBestSplit(copy, L, features, features.length, 1, G, 0, sums.H, sums.C, p, js, scratch, countFree, scan);
    const runs = scanStats.runs;
    const list = featureList.subarray(0, features.length);
    list.set(features);
    findBestSplit(hist, L, list, features.length, 1, G, 0, sums.H, sums.C, p, wa, scratch, countFree, scan);
    expect(scanStats.runs).toBeGreaterThan(runs);
    const a = fields(js);
    const b = fields(wa);
    // Bit for bit (Object.is tells -0 from 0, toEqual does not).
    for (const k of Object.keys(a) as (keyof typeof a)[]) {
      if (k === 'catBits') expect(b[k]).toEqual(a[k]);
      else if (!Object.is(a[k], b[k])) expect({ [k]: b[k] }).toEqual({ [k]: a[k] });
    }
    return js;
  }

  const params = (rng: Rng, S: 2 | 3): SplitParams => ({
    regLambda: [0, 1, 0.3, 5][rng.int(4)],
    regAlpha: [0, 0, 0.5, 3][rng.int(4)],
    gamma: [0, 0, 0.1][rng.int(3)],
    minChildWeight: S === 2 ? [1e-6, 1e-3, 1, 20][rng.int(4)] : [0, 1e-3, 1, 20][rng.int(4)],
    minSamplesLeaf: S === 2 ? 1 : [0, 1, 5, 40][rng.int(4)],
    catSmooth: 10,
  });

  it('finds the JavaScript scans split bit for bit on count-free histograms (stride 2)', () => {
    const rng = createRng(11);
    const stats = { found: 0, second: 0, none: 0 };
    for (let trial = 0; trial < 400; trial++) {
      const sums = fill(rng, 2, trial % 4, false);
      if (trial % 5 === 0) sums.G += rng.normal();
      // Every feature in order, a shuffled subset, or one feature (a pair of one).
      const features =
        trial % 3 === 0
          ? Int32Array.from({ length: P }, (_, f) => f)
          : trial % 3 === 1
            ? Int32Array.from(rng.permutation(P).subarray(0, 1 + rng.int(P)))
            : Int32Array.of(rng.int(P));
      const c = both(layout(), features, sums, params(rng, 2), true);
      if (c.feature < 0) stats.none++;
      else {
        stats.found++;
        expect(c.defaultLeft).toBe(DEFAULT_BY_COUNT);
        // The winner came from the second lane of a pair.
        if (features.indexOf(c.feature) % 2 === 1) stats.second++;
      }
    }
    expect(stats.found).toBeGreaterThan(200);
    expect(stats.second).toBeGreaterThan(50);
    expect(stats.none).toBeGreaterThan(5);
  });

  it('with counts and missing values (stride 3), categorical features between numeric ones', () => {
    const rng = createRng(12);
    const stats = { found: 0, missingLeft: 0, cat: 0 };
    for (let trial = 0; trial < 400; trial++) {
      const sums = fill(rng, 3, trial % 4, trial % 4 !== 3 || rng.random() < 0.5);
      const cats = trial % 4 === 0 ? [3, 10] : [];
      const features =
        trial % 2 === 0
          ? Int32Array.from({ length: P }, (_, f) => f)
          : Int32Array.from(rng.permutation(P).subarray(0, 1 + rng.int(P)));
      const c = both(layout(cats), features, sums, params(rng, 3), false);
      if (c.feature >= 0) stats.found++;
      if (c.feature >= 0 && c.categorical) stats.cat++;
      if (
        c.feature >= 0 &&
        !c.categorical &&
        c.defaultLeft === 1 &&
        hist[(offsets[c.feature] + NB[c.feature]) * 3 + 2] > 0
      )
        stats.missingLeft++;
    }
    expect(stats.found).toBeGreaterThan(200);
    expect(stats.missingLeft).toBeGreaterThan(20);
    expect(stats.cat).toBeGreaterThan(0);
  });

  it('ties: the first feature of equal gains, then the first bin', () => {
    // Features 8 and 9 hold the same histogram, whose bins 10 to 19 (empty after 10) split best.
    hist.fill(0);
    let H = 0;
    for (const f of [8, 9])
      for (let b = 0; b < NB[f]; b++) {
        const j = (offsets[f] + b) * 2;
        hist[j] = b === 10 ? 4 : b === 30 ? -4 : 0;
        hist[j + 1] = b > 10 && b < 20 ? 0 : 1;
        if (f === 8) H += hist[j + 1];
      }
    const sums = { G: 0, H, C: 0 };
    const p: SplitParams = { regLambda: 1, regAlpha: 0, gamma: 0, minChildWeight: 1, minSamplesLeaf: 1, catSmooth: 10 };
    for (const order of [[8, 9], [9, 8], [7, 9, 8], [9]]) {
      const c = both(layout(), Int32Array.from(order), sums, p, true);
      expect(c.feature).toBe(order[order.length === 3 ? 1 : 0]);
      expect(c.bin).toBe(10);
    }
  });

  it('a histogram or feature list outside the memory, or the kernels switched off, takes the JavaScript scans', () => {
    const rng = createRng(3);
    const sums = fill(rng, 2, 0, false);
    const p = params(rng, 2);
    const features = featureList;
    features.set(Array.from({ length: P }, (_, f) => f));
    const c = new SplitCandidate(1);
    const before = scanStats.runs;
    findBestSplit(
      Float64Array.from(hist),
      layout(),
      features,
      P,
      1,
      Float64Array.of(sums.G),
      0,
      sums.H,
      0,
      p,
      c,
      new SplitScratch(1),
      true,
      scan,
    );
    expect(scanStats.runs).toBe(before);
    // A feature list outside the memory.
    const js = new SplitCandidate(1);
    const L = layout();
    const G = Float64Array.of(sums.G);
    findBestSplit(hist, L, Int32Array.from(features), P, 1, G, 0, sums.H, 0, p, js, new SplitScratch(1), true, scan);
    expect(scanStats.runs).toBe(before);
    findBestSplit(hist, L, features, P, 1, G, 0, sums.H, 0, p, c, new SplitScratch(1), true, scan);
    expect(scanStats.runs).toBe(before + 1);
    expect([c.feature, c.bin, c.gain]).toEqual([js.feature, js.bin, js.gain]);
    setWasmSplitScan(false);
    try {
      expect(wasmSplitScanOn()).toBe(false);
      c.reset();
      findBestSplit(
        hist,
        layout(),
        features,
        P,
        1,
        Float64Array.of(sums.G),
        0,
        sums.H,
        0,
        p,
        c,
        new SplitScratch(1),
        true,
        scan,
      );
      expect(scanStats.runs).toBe(before + 1);
    } finally {
      setWasmSplitScan(true);
    }
  });
});

describe('tree fits with the WebAssembly split scan', () => {
  const N = 3000;
  const P = 9;
  const X = randomMatrix(N, P, 31);
  const d = Float64Array.from(X.data);
  for (let r = 0; r < N; r++) d[4 * N + r] = (r * 7919) % 7; // integer codes 0..6
  for (let r = 0; r < N; r++) d[6 * N + r] = Math.round(d[6 * N + r] * 3); // few bins
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

  /** The model's JSON with the kernels on (checking they ran here) and off, threads 1 and 3. */
  function fits(fit: (threads: number) => { toJSON(): unknown }): void {
    const json = (on: boolean, threads: number): string => {
      setWasmSplitScan(on);
      const before = scanStats.runs;
      const s = JSON.stringify(fit(threads).toJSON());
      if (on) expect(scanStats.runs).toBeGreaterThan(before);
      else expect(scanStats.runs).toBe(before);
      return s;
    };
    try {
      const js = json(false, 1);
      expect(json(true, 1)).toBe(js);
      expect(json(true, 3)).toBe(js);
      expect(json(false, 3)).toBe(js);
    } finally {
      setWasmSplitScan(true);
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

  it('binary boosting (count-free histograms), with and without regAlpha and minChildWeight limits', () => {
    fits((threads) => new GradientBoostingClassifier({ ...base, threads }).fit(X, yb));
    fits((threads) =>
      new GradientBoostingClassifier({ ...base, regAlpha: 0.7, minChildWeight: 15, threads }).fit(X, yb),
    );
  });

  it('missing values, a categorical feature and multiclass (histograms with counts)', () => {
    fits((threads) => new GradientBoostingClassifier({ ...base, regAlpha: 0.3, threads }).fit(Xm, yb));
    fits((threads) => new GradientBoostingClassifier({ ...base, categoricalFeatures: [4], threads }).fit(Xm, yc));
  });

  it('regression with minChildWeight 0, a decision tree and a forest on every feature', () => {
    fits((threads) => new GradientBoostingRegressor({ ...base, minChildWeight: 0, threads }).fit(X, y));
    fits(() => new DecisionTreeRegressor({ maxDepth: 8, minSamplesLeaf: 4 }).fit(Xm, y));
    fits((threads) =>
      new RandomForestClassifier({ nEstimators: 4, maxFeatures: 'all', maxDepth: 6, threads }).fit(Xm, yb),
    );
  });
});
