import type { Fn } from '../wasm/assembler';
import { Op } from '../wasm/opcodes';

/** The locals of a tree walk kernel that adding a leaf reads (packed-walk-wasm, lockstep-walk-wasm). */
export interface LeafTarget {
  /** Byte address of the block's scores (f64, rows x K). */
  out: number;
  /** First row of the group. */
  i: number;
  K: number;
  /** The tree's output column. */
  o: number;
  scale: number;
  /** An i32 scratch local. */
  p: number;
}

/**
 * out[(i + row) * K + o] += leaf * scale, the leaf the f64 at byte address base + n * 8: the one
 * `out += value * scale` per tree and row both walks share with the JavaScript walks.
 */
export function addLeaf(f: Fn, t: LeafTarget, base: number, n: number, row: number): void {
  f.get(t.out).get(t.i);
  if (row) f.i32(row).op(Op.I32Add);
  f.get(t.K).op(Op.I32Mul).get(t.o).op(Op.I32Add).i32(3).op(Op.I32Shl, Op.I32Add);
  f.tee(t.p).get(t.p).mem(Op.F64Load, 3);
  f.get(base).get(n).i32(3).op(Op.I32Shl, Op.I32Add).mem(Op.F64Load, 3);
  f.get(t.scale).op(Op.F64Mul, Op.F64Add).mem(Op.F64Store, 3);
}
