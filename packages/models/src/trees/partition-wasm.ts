/**
 * A node's row partition on a numeric split in WebAssembly SIMD: the stable, branch-free partition
 * of TreeGrower.split (left rows stay in place in order, right rows go through a scratch index and
 * are copied back after them) and the worker threads' chunk and scatter of it (split-block.ts),
 * with the same rows in the same order as the JavaScript loops, which stay as the fallback.
 *
 * Four rows a step: their indices are one v128 load, their codes are read into the lanes of one
 * vector (v128.load8_lane), i32x4 compares against the threshold and the missing bin give a 4-bit
 * side mask, and a 16-entry swizzle table compacts the left rows to the front of one vector and the
 * right rows to the front of another: two v128 stores and two cursor moves by popcount, where the
 * scalar loop writes every row twice. About 0.8-1.0 ns per row against 1.7-2.0 for the JavaScript
 * loop on 1,000,000 rows, on every row or a sparse subset (see the README).
 *
 * A store writes four lanes, of which only the side's rows count: the others land on positions a
 * later store or the copy-back overwrites. In place that is safe because the left cursor never
 * passes the rows read (a store at w <= i covers at most the step's own four rows, already read);
 * the scratch index needs three spare entries past the node's rows.
 *
 * The kernels read the split feature's codes column-major (the code of row r at codes + r * stride
 * with stride 1): a column of 1,000,000 rows is 1 MB, which stays in cache over a node's sparse rows,
 * where reading them out of the row-major column blocks (stride = the block's width) misses on
 * nearly every row (2.3-2.9 ns per row on 2-10% of the rows, against 0.8-0.9; in a 1M fit, slower
 * than the JavaScript loop on the column-major bins).
 */
import { assembleModule, Fn, KernelModule } from '../wasm/assembler';
import type { WasmMemory } from '../wasm/assembler';
import { I32, MiscOp, Op, SimdOp } from '../wasm/opcodes';

/**
 * Byte addresses in the kernels' memory. The code of row r is the byte at codes + r * stride; a row
 * goes left when its code is <= thr, except the missing bin `missing`, which goes left when missLeft
 * is 1 (the JavaScript test `b === missing ? missLeft : +(b <= thr)`). `table` is the TABLE_BYTES
 * of table().
 */
export interface PartitionKernels {
  /**
   * part(codes, stride, i0, i1, tmp, thr, missing, missLeft, table): the rows idx[i0, i1) (u32)
   * partitioned in place, left rows first, each side in its order, right rows through tmp (which
   * needs room for the node's rows plus 3); returns the byte address of the first right row.
   */
  part(...args: PartArgs): number;
  /**
   * chunk(codes, stride, i0, i1, out, thr, missing, missLeft, table): the rows idx[i0, i1) split
   * into out[0, n) (n = the rows): left rows forward from out, right rows backward from out + n - 1;
   * returns the left count.
   */
  chunk(...args: PartArgs): number;
  /**
   * scatter(src, nl, nr, left, right): the rows src[0, nl) to left, and src[nl, nl + nr) reversed
   * to right (a chunk's rows to their places in the row index).
   */
  scatter(src: number, nl: number, nr: number, left: number, right: number): void;
}
type PartArgs = [number, number, number, number, number, number, number, number, number];

/** Bytes of the swizzle tables (table()). */
export const TABLE_BYTES = 512;

/**
 * The swizzle tables, 16 bytes per 4-bit side mask m (bit j: lane j goes left): at m, the lanes
 * whose bit is set in order, then the others (so entry m ^ 15 puts the right rows first); at 16 + m,
 * the lanes whose bit is clear at the top, the first of them in the top lane (a chunk's right rows,
 * stored backward), the others below.
 */
export function table(): Uint8Array {
  const out = new Uint8Array(TABLE_BYTES);
  const put = (entry: number, lanes: number[]): void =>
    lanes.forEach((lane, k) => {
      for (let b = 0; b < 4; b++) out[entry * 16 + 4 * k + b] = 4 * lane + b;
    });
  for (let m = 0; m < 16; m++) {
    const set = [0, 1, 2, 3].filter((j) => (m >> j) & 1);
    const clear = [0, 1, 2, 3].filter((j) => !((m >> j) & 1));
    put(m, [...set, ...clear]);
    put(16 + m, [...set, ...clear.reverse()]);
  }
  return out;
}

const MEMORY = ['e', 'm'] as const;
const [CODES, STRIDE, IP, IEND, OUT, THR, MISS, ML, TABLE] = [0, 1, 2, 3, 4, 5, 6, 7, 8];

/**
 * The partition loops of part (backward = false: right rows forward from OUT) and chunk (backward:
 * right rows backward from the last of the node's slots in OUT); leaves w and t at the cursors.
 */
function partitionLoops(f: Fn, w: number, t: number, backward: boolean): void {
  const r = f.localI32();
  const c = f.localI32();
  const m = f.localI32();
  const v = f.localV128();
  const addr = f.localV128();
  const cv = f.localV128();
  const strideV = f.localV128();
  const codesV = f.localV128();
  const thrV = f.localV128();
  const missV = f.localV128();
  const mlV = f.localV128();
  f.get(STRIDE).simd(SimdOp.I32x4Splat).set(strideV);
  f.get(CODES).simd(SimdOp.I32x4Splat).set(codesV);
  f.get(THR).simd(SimdOp.I32x4Splat).set(thrV);
  f.get(MISS).simd(SimdOp.I32x4Splat).set(missV);
  f.i32(0).get(ML).op(Op.I32Sub).simd(SimdOp.I32x4Splat).set(mlV);
  // Four rows a step while at least 4 are left (8 for chunk: its two stores of one step then never
  // overlap, whatever the sides).
  f.whileNot(
    () =>
      f
        .get(IEND)
        .get(IP)
        .op(Op.I32Sub)
        .i32(backward ? 32 : 16)
        .op(Op.I32LtS),
    () => {
      // The four rows, their codes' addresses, and the codes into the low bytes of zeroed i32 lanes.
      f.get(IP).simdMem(SimdOp.V128Load, 2, 0).tee(v);
      f.get(strideV).simd(SimdOp.I32x4Mul).get(codesV).simd(SimdOp.I32x4Add).set(addr);
      f.i32(0).simd(SimdOp.I32x4Splat).set(cv);
      for (let j = 0; j < 4; j++)
        f.get(addr)
          .simd(SimdOp.I32x4ExtractLane, j)
          .get(cv)
          .simd(SimdOp.V128Load8Lane, 0, 0, 4 * j)
          .set(cv);
      // m: bit j when row j goes left (the missing bin by missLeft, else code <= thr).
      f.get(mlV).get(cv).get(thrV).simd(SimdOp.I32x4LeS).get(cv).get(missV).simd(SimdOp.I32x4Eq);
      f.simd(SimdOp.V128Bitselect).simd(SimdOp.I32x4Bitmask).set(m);
      // Left rows to w, right rows to t (backward: the top lanes end at t).
      f.get(w).get(v).get(TABLE).get(m).i32(4).op(Op.I32Shl, Op.I32Add).simdMem(SimdOp.V128Load, 4, 0);
      f.simd(SimdOp.I8x16Swizzle).simdMem(SimdOp.V128Store, 2, 0);
      if (backward) {
        f.get(t).i32(12).op(Op.I32Sub).get(v).get(TABLE).get(m).i32(4).op(Op.I32Shl, Op.I32Add);
        f.simdMem(SimdOp.V128Load, 4, 256);
      } else {
        f.get(t).get(v).get(TABLE).get(m).i32(15).op(Op.I32Xor).i32(4).op(Op.I32Shl, Op.I32Add);
        f.simdMem(SimdOp.V128Load, 4, 0);
      }
      f.simd(SimdOp.I8x16Swizzle).simdMem(SimdOp.V128Store, 2, 0);
      f.get(m).op(Op.I32Popcnt).i32(2).op(Op.I32Shl).tee(m).get(w).op(Op.I32Add).set(w);
      if (backward) f.get(t).i32(16).op(Op.I32Sub).get(m).op(Op.I32Add).set(t);
      else f.get(t).i32(16).op(Op.I32Add).get(m).op(Op.I32Sub).set(t);
      f.inc(IP, 16);
    },
  );
  // The last rows one at a time, as the JavaScript loop.
  f.whileNot(
    () => f.get(IP).get(IEND).op(Op.I32GeU),
    () => {
      f.get(IP).mem(Op.I32Load, 2, 0).set(r);
      f.get(ML);
      f.get(r).get(STRIDE).op(Op.I32Mul).get(CODES).op(Op.I32Add).mem(Op.I32Load8U, 0).tee(c);
      f.get(THR).op(Op.I32LeS).get(c).get(MISS).op(Op.I32Eq).op(Op.Select).set(m);
      f.get(w).get(r).mem(Op.I32Store, 2).get(t).get(r).mem(Op.I32Store, 2);
      f.get(m).i32(2).op(Op.I32Shl).tee(m).get(w).op(Op.I32Add).set(w);
      if (backward) f.get(t).i32(4).op(Op.I32Sub).get(m).op(Op.I32Add).set(t);
      else f.get(t).i32(4).op(Op.I32Add).get(m).op(Op.I32Sub).set(t);
      f.inc(IP, 4);
    },
  );
}

function partFn(): Fn {
  const f = new Fn(new Array<number>(9).fill(I32), [I32]);
  const w = f.localI32();
  const t = f.localI32();
  f.get(IP).set(w).get(OUT).set(t);
  partitionLoops(f, w, t, false);
  // The right rows after the left ones.
  f.get(w).get(OUT).get(t).get(OUT).op(Op.I32Sub).op(Op.Misc, MiscOp.MemoryCopy, 0, 0);
  f.get(w);
  return f;
}

function chunkFn(): Fn {
  const f = new Fn(new Array<number>(9).fill(I32), [I32]);
  const w = f.localI32();
  const t = f.localI32();
  f.get(OUT).set(w);
  f.get(OUT).get(IEND).op(Op.I32Add).get(IP).op(Op.I32Sub).i32(4).op(Op.I32Sub).set(t);
  partitionLoops(f, w, t, true);
  f.get(w).get(OUT).op(Op.I32Sub).i32(2).op(Op.I32ShrU);
  return f;
}

function scatterFn(): Fn {
  const f = new Fn([I32, I32, I32, I32, I32]);
  const [SRC, NL, NR, LEFT, RIGHT] = [0, 1, 2, 3, 4];
  const s = f.localI32();
  const end = f.localI32();
  f.get(LEFT).get(SRC).get(NL).i32(2).op(Op.I32Shl).op(Op.Misc, MiscOp.MemoryCopy, 0, 0);
  // s: just past the next right row to copy (they are read from the chunk's last slot down); four
  // at a time, lanes reversed.
  f.get(SRC).get(NL).get(NR).op(Op.I32Add).i32(2).op(Op.I32Shl, Op.I32Add).set(s);
  f.get(RIGHT).get(NR).i32(2).op(Op.I32Shl, Op.I32Add).set(end);
  const reverse = [12, 13, 14, 15, 8, 9, 10, 11, 4, 5, 6, 7, 0, 1, 2, 3];
  const v = f.localV128();
  f.whileNot(
    () => f.get(end).get(RIGHT).op(Op.I32Sub).i32(16).op(Op.I32LtS),
    () => {
      f.get(RIGHT).get(s).i32(16).op(Op.I32Sub).tee(s).simdMem(SimdOp.V128Load, 2, 0).tee(v).get(v);
      f.simd(SimdOp.I8x16Shuffle, ...reverse).simdMem(SimdOp.V128Store, 2, 0);
      f.inc(RIGHT, 16);
    },
  );
  f.whileNot(
    () => f.get(RIGHT).get(end).op(Op.I32GeU),
    () => {
      f.get(RIGHT).get(s).i32(4).op(Op.I32Sub).tee(s).mem(Op.I32Load, 2, 0).mem(Op.I32Store, 2, 0);
      f.inc(RIGHT, 4);
    },
  );
  return f;
}

const kernelModule = new KernelModule<PartitionKernels>(MEMORY, (shared) =>
  assembleModule(MEMORY, { part: partFn(), chunk: chunkFn(), scatter: scatterFn() }, [], shared),
);

/**
 * Tests and benchmarks switch the WebAssembly partition off to run the JavaScript loops it
 * replaces (histograms stay in WebAssembly; setWasmHistograms(false) switches both off).
 */
export function setWasmPartition(on: boolean): void {
  kernelModule.enabled = on;
}

/** True when tree fits whose arrays live in WebAssembly memory partition their rows there. */
export function wasmPartitionOn(): boolean {
  return kernelModule.on();
}

/** Row partitions (whole nodes and thread chunks) run in this thread by the kernels and in JavaScript. */
const runs = { wasm: 0, js: 0 };

/** Counts one partition of this thread (for tests and diagnosis). */
export function countPartition(wasm: boolean): void {
  runs[wasm ? 'wasm' : 'js']++;
}

/** How many numeric row partitions this thread ran with the kernels and with the JavaScript loops. */
export function partitionCounts(): { wasm: number; js: number } {
  return { ...runs };
}

/** The kernels over `memory` in this thread (instantiated once per memory), or null. */
export function partitionKernels(memory: WasmMemory, shared: boolean): PartitionKernels | null {
  return kernelModule.kernels(memory, shared);
}
