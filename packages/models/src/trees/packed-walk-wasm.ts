import { assembleModule, compileModule, Fn, instantiate, MemoryPlan, type CompiledModule } from '../wasm/assembler';
import { addLeaf } from './walk-wasm-parts';
import { F64, I32, MiscOp, Op, VOID } from '../wasm/opcodes';
import type { CutGrid } from './cut-grid';

/**
 * Batch prediction's coding and packed tree walk (encodeBlock and addTreePacked in packed-walk.ts)
 * as two small WebAssembly functions, assembled here byte by byte (~2 KB). In JavaScript most of
 * the walk's instructions are typed-array bounds checks, int32 overflow checks and register
 * spills; in WebAssembly the same steps need none of them. Same arithmetic in the same order (the
 * same float compares for the codes, one f64 multiply and add per tree and row), so scores are
 * bit for bit those of the JavaScript path, which stays as the fallback.
 *
 * Linear memory, one per model (createPackedWalker; byte offsets):
 *   meta    per tree 4 x i32: packed node start (in nodes), leaf start minus internal nodes (in
 *           leaves), depth, output column
 *   packed  i32 per node: feature * 8 << 8 | threshold rank
 *   leaves  f64 per leaf
 *   fmeta   per feature 32 bytes: its coding grid (see encodeFn)
 *   cuts, start   per used feature: padded sorted thresholds (f64), grid cell starts (u8)
 *   codes   one block's byte codes in groups of eight rows
 *   column  one column of the block (f64), copied in before it is coded
 *   out     f64 rows x K, the block's scores (the caller fills in the scores so far)
 */

/** Rows walking a tree together (the codes come in groups of eight rows). */
const U = 8;

/** walk(m, cols, K, nTrees, scale, meta, packed, leaves, codes, out) */
function walkFn(): Fn {
  const f = new Fn([I32, I32, I32, I32, F64, I32, I32, I32, I32, I32]);
  const [m, cols, K, nTrees, scale, meta, packed, leaves, codes, out] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9];
  const t = f.localI32();
  const mt = f.localI32(); // this tree's meta address
  const pk = f.localI32(); // byte address of the tree's first node
  const lf = f.localI32(); // byte address of leaf 0, minus the tree's internal nodes
  const D = f.localI32();
  const o = f.localI32();
  const i = f.localI32();
  const g = f.localI32();
  const d = f.localI32();
  const p = f.localI32();
  const n: number[] = [];
  for (let k = 0; k < U; k++) n.push(f.localI32());

  /** n = (n << 1 | 1) + ((rank - code) >>> 31), the row's code at g + offset + 8 * feature. */
  const step = (nk: number, offset: number): void => {
    f.get(pk).get(nk).i32(2).op(Op.I32Shl, Op.I32Add).mem(Op.I32Load, 2).tee(p);
    f.i32(255).op(Op.I32And);
    f.get(g).get(p).i32(8).op(Op.I32ShrU, Op.I32Add).mem(Op.I32Load8U, 0, offset);
    f.op(Op.I32Sub).i32(31).op(Op.I32ShrU);
    f.get(nk).i32(1).op(Op.I32Shl).i32(1).op(Op.I32Or, Op.I32Add).set(nk);
  };
  /** out[(i + row) * K + o] += leaves[n] * scale */
  const leafTarget = { out, i, K, o, scale, p };
  /** g = codes + (i >>> 3) * 8 * cols + (i & 7) */
  const groupBase = (): void => {
    f.get(codes).get(i).i32(3).op(Op.I32ShrU).get(cols).op(Op.I32Mul).i32(3).op(Op.I32Shl, Op.I32Add);
    f.get(i).i32(7).op(Op.I32And, Op.I32Add).set(g);
  };
  const depthLoop = (body: () => void): void => {
    f.upTo(d, D, body);
  };

  f.i32(0).set(t);
  f.whileNot(
    () => f.get(t).get(nTrees).op(Op.I32GeS),
    () => {
      f.get(meta).get(t).i32(4).op(Op.I32Shl, Op.I32Add).tee(mt);
      f.mem(Op.I32Load, 2, 0).i32(2).op(Op.I32Shl).get(packed).op(Op.I32Add).set(pk);
      f.get(mt).mem(Op.I32Load, 2, 4).i32(3).op(Op.I32Shl).get(leaves).op(Op.I32Add).set(lf);
      f.get(mt).mem(Op.I32Load, 2, 8).set(D);
      f.get(mt).mem(Op.I32Load, 2, 12).set(o);
      // Groups of eight rows.
      f.i32(0).set(i);
      f.whileNot(
        () => f.get(i).i32(U).op(Op.I32Add).get(m).op(Op.I32GtS),
        () => {
          groupBase();
          for (let k = 0; k < U; k++) f.i32(0).set(n[k]);
          depthLoop(() => {
            for (let k = 0; k < U; k++) step(n[k], k);
          });
          for (let k = 0; k < U; k++) addLeaf(f, leafTarget, lf, n[k], k);
          f.get(i).i32(U).op(Op.I32Add).set(i);
        },
      );
      // The remaining rows one at a time.
      f.whileNot(
        () => f.get(i).get(m).op(Op.I32GeS),
        () => {
          groupBase();
          f.i32(0).set(n[0]);
          depthLoop(() => step(n[0], 0));
          addLeaf(f, leafTarget, lf, n[0], 0);
          f.inc(i);
        },
      );
      f.inc(t);
    },
  );
  return f;
}

/**
 * encode(m, cols, c, fm, data, codes) -> 1, or 0 when a value is NaN: encodeBlock's (packed-walk.ts)
 * coding of one column, code = start[cell(x)] + (cuts of that cell below x), for the m values at
 * data into codes in groups of eight rows (row i at codes + (i >>> 3) * 8 * cols + 8 * c + (i & 7)).
 * The column's grid (32 bytes at fm): lo, inv (f64), G, start, cuts (byte addresses), steps (i32).
 */
function encodeFn(): Fn {
  const f = new Fn([I32, I32, I32, I32, I32, I32], [I32]);
  const [m, cols, c, fm, data, codes] = [0, 1, 2, 3, 4, 5];
  const steps = f.localI32();
  const G = f.localI32();
  const start = f.localI32();
  const cuts = f.localI32();
  const i = f.localI32();
  const k = f.localI32();
  const s = f.localI32();
  const o = f.localI32();
  const dp = f.localI32();
  const x = f.localF64();
  const t = f.localF64();
  const lo = f.localF64();
  const inv = f.localF64();
  const Gf = f.localF64();
  f.get(fm).mem(Op.F64Load, 3, 0).set(lo);
  f.get(fm).mem(Op.F64Load, 3, 8).set(inv);
  f.get(fm).mem(Op.I32Load, 2, 16).tee(G).op(Op.F64ConvertI32S).set(Gf);
  f.get(fm).mem(Op.I32Load, 2, 20).set(start);
  f.get(fm).mem(Op.I32Load, 2, 24).set(cuts);
  f.get(fm).mem(Op.I32Load, 2, 28).set(steps);
  /** codes[o + row] = code of data[dp + 8 * row] (returns 0 from encode on NaN). */
  const value = (row: number): void => {
    f.get(dp)
      .mem(Op.F64Load, 3, 8 * row)
      .tee(x);
    f.get(x).op(Op.F64Ne, Op.If, VOID).i32(0).op(Op.Return, Op.End);
    f.get(x).get(lo).op(Op.F64Sub).get(inv).op(Op.F64Mul).set(t);
    // k = start[t > 0 ? (t < G ? trunc(t) : G) : 0]
    f.get(t).op(Op.Misc, MiscOp.I32TruncSatF64S).get(G).get(t).get(Gf).op(Op.F64Lt, Op.Select);
    f.i32(0).get(t).f64(0).op(Op.F64Gt, Op.Select);
    f.get(start).op(Op.I32Add).mem(Op.I32Load8U, 0).set(k);
    // then k += cuts[k] < x, steps times
    f.i32(0).set(s);
    f.whileNot(
      () => f.get(s).get(steps).op(Op.I32GeS),
      () => {
        f.get(k)
          .get(cuts)
          .get(k)
          .i32(3)
          .op(Op.I32Shl, Op.I32Add)
          .mem(Op.F64Load, 3)
          .get(x)
          .op(Op.F64Lt, Op.I32Add)
          .set(k);
        f.inc(s);
      },
    );
    f.get(o).get(k).mem(Op.I32Store8, 0, row);
  };
  // Full groups of eight rows: o = codes + i * cols + 8 * c (i a multiple of 8).
  f.i32(0).set(i);
  f.whileNot(
    () => f.get(i).i32(8).op(Op.I32Add).get(m).op(Op.I32GtS),
    () => {
      f.get(codes).get(i).get(cols).op(Op.I32Mul, Op.I32Add).get(c).i32(3).op(Op.I32Shl, Op.I32Add).set(o);
      f.get(data).get(i).i32(3).op(Op.I32Shl, Op.I32Add).set(dp);
      for (let row = 0; row < 8; row++) value(row);
      f.get(i).i32(8).op(Op.I32Add).set(i);
    },
  );
  // The rest one at a time.
  f.whileNot(
    () => f.get(i).get(m).op(Op.I32GeS),
    () => {
      f.get(codes).get(i).i32(3).op(Op.I32ShrU).get(cols).op(Op.I32Mul).i32(3).op(Op.I32Shl, Op.I32Add);
      f.get(c).i32(3).op(Op.I32Shl, Op.I32Add).get(i).i32(7).op(Op.I32And, Op.I32Add).set(o);
      f.get(data).get(i).i32(3).op(Op.I32Shl, Op.I32Add).set(dp);
      value(0);
      f.inc(i);
    },
  );
  f.i32(1);
  return f;
}

const MEMORY = ['env', 'mem'] as const;

const moduleBytes = (): Uint8Array => assembleModule(MEMORY, { walk: walkFn(), encode: encodeFn() });

type WalkFn = (
  m: number,
  cols: number,
  K: number,
  nTrees: number,
  scale: number,
  meta: number,
  packed: number,
  leaves: number,
  codes: number,
  out: number,
) => void;
type EncodeFn = (m: number, cols: number, c: number, fm: number, data: number, codes: number) => number;

let compiled: CompiledModule | null | undefined;
/** Switched off by tests only. */
let enabled = true;

/** Tests switch the WebAssembly walk off to cover the JavaScript walk it replaces. */
export function setWasmWalk(on: boolean): void {
  enabled = on;
}

/** True when predictions walk in WebAssembly (available, compiled, not switched off). */
export function wasmWalkOn(): boolean {
  return enabled && walkModule() !== null;
}

/** The compiled module, or null where WebAssembly is unavailable or refused (callers keep the JavaScript walk). */
function walkModule(): CompiledModule | null {
  if (compiled === undefined) compiled = compileModule(moduleBytes);
  return compiled;
}

/** What the walk needs of a model's complete layout. */
export interface PackedModel {
  nTrees: number;
  nOutputs: number;
  /** Per tree: first node, first leaf (length nTrees + 1), depth, output column. */
  nodeBase: Int32Array;
  leafBase: Int32Array;
  depth: Int32Array;
  treeOutput: Int32Array;
  packed: Int32Array;
  /** One value per leaf. */
  value: Float64Array;
  /** Per feature its padded sorted thresholds and coding grid (undefined where no tree splits on it). */
  cuts: readonly (Float64Array | undefined)[];
  grids: readonly (CutGrid | undefined)[];
}

/**
 * A model's trees and thresholds in WebAssembly memory, with room for one block of `blockRows`
 * rows: encode(data, rows, b, e) codes rows [b, e) of a column-major matrix (false when a feature
 * the trees use holds a NaN); fill `out` with the block's scores so far (rows x nOutputs); then
 * run(e - b, scale) adds every tree's leaf value times scale to out.
 */
export interface PackedWalker {
  readonly out: Float64Array;
  encode(data: Float64Array, rows: number, b: number, e: number): boolean;
  run(m: number, scale: number): void;
}

export function createPackedWalker(model: PackedModel, cols: number, blockRows: number): PackedWalker | null {
  const wasm = walkModule();
  if (!wasm) return null;
  const T = model.nTrees;
  const K = model.nOutputs;
  const plan = new MemoryPlan(8);
  const metaAt = plan.take(T * 16);
  const packedAt = plan.take(model.packed.length * 4);
  const leavesAt = plan.take(model.value.length * 8);
  const fmetaAt = plan.take(cols * 32);
  const cutsAt: number[] = [];
  const startAt: number[] = [];
  for (let c = 0; c < cols; c++) {
    const cuts = model.cuts[c];
    const grid = model.grids[c];
    cutsAt.push(cuts && grid ? plan.take(cuts.length * 8) : -1);
    startAt.push(cuts && grid ? plan.take(grid.start.length) : -1);
  }
  const codesLen = Math.ceil(blockRows / 8) * 8 * cols;
  const codesAt = plan.take(codesLen);
  const dataAt = plan.take(blockRows * 8);
  const outAt = plan.take(blockRows * K * 8);
  try {
    const { memory, exports } = instantiate(wasm, MEMORY, plan.size);
    const walk = exports.walk as WalkFn;
    const encode = exports.encode as EncodeFn;
    const buf = memory.buffer;
    const meta = new Int32Array(buf, metaAt, T * 4);
    for (let t = 0; t < T; t++) {
      const nb = model.nodeBase[t];
      meta[4 * t] = nb;
      // Leaf index minus the tree's internal nodes: a walk ends at heap position internal + leaf.
      meta[4 * t + 1] = model.leafBase[t] - (model.nodeBase[t + 1] - nb);
      meta[4 * t + 2] = model.depth[t];
      meta[4 * t + 3] = model.treeOutput[t];
    }
    new Int32Array(buf, packedAt, model.packed.length).set(model.packed);
    new Float64Array(buf, leavesAt, model.value.length).set(model.value);
    const fmF = new Float64Array(buf, fmetaAt, cols * 4);
    const fmI = new Int32Array(buf, fmetaAt, cols * 8);
    const used: number[] = [];
    for (let c = 0; c < cols; c++) {
      const cuts = model.cuts[c];
      const grid = model.grids[c];
      if (!cuts || !grid) continue;
      used.push(c);
      fmF[4 * c] = grid.lo;
      fmF[4 * c + 1] = grid.inv;
      fmI[8 * c + 4] = grid.G;
      fmI[8 * c + 5] = startAt[c];
      fmI[8 * c + 6] = cutsAt[c];
      fmI[8 * c + 7] = grid.steps;
      new Float64Array(buf, cutsAt[c], cuts.length).set(cuts);
      new Uint8Array(buf, startAt[c], grid.start.length).set(grid.start);
    }
    const column = new Float64Array(buf, dataAt, blockRows);
    return {
      out: new Float64Array(buf, outAt, blockRows * K),
      encode(data: Float64Array, rows: number, b: number, e: number): boolean {
        // Column by column, so a block with a NaN stops early (it goes to the float walk).
        for (const c of used) {
          column.set(data.subarray(c * rows + b, c * rows + e));
          if (encode(e - b, cols, c, fmetaAt + 32 * c, dataAt, codesAt) !== 1) return false;
        }
        return true;
      },
      run: (m: number, scale: number): void => walk(m, cols, K, T, scale, metaAt, packedAt, leavesAt, codesAt, outAt),
    };
  } catch {
    return null;
  }
}
