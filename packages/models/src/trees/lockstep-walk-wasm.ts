import { assembleModule, Fn, instantiate, KernelModule, MemoryPlan, type CompiledModule } from '../wasm/assembler';
import { addLeaf } from './walk-wasm-parts';
import { F64, I32, Op } from '../wasm/opcodes';
import type { LockstepLayout } from './lockstep-layout';

/**
 * The lockstep walk (lockstep-walk.ts) in WebAssembly, for numeric trees too deep for the
 * complete layout (random forests grown to purity) with one value per leaf. Four rows walk a tree
 * together, as in JavaScript, but stop as soon as none of the four moves: a leaf loops onto itself
 * and every split sends a row to a child further on, so a step where no row moves means all four
 * sit at their leaves. The JavaScript walk takes the tree's full depth for every row (a served
 * forest of depth ~20 has most leaves near depth 12). Same compares and one `out += value * scale`
 * per tree and row, in tree order: scores are bit for bit the JavaScript walk's.
 *
 * Linear memory, one per model (createLockstepWalker; byte offsets):
 *   meta    per tree 4 x i32: root node, depth, output column, 0
 *   nodes   16 bytes per node, the lockstep layout's buffer as is: threshold (f64), 0, left child,
 *           feature * 2 + nanRight (i32)
 *   values  f64 per node (a leaf's value)
 *   rows    one block of rows, row-major (f64 rows x cols)
 *   out     f64 rows x K, the block's scores (the caller fills in the scores so far)
 */

/** Rows walking a tree together (then groups of 4, then single rows, for the rest). */
const U = 8;

/** walk(m, cols, K, nTrees, scale, meta, nodes, values, rows, out) */
function walkFn(): Fn {
  const f = new Fn([I32, I32, I32, I32, F64, I32, I32, I32, I32, I32]);
  const [m, cols, K, nTrees, scale, meta, nodes, values, rows, out] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9];
  const t = f.localI32();
  const mt = f.localI32(); // this tree's meta address
  const root = f.localI32();
  const D = f.localI32();
  const o = f.localI32();
  const i = f.localI32();
  const d = f.localI32();
  const a = f.localI32(); // a node's byte address
  const fe = f.localI32(); // its feature * 2 + nanRight
  const moved = f.localI32();
  const x = f.localF64();
  const p = f.localI32();
  const n: number[] = [];
  const rb: number[] = [];
  for (let k = 0; k < U; k++) n.push(f.localI32());
  for (let k = 0; k < U; k++) rb.push(f.localI32());

  /**
   * next = left + (x > threshold | (x != x) & nanRight), x the row's value of the node's feature;
   * moved |= next ^ n; n = next.
   */
  const step = (k: number): void => {
    f.get(nodes).get(n[k]).i32(4).op(Op.I32Shl, Op.I32Add).tee(a);
    f.mem(Op.I32Load, 2, 12).set(fe);
    f.get(rb[k]).get(fe).i32(1).op(Op.I32ShrU).i32(3).op(Op.I32Shl, Op.I32Add).mem(Op.F64Load, 3).set(x);
    f.get(a).mem(Op.I32Load, 2, 8);
    f.get(x).get(a).mem(Op.F64Load, 3).op(Op.F64Gt);
    f.get(x).get(x).op(Op.F64Ne).get(fe).op(Op.I32And, Op.I32Or, Op.I32Add);
    f.tee(a).get(n[k]).op(Op.I32Xor).get(moved).op(Op.I32Or).set(moved);
    f.get(a).set(n[k]);
  };
  const leafTarget = { out, i, K, o, scale, p };
  /** rb[k] = rows + (i + k) * cols * 8 */
  const rowBase = (k: number): void => {
    f.get(rows).get(i);
    if (k) f.i32(k).op(Op.I32Add);
    f.get(cols).op(Op.I32Mul).i32(3).op(Op.I32Shl, Op.I32Add).set(rb[k]);
  };
  /** Steps until no row of `ks` moves, at most D (one for a single-leaf tree). */
  const walk = (ks: number[]): void => {
    for (const k of ks) f.get(root).set(n[k]);
    f.i32(0).set(d);
    f.doWhile(
      () => {
        f.i32(0).set(moved);
        for (const k of ks) step(k);
        f.inc(d);
      },
      () => f.get(moved).i32(0).op(Op.I32Ne).get(d).get(D).op(Op.I32LtS, Op.I32And),
    );
  };

  f.i32(0).set(t);
  f.whileNot(
    () => f.get(t).get(nTrees).op(Op.I32GeS),
    () => {
      f.get(meta).get(t).i32(4).op(Op.I32Shl, Op.I32Add).tee(mt);
      f.mem(Op.I32Load, 2, 0).set(root);
      f.get(mt).mem(Op.I32Load, 2, 4).set(D);
      f.get(mt).mem(Op.I32Load, 2, 8).set(o);
      f.i32(0).set(i);
      for (const u of [U, 4]) {
        const ks = Array.from({ length: u }, (_, k) => k);
        f.whileNot(
          () => f.get(i).i32(u).op(Op.I32Add).get(m).op(Op.I32GtS),
          () => {
            for (const k of ks) rowBase(k);
            walk(ks);
            for (const k of ks) addLeaf(f, leafTarget, values, n[k], k);
            f.get(i).i32(u).op(Op.I32Add).set(i);
          },
        );
      }
      f.whileNot(
        () => f.get(i).get(m).op(Op.I32GeS),
        () => {
          rowBase(0);
          walk([0]);
          addLeaf(f, leafTarget, values, n[0], 0);
          f.inc(i);
        },
      );
      f.inc(t);
    },
  );
  return f;
}

const MEMORY = ['env', 'mem'] as const;

const kernels = new KernelModule<unknown>(MEMORY, () => assembleModule(MEMORY, { walk: walkFn() }));

/** Tests switch the WebAssembly lockstep walk off to cover the JavaScript walk it replaces. */
export function setWasmLockstepWalk(on: boolean): void {
  kernels.enabled = on;
}

/** True when deep trees walk in WebAssembly (available, compiled, not switched off). */
export function wasmLockstepWalkOn(): boolean {
  return kernels.on();
}

type WalkFn = (
  m: number,
  cols: number,
  K: number,
  nTrees: number,
  scale: number,
  meta: number,
  nodes: number,
  values: number,
  rows: number,
  out: number,
) => void;

/** What the walk needs of a model. */
export interface LockstepModel {
  nTrees: number;
  nOutputs: number;
  /** Node offset of each tree. */
  roots: Int32Array;
  treeOutput: Int32Array;
  /** One value per node (valueWidth 1). */
  value: Float64Array;
  layout: LockstepLayout;
}

/**
 * A model's trees in WebAssembly memory, with room for one block of `blockRows` rows: write the
 * block row-major into `rows`, its scores so far into `out` (rows x nOutputs), then run(m, scale)
 * adds every tree's leaf value times scale to out.
 */
export interface LockstepWalker {
  readonly rows: Float64Array;
  readonly out: Float64Array;
  run(m: number, scale: number): void;
}

export function createLockstepWalker(model: LockstepModel, cols: number, blockRows: number): LockstepWalker | null {
  if (!kernels.on()) return null;
  const wasm = kernels.module(false) as CompiledModule;
  const T = model.nTrees;
  const K = model.nOutputs;
  const nodeCount = model.value.length;
  const plan = new MemoryPlan(16);
  const metaAt = plan.take(T * 16);
  const nodesAt = plan.take(nodeCount * 16);
  const valuesAt = plan.take(nodeCount * 8);
  const rowsAt = plan.take(blockRows * cols * 8);
  const outAt = plan.take(blockRows * K * 8);
  try {
    const { memory, exports } = instantiate(wasm, MEMORY, plan.size);
    const walk = exports.walk as WalkFn;
    const buf = memory.buffer;
    const meta = new Int32Array(buf, metaAt, T * 4);
    for (let t = 0; t < T; t++) {
      meta[4 * t] = model.roots[t];
      meta[4 * t + 1] = model.layout.depth[t];
      meta[4 * t + 2] = model.treeOutput[t];
    }
    const layout = model.layout.threshold;
    new Uint8Array(buf, nodesAt, nodeCount * 16).set(new Uint8Array(layout.buffer, layout.byteOffset, nodeCount * 16));
    new Float64Array(buf, valuesAt, nodeCount).set(model.value);
    return {
      rows: new Float64Array(buf, rowsAt, blockRows * cols),
      out: new Float64Array(buf, outAt, blockRows * K),
      run: (m: number, scale: number): void => walk(m, cols, K, T, scale, metaAt, nodesAt, valuesAt, rowsAt, outAt),
    };
  } catch {
    return null;
  }
}
