/**
 * The single-channel numeric split scans of splitting.ts (scanNumeric1NoCount on [g, h] histograms,
 * scanNumeric1 on [g, h, count] ones with missing values tried on both sides) in WebAssembly SIMD,
 * two features at a time: lane 0 of every f64x2 scans one feature, lane 1 the next, so the two
 * divisions of a bin's gain are one f64x2.div for two bins. A lane adds its feature's bins in order
 * from zero and computes each gain with the operations of split-gain.ts in their order (T(g) = g,
 * or the soft threshold by regAlpha; t * t / (h + lambda) per side; left + right - parent), each an
 * IEEE double operation like the scalar one, so every prefix sum and gain is the JavaScript number
 * bit for bit. A candidate counts where the scalar scan would test it (the minChildWeight and
 * minSamplesLeaf limits, the missing-left side before a feature's last bin): each step compares the
 * lanes' gains with their best first, and only when one is larger tests the limits, by masks, and
 * replaces that lane's best (a branch rarely taken once a good split is known, so no lane carries
 * its best from step to step). Which candidates are kept does not depend on that order.
 *
 * Why two features scanned side by side pick the scalar split: both lanes start from the best gain
 * before the pair, t0, and keep their feature's first bin (and side) of largest gain above it,
 * taking a candidate only when strictly larger, as the scalar scan does. A feature's winner under
 * the threshold t0 is its first candidate of largest gain g*, whatever t0 (when g* > t0); under
 * the scalar scan's threshold for the second feature, max(t0, first lane's gain), it is the same
 * candidate if g* beats that threshold, and none otherwise. The run kernels take lane 0 and then
 * lane 1 with that strict comparison: the same feature, bin, side and sums as scanning one after the
 * other. A NaN gain fails every comparison, in a lane as in the scalar scan.
 *
 * When the two features have different bin counts, the lanes run together over the shorter one's
 * bins, then the longer one goes on alone: the other lane reads the same bins (valid memory) and is
 * masked out. A single feature runs with the second lane masked out from the start (nb1 = 0).
 *
 * findBestSplit calls a run kernel once per run of numeric features (every feature of a count-free
 * node): it walks the run's pairs in WebAssembly, so a node costs one call from JavaScript, not one
 * per pair (~50 ns each, 8% of a 255-bin pair's scan). Speed (30 features x 255 bins, one thread):
 * ~1.2 ns per bin and feature against ~2.4 for the JavaScript scan at stride 2, ~2.7 against ~4.1
 * at stride 3.
 */
import { assembleModule, Fn, KernelModule } from '../wasm/assembler';
import type { WasmMemory } from '../wasm/assembler';
import { F64, I32, Op, SimdOp } from '../wasm/opcodes';

/**
 * scan2(a0, nb0, a1, nb1, G, H, parentScore, best, regLambda, regAlpha, minChildWeight, out) over
 * [g, h] bins; scan3(a0, nb0, a1, nb1, G, H, C, parentScore, best, regLambda, regAlpha,
 * minChildWeight, minSamplesLeaf, out) over [g, h, count] bins followed by the missing bin. a0, a1
 * are the byte addresses of the two features' first bins, nb0, nb1 their bin counts (nb1 = 0: one
 * feature; then a1 = a0). The `a` variants soft-threshold by regAlpha; the others take T(g) = g
 * (regAlpha = 0). Each lane's result goes to `out` as f64 pairs (lane 0, lane 1): its best gain
 * (or `best`), bin (-1: none), left gradient and hessian sums, then for scan3 the left count and 1
 * when missing values went left.
 *
 * run2(hist, offsets, nBins, features, nf, G, H, parentScore, best, regLambda, regAlpha,
 * minChildWeight, out) and run3(hist, ..., nf, G, H, C, ..., minSamplesLeaf, out): the pair
 * kernel over the nf features (i32) at `features`, each feature f's bins at hist + offsets[f] *
 * stride * 8 and nBins[f] of them (offsets and nBins: i32 arrays in the memory). Returns the
 * winner's place in the list (-1: none beat `best`) and leaves its gain, bin, left sums (and left
 * count, missing-left) at out[OUT_NODE..].
 */
export interface SplitScanKernels {
  scan2(...args: Scan2Args): void;
  scan2a(...args: Scan2Args): void;
  scan3(...args: Scan3Args): void;
  scan3a(...args: Scan3Args): void;
  run2(...args: Run2Args): number;
  run2a(...args: Run2Args): number;
  run3(...args: Run3Args): number;
  run3a(...args: Run3Args): number;
}
type Scan2Args = [number, number, number, number, number, number, number, number, number, number, number, number];
/** Two numbers more: C and minSamplesLeaf. */
type Scan3Args = [...Scan2Args, number, number];
/** hist, offsets, nBins, features, nf: then the pair kernel's numbers and out. */
type Run2Args = [
  number,
  number,
  number,
  number,
  number,
  number,
  number,
  number,
  number,
  number,
  number,
  number,
  number,
];
type Run3Args = [...Run2Args, number, number];

/** Doubles of a scan's results: a pair's (six f64 pairs), then a run's (OUT_NODE). */
export const SCAN_OUT_DOUBLES = 18;
/** Where each result starts in `out` (lane 0; lane 1 is the next double). */
export const OUT_GAIN = 0;
export const OUT_BIN = 2;
export const OUT_G = 4;
export const OUT_H = 6;
export const OUT_C = 8;
export const OUT_DL = 10;
/** A run's winner at out[OUT_NODE + i]: gain, bin, left g, left h (then left count, missing-left). */
export const OUT_NODE = 12;

const MEMORY = ['e', 'm'] as const;

/** i8x16.shuffle lanes: the low (0) or high (1) doubles of two f64x2, as one f64x2. */
const pairLanes = (hi: number): number[] => [
  ...Array.from({ length: 8 }, (_, i) => hi * 8 + i),
  ...Array.from({ length: 8 }, (_, i) => 16 + hi * 8 + i),
];

function scanKernel(S: 2 | 3, penalized: boolean): Fn {
  const counts = S === 3;
  const params = counts
    ? [I32, I32, I32, I32, F64, F64, F64, F64, F64, F64, F64, F64, F64, I32]
    : [I32, I32, I32, I32, F64, F64, F64, F64, F64, F64, F64, I32];
  const f = new Fn(params);
  let x = 0;
  const A0 = x++;
  const NB0 = x++;
  const A1 = x++;
  const NB1 = x++;
  const G = x++;
  const H = x++;
  const C = counts ? x++ : -1;
  const PARENT = x++;
  const BEST = x++;
  const LAMBDA = x++;
  const ALPHA = x++;
  const MCW = x++;
  const MSL = counts ? x++ : -1;
  const OUT = x++;
  const last0 = f.localI32();
  const last1 = f.localI32();
  const b = f.localI32();
  const end = f.localI32();
  const v = (): number => f.localV128();
  const [vG, vH, vC, vParent, vLambda, vAlpha, vNegAlpha, vMcw, vMsl] = [v(), v(), v(), v(), v(), v(), v(), v(), v()];
  const [vGm, vHm, vCm, vSide1, vOne, vActive] = [v(), v(), v(), v(), v(), v()];
  const [gl, hl, cl] = [v(), v(), v()];
  const [best, bestBin, bestG, bestH, bestC, bestDl] = [v(), v(), v(), v(), v(), v()];
  const [lo, hi, gl2, hl2, cl2, hr, cond, gain, t] = [v(), v(), v(), v(), v(), v(), v(), v(), v()];

  const splat = (local: number, into: number): Fn => f.get(local).simd(SimdOp.F64x2Splat).set(into);
  /** The f64x2 of (lane 0 value, lane 1 value), both pushed by `push(lane)` as f64. */
  const pair = (push: (lane: 0 | 1) => void, into: number): void => {
    push(0);
    f.simd(SimdOp.F64x2Splat);
    push(1);
    f.simd(SimdOp.F64x2ReplaceLane, 1).set(into);
  };
  const a = [A0, A1];
  const nb = [NB0, NB1];
  /** Byte address of lane's missing bin plus `off`. */
  const missing = (lane: 0 | 1, off: number): Fn =>
    f
      .get(a[lane])
      .get(nb[lane])
      .i32(S * 8)
      .op(Op.I32Mul)
      .op(Op.I32Add)
      .mem(Op.F64Load, 3, off);

  splat(G, vG);
  splat(H, vH);
  splat(PARENT, vParent);
  splat(LAMBDA, vLambda);
  splat(MCW, vMcw);
  if (penalized) {
    splat(ALPHA, vAlpha);
    f.get(vAlpha).simd(SimdOp.F64x2Neg).set(vNegAlpha);
  }
  f.f64(1).simd(SimdOp.F64x2Splat).set(vOne);
  splat(BEST, best);
  f.f64(-1).simd(SimdOp.F64x2Splat).set(bestBin);
  // Scans cover bins [0, last): the last bin only when missing values can go right of it.
  if (counts) {
    splat(C, vC);
    splat(MSL, vMsl);
    pair((lane) => missing(lane, 0), vGm);
    pair((lane) => missing(lane, 8), vHm);
    pair((lane) => missing(lane, 16), vCm);
    // last = cm > 0 ? nb : nb - 1; missing values go left only before the last bin (bin < nb - 1 when cm > 0).
    for (const lane of [0, 1] as const) {
      f.get(nb[lane]).get(nb[lane]).i32(1).op(Op.I32Sub);
      missing(lane, 16)
        .f64(0)
        .op(Op.F64Gt)
        .op(Op.Select)
        .set(lane === 0 ? last0 : last1);
    }
    pair((lane) => {
      f.get(nb[lane]).i32(1).op(Op.I32Sub).i32(0);
      missing(lane, 16).f64(0).op(Op.F64Gt).op(Op.Select).op(Op.F64ConvertI32S);
    }, vSide1);
  } else {
    f.get(NB0).i32(1).op(Op.I32Sub).set(last0);
    f.get(NB1).i32(1).op(Op.I32Sub).set(last1);
  }

  /** T(g) of split-gain.ts's softThresholdOrSelf, of the f64x2 `push` leaves. */
  const threshold = (push: () => void): void => {
    if (!penalized) {
      push();
      return;
    }
    // g > alpha ? g - alpha : (g < -alpha ? g + alpha : 0)
    push();
    f.set(t);
    f.get(t).get(vAlpha).simd(SimdOp.F64x2Sub);
    f.get(t).get(vAlpha).simd(SimdOp.F64x2Add);
    f.get(t).get(vNegAlpha).simd(SimdOp.F64x2Lt).simd(SimdOp.V128And);
    f.get(t).get(vAlpha).simd(SimdOp.F64x2Gt).simd(SimdOp.V128Bitselect);
  };
  /** score = T(g)^2 / (h + lambda) */
  const score = (pushG: () => void, h: number): void => {
    threshold(pushG);
    f.set(t).get(t).get(t).simd(SimdOp.F64x2Mul);
    f.get(h).get(vLambda).simd(SimdOp.F64x2Add).simd(SimdOp.F64x2Div);
  };
  /** The step's bin number in both lanes (taken only where a lane beats its best). */
  const binPair = (): Fn => f.get(b).op(Op.F64ConvertI32S).simd(SimdOp.F64x2Splat);
  /** One side of a bin: left sums (g, h, count) in locals; masked: only the vActive lane counts. */
  const side = (g: number, h: number, c: number, missLeft: boolean, masked: boolean): void => {
    f.get(vH).get(h).simd(SimdOp.F64x2Sub).set(hr);
    // gain = score(L) + score(R) - parent
    score(() => f.get(g), h);
    score(() => f.get(vG).get(g).simd(SimdOp.F64x2Sub), hr);
    f.simd(SimdOp.F64x2Add).get(vParent).simd(SimdOp.F64x2Sub).tee(gain);
    f.get(best).simd(SimdOp.F64x2Gt).set(cond);
    // Rarely taken once a good split is known, so the limits are tested only then and no lane
    // carries its best from step to step.
    f.when(
      () => f.get(cond).simd(SimdOp.V128AnyTrue),
      () => {
        // The scalar scan's tests: hl >= mcw, hr >= mcw (and cl >= msl, cr >= msl), in the lanes.
        f.get(cond).get(h).get(vMcw).simd(SimdOp.F64x2Ge).simd(SimdOp.V128And);
        f.get(hr).get(vMcw).simd(SimdOp.F64x2Ge).simd(SimdOp.V128And);
        if (counts) {
          f.get(c).get(vMsl).simd(SimdOp.F64x2Ge).simd(SimdOp.V128And);
          f.get(vC).get(c).simd(SimdOp.F64x2Sub).get(vMsl).simd(SimdOp.F64x2Ge).simd(SimdOp.V128And);
        }
        if (missLeft) binPair().get(vSide1).simd(SimdOp.F64x2Lt).simd(SimdOp.V128And);
        if (masked) f.get(vActive).simd(SimdOp.V128And);
        f.set(cond);
        const keep = (value: () => void, into: number): void => {
          value();
          f.get(into).get(cond).simd(SimdOp.V128Bitselect).set(into);
        };
        keep(() => f.get(gain), best);
        keep(binPair, bestBin);
        keep(() => f.get(g), bestG);
        keep(() => f.get(h), bestH);
        if (counts) {
          keep(() => f.get(c), bestC);
          if (missLeft) keep(() => f.get(vOne), bestDl);
          else f.get(bestDl).get(cond).simd(SimdOp.V128AndNot).set(bestDl);
        }
      },
    );
  };
  /** One bin of both features: add it to the lanes' sums, then try its sides. */
  const step = (masked: boolean): void => {
    f.get(A0).simdMem(SimdOp.V128Load, 3).set(lo);
    f.get(A1).simdMem(SimdOp.V128Load, 3).set(hi);
    f.get(gl)
      .get(lo)
      .get(hi)
      .simd(SimdOp.I8x16Shuffle, ...pairLanes(0))
      .simd(SimdOp.F64x2Add)
      .set(gl);
    f.get(hl)
      .get(lo)
      .get(hi)
      .simd(SimdOp.I8x16Shuffle, ...pairLanes(1))
      .simd(SimdOp.F64x2Add)
      .set(hl);
    if (counts) {
      f.get(cl).get(A1).get(A0).simdMem(SimdOp.V128Load64Zero, 3, 16);
      f.simdMem(SimdOp.V128Load64Lane, 3, 16).op(1);
      f.simd(SimdOp.F64x2Add).set(cl);
    }
    side(gl, hl, cl, false, masked);
    if (counts) {
      f.get(gl).get(vGm).simd(SimdOp.F64x2Add).set(gl2);
      f.get(hl).get(vHm).simd(SimdOp.F64x2Add).set(hl2);
      f.get(cl).get(vCm).simd(SimdOp.F64x2Add).set(cl2);
      side(gl2, hl2, cl2, true, masked);
    }
    f.inc(A0, S * 8)
      .inc(A1, S * 8)
      .inc(b);
  };
  // Both lanes over the shorter feature's bins...
  f.get(last0).get(last1).get(last0).get(last1).op(Op.I32LtS).op(Op.Select).set(end);
  f.whileNot(
    () => f.get(b).get(end).op(Op.I32GeS),
    () => step(false),
  );
  // ...then the longer one alone, the other lane reading its bins too.
  const lane0 = [...new Array<number>(8).fill(0xff), ...new Array<number>(8).fill(0)];
  f.ifElse(
    () => f.get(last0).get(last1).op(Op.I32GtS),
    () => {
      f.get(last0).set(end).get(A0).set(A1);
      f.simd(SimdOp.V128Const, ...lane0).set(vActive);
    },
    () => {
      f.get(last1).set(end).get(A1).set(A0);
      f.simd(SimdOp.V128Const, ...lane0.slice(8), ...lane0.slice(0, 8)).set(vActive);
    },
  );
  f.whileNot(
    () => f.get(b).get(end).op(Op.I32GeS),
    () => step(true),
  );
  const results = counts ? [best, bestBin, bestG, bestH, bestC, bestDl] : [best, bestBin, bestG, bestH];
  results.forEach((r, i) =>
    f
      .get(OUT)
      .get(r)
      .simdMem(SimdOp.V128Store, 3, 16 * i),
  );
  return f;
}

/**
 * A run of nf numeric features (i32 at `features`) of the histogram at `hist`, pair after pair
 * through the pair kernel (function `pairIndex` of the module), each pair's lanes taken in order
 * when strictly better than the best so far: returns the winner's place in the run (-1: none) and
 * leaves its gain, bin, left sums (and left count, missing-left) at out + OUT_NODE.
 */
function runKernel(S: 2 | 3, pairIndex: number): Fn {
  const counts = S === 3;
  const F = [F64, F64, F64, F64, F64, F64, F64];
  const params = [I32, I32, I32, I32, I32, ...F, ...(counts ? [F64, F64] : []), I32];
  const f = new Fn(params, [I32]);
  const [HIST, OFFS, NBINS, FEAT, NF] = [0, 1, 2, 3, 4];
  // The pair kernel's numbers after its four addresses and counts, in its order (best at BEST).
  const pass = Array.from({ length: params.length - 6 }, (_, i) => 5 + i);
  const BEST = 5 + (counts ? 4 : 3);
  const OUT = params.length - 1;
  const p = f.localI32();
  const ff = f.localI32();
  const win = f.localI32();
  const [a0, nb0, a1, nb1] = [f.localI32(), f.localI32(), f.localI32(), f.localI32()];
  /** Feature features[p + k]'s first bin's address and bin count into the locals a, nb. */
  const feature = (k: number, a: number, nb: number): void => {
    f.get(FEAT)
      .get(p)
      .i32(2)
      .op(Op.I32Shl)
      .op(Op.I32Add)
      .mem(Op.I32Load, 2, 4 * k)
      .set(ff);
    f.get(HIST).get(OFFS).get(ff).i32(2).op(Op.I32Shl).op(Op.I32Add).mem(Op.I32Load, 2);
    f.i32(S * 8)
      .op(Op.I32Mul)
      .op(Op.I32Add)
      .set(a);
    f.get(NBINS).get(ff).i32(2).op(Op.I32Shl).op(Op.I32Add).mem(Op.I32Load, 2).set(nb);
  };
  f.i32(-1).set(win);
  f.whileNot(
    () => f.get(p).get(NF).op(Op.I32GeS),
    () => {
      feature(0, a0, nb0);
      f.ifElse(
        () => f.get(p).i32(1).op(Op.I32Add).get(NF).op(Op.I32LtS),
        () => feature(1, a1, nb1),
        () => f.get(a0).set(a1).i32(0).set(nb1),
      );
      f.get(a0).get(nb0).get(a1).get(nb1);
      for (const x of pass) f.get(x);
      f.get(OUT).call(pairIndex);
      // Lane 0, then lane 1, each only when strictly better than the best so far.
      for (const lane of [0, 1]) {
        const at = (k: number): number => (k + lane) * 8;
        f.when(
          () =>
            f
              .get(OUT)
              .mem(Op.F64Load, 3, at(OUT_BIN))
              .f64(0)
              .op(Op.F64Ge)
              .get(OUT)
              .mem(Op.F64Load, 3, at(OUT_GAIN))
              .get(BEST)
              .op(Op.F64Gt)
              .op(Op.I32And),
          () => {
            f.get(OUT).mem(Op.F64Load, 3, at(OUT_GAIN)).set(BEST);
            f.get(p).i32(lane).op(Op.I32Add).set(win);
            const fields = counts ? [OUT_BIN, OUT_G, OUT_H, OUT_C, OUT_DL] : [OUT_BIN, OUT_G, OUT_H];
            for (const k of fields)
              f.get(OUT)
                .get(OUT)
                .mem(Op.F64Load, 3, at(k))
                .mem(Op.F64Store, 3, (OUT_NODE + k / 2) * 8);
          },
        );
      }
      f.inc(p, 2);
    },
  );
  f.get(OUT)
    .get(BEST)
    .mem(Op.F64Store, 3, OUT_NODE * 8);
  f.get(win);
  return f;
}

const kernelModule = new KernelModule<SplitScanKernels>(MEMORY, (shared) =>
  assembleModule(
    MEMORY,
    {
      scan2: scanKernel(2, false),
      scan2a: scanKernel(2, true),
      scan3: scanKernel(3, false),
      scan3a: scanKernel(3, true),
      run2: runKernel(2, 0),
      run2a: runKernel(2, 1),
      run3: runKernel(3, 2),
      run3a: runKernel(3, 3),
    },
    [],
    shared,
  ),
);

/** Runs of features scanned by the kernels in this thread (for tests and diagnosis). */
export const scanStats = { runs: 0 };

/** Tests and benchmarks switch the WebAssembly split scans off to run the JavaScript they replace. */
export function setWasmSplitScan(on: boolean): void {
  kernelModule.enabled = on;
}

/** True when split searches scan histograms in WebAssembly memory with the kernels (available, not switched off). */
export function wasmSplitScanOn(): boolean {
  return kernelModule.on();
}

/** The scan kernels over `memory` in this thread (instantiated once per memory), or null. */
export function splitScanKernels(memory: WasmMemory, shared: boolean): SplitScanKernels | null {
  return kernelModule.kernels(memory, shared);
}

/**
 * What a split search needs to scan in WebAssembly: the kernels over a memory, this caller's own
 * SCAN_OUT_DOUBLES doubles of it for the results, and the layout's feature offsets and bin counts
 * in it (views: their byteOffset is their address). Used by findBestSplit for a histogram and a
 * feature list in the same memory, when not switched off.
 */
export class SplitScan {
  readonly buffer: ArrayBufferLike;
  private constructor(
    readonly kernels: SplitScanKernels,
    readonly out: Float64Array,
    readonly offsets: Int32Array,
    readonly nBins: Int32Array,
  ) {
    this.buffer = out.buffer;
  }

  /** The scan over memory's kernels (null: unavailable); out, offsets and nBins must be views of memory. */
  static create(
    memory: WasmMemory,
    shared: boolean,
    out: Float64Array,
    offsets: Int32Array,
    nBins: Int32Array,
  ): SplitScan | null {
    const k = splitScanKernels(memory, shared);
    const inside = [out, offsets, nBins].every((a) => a.buffer === memory.buffer);
    return k && inside && out.length >= SCAN_OUT_DOUBLES ? new SplitScan(k, out, offsets, nBins) : null;
  }

  /** True when `hist` and `features` are in this scan's memory and the kernels are switched on. */
  covers(hist: Float64Array, features: Int32Array): boolean {
    return kernelModule.enabled && hist.buffer === this.buffer && features.buffer === this.buffer;
  }
}
