import { assembleModule, compileModule, Fn, instantiate, uleb } from '../wasm/assembler';
import type { CompiledModule, WasmMemory } from '../wasm/assembler';
import { F64, I32, Op, SimdOp, VOID } from '../wasm/opcodes';

/**
 * The MLP's batch arithmetic as WebAssembly SIMD kernels (f64x2), assembled here from readable
 * opcodes. Each kernel does what the JavaScript in mlp-network.ts and train-mlp.ts does, element by
 * element in the same order, so the weights come out bit for bit the same:
 *
 * - the forward pass and the gradient accumulation are axpy-shaped over the output units
 *   (`Z[r, j] += a · W[i, j]`, rows and inputs in ascending order, zero inputs skipped); two units
 *   share an instruction, each unit still sums its terms in the same order;
 * - the backward deltas (`s = Σ_j D[r, j] · W[i, j]`, j ascending) are summed for two inputs i at
 *   once from a transposed copy of W: each lane is one input's sum, in the order of the JavaScript;
 * - the Adam step and ReLU are elementwise (f64x2.sqrt and f64x2.div round like Math.sqrt and /);
 * - the sum of squared weights for the loss stays one scalar chain, in the JavaScript's order.
 *
 * The first layer reads its inputs as compressed rows (only the non-zero values, ascending
 * columns), which skips the same zeros the JavaScript skips without looking at them.
 * Everything that needs Math.exp, Math.log or Math.tanh (output activations, the loss, tanh hidden
 * units) stays in JavaScript, on views of the instance's memory.
 *
 * Addresses are byte offsets into the instance's memory; counts are in elements.
 */

/** Memory access immediates: natural alignment of an f64 (v128 accesses need not be 16-aligned). */
const ALIGN = 3;

/** One step of `each`: `simd` on two values (else one f64), at base + o + offset for every base. */
type Step = (simd: boolean, offset: number, o: number) => void;

/**
 * Elementwise over n values (n a local) at byte offset o from each base address: four at a time
 * (two v128 steps, memory offsets 0 and 16), then two, then one.
 */
function each(f: Fn, n: number, step: Step): void {
  const o = f.localI32();
  const end = f.localI32();
  f.get(n).i32(-4).op(Op.I32And).i32(3).op(Op.I32Shl).set(end);
  f.i32(0).set(o);
  f.whileNot(
    () => f.get(o).get(end).op(Op.I32GeU),
    () => {
      step(true, 0, o);
      step(true, 16, o);
      f.inc(o, 32);
    },
  );
  f.when(
    () => f.get(n).i32(2).op(Op.I32And),
    () => {
      step(true, 0, o);
      f.inc(o, 16);
    },
  );
  f.when(
    () => f.get(n).i32(1).op(Op.I32And),
    () => step(false, 0, o),
  );
}

/** Pushes base + o. */
const at = (f: Fn, base: number, o: number): Fn => f.get(base).get(o).op(Op.I32Add);
const load = (f: Fn, simd: boolean, offset: number): Fn =>
  simd ? f.simd(SimdOp.V128Load, ALIGN, ...uleb(offset)) : f.mem(Op.F64Load, ALIGN, offset);
const store = (f: Fn, simd: boolean, offset: number): Fn =>
  simd ? f.simd(SimdOp.V128Store, ALIGN, ...uleb(offset)) : f.mem(Op.F64Store, ALIGN, offset);
/** The scalar local, or its splat, for the step's width. */
const scalar = (f: Fn, simd: boolean, s: number, splat: number): Fn => f.get(simd ? splat : s);
const add = (f: Fn, simd: boolean): Fn => (simd ? f.simd(SimdOp.F64x2Add) : f.op(Op.F64Add));
const sub = (f: Fn, simd: boolean): Fn => (simd ? f.simd(SimdOp.F64x2Sub) : f.op(Op.F64Sub));
const mul = (f: Fn, simd: boolean): Fn => (simd ? f.simd(SimdOp.F64x2Mul) : f.op(Op.F64Mul));

/** dst[o] += a · src[o] over n values (a in local `a` and its splat in `av`). Also used by recurrent-kernels.ts. */
export function axpy(f: Fn, n: number, dst: number, src: number, a: number, av: number): void {
  each(f, n, (simd, offset, o) => {
    at(f, dst, o);
    load(at(f, dst, o), simd, offset);
    scalar(f, simd, a, av);
    load(at(f, src, o), simd, offset);
    mul(f, simd);
    add(f, simd);
    store(f, simd, offset);
  });
}

/** dst[o] = src[o] over n values. */
function copy(f: Fn, n: number, dst: number, src: number): void {
  each(f, n, (simd, offset, o) => {
    at(f, dst, o);
    load(at(f, src, o), simd, offset);
    store(f, simd, offset);
  });
}

/** dst[o] = +0 over n values. */
function zero(f: Fn, n: number, dst: number): void {
  each(f, n, (simd, offset, o) => {
    at(f, dst, o);
    if (simd) f.f64(0).simd(SimdOp.F64x2Splat);
    else f.f64(0);
    store(f, simd, offset);
  });
}

/** x += y */
const advance = (f: Fn, x: number, y: number): Fn => f.get(x).get(y).op(Op.I32Add).set(x);

/**
 * The body of one compressed row: for each stored value a (column i) of row `row`,
 * `visit(a, av, i)` with the value in local a, its splat in av and the column in i.
 */
function csrRow(
  f: Fn,
  ptr: number,
  idx: number,
  val: number,
  row: number,
  visit: (a: number, av: number, i: number) => void,
): void {
  const k = f.localI32();
  const kEnd = f.localI32();
  const a = f.localF64();
  const av = f.localV128();
  const i = f.localI32();
  f.get(ptr).get(row).i32(2).op(Op.I32Shl, Op.I32Add).tee(k).mem(Op.I32Load, 2, 4).set(kEnd);
  f.get(k).mem(Op.I32Load, 2, 0).set(k);
  f.whileNot(
    () => f.get(k).get(kEnd).op(Op.I32GeS),
    () => {
      f.get(val).get(k).i32(3).op(Op.I32Shl, Op.I32Add).mem(Op.F64Load, ALIGN).tee(a).simd(SimdOp.F64x2Splat).set(av);
      f.get(idx).get(k).i32(2).op(Op.I32Shl, Op.I32Add).mem(Op.I32Load, 2).set(i);
      visit(a, av, i);
      f.inc(k);
    },
  );
}

/** The body of one dense row of fanIn inputs at `ap`: visit(a, av, i) for each non-zero a (NaN included, as `a === 0` is false for it). */
function denseRow(f: Fn, ap: number, fanIn: number, visit: (a: number, av: number, i: number) => void): void {
  const i = f.localI32();
  const a = f.localF64();
  const av = f.localV128();
  f.upTo(i, fanIn, () => {
    f.get(ap).get(i).i32(3).op(Op.I32Shl, Op.I32Add).mem(Op.F64Load, ALIGN).tee(a).f64(0).op(Op.F64Ne);
    f.op(Op.If, VOID);
    f.get(a).simd(SimdOp.F64x2Splat).set(av);
    visit(a, av, i);
    f.op(Op.End);
  });
}

/** Output units a forward pass sums in registers at a time (BLOCK / 2 v128 accumulators). */
const BLOCK = 16;

/**
 * Forward through one layer for B rows: Z[r] = bias + Σ_i a[r, i] · W[i] (i ascending, zeros
 * skipped). `sparse` reads the inputs as compressed rows listed at `rows` (i32 row numbers);
 * otherwise as a dense B x fanIn block at `A`. The units go BLOCK at a time, held in registers
 * over all the row's inputs (each unit still adds its terms in input order), the rest through memory.
 *   fwdSparse(rows, B, ptr, idx, val, W, bias, Z, fanOut)
 *   fwdDense(A, B, fanIn, W, bias, Z, fanOut)
 */
function forwardFn(sparse: boolean): Fn {
  const f = new Fn(sparse ? [I32, I32, I32, I32, I32, I32, I32, I32, I32] : [I32, I32, I32, I32, I32, I32, I32]);
  const [rows, B, ptr, idx, val] = [0, 1, 2, 3, 4];
  const [A, fanIn] = [0, 2];
  const [W, bias, Z, fanOut] = sparse ? [5, 6, 7, 8] : [3, 4, 5, 6];
  const r = f.localI32();
  const rowBytes = f.localI32();
  const zp = f.localI32();
  const ap = f.localI32();
  const wp = f.localI32();
  const jb = f.localI32();
  const rem = f.localI32();
  const zq = f.localI32();
  const bq = f.localI32();
  const row = f.localI32();
  const acc = Array.from({ length: BLOCK / 2 }, () => f.localV128());
  f.get(fanOut).i32(3).op(Op.I32Shl).set(rowBytes);
  f.get(Z).set(zp);
  if (!sparse) f.get(A).set(ap);
  const inputs = (visit: (a: number, av: number, i: number) => void): void => {
    if (sparse) csrRow(f, ptr, idx, val, row, visit);
    else denseRow(f, ap, fanIn, visit);
  };
  /** wp = W + i·rowBytes + jb */
  const weightRow = (i: number): Fn =>
    f.get(W).get(i).get(rowBytes).op(Op.I32Mul, Op.I32Add).get(jb).op(Op.I32Add).set(wp);
  f.upTo(r, B, () => {
    if (sparse) f.get(rows).get(r).i32(2).op(Op.I32Shl, Op.I32Add).mem(Op.I32Load, 2).set(row);
    // Blocks of BLOCK units summed in registers over all the row's inputs.
    f.i32(0).set(jb);
    f.whileNot(
      () =>
        f
          .get(jb)
          .i32(8 * BLOCK)
          .op(Op.I32Add)
          .get(rowBytes)
          .op(Op.I32GtS),
      () => {
        acc.forEach((v, k) =>
          f
            .get(bias)
            .get(jb)
            .op(Op.I32Add)
            .simd(SimdOp.V128Load, ALIGN, ...uleb(16 * k))
            .set(v),
        );
        inputs((_a, av, i) => {
          weightRow(i);
          acc.forEach((v, k) => {
            f.get(v)
              .get(av)
              .get(wp)
              .simd(SimdOp.V128Load, ALIGN, ...uleb(16 * k));
            f.simd(SimdOp.F64x2Mul).simd(SimdOp.F64x2Add).set(v);
          });
        });
        acc.forEach((v, k) =>
          f
            .get(zp)
            .get(jb)
            .op(Op.I32Add)
            .get(v)
            .simd(SimdOp.V128Store, ALIGN, ...uleb(16 * k)),
        );
        f.inc(jb, 8 * BLOCK);
      },
    );
    // The units left (fewer than BLOCK) through memory.
    f.get(rowBytes).get(jb).op(Op.I32Sub).i32(3).op(Op.I32ShrU).set(rem);
    f.when(
      () => f.get(rem),
      () => {
        f.get(zp).get(jb).op(Op.I32Add).set(zq);
        f.get(bias).get(jb).op(Op.I32Add).set(bq);
        copy(f, rem, zq, bq);
        inputs((a, av, i) => {
          weightRow(i);
          axpy(f, rem, zq, wp, a, av);
        });
      },
    );
    if (!sparse) f.get(ap).get(fanIn).i32(3).op(Op.I32Shl, Op.I32Add).set(ap);
    advance(f, zp, rowBytes);
  });
  return f;
}

/**
 * Weight gradients of one layer, added to G (fanIn x fanOut): G[i] += a[r, i] · D[r] for rows r
 * ascending (zeros skipped), inputs as in forwardFn.
 *   gradSparse(rows, B, ptr, idx, val, D, G, fanOut)
 *   gradDense(A, B, fanIn, D, G, fanOut)
 */
function gradFn(sparse: boolean): Fn {
  const f = new Fn(sparse ? [I32, I32, I32, I32, I32, I32, I32, I32] : [I32, I32, I32, I32, I32, I32]);
  const [rows, B, ptr, idx, val] = [0, 1, 2, 3, 4];
  const [A, fanIn] = [0, 2];
  const [D, G, fanOut] = sparse ? [5, 6, 7] : [3, 4, 5];
  const r = f.localI32();
  const rowBytes = f.localI32();
  const dp = f.localI32();
  const ap = f.localI32();
  const gp = f.localI32();
  f.get(fanOut).i32(3).op(Op.I32Shl).set(rowBytes);
  f.get(D).set(dp);
  if (!sparse) f.get(A).set(ap);
  const term = (a: number, av: number, i: number): void => {
    f.get(G).get(i).get(rowBytes).op(Op.I32Mul, Op.I32Add).set(gp);
    axpy(f, fanOut, gp, dp, a, av);
  };
  f.upTo(r, B, () => {
    if (sparse) {
      const row = f.localI32();
      f.get(rows).get(r).i32(2).op(Op.I32Shl, Op.I32Add).mem(Op.I32Load, 2).set(row);
      csrRow(f, ptr, idx, val, row, term);
    } else {
      denseRow(f, ap, fanIn, term);
      f.get(ap).get(fanIn).i32(3).op(Op.I32Shl, Op.I32Add).set(ap);
    }
    advance(f, dp, rowBytes);
  });
  return f;
}

/**
 * fwdDense1(A, B, fanIn, W, bias, Z): fwdDense for one output unit, where vectorizing over the
 * outputs gains nothing: two rows share an instruction instead (rows r and r + 1 in the lanes, four
 * rows per pass), each lane summing z = bias, z += a·W[i] for i ascending and skipping a = 0 by a
 * mask (z stays z), as the JavaScript does per row. Rows left over go one at a time.
 */
function forward1Fn(): Fn {
  const f = new Fn([I32, I32, I32, I32, I32, I32]);
  const [A, B, fanIn, W, bias, Z] = [0, 1, 2, 3, 4, 5];
  const r = f.localI32();
  const i = f.localI32();
  const ap = f.localI32();
  const inBytes = f.localI32();
  const wv = f.localV128();
  const acc = [f.localV128(), f.localV128()];
  const av = f.localV128();
  const z = f.localF64();
  const a = f.localF64();
  f.get(fanIn).i32(3).op(Op.I32Shl).set(inBytes);
  // Four rows at a time: lanes (r, r+1) in acc[0], (r+2, r+3) in acc[1].
  f.i32(0).set(r);
  f.whileNot(
    () => f.get(r).i32(4).op(Op.I32Add).get(B).op(Op.I32GtS),
    () => {
      acc.forEach((v) => f.get(bias).simd(SimdOp.V128Load64Splat, ALIGN, 0).set(v));
      f.get(A).get(r).get(inBytes).op(Op.I32Mul, Op.I32Add).set(ap);
      f.upTo(i, fanIn, () => {
        f.get(W).get(i).i32(3).op(Op.I32Shl, Op.I32Add).simd(SimdOp.V128Load64Splat, ALIGN, 0).set(wv);
        acc.forEach((v, h) => {
          // av = (A[r + 2h, i], A[r + 2h + 1, i]); v = a != 0 ? v + a·w : v
          f.get(ap)
            .get(inBytes)
            .i32(2 * h)
            .op(Op.I32Mul, Op.I32Add)
            .simd(SimdOp.V128Load64Splat, ALIGN, 0);
          f.get(ap)
            .get(inBytes)
            .i32(2 * h + 1)
            .op(Op.I32Mul, Op.I32Add)
            .mem(Op.F64Load, ALIGN);
          f.simd(SimdOp.F64x2ReplaceLane, 1).set(av);
          f.get(v).get(av).get(wv).simd(SimdOp.F64x2Mul).simd(SimdOp.F64x2Add);
          f.get(v);
          f.get(av).f64(0).simd(SimdOp.F64x2Splat).simd(SimdOp.F64x2Ne);
          f.simd(SimdOp.V128Bitselect).set(v);
        });
        f.inc(ap, 8);
      });
      acc.forEach((v, h) => {
        f.get(Z)
          .get(r)
          .i32(3)
          .op(Op.I32Shl, Op.I32Add)
          .get(v)
          .simd(SimdOp.V128Store, ALIGN, ...uleb(16 * h));
      });
      f.inc(r, 4);
    },
  );
  f.whileNot(
    () => f.get(r).get(B).op(Op.I32GeS),
    () => {
      f.get(bias).mem(Op.F64Load, ALIGN).set(z);
      f.get(A).get(r).get(inBytes).op(Op.I32Mul, Op.I32Add).set(ap);
      f.upTo(i, fanIn, () => {
        f.get(ap).mem(Op.F64Load, ALIGN).set(a);
        f.get(z).get(a).get(W).get(i).i32(3).op(Op.I32Shl, Op.I32Add).mem(Op.F64Load, ALIGN).op(Op.F64Mul, Op.F64Add);
        f.get(z).get(a).f64(0).op(Op.F64Ne, Op.Select).set(z);
        f.inc(ap, 8);
      });
      f.get(Z).get(r).i32(3).op(Op.I32Shl, Op.I32Add).get(z).mem(Op.F64Store, ALIGN);
      f.inc(r);
    },
  );
  return f;
}

/**
 * gradDense1(A, B, fanIn, D, G): gradDense for one output unit, vectorized over the inputs i (a
 * row of A is contiguous): G[i] = a != 0 ? G[i] + a·D[r] : G[i], rows r ascending.
 */
function grad1Fn(): Fn {
  const f = new Fn([I32, I32, I32, I32, I32]);
  const [A, B, fanIn, D, G] = [0, 1, 2, 3, 4];
  const r = f.localI32();
  const ap = f.localI32();
  const d = f.localF64();
  const dv = f.localV128();
  const a = f.localV128();
  const as = f.localF64();
  f.get(A).set(ap);
  f.upTo(r, B, () => {
    f.get(D).get(r).i32(3).op(Op.I32Shl, Op.I32Add).mem(Op.F64Load, ALIGN).tee(d).simd(SimdOp.F64x2Splat).set(dv);
    each(f, fanIn, (simd, offset, o) => {
      at(f, G, o);
      load(at(f, G, o), simd, offset);
      load(at(f, ap, o), simd, offset).set(simd ? a : as);
      f.get(simd ? a : as);
      scalar(f, simd, d, dv);
      mul(f, simd);
      add(f, simd);
      load(at(f, G, o), simd, offset);
      if (simd) f.get(a).f64(0).simd(SimdOp.F64x2Splat).simd(SimdOp.F64x2Ne).simd(SimdOp.V128Bitselect);
      else f.get(as).f64(0).op(Op.F64Ne, Op.Select);
      store(f, simd, offset);
    });
    f.get(ap).get(fanIn).i32(3).op(Op.I32Shl, Op.I32Add).set(ap);
  });
  return f;
}

/** biasGrad(D, B, Gb, fanOut): Gb = 0, then Gb += D[r] for rows r ascending. */
function biasGradFn(): Fn {
  const f = new Fn([I32, I32, I32, I32]);
  const [D, B, Gb, fanOut] = [0, 1, 2, 3];
  const r = f.localI32();
  const dp = f.localI32();
  const rowBytes = f.localI32();
  f.get(fanOut).i32(3).op(Op.I32Shl).set(rowBytes);
  f.get(D).set(dp);
  zero(f, fanOut, Gb);
  f.upTo(r, B, () => {
    each(f, fanOut, (simd, offset, o) => {
      at(f, Gb, o);
      load(at(f, Gb, o), simd, offset);
      load(at(f, dp, o), simd, offset);
      add(f, simd);
      store(f, simd, offset);
    });
    advance(f, dp, rowBytes);
  });
  return f;
}

/**
 * regGrad(W, G, n, reg, wsq) -> wsq': G[k] = reg · W[k] and wsq += W[k]² for k ascending (one
 * scalar chain: the loss's sum of squares in the JavaScript's order).
 */
function regGradFn(): Fn {
  const f = new Fn([I32, I32, I32, F64, F64], [F64]);
  const [W, G, n, reg, wsq] = [0, 1, 2, 3, 4];
  const k = f.localI32();
  const w = f.localF64();
  const off = f.localI32();
  f.upTo(k, n, () => {
    f.get(k).i32(3).op(Op.I32Shl).set(off);
    f.get(W).get(off).op(Op.I32Add).mem(Op.F64Load, ALIGN).set(w);
    f.get(G).get(off).op(Op.I32Add).get(reg).get(w).op(Op.F64Mul).mem(Op.F64Store, ALIGN);
    f.get(wsq).get(w).get(w).op(Op.F64Mul, Op.F64Add).set(wsq);
  });
  f.get(wsq);
  return f;
}

/** transpose(W, fanIn, fanOut, WT): WT[j, i] = W[i, j]. */
function transposeFn(): Fn {
  const f = new Fn([I32, I32, I32, I32]);
  const [W, fanIn, fanOut, WT] = [0, 1, 2, 3];
  const i = f.localI32();
  const j = f.localI32();
  const src = f.localI32();
  f.get(W).set(src);
  f.upTo(i, fanIn, () => {
    f.upTo(j, fanOut, () => {
      f.get(WT).get(j).get(fanIn).op(Op.I32Mul).get(i).op(Op.I32Add).i32(3).op(Op.I32Shl, Op.I32Add);
      f.get(src).mem(Op.F64Load, ALIGN).mem(Op.F64Store, ALIGN);
      f.inc(src, 8);
    });
  });
  return f;
}

/**
 * backDelta(D, B, fanOut, WT, A, Dp, fanIn, tanh): the previous layer's deltas. For each row r and
 * input i, s = Σ_j D[r, j] · W[i, j] (from 0, j ascending), two inputs per instruction from WT
 * (fanOut x fanIn); then Dp = s · (1 - a²) for tanh, else (ReLU) 0 where a = 0 and s elsewhere.
 */
function backDeltaFn(): Fn {
  const f = new Fn([I32, I32, I32, I32, I32, I32, I32, I32]);
  const [D, B, fanOut, WT, A, Dp, fanIn, tanh] = [0, 1, 2, 3, 4, 5, 6, 7];
  const r = f.localI32();
  const j = f.localI32();
  const dp = f.localI32();
  const ap = f.localI32();
  const sp = f.localI32();
  const wt = f.localI32();
  const inBytes = f.localI32();
  const outBytes = f.localI32();
  const d = f.localF64();
  const dv = f.localV128();
  f.get(fanIn).i32(3).op(Op.I32Shl).set(inBytes);
  f.get(fanOut).i32(3).op(Op.I32Shl).set(outBytes);
  f.get(D).set(dp);
  f.get(A).set(ap);
  f.get(Dp).set(sp);
  f.upTo(r, B, () => {
    zero(f, fanIn, sp);
    f.get(WT).set(wt);
    f.upTo(j, fanOut, () => {
      f.get(dp).get(j).i32(3).op(Op.I32Shl, Op.I32Add).mem(Op.F64Load, ALIGN).tee(d).simd(SimdOp.F64x2Splat).set(dv);
      axpy(f, fanIn, sp, wt, d, dv);
      advance(f, wt, inBytes);
    });
    f.get(tanh).op(Op.If, VOID);
    each(f, fanIn, (simd, offset, o) => {
      // s · (1 - a·a)
      at(f, sp, o);
      load(at(f, sp, o), simd, offset);
      if (simd) f.f64(1).simd(SimdOp.F64x2Splat);
      else f.f64(1);
      load(at(f, ap, o), simd, offset);
      load(at(f, ap, o), simd, offset);
      mul(f, simd);
      sub(f, simd);
      mul(f, simd);
      store(f, simd, offset);
    });
    f.op(Op.Else);
    each(f, fanIn, (simd, offset, o) => {
      // a == 0 ? +0 : s
      at(f, sp, o);
      if (simd) {
        f.f64(0).simd(SimdOp.F64x2Splat);
        load(at(f, sp, o), simd, offset);
        load(at(f, ap, o), simd, offset)
          .f64(0)
          .simd(SimdOp.F64x2Splat)
          .simd(SimdOp.F64x2Eq);
        f.simd(SimdOp.V128Bitselect);
      } else {
        f.f64(0);
        load(at(f, sp, o), simd, offset);
        load(at(f, ap, o), simd, offset)
          .f64(0)
          .op(Op.F64Eq, Op.Select);
      }
      store(f, simd, offset);
    });
    f.op(Op.End);
    advance(f, dp, outBytes);
    advance(f, ap, inBytes);
    advance(f, sp, inBytes);
  });
  return f;
}

/** relu(Z, n): Z = Z > 0 ? Z : 0 (f64x2.pmax(0, Z) is 0 < Z ? Z : 0, the same for NaN and -0). */
function reluFn(): Fn {
  const f = new Fn([I32, I32]);
  const [Z, n] = [0, 1];
  each(f, n, (simd, offset, o) => {
    at(f, Z, o);
    if (simd) {
      f.f64(0).simd(SimdOp.F64x2Splat);
      load(at(f, Z, o), simd, offset).simd(SimdOp.F64x2Pmax);
    } else {
      const z = f.localF64();
      load(at(f, Z, o), simd, offset)
        .tee(z)
        .f64(0)
        .get(z)
        .f64(0)
        .op(Op.F64Gt, Op.Select);
    }
    store(f, simd, offset);
  });
  return f;
}

/**
 * adam(W, G, M1, M2, n, beta1, c1, beta2, c2, lr, eps) with c1 = 1 - beta1, c2 = 1 - beta2:
 *   m1 = beta1·m1 + c1·g;  m2 = beta2·m2 + (c2·g)·g;  w -= (lr·m1) / (sqrt(m2) + eps)
 */
function adamFn(): Fn {
  const f = new Fn([I32, I32, I32, I32, I32, F64, F64, F64, F64, F64, F64]);
  const [W, G, M1, M2, n] = [0, 1, 2, 3, 4];
  const consts = [5, 6, 7, 8, 9, 10];
  const splats = consts.map(() => f.localV128());
  consts.forEach((c, k) => f.get(c).simd(SimdOp.F64x2Splat).set(splats[k]));
  const [beta1, c1, beta2, c2, lr, eps] = consts.map((c, k) => (simd: boolean) => f.get(simd ? splats[k] : c));
  const g = f.localV128();
  const gs = f.localF64();
  const m1 = f.localV128();
  const m1s = f.localF64();
  each(f, n, (simd, offset, o) => {
    load(at(f, G, o), simd, offset).set(simd ? g : gs);
    const grad = (): Fn => f.get(simd ? g : gs);
    // m1
    at(f, M1, o);
    beta1(simd);
    load(at(f, M1, o), simd, offset);
    mul(f, simd);
    c1(simd);
    grad();
    mul(f, simd);
    add(f, simd);
    f.tee(simd ? m1 : m1s);
    store(f, simd, offset);
    // w -= (lr·m1) / (sqrt(m2) + eps), m2 stored on the way
    at(f, W, o);
    load(at(f, W, o), simd, offset);
    lr(simd);
    f.get(simd ? m1 : m1s);
    mul(f, simd);
    at(f, M2, o);
    beta2(simd);
    load(at(f, M2, o), simd, offset);
    mul(f, simd);
    c2(simd);
    grad();
    mul(f, simd);
    grad();
    mul(f, simd);
    add(f, simd);
    const m2 = simd ? f.localV128() : f.localF64();
    f.tee(m2);
    store(f, simd, offset);
    f.get(m2);
    if (simd) f.simd(SimdOp.F64x2Sqrt);
    else f.op(Op.F64Sqrt);
    eps(simd);
    add(f, simd);
    if (simd) f.simd(SimdOp.F64x2Div);
    else f.op(Op.F64Div);
    sub(f, simd);
    store(f, simd, offset);
  });
  return f;
}

const MEMORY = ['e', 'm'] as const;

const moduleBytes = (): Uint8Array =>
  assembleModule(MEMORY, {
    fwdSparse: forwardFn(true),
    fwdDense: forwardFn(false),
    gradSparse: gradFn(true),
    gradDense: gradFn(false),
    fwdDense1: forward1Fn(),
    gradDense1: grad1Fn(),
    biasGrad: biasGradFn(),
    regGrad: regGradFn(),
    transpose: transposeFn(),
    backDelta: backDeltaFn(),
    relu: reluFn(),
    adam: adamFn(),
  });

export interface MlpKernels {
  fwdSparse(
    rows: number,
    B: number,
    ptr: number,
    idx: number,
    val: number,
    W: number,
    bias: number,
    Z: number,
    fanOut: number,
  ): void;
  fwdDense(A: number, B: number, fanIn: number, W: number, bias: number, Z: number, fanOut: number): void;
  gradSparse(
    rows: number,
    B: number,
    ptr: number,
    idx: number,
    val: number,
    D: number,
    G: number,
    fanOut: number,
  ): void;
  gradDense(A: number, B: number, fanIn: number, D: number, G: number, fanOut: number): void;
  fwdDense1(A: number, B: number, fanIn: number, W: number, bias: number, Z: number): void;
  gradDense1(A: number, B: number, fanIn: number, D: number, G: number): void;
  biasGrad(D: number, B: number, Gb: number, fanOut: number): void;
  regGrad(W: number, G: number, n: number, reg: number, wsq: number): number;
  transpose(W: number, fanIn: number, fanOut: number, WT: number): void;
  backDelta(D: number, B: number, fanOut: number, WT: number, A: number, Dp: number, fanIn: number, tanh: number): void;
  relu(Z: number, n: number): void;
  adam(
    W: number,
    G: number,
    M1: number,
    M2: number,
    n: number,
    beta1: number,
    c1: number,
    beta2: number,
    c2: number,
    lr: number,
    eps: number,
  ): void;
}

let compiled: CompiledModule | null | undefined;
/** Switched off by tests (and benchmarks) only. */
let enabled = true;

/** Tests and benchmarks switch the WebAssembly path off to run the JavaScript it replaces. */
export function setWasmMlp(on: boolean): void {
  enabled = on;
}

/** True when MLP fits and predictions run in WebAssembly (available, compiled, not switched off). */
export function wasmMlpOn(): boolean {
  if (!enabled) return false;
  if (compiled === undefined) compiled = compileModule(moduleBytes);
  return compiled !== null;
}

/** Largest memory a network's instance is given; beyond it the JavaScript path runs. */
export const MAX_WASM_BYTES = 2 ** 31;

/** The kernels over a new memory of `bytes` bytes, or null (WebAssembly off or unavailable, or too large). */
export function instantiateMlpKernels(bytes: number): { memory: WasmMemory; kernels: MlpKernels } | null {
  if (!wasmMlpOn() || bytes > MAX_WASM_BYTES || !compiled) return null;
  try {
    const { memory, exports } = instantiate(compiled, MEMORY, bytes);
    return { memory, kernels: exports as unknown as MlpKernels };
  } catch {
    return null;
  }
}
