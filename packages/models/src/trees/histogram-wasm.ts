/**
 * Gradient histograms in WebAssembly SIMD: the (g, h) pair of a bin is one f64x2, so a row's update
 * of one feature is one v128 load, one f64x2.add and one store, and four rows go through each
 * feature together (independent work while a load waits). About 3x faster than the JavaScript loops
 * of histogram.ts on 1,000,000 x 30 (1.0-1.5 ns per row and feature against 4-5 ns; see the README).
 *
 * The sums are the JavaScript ones bit for bit: each lane of f64x2.add is an IEEE double addition,
 * the same as `hist[j] += g` and `hist[j + 1] += h`, and each slot still sums its rows in row order
 * from zero (four rows of a step update a feature's slots in row order, so two of them falling in
 * one bin add in order).
 *
 * The kernels read everything from their memory: the rows' bin codes as column blocks (block b
 * holds, for every row, the one-byte bins of columns [b cols / T, (b + 1) cols / T), as the worker
 * threads' feature blocks), the feature offsets, the node's features, the row index, gradients,
 * hessians and the histogram. A fit that uses them carves all of those from one fixed-size memory
 * (WasmArena), shared with the worker threads when it has any; each thread instantiates the module
 * over that memory. Where WebAssembly SIMD is missing, fits keep the JavaScript path of histogram.ts.
 */
import { assembleModule, Fn, PAGE, KernelModule } from '../wasm/assembler';
import type { WasmApi, WasmMemory } from '../wasm/assembler';
import { I32, Op, SimdOp } from '../wasm/opcodes';
import { subtractHistogram } from './histogram';

/**
 * hist2 / hist3(hist, offsets, features, nf, codes, width, colBase, i0, i1, grad, hess, scratch),
 * byte addresses in the memory: the histogram (stride 2, [g, h], or 3, [g, h, count]) of the rows
 * whose indices (u32) are at [i0, i1), for the nf features (i32) at `features`, all in the code
 * block at `codes` (width bytes per row) whose first column is colBase. Slots are added to, not
 * zeroed. `scratch` holds scratchBytes(width) bytes of this call's own.
 */
export interface HistogramKernels {
  hist2(...args: KernelArgs): void;
  hist3(...args: KernelArgs): void;
  /** sub(dst, src, bytes): the doubles at dst minus those at src, `bytes` (a multiple of 8) of them. */
  sub(dst: number, src: number, bytes: number): void;
}
type KernelArgs = [number, number, number, number, number, number, number, number, number, number, number, number];

const MEMORY = ['e', 'm'] as const;
/** Rows per step of the histogram loop (4 measured best of 1, 2, 4 and 8). */
const ROWS = 4;
/**
 * Rows gathered at a time. A node's rows are scattered over the data (an ascending subset): the
 * kernel first copies a chunk of them, codes and (g, h), into scratch in a short loop whose cache
 * misses overlap, then sums the chunk from there. Reading the rows in place stalls on each row's
 * misses: 2.3-2.8 ns per update against 1.5-1.6 on 5% of 1,000,000 rows, the same on every row.
 */
const CHUNK = 2048;

/** Bytes of scratch a kernel call over codes of this width needs. */
export function scratchBytes(width: number): number {
  return CHUNK * (Math.ceil(width / 8) * 8 + 16);
}

function kernel(S: 2 | 3): Fn {
  const f = new Fn(new Array<number>(12).fill(I32));
  const [HIST, OFFS, FEAT, NF, CODES, WIDTH, COLBASE, IP, IEND, GRAD, HESS, BUF] = [
    0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11,
  ];
  const fend = f.localI32();
  const stride = f.localI32();
  const ghBuf = f.localI32();
  const cend = f.localI32();
  const q = f.localI32();
  const r = f.localI32();
  const dst = f.localI32();
  const gDst = f.localI32();
  const src = f.localI32();
  const k = f.localI32();
  const i = f.localI32();
  const n = f.localI32();
  const p = f.localI32();
  const ff = f.localI32();
  const base = f.localI32();
  const addr = f.localI32();
  const a = Array.from({ length: ROWS }, () => f.localI32());
  const gh = Array.from({ length: ROWS }, () => f.localV128());
  // A bin's byte offset: << 4 for [g, h]; * 24 for [g, h, count].
  const scale = (): Fn => (S === 2 ? f.i32(4).op(Op.I32Shl) : f.i32(24).op(Op.I32Mul));
  f.get(FEAT).get(NF).i32(2).op(Op.I32Shl).op(Op.I32Add).set(fend);
  // Gathered rows are whole 8-byte words apart; their (g, h) pairs follow the chunk's codes.
  f.get(WIDTH).i32(7).op(Op.I32Add).i32(-8).op(Op.I32And).set(stride);
  f.get(BUF).get(stride).i32(CHUNK).op(Op.I32Mul).op(Op.I32Add).set(ghBuf);
  f.whileNot(
    () => f.get(IP).get(IEND).op(Op.I32GeU),
    () => {
      // cend = min(i1, ip + CHUNK rows)
      f.get(IP)
        .i32(4 * CHUNK)
        .op(Op.I32Add)
        .get(IEND);
      f.get(IP)
        .i32(4 * CHUNK)
        .op(Op.I32Add)
        .get(IEND)
        .op(Op.I32LtU)
        .op(Op.Select)
        .set(cend);
      // Gather: codes by 8-byte words (up to 7 bytes past a row: the blocks are padded), then (g, h).
      f.get(BUF).set(dst).get(ghBuf).set(gDst).get(IP).set(q);
      f.whileNot(
        () => f.get(q).get(cend).op(Op.I32GeU),
        () => {
          f.get(q).mem(Op.I32Load, 2).set(r);
          f.get(gDst).get(GRAD).get(r).i32(3).op(Op.I32Shl).op(Op.I32Add).mem(Op.F64Load, 3).simd(SimdOp.F64x2Splat);
          f.get(HESS).get(r).i32(3).op(Op.I32Shl).op(Op.I32Add).mem(Op.F64Load, 3);
          f.simd(SimdOp.F64x2ReplaceLane, 1).simd(SimdOp.V128Store, 3, 0);
          f.get(CODES).get(r).get(WIDTH).op(Op.I32Mul).op(Op.I32Add).set(src);
          f.i32(0).set(k);
          f.whileNot(
            () => f.get(k).get(stride).op(Op.I32GeU),
            () => {
              f.get(dst).get(k).op(Op.I32Add).get(src).get(k).op(Op.I32Add).mem(Op.I64Load, 3).mem(Op.I64Store, 3);
              f.inc(k, 8);
            },
          );
          f.get(dst).get(stride).op(Op.I32Add).set(dst);
          f.inc(gDst, 16).inc(q, 4);
        },
      );
      // Sum the chunk's rows, in order, ROWS at a time through each feature.
      f.get(cend).get(IP).op(Op.I32Sub).i32(2).op(Op.I32ShrU).set(n);
      f.i32(0).set(i);
      const rows = (R: number): void => {
        f.whileNot(
          () => f.get(n).get(i).op(Op.I32Sub).i32(R).op(Op.I32LtS),
          () => {
            for (let j = 0; j < R; j++) {
              f.get(ghBuf).get(i).i32(4).op(Op.I32Shl).op(Op.I32Add);
              f.simd(SimdOp.V128Load, 3, 16 * j).set(gh[j]);
              // Row j's codes, addressed by global feature index.
              f.get(BUF).get(i).i32(j).op(Op.I32Add).get(stride).op(Op.I32Mul).op(Op.I32Add);
              f.get(COLBASE).op(Op.I32Sub).set(a[j]);
            }
            f.get(FEAT).set(p);
            f.whileNot(
              () => f.get(p).get(fend).op(Op.I32GeU),
              () => {
                f.get(p).mem(Op.I32Load, 2).set(ff);
                f.get(HIST).get(OFFS).get(ff).i32(2).op(Op.I32Shl).op(Op.I32Add).mem(Op.I32Load, 2);
                scale().op(Op.I32Add).set(base);
                for (let j = 0; j < R; j++) {
                  f.get(base).get(a[j]).get(ff).op(Op.I32Add).mem(Op.I32Load8U, 0);
                  scale().op(Op.I32Add).tee(addr);
                  f.get(addr).simd(SimdOp.V128Load, 3, 0).get(gh[j]).simd(SimdOp.F64x2Add);
                  f.simd(SimdOp.V128Store, 3, 0);
                  if (S === 3)
                    f.get(addr).get(addr).mem(Op.F64Load, 3, 16).f64(1).op(Op.F64Add).mem(Op.F64Store, 3, 16);
                }
                f.inc(p, 4);
              },
            );
            f.inc(i, R);
          },
        );
      };
      rows(ROWS);
      rows(1);
      f.get(cend).set(IP);
    },
  );
  return f;
}

/** dst -= src, two doubles per f64x2.sub (each lane the scalar subtraction), then an odd last one. */
function subtract(): Fn {
  const f = new Fn([I32, I32, I32]);
  const [DST, SRC, BYTES] = [0, 1, 2];
  const end = f.localI32();
  f.get(DST).get(BYTES).op(Op.I32Add).set(end);
  f.whileNot(
    () => f.get(end).get(DST).op(Op.I32Sub).i32(16).op(Op.I32LtS),
    () => {
      f.get(DST).get(DST).simd(SimdOp.V128Load, 3, 0).get(SRC).simd(SimdOp.V128Load, 3, 0);
      f.simd(SimdOp.F64x2Sub).simd(SimdOp.V128Store, 3, 0);
      f.inc(DST, 16).inc(SRC, 16);
    },
  );
  f.when(
    () => f.get(DST).get(end).op(Op.I32LtU),
    () => f.get(DST).get(DST).mem(Op.F64Load, 3).get(SRC).mem(Op.F64Load, 3).op(Op.F64Sub).mem(Op.F64Store, 3),
  );
  return f;
}

const kernelModule = new KernelModule<HistogramKernels>(MEMORY, (shared) =>
  assembleModule(MEMORY, { hist2: kernel(2), hist3: kernel(3), sub: subtract() }, [], shared),
);

/** Tests and benchmarks switch the WebAssembly histograms off to run the JavaScript they replace. */
export function setWasmHistograms(on: boolean): void {
  kernelModule.enabled = on;
}

/** True when tree fits build histograms in WebAssembly (available, compiled, not switched off). */
export function wasmHistogramsOn(): boolean {
  return kernelModule.on();
}

/** Histograms built by buildHistogramBlocks in this thread, by the kernels and in JavaScript. */
const built = { wasm: 0, js: 0 };

/** How many histograms this thread built with the kernels and with their JavaScript loops (for tests and diagnosis). */
export function histogramBuildCounts(): { wasm: number; js: number } {
  return { ...built };
}

/** Largest memory a fit's histograms are given; beyond it the JavaScript path runs. */
export const MAX_HISTOGRAM_BYTES = 2 ** 31;

/** The kernels over `memory` in this thread (instantiated once per memory), or null. */
export function histogramKernels(memory: WasmMemory, shared: boolean): HistogramKernels | null {
  return kernelModule.kernels(memory, shared);
}

/** Byte size of an arena holding arrays of these byte sizes (each starts on a 64-byte line). */
export function arenaBytes(...sizes: number[]): number {
  return sizes.reduce((s, b) => s + line(b), 0);
}

const line = (bytes: number): number => Math.ceil(Math.max(bytes, 1) / 64) * 64;

/**
 * One fixed-size WebAssembly memory from which a fit takes its arrays, one after the other; never
 * grown, so the views stay valid (growing a plain memory would detach them).
 */
export class WasmArena {
  private top = 0;
  /** The memory's buffer (the same object as long as the memory is not grown: never). */
  readonly buffer: ArrayBufferLike;
  private constructor(
    readonly memory: WasmMemory,
    readonly shared: boolean,
    readonly kernels: HistogramKernels,
  ) {
    this.buffer = memory.buffer;
  }

  /** A memory of `bytes` bytes with the kernels over it, or null (switched off, unavailable, too large). */
  static create(bytes: number, shared: boolean): WasmArena | null {
    if (!wasmHistogramsOn() || bytes > MAX_HISTOGRAM_BYTES) return null;
    const api = (globalThis as { WebAssembly?: WasmApi }).WebAssembly!;
    const pages = Math.max(1, Math.ceil(bytes / PAGE));
    try {
      const memory = new api.Memory(shared ? { initial: pages, maximum: pages, shared } : { initial: pages });
      const kernels = histogramKernels(memory, shared);
      return kernels ? new WasmArena(memory, shared, kernels) : null;
    } catch {
      return null;
    }
  }

  /** True when `a` is a view of this memory (then its byteOffset is its address). */
  holds(a: { buffer: ArrayBufferLike }): boolean {
    return a.buffer === this.buffer;
  }

  private take(bytes: number): number {
    const at = this.top;
    this.top += line(bytes);
    if (this.top > this.buffer.byteLength) throw new Error('WasmArena: out of room (sizes misplanned)');
    return at;
  }

  f64(n: number): Float64Array {
    return new Float64Array(this.buffer, this.take(n * 8), n);
  }
  i32(n: number): Int32Array {
    return new Int32Array(this.buffer, this.take(n * 4), n);
  }
  u32(n: number): Uint32Array {
    return new Uint32Array(this.buffer, this.take(n * 4), n);
  }
  u8(n: number): Uint8Array {
    return new Uint8Array(this.buffer, this.take(n), n);
  }
}

/** First column of block b of T over cols columns (the worker threads' feature blocks). */
export function blockStart(b: number, cols: number, T: number): number {
  return Math.floor((b * cols) / T);
}

/** The block of T holding column f: the largest b with blockStart(b) <= f. */
export function blockOf(f: number, cols: number, T: number): number {
  return Math.floor(((f + 1) * T - 1) / cols);
}

/** Byte sizes of the T column blocks of rows x cols codes (for arenaBytes; each with 8 bytes of padding). */
export function codeBlockBytes(rows: number, cols: number, T: number): number[] {
  return Array.from({ length: T }, (_, b) => rows * (blockStart(b + 1, cols, T) - blockStart(b, cols, T)) + 8);
}

/** Scratch bytes for kernel calls on any of the T column blocks of cols columns. */
export function blockScratchBytes(cols: number, T: number): number {
  return scratchBytes(Math.ceil(cols / T));
}

/** The column blocks of column-major bins (bin of row r, feature f at f * rows + r), from `alloc`. */
export function codeBlocks(
  bins: Uint8Array,
  rows: number,
  cols: number,
  T: number,
  alloc: (n: number) => Uint8Array,
): Uint8Array[] {
  return Array.from({ length: T }, (_, b) => {
    const f0 = blockStart(b, cols, T);
    const w = blockStart(b + 1, cols, T) - f0;
    // The kernels read whole 8-byte words: up to 7 bytes past the last row.
    const out = alloc(rows * w + 8).subarray(0, rows * w);
    for (let j = 0; j < w; j++) {
      const src = (f0 + j) * rows;
      for (let r = 0; r < rows; r++) out[r * w + j] = bins[src + r];
    }
    return out;
  });
}

/**
 * The histogram of rows idx[start, end) for features[fi0, fi1) from the column blocks `codes` (of
 * cols columns), stride S: each run of consecutive listed features in one block is one kernel call,
 * after zeroing their slots. With kernels, every array must be a view of the kernels' memory (its
 * byteOffset is its address) and scratch (blockScratchBytes, used by no other call meanwhile) too;
 * without, the same loops run in JavaScript on the views (a worker whose kernels did not
 * instantiate, a slot outside the memory), with the same sums.
 */
export function buildHistogramBlocks(
  kernels: HistogramKernels | null,
  scratch: Uint8Array | null,
  hist: Float64Array,
  S: number,
  offsets: Int32Array,
  features: Int32Array,
  fi0: number,
  fi1: number,
  codes: readonly Uint8Array[],
  cols: number,
  idx: Uint32Array,
  start: number,
  end: number,
  grad: Float64Array,
  hess: Float64Array,
): void {
  const T = codes.length;
  built[kernels && scratch ? 'wasm' : 'js']++;
  for (let i = fi0; i < fi1;) {
    const b = blockOf(features[i], cols, T);
    let j = i;
    let z0 = offsets[features[i]] * S;
    let z1 = z0;
    // Zero the run's slots, one fill per stretch of adjacent features.
    while (j < fi1 && blockOf(features[j], cols, T) === b) {
      const f = features[j];
      const s0 = offsets[f] * S;
      if (s0 !== z1) {
        hist.fill(0, z0, z1);
        z0 = s0;
      }
      z1 = offsets[f + 1] * S;
      j++;
    }
    hist.fill(0, z0, z1);
    const f0 = blockStart(b, cols, T);
    const width = blockStart(b + 1, cols, T) - f0;
    if (end > start) {
      if (kernels && scratch)
        (S === 2 ? kernels.hist2 : kernels.hist3)(
          hist.byteOffset,
          offsets.byteOffset,
          features.byteOffset + i * 4,
          j - i,
          codes[b].byteOffset,
          width,
          f0,
          idx.byteOffset + start * 4,
          idx.byteOffset + end * 4,
          grad.byteOffset,
          hess.byteOffset,
          scratch.byteOffset,
        );
      else blockJs(hist, S, offsets, features, i, j, codes[b], width, f0, idx, start, end, grad, hess);
    }
    i = j;
  }
}

/**
 * parent -= child over features[fi0, fi1) (stride S), the parent becoming the sibling's histogram:
 * with kernels (both histograms views of their memory) one f64x2 call per stretch of adjacent
 * features, else subtractHistogram. The same differences either way.
 */
export function subtractHistogramWasm(
  kernels: HistogramKernels | null,
  parent: Float64Array,
  child: Float64Array,
  offsets: Int32Array,
  features: Int32Array,
  fi0: number,
  fi1: number,
  S: number,
): void {
  if (!kernels) {
    subtractHistogram(parent, child, offsets, fi0 === 0 ? features : features.subarray(fi0, fi1), fi1 - fi0, S);
    return;
  }
  for (let i = fi0; i < fi1;) {
    const a = offsets[features[i]] * S;
    let e = offsets[features[i] + 1] * S;
    let j = i + 1;
    while (j < fi1 && offsets[features[j]] * S === e) e = offsets[features[j++] + 1] * S;
    kernels.sub(parent.byteOffset + a * 8, child.byteOffset + a * 8, (e - a) * 8);
    i = j;
  }
}

/** The kernels' loop in JavaScript (one row per step; the same sums). */
function blockJs(
  hist: Float64Array,
  S: number,
  offsets: Int32Array,
  features: Int32Array,
  i0: number,
  i1: number,
  codes: Uint8Array,
  width: number,
  colBase: number,
  idx: Uint32Array,
  start: number,
  end: number,
  grad: Float64Array,
  hess: Float64Array,
): void {
  for (let i = start; i < end; i++) {
    const r = idx[i];
    const g = grad[r];
    const h = hess[r];
    const a = r * width - colBase;
    for (let q = i0; q < i1; q++) {
      const f = features[q];
      const j = (offsets[f] + codes[a + f]) * S;
      hist[j] += g;
      hist[j + 1] += h;
      if (S === 3) hist[j + 2] += 1;
    }
  }
}
