import { assembleModule, compileModule, Fn, instantiate, uleb } from '../wasm/assembler';
import type { CompiledModule } from '../wasm/assembler';
import { I32, Op, SimdOp } from '../wasm/opcodes';
import { axpy } from './mlp-kernels';

/**
 * The two matrix products the recurrent layers spend their time in, in JavaScript and as
 * WebAssembly SIMD kernels (f64x2) that do the same arithmetic in the same order, so the two give
 * the same weights and predictions bit for bit:
 *
 * - `gemm`: O[r] += A[r] · W for a block of rows, each element summed as
 *   O[r, j] + A[r, 0]·W[0, j] + A[r, 1]·W[1, j] + … (inputs ascending). The kernel holds 16 outputs
 *   of a row in eight v128 registers over all the inputs (the MLP's forward kernel does the same);
 *   each lane still adds its terms in input order, with a separate multiply and add (no fused
 *   multiply-add in WebAssembly SIMD), so the rounding is that of `o += a * w` in JavaScript.
 * - `gemmTN`: G += Aᵀ · D over a block of rows (the weight gradients), rows ascending, each row an
 *   axpy through memory.
 *
 * The backward products with Wᵀ (gradients to the inputs and to the previous state) are `gemm` on
 * a transposed copy of the weights (recurrent-network.ts makes it once per batch): the same sums,
 * Σ_j D[j]·W[i, j] with j ascending, that a dot product would compute.
 *
 * Everything else (gates, Math.exp, Math.tanh, Adam) is JavaScript in both paths, on views of the
 * instance's memory: the WebAssembly path only replaces these two functions.
 */
export interface RecurrentMath {
  /** O[o + r·os + j] += Σ_{i<m} A[a + r·as + i] · W[w + i·n + j] for r < rows, j < n. */
  gemm(
    O: Float64Array,
    o: number,
    os: number,
    A: Float64Array,
    a: number,
    as: number,
    rows: number,
    m: number,
    W: Float64Array,
    w: number,
    n: number,
  ): void;
  /** G[g + i·n + j] += Σ_{r<rows} A[a + r·as + i] · D[d + r·ds + j] for i < m, j < n (r ascending). */
  gemmTN(
    G: Float64Array,
    g: number,
    A: Float64Array,
    a: number,
    as: number,
    D: Float64Array,
    d: number,
    ds: number,
    rows: number,
    m: number,
    n: number,
  ): void;
}

/** The reference: plain loops. */
export const jsRecurrentMath: RecurrentMath = {
  gemm(O, o, os, A, a, as, rows, m, W, w, n) {
    for (let r = 0; r < rows; r++) {
      const oo = o + r * os;
      const ao = a + r * as;
      for (let i = 0; i < m; i++) {
        const x = A[ao + i];
        const wi = w + i * n;
        for (let j = 0; j < n; j++) O[oo + j] += x * W[wi + j];
      }
    }
  },
  gemmTN(G, g, A, a, as, D, d, ds, rows, m, n) {
    for (let r = 0; r < rows; r++) {
      const ao = a + r * as;
      const dd = d + r * ds;
      for (let i = 0; i < m; i++) {
        const x = A[ao + i];
        const gi = g + i * n;
        for (let j = 0; j < n; j++) G[gi + j] += x * D[dd + j];
      }
    }
  },
};

const ALIGN = 3;
/** Outputs of a row that gemm sums in registers at a time (BLOCK / 2 v128 accumulators). */
const BLOCK = 16;

/** gemm(O, os, A, as, rows, m, W, n): byte addresses O, A, W; strides and counts in elements. */
function gemmFn(): Fn {
  const f = new Fn([I32, I32, I32, I32, I32, I32, I32, I32]);
  const [O, os, A, as, rows, m, W, n] = [0, 1, 2, 3, 4, 5, 6, 7];
  const r = f.localI32();
  const i = f.localI32();
  const nb = f.localI32();
  const op = f.localI32();
  const ap = f.localI32();
  const jb = f.localI32();
  const wp = f.localI32();
  const rem = f.localI32();
  const oq = f.localI32();
  const x = f.localF64();
  const xv = f.localV128();
  const acc = Array.from({ length: BLOCK / 2 }, () => f.localV128());
  f.get(n).i32(3).op(Op.I32Shl).set(nb);
  const loadX = (): void => {
    f.get(ap).get(i).i32(3).op(Op.I32Shl, Op.I32Add).mem(Op.F64Load, ALIGN).tee(x).simd(SimdOp.F64x2Splat).set(xv);
    f.get(W).get(i).get(nb).op(Op.I32Mul, Op.I32Add).get(jb).op(Op.I32Add).set(wp);
  };
  f.upTo(r, rows, () => {
    f.get(O).get(r).get(os).op(Op.I32Mul).i32(3).op(Op.I32Shl, Op.I32Add).set(op);
    f.get(A).get(r).get(as).op(Op.I32Mul).i32(3).op(Op.I32Shl, Op.I32Add).set(ap);
    f.i32(0).set(jb);
    f.whileNot(
      () =>
        f
          .get(jb)
          .i32(8 * BLOCK)
          .op(Op.I32Add)
          .get(nb)
          .op(Op.I32GtS),
      () => {
        acc.forEach((v, k) =>
          f
            .get(op)
            .get(jb)
            .op(Op.I32Add)
            .simd(SimdOp.V128Load, ALIGN, ...uleb(16 * k))
            .set(v),
        );
        f.upTo(i, m, () => {
          loadX();
          acc.forEach((v, k) => {
            f.get(v)
              .get(xv)
              .get(wp)
              .simd(SimdOp.V128Load, ALIGN, ...uleb(16 * k));
            f.simd(SimdOp.F64x2Mul).simd(SimdOp.F64x2Add).set(v);
          });
        });
        acc.forEach((v, k) =>
          f
            .get(op)
            .get(jb)
            .op(Op.I32Add)
            .get(v)
            .simd(SimdOp.V128Store, ALIGN, ...uleb(16 * k)),
        );
        f.inc(jb, 8 * BLOCK);
      },
    );
    // The outputs left (fewer than BLOCK) through memory, input by input.
    f.get(nb).get(jb).op(Op.I32Sub).i32(3).op(Op.I32ShrU).set(rem);
    f.when(
      () => f.get(rem),
      () => {
        f.get(op).get(jb).op(Op.I32Add).set(oq);
        f.upTo(i, m, () => {
          loadX();
          axpy(f, rem, oq, wp, x, xv);
        });
      },
    );
  });
  return f;
}

/** gemmTN(G, A, as, D, ds, rows, m, n): byte addresses G, A, D; strides and counts in elements. */
function gemmTNFn(): Fn {
  const f = new Fn([I32, I32, I32, I32, I32, I32, I32, I32]);
  const [G, A, as, D, ds, rows, m, n] = [0, 1, 2, 3, 4, 5, 6, 7];
  const r = f.localI32();
  const i = f.localI32();
  const nb = f.localI32();
  const ap = f.localI32();
  const dp = f.localI32();
  const gp = f.localI32();
  const x = f.localF64();
  const xv = f.localV128();
  f.get(n).i32(3).op(Op.I32Shl).set(nb);
  f.upTo(r, rows, () => {
    f.get(A).get(r).get(as).op(Op.I32Mul).i32(3).op(Op.I32Shl, Op.I32Add).set(ap);
    f.get(D).get(r).get(ds).op(Op.I32Mul).i32(3).op(Op.I32Shl, Op.I32Add).set(dp);
    f.upTo(i, m, () => {
      f.get(ap).get(i).i32(3).op(Op.I32Shl, Op.I32Add).mem(Op.F64Load, ALIGN).tee(x).simd(SimdOp.F64x2Splat).set(xv);
      f.get(G).get(i).get(nb).op(Op.I32Mul, Op.I32Add).set(gp);
      axpy(f, n, gp, dp, x, xv);
    });
  });
  return f;
}

const MEMORY = ['e', 'm'] as const;
const moduleBytes = (): Uint8Array => assembleModule(MEMORY, { gemm: gemmFn(), gemmTN: gemmTNFn() });

interface Kernels {
  gemm(O: number, os: number, A: number, as: number, rows: number, m: number, W: number, n: number): void;
  gemmTN(G: number, A: number, as: number, D: number, ds: number, rows: number, m: number, n: number): void;
}

let compiled: CompiledModule | null | undefined;
let enabled = true;

/** Tests and benchmarks switch the WebAssembly path off to run the JavaScript it replaces. */
export function setWasmRecurrent(on: boolean): void {
  enabled = on;
}

/** True when the recurrent layers run their products in WebAssembly (available, compiled, not switched off). */
export function wasmRecurrentOn(): boolean {
  if (!enabled) return false;
  if (compiled === undefined) compiled = compileModule(moduleBytes);
  return compiled !== null;
}

/** Largest memory a workspace is given; beyond it the JavaScript path runs. */
const MAX_WASM_BYTES = 2 ** 31;

/** Hands out Float64Arrays: plain ones, or views of one WebAssembly memory. */
export type Alloc = (n: number) => Float64Array;

/**
 * Builds what `build` allocates where the math can reach it: in one WebAssembly memory with the
 * SIMD kernels (sized by a first call of `build` with `counting` true, whose arrays are plain and
 * which should do no work), or in ordinary arrays with the JavaScript loops when WebAssembly is
 * off, unavailable or the memory would be too large.
 */
export function recurrentWorkspace<T>(build: (alloc: Alloc, math: RecurrentMath, counting: boolean) => T): T {
  if (wasmRecurrentOn() && compiled) {
    let doubles = 0;
    build(
      (n) => {
        doubles += n;
        return new Float64Array(n);
      },
      jsRecurrentMath,
      true,
    );
    const bytes = doubles * 8 + 64;
    if (bytes <= MAX_WASM_BYTES) {
      try {
        const { memory, exports } = instantiate(compiled, MEMORY, bytes);
        const k = exports as unknown as Kernels;
        const heap = memory.buffer;
        let next = 0;
        const alloc: Alloc = (n) => {
          const view = new Float64Array(heap, next * 8, n);
          next += n;
          return view;
        };
        return build(alloc, wasmMath(k), false);
      } catch {
        // fall through to JavaScript
      }
    }
  }
  return build((n) => new Float64Array(n), jsRecurrentMath, false);
}

function wasmMath(k: Kernels): RecurrentMath {
  return {
    gemm(O, o, os, A, a, as, rows, m, W, w, n) {
      if (rows > 0 && m > 0 && n > 0)
        k.gemm(O.byteOffset + 8 * o, os, A.byteOffset + 8 * a, as, rows, m, W.byteOffset + 8 * w, n);
    },
    gemmTN(G, g, A, a, as, D, d, ds, rows, m, n) {
      if (rows > 0 && m > 0 && n > 0)
        k.gemmTN(G.byteOffset + 8 * g, A.byteOffset + 8 * a, as, D.byteOffset + 8 * d, ds, rows, m, n);
    },
  };
}
