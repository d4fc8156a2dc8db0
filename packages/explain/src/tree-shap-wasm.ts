import { wasm, type TreeArrays } from '@campaign-ml/models';
import {
  CAT_LIMIT,
  NODE_BYTES,
  N_FEATURE,
  N_FLAGS,
  N_LEFT,
  N_RIGHT,
  N_SHARE,
  N_VALUE,
  depthFirst,
  writeRecords,
} from './tree-shap-wasm-records';
import { GROUP_MEMORY, LOG_ENTRY, groupModule } from './tree-shap-wasm-rows';

const { Fn, Op, SimdOp, I32, F64, VOID, assembleModule, compileModule, instantiate, PAGE } = wasm;
type Fn = InstanceType<typeof Fn>;

/**
 * PathShap's one-wide walk (`walk1` in tree-shap-path.ts) as a recursive WebAssembly function,
 * assembled here with the models package's assembler. The JavaScript walk spends most of its time
 * on typed-array bounds checks, on loops of q iterations (q ≈ 12 on a full-depth forest) that
 * cannot be vectorized, and on reading seven arrays per node; here the loops run two quadrature
 * nodes per f64x2 instruction, written out for the tree's q (one function per pair count a model
 * needs, up to MAX_UNROLLED pairs; beyond, one function loops), and the nodes are 32-byte records
 * laid out depth first, a split's two children in one cache line.
 *
 * Same arithmetic in the same order: every per-node product and quotient is the JavaScript one,
 * lane by lane (f64x2 multiplies, adds and divides round as the scalar ones do), and every sum over
 * the quadrature nodes is taken one node after the other from the lanes. q is padded to an even
 * count with a node at t = 0.5 of weight 0: its lane keeps finite products, and everything it
 * adds to a sum is w = 0 times a finite number, a zero, so the contributions are bit for bit those
 * of the JavaScript walk (a zero of either sign, where the sum itself is zero, changes nothing:
 * a credit of zero is not added). Summing the lanes pairwise instead was tried: no faster (the
 * walk's time is in its branches and calls, not in these sums), and no longer bit for bit.
 *
 * A call of several rows takes the group walk (tree-shap-wasm-rows.ts) on the same memory: 4 rows
 * per traversal, each row's values the same bit for bit.
 *
 * Linear memory, one per explainer (byte addresses, 16-aligned):
 *   rules   per distinct q: tq, wq, wq / (1 − tq), 1 − tq, each Q bytes (q padded, 8 bytes each)
 *   meta    per tree 8 x i32: root record address, rule address, Q, output column x 8, walk,
 *           (unused), q
 *   row     f64 per feature
 *   pos     i32 per feature: its element on the path, or −1
 *   zf, of  per path element: zero fraction (f64), one fraction (i32, 0 or 1)
 *   levels  per level 3Q bytes: walk1's prod, acc and saved at that level
 *   cats    the trees' category bitsets (u32 words)
 *   group   the group walk's rows, path elements and levels (for up to 8 rows)
 *   nodes   32 bytes per node: left, right (record addresses; left 0 at a leaf), feature,
 *           flags (default left in bit 0, else the address of the node's bitset or 0 when the
 *           split is numeric), threshold (or the leaf's value), the node's share of its parent's
 *           cover
 *   sizes   per node record: its subtree's log bytes (the group walk's)
 *   logs    the group walk's lanes' logs
 *   out     f64 features x nOut (one row of the explanation), then the group's rows' (8 x that)
 */

// Globals: the tree's quadrature (Q bytes, its rule's address) and output, then what init sets once.
const G_Q = 0;
const G_RULE = 1;
const G_OUT = 2;
const G_ROW = 3;
const G_POS = 4;
const G_ZF = 5;
const G_OF = 6;
const G_STRIDE = 7;
const G_OUTBASE = 8;
const G_LEVELS = 9;
const GLOBALS = new Array<number>(10).fill(I32);

/** Parts of a level's block (prod, acc, saved) and of a rule (tq, wq, wq / (1 − tq), 1 − tq), Q bytes each. */
const PROD = 0;
const ACC = 1;
const SAVED = 2;
const TQ = 0;
const WQ = 1;
const WC = 2;
const OMT = 3;

/** Quadrature node pairs up to which a walk is written out for its q (beyond, one walk loops over them). */
const MAX_UNROLLED = 16;

/**
 * walk(node, p, a, len, weight, dst): walk1's recursion, node a record address, p, a and dst the
 * addresses of level blocks (prod, acc and saved, Q bytes each: walk1's index x is the block
 * at x / q · 3Q). `pairs` quadrature node pairs (Q = 16 · pairs) written out, every access at a
 * constant offset from its block; 0: any Q (G_Q), in loops. `self` is the function's own index.
 */
function walkFn(pairs: number, self: number): Fn {
  const f = new Fn([I32, I32, I32, I32, F64, I32]);
  const [node, p, a, len, weight, dst] = [0, 1, 2, 3, 4, 5];
  const left = f.localI32();
  const right = f.localI32();
  const feat = f.localI32();
  const hot = f.localI32();
  const cold = f.localI32();
  const at = f.localI32();
  const below = f.localI32();
  const k = f.localI32();
  const hotLeaf = f.localI32();
  const coldLeaf = f.localI32();
  const rule = f.localI32();
  /** Q, 2Q and 3Q where Q is not a constant (pairs 0). */
  const qTimes = [-1, f.localI32(), f.localI32(), f.localI32()];
  const flags = f.localI32();
  const xi = f.localI32();
  const addr = f.localI32();
  const x = f.localF64();
  const zHot = f.localF64();
  const zCold = f.localF64();
  const d = f.localF64();
  const c = f.localF64();
  const v = f.localF64();
  const vc = f.localF64();
  const sw = f.localF64();
  const z0 = f.localF64();
  const d0 = f.localF64();
  const z1 = f.localF64();
  const d1 = f.localF64();
  const z2 = f.localF64();
  const S1 = f.localV128();
  const S2 = f.localV128();
  const S3 = f.localV128();
  const T = f.localV128();
  const U = f.localV128();

  type E = () => void;
  const Q = 16 * pairs;
  /** The lane pair being written out (pairs > 0). */
  let J = 0;
  /** Pushes block `b`'s address and returns the offset of lane pair J of its part `part`. */
  const address = (b: number, part: number): number => {
    f.get(b);
    if (pairs > 0) return part * Q + 16 * J;
    if (part) f.get(qTimes[part]).op(Op.I32Add);
    f.get(k).op(Op.I32Add);
    return 0;
  };
  const at2 =
    (b: number, part: number): E =>
    () => {
      const offset = address(b, part);
      f.simdMem(SimdOp.V128Load, 4, offset);
    };
  const P = (x: number): E => at2(x, PROD);
  const A = (x: number): E => at2(x, ACC);
  const S = (x: number): E => at2(x, SAVED);
  const R = (part: number): E => at2(rule, part);
  const V =
    (x: number): E =>
    () =>
      f.get(x);
  const splat =
    (x: number): E =>
    () =>
      f.get(x).simd(SimdOp.F64x2Splat);
  const one: E = () => f.f64(1).simd(SimdOp.F64x2Splat);
  const bin =
    (op: number) =>
    (l: E, r: E): E =>
    () => {
      l();
      r();
      f.simd(op);
    };
  const mul = bin(SimdOp.F64x2Mul);
  const add = bin(SimdOp.F64x2Add);
  const sub = bin(SimdOp.F64x2Sub);
  const div = bin(SimdOp.F64x2Div);
  const store = (b: number, part: number, value: E): void => {
    const offset = address(b, part);
    value();
    f.simdMem(SimdOp.V128Store, 4, offset);
  };
  const keep = (x: number, value: E): void => {
    value();
    f.set(x);
  };
  /** s = s ± the two lanes of `terms`, lane 0 first (the JavaScript loop's order over k). */
  const reduce = (s: number, op: number, terms: E): void => {
    terms();
    f.set(U);
    f.get(s).get(U).simd(SimdOp.F64x2ExtractLane, 0).op(op).set(s);
    f.get(s).get(U).simd(SimdOp.F64x2ExtractLane, 1).op(op).set(s);
  };
  /** body() for each lane pair: written out, or for (k = 0; k < Q; k += 16) (Q at least 16). */
  const lanes = (body: () => void): void => {
    if (pairs > 0) {
      for (J = 0; J < pairs; J++) body();
      return;
    }
    f.i32(0).set(k);
    f.doWhile(
      () => {
        body();
        f.get(k).i32(16).op(Op.I32Add).set(k);
      },
      () => f.get(k).get(qTimes[1]).op(Op.I32LtS),
    );
  };
  const value = (n: number): void => {
    f.get(n).mem(Op.F64Load, 3, N_VALUE);
  };
  const recurse = (n: number, pp: number, aa: number, l: () => void, w: () => void, out: number): void => {
    f.get(n).get(pp).get(aa);
    l();
    w();
    f.get(out).call(self);
  };
  /** zf[i] = z (i a local) */
  const setZf = (i: number, z: number): void => {
    f.globalGet(G_ZF).get(i).i32(3).op(Op.I32Shl, Op.I32Add).get(z).mem(Op.F64Store, 3);
  };
  const setOf = (i: number, o: number): void => {
    f.globalGet(G_OF).get(i).i32(2).op(Op.I32Shl, Op.I32Add).i32(o).mem(Op.I32Store, 2);
  };
  const setPos = (value: () => void): void => {
    f.globalGet(G_POS).get(feat).i32(2).op(Op.I32Shl, Op.I32Add);
    value();
    f.mem(Op.I32Store, 2);
  };
  /** The factor z + t (1 − z) of a hot element, per lane. */
  const hotFactor = (z: number, dd: number): E => add(splat(z), mul(R(TQ), splat(dd)));

  f.globalGet(G_RULE).set(rule);
  if (pairs === 0) {
    f.globalGet(G_Q).tee(qTimes[1]).i32(1).op(Op.I32Shl).set(qTimes[2]);
    f.get(qTimes[1]).get(qTimes[2]).op(Op.I32Add).set(qTimes[3]);
  }
  f.get(node).mem(Op.I32Load, 2, N_LEFT).tee(left).op(Op.I32Eqz);
  f.op(Op.If, VOID);
  {
    // A leaf (reached only as a root or below a repeated cold feature's walk).
    f.get(weight);
    value(node);
    f.op(Op.F64Mul).set(v);
    lanes(() => store(dst, ACC, mul(splat(v), P(p))));
    f.op(Op.Return);
  }
  f.op(Op.End);
  f.get(node).mem(Op.I32Load, 2, N_RIGHT).set(right);
  f.get(node).mem(Op.I32Load, 2, N_FEATURE).set(feat);
  f.get(node).mem(Op.I32Load, 2, N_FLAGS).set(flags);
  f.globalGet(G_ROW).get(feat).i32(3).op(Op.I32Shl, Op.I32Add).mem(Op.F64Load, 3).set(x);
  // The hot child: NaN by the default direction, a number by the threshold or the bitset.
  f.ifElse(
    () => f.get(x).get(x).op(Op.F64Ne),
    () => f.get(left).get(right).get(flags).i32(1).op(Op.I32And, Op.Select).set(hot),
    () =>
      f.ifElse(
        () => f.get(flags).i32(2).op(Op.I32LtU),
        () => {
          f.get(left).get(right).get(x);
          value(node);
          f.op(Op.F64Le, Op.Select).set(hot);
        },
        () => {
          f.get(right).set(hot);
          f.when(
            () => f.get(x).f64(0).op(Op.F64Ge).get(x).f64(CAT_LIMIT).op(Op.F64Lt, Op.I32And),
            () => {
              f.get(x).op(Op.I32TruncF64S).set(xi);
              f.get(flags).i32(-2).op(Op.I32And).get(xi).i32(5).op(Op.I32ShrU).i32(2).op(Op.I32Shl, Op.I32Add);
              f.mem(Op.I32Load, 2).get(xi).i32(31).op(Op.I32And, Op.I32ShrU).i32(1).op(Op.I32And);
              f.op(Op.If, VOID).get(left).set(hot).op(Op.End);
            },
          );
        },
      ),
  );
  f.get(right).get(left).get(hot).get(left).op(Op.I32Eq, Op.Select).set(cold);
  f.get(hot).mem(Op.F64Load, 3, N_SHARE).set(zHot);
  f.get(cold).mem(Op.F64Load, 3, N_SHARE).set(zCold);
  f.get(hot).mem(Op.I32Load, 2, N_LEFT).op(Op.I32Eqz).set(hotLeaf);
  f.get(cold).mem(Op.I32Load, 2, N_LEFT).op(Op.I32Eqz).set(coldLeaf);
  f.get(a);
  if (pairs > 0) f.i32(3 * Q);
  else f.get(qTimes[3]);
  f.op(Op.I32Add).set(below);
  f.globalGet(G_POS).get(feat).i32(2).op(Op.I32Shl, Op.I32Add).mem(Op.I32Load, 2).set(at);
  f.f64(0).set(c);

  const lenPlus1 = (): void => {
    f.get(len).i32(1).op(Op.I32Add);
  };
  const w = (): void => {
    f.get(weight);
  };

  f.ifElse(
    () => f.get(at).i32(0).op(Op.I32LtS),
    () => {
      // A new feature: element `len`.
      setPos(() => f.get(len));
      setZf(len, zHot);
      setOf(len, 1);
      f.f64(1).get(zHot).op(Op.F64Sub).set(d);
      f.ifElse(
        () => f.get(hotLeaf).get(zCold).f64(0).op(Op.F64Gt, Op.I32And).get(coldLeaf).op(Op.I32And),
        () => {
          // Two leaf children, in one loop.
          f.get(weight);
          value(hot);
          f.op(Op.F64Mul).set(v);
          f.get(weight);
          value(cold);
          f.op(Op.F64Mul).get(zCold).op(Op.F64Mul).set(vc);
          f.f64(0).set(sw);
          lanes(() => {
            keep(S1, P(p));
            keep(S2, mul(mul(splat(vc), V(S1)), R(OMT)));
            store(dst, ACC, add(mul(mul(splat(v), V(S1)), hotFactor(zHot, d)), V(S2)));
            reduce(sw, Op.F64Add, mul(R(WQ), V(S1)));
            reduce(c, Op.F64Sub, mul(R(WC), V(S2)));
          });
          f.get(c).get(v).get(d).op(Op.F64Mul).get(sw).op(Op.F64Mul, Op.F64Add).set(c);
        },
        () => {
          f.ifElse(
            () => f.get(hotLeaf),
            () => {
              f.get(weight);
              value(hot);
              f.op(Op.F64Mul).set(v);
              f.f64(0).set(sw);
              lanes(() => {
                keep(S1, P(p));
                store(dst, ACC, mul(mul(splat(v), V(S1)), hotFactor(zHot, d)));
                reduce(sw, Op.F64Add, mul(R(WQ), V(S1)));
              });
              f.get(v).get(d).op(Op.F64Mul).get(sw).op(Op.F64Mul).set(c);
            },
            () => {
              lanes(() => store(below, PROD, mul(P(p), hotFactor(zHot, d))));
              recurse(hot, below, below, lenPlus1, w, dst);
              lanes(() => reduce(c, Op.F64Add, mul(div(mul(splat(d), R(WQ)), hotFactor(zHot, d)), A(dst))));
            },
          );
          f.when(
            () => f.get(zCold).f64(0).op(Op.F64Gt),
            () => {
              setZf(len, zCold);
              setOf(len, 0);
              f.ifElse(
                () => f.get(coldLeaf),
                () => {
                  f.get(weight);
                  value(cold);
                  f.op(Op.F64Mul).get(zCold).op(Op.F64Mul).set(v);
                  lanes(() => {
                    keep(S2, mul(mul(splat(v), P(p)), R(OMT)));
                    reduce(c, Op.F64Sub, mul(R(WC), V(S2)));
                    store(dst, ACC, add(A(dst), V(S2)));
                  });
                },
                () => {
                  lanes(() => store(below, PROD, mul(P(p), mul(splat(zCold), R(OMT)))));
                  recurse(cold, below, below, lenPlus1, w, below);
                  lanes(() => {
                    keep(S2, A(below));
                    reduce(c, Op.F64Sub, mul(R(WC), V(S2)));
                    store(dst, ACC, add(A(dst), V(S2)));
                  });
                },
              );
            },
          );
        },
      );
      setPos(() => f.i32(-1));
    },
    () =>
      f.ifElse(
        () => f.globalGet(G_OF).get(at).i32(2).op(Op.I32Shl, Op.I32Add).mem(Op.I32Load, 2).op(Op.I32Eqz),
        () => {
          // A cold element: not credited here; the child's share goes into the weight.
          f.ifElse(
            () => f.get(hotLeaf).get(coldLeaf).op(Op.I32And),
            () => {
              f.get(weight).get(zHot);
              value(hot);
              f.op(Op.F64Mul).get(zCold);
              value(cold);
              f.op(Op.F64Mul, Op.F64Add, Op.F64Mul).set(v);
              lanes(() => store(dst, ACC, mul(splat(v), P(p))));
            },
            () => {
              f.ifElse(
                () => f.get(zHot).f64(0).op(Op.F64Eq),
                () => lanes(() => store(dst, ACC, () => f.f64(0).simd(SimdOp.F64x2Splat))),
                () =>
                  f.ifElse(
                    () => f.get(hotLeaf),
                    () => {
                      f.get(weight).get(zHot).op(Op.F64Mul);
                      value(hot);
                      f.op(Op.F64Mul).set(v);
                      lanes(() => store(dst, ACC, mul(splat(v), P(p))));
                    },
                    () =>
                      recurse(
                        hot,
                        p,
                        below,
                        () => f.get(len),
                        () => f.get(weight).get(zHot).op(Op.F64Mul),
                        dst,
                      ),
                  ),
              );
              f.when(
                () => f.get(zCold).f64(0).op(Op.F64Gt),
                () =>
                  f.ifElse(
                    () => f.get(coldLeaf),
                    () => {
                      f.get(weight).get(zCold).op(Op.F64Mul);
                      value(cold);
                      f.op(Op.F64Mul).set(v);
                      lanes(() => store(dst, ACC, add(A(dst), mul(splat(v), P(p)))));
                    },
                    () => {
                      recurse(
                        cold,
                        p,
                        below,
                        () => f.get(len),
                        () => f.get(weight).get(zCold).op(Op.F64Mul),
                        below,
                      );
                      lanes(() => store(dst, ACC, add(A(dst), A(below))));
                    },
                  ),
              );
            },
          );
        },
        () => {
          // A hot element: fraction z0 becomes z1 (hot) or z2 (cold) below; saved = 1 / old factor.
          f.globalGet(G_ZF).get(at).i32(3).op(Op.I32Shl, Op.I32Add).mem(Op.F64Load, 3).set(z0);
          f.f64(1).get(z0).op(Op.F64Sub).set(d0);
          f.get(z0).get(zHot).op(Op.F64Mul).set(z1);
          f.f64(1).get(z1).op(Op.F64Sub).set(d1);
          setZf(at, z1);
          f.ifElse(
            () => f.get(hotLeaf),
            () => {
              f.get(weight);
              value(hot);
              f.op(Op.F64Mul).set(v);
              lanes(() => {
                keep(T, R(TQ));
                keep(S1, div(one, add(splat(z0), mul(V(T), splat(d0)))));
                store(a, SAVED, V(S1));
                keep(S2, add(splat(z1), mul(V(T), splat(d1))));
                keep(S3, mul(mul(splat(v), P(p)), V(S1)));
                store(dst, ACC, mul(V(S3), V(S2)));
                reduce(c, Op.F64Add, mul(mul(V(S3), R(WQ)), sub(splat(d1), mul(mul(splat(d0), V(S1)), V(S2)))));
              });
            },
            () => {
              lanes(() => {
                keep(T, R(TQ));
                keep(S1, div(one, add(splat(z0), mul(V(T), splat(d0)))));
                store(a, SAVED, V(S1));
                store(below, PROD, mul(mul(P(p), V(S1)), add(splat(z1), mul(V(T), splat(d1)))));
              });
              recurse(hot, below, below, () => f.get(len), w, dst);
              lanes(() => {
                keep(T, R(WQ));
                reduce(
                  c,
                  Op.F64Add,
                  mul(sub(div(mul(splat(d1), V(T)), hotFactor(z1, d1)), mul(mul(splat(d0), V(T)), S(a))), A(dst)),
                );
              });
            },
          );
          f.when(
            () => f.get(zCold).f64(0).op(Op.F64Gt),
            () => {
              f.get(z0).get(zCold).op(Op.F64Mul).set(z2);
              /** (d0 w_q saved_q + w_q / (1 − t_q)) · s_q */
              const coldCredit = (s: E): E => mul(add(mul(mul(splat(d0), R(WQ)), S(a)), R(WC)), s);
              f.ifElse(
                () => f.get(coldLeaf),
                () => {
                  f.get(weight);
                  value(cold);
                  f.op(Op.F64Mul).get(z2).op(Op.F64Mul).set(v);
                  lanes(() => {
                    keep(S2, mul(mul(mul(splat(v), P(p)), S(a)), R(OMT)));
                    reduce(c, Op.F64Sub, coldCredit(V(S2)));
                    store(dst, ACC, add(A(dst), V(S2)));
                  });
                },
                () => {
                  setZf(at, z2);
                  setOf(at, 0);
                  lanes(() => store(below, PROD, mul(mul(P(p), S(a)), mul(splat(z2), R(OMT)))));
                  recurse(cold, below, below, () => f.get(len), w, below);
                  lanes(() => {
                    keep(S2, A(below));
                    reduce(c, Op.F64Sub, coldCredit(V(S2)));
                    store(dst, ACC, add(A(dst), V(S2)));
                  });
                  setOf(at, 1);
                },
              );
            },
          );
          setZf(at, z0);
        },
      ),
  );
  // out[f] += c, where c is not 0.
  f.when(
    () => f.get(c).f64(0).op(Op.F64Ne),
    () => {
      f.globalGet(G_OUT).get(feat).globalGet(G_STRIDE).op(Op.I32Mul, Op.I32Add).tee(addr);
      f.get(addr).mem(Op.F64Load, 3).get(c).op(Op.F64Add).mem(Op.F64Store, 3);
    },
  );
  return f;
}

/**
 * run(meta, nTrees, scale): every tree in order, each with its own quadrature rule, output column
 * and walk (meta: 8 x i32 per tree: root record address, rule address, Q, output column x 8, the
 * walk's function index); the products at the root are all 1.
 */
function runFn(walks: readonly number[]): Fn {
  const f = new Fn([I32, I32, F64]);
  const [meta, nTrees, scale] = [0, 1, 2];
  const t = f.localI32();
  const m = f.localI32();
  const q = f.localI32();
  const k = f.localI32();
  const which = f.localI32();
  f.upTo(t, nTrees, () => {
    f.get(meta).get(t).i32(5).op(Op.I32Shl, Op.I32Add).set(m);
    f.get(m).mem(Op.I32Load, 2, 4).globalSet(G_RULE);
    f.get(m).mem(Op.I32Load, 2, 8).tee(q).globalSet(G_Q);
    f.globalGet(G_OUTBASE).get(m).mem(Op.I32Load, 2, 12).op(Op.I32Add).globalSet(G_OUT);
    f.get(m).mem(Op.I32Load, 2, 16).set(which);
    f.i32(0).set(k);
    f.doWhile(
      () => {
        f.globalGet(G_LEVELS).get(k).op(Op.I32Add).f64(1).simd(SimdOp.F64x2Splat).simdMem(SimdOp.V128Store, 4);
        f.get(k).i32(16).op(Op.I32Add).set(k);
      },
      () => f.get(k).get(q).op(Op.I32LtS),
    );
    for (const w of walks) {
      f.when(
        () => f.get(which).i32(w).op(Op.I32Eq),
        () => {
          f.get(m).mem(Op.I32Load, 2, 0).globalGet(G_LEVELS).globalGet(G_LEVELS).i32(0).get(scale);
          f.globalGet(G_LEVELS).call(w);
        },
      );
    }
  });
  return f;
}

/** init(row, pos, zf, of, out, nOut x 8, levels): the addresses. */
function initFn(): Fn {
  const f = new Fn([I32, I32, I32, I32, I32, I32, I32]);
  const order = [G_ROW, G_POS, G_ZF, G_OF, G_OUTBASE, G_STRIDE, G_LEVELS];
  order.forEach((g, i) => f.get(i).globalSet(g));
  return f;
}

const MEMORY = ['env', 'mem'] as const;

/** Walks written out for q padded to 2, 4, ... (by pair count, 0 for the looping walk), function i the i-th. */
function moduleBytes(pairs: readonly number[]): Uint8Array {
  const fns: Record<string, Fn> = {};
  pairs.forEach((n, i) => (fns[`walk${n}`] = walkFn(n, i)));
  fns.run = runFn(pairs.map((_, i) => i));
  fns.init = initFn();
  return assembleModule(MEMORY, fns, GLOBALS);
}

/** Compiled modules by the pair counts they write out (a model's trees need a few). */
const compiled = new Map<string, wasm.CompiledModule | null>();
/** Switched off by tests only. */
let enabled = true;
/** False where WebAssembly or its SIMD is missing (known after the first compile). */
let available: boolean | undefined;

/**
 * Tests and benchmarks switch WebAssembly off to cover the JavaScript it replaces: this walk and
 * the leaf masks' pass (tree-shap-leaf-masks-wasm.ts).
 */
export function setWasmTreeShap(on: boolean): void {
  enabled = on;
}

/** False after setWasmTreeShap(false) (whether WebAssembly is there is each kernel's own question). */
export function wasmTreeShapSwitchedOn(): boolean {
  return enabled;
}

/** True when one-wide path-dependent walks run in WebAssembly (available, compiled, not switched off). */
export function wasmTreeShapOn(): boolean {
  if (available === undefined) available = shapModule([1]) !== null;
  return enabled && available;
}

/** The compiled module for these pair counts, or null where WebAssembly (or its SIMD) is missing. */
function shapModule(pairs: readonly number[]): wasm.CompiledModule | null {
  const key = pairs.join(',');
  let mod = compiled.get(key);
  if (mod === undefined) {
    mod = compileModule(() => moduleBytes(pairs));
    compiled.set(key, mod);
  }
  return mod;
}

/** What the WebAssembly walk needs of the explainer: its trees and their quadrature rules. */
export interface WalkSource {
  readonly tree: TreeArrays & { readonly valueWidth: number };
  /** Each node's share of its parent's cover. */
  readonly share: Float64Array;
  readonly nFeatures: number;
  readonly maxDepth: number;
  /** Per tree: root node, output column, its quadrature rule (nodes and weights, q each). */
  readonly trees: readonly { root: number; output: number; tq: Float64Array; wq: Float64Array }[];
}

/**
 * One explainer's trees in WebAssembly memory. run adds every tree's values for one row into out;
 * runRows does so for n rows (row-major, n x features), row r's values at outOffset + r · features
 * · nOut, several rows per traversal (tree-shap-wasm-rows.ts), each row's values the same as run's.
 */
export interface ShapWalker {
  run(row: Float64Array, out: Float64Array, outOffset: number, nOut: number, scale: number): void;
  runRows(rows: Float64Array, n: number, out: Float64Array, outOffset: number, nOut: number, scale: number): void;
}

/** Rows a group walk takes per traversal, at most (2 per f64x2 vector it carries). */
const MAX_GROUP = 8;
/** Rows per traversal (runRows walks more in groups of this many): 1 (one row at a time), 2, 4 or 8. */
let groupRows = 4;

/**
 * Benchmarks and tests set how many rows the walk takes per traversal (1: one row at a time, as
 * before the group walk); the values are the same whatever it is.
 */
export function setTreeShapGroupRows(rows: 1 | 2 | 4 | 8): void {
  groupRows = rows;
}

/** The walker, or null without WebAssembly SIMD (the caller keeps the JavaScript walk). */
export function createShapWalker(src: WalkSource): ShapWalker | null {
  const pairsOf = (q: number): number => Math.ceil(q / 2);
  const walkOf = (q: number): number => (pairsOf(q) <= MAX_UNROLLED ? pairsOf(q) : 0);
  const walks = [...new Set(src.trees.map((t) => walkOf(t.tq.length)))].sort((x, y) => x - y);
  const mod = shapModule(walks);
  if (!mod) return null;
  const e = src.tree;
  const F = src.nFeatures;
  let end = 64;
  const take = (bytes: number): number => {
    const here = end;
    end = Math.ceil((end + bytes) / 16) * 16;
    return here;
  };
  const qBytes = (q: number): number => pairsOf(q) * 16;
  const ruleAt = new Map<number, number>();
  let qMax = 16;
  let qCount = 1;
  for (const t of src.trees) {
    const q = t.tq.length;
    if (!ruleAt.has(q)) ruleAt.set(q, take(4 * qBytes(q)));
    qMax = Math.max(qMax, qBytes(q));
    qCount = Math.max(qCount, q);
  }
  const T = src.trees.length;
  const metaAt = take(T * 32);
  const rowAt = take(F * 8);
  const posAt = take(F * 4);
  const len = src.maxDepth + 1;
  const zfAt = take(len * 8);
  const ofAt = take(len * 4);
  const levelsAt = take((src.maxDepth + 2) * 3 * qMax);
  const catsAt = take(e.catBits.length * 4);
  // The group walk's rows, path elements and levels (4 blocks of q vectors per 2 rows), for the
  // largest group.
  const gRowsAt = take(F * MAX_GROUP * 8);
  const gZfAt = take(len * MAX_GROUP * 8);
  const gOfAt = take(len * MAX_GROUP * 8);
  const gLevelsAt = take((src.maxDepth + 2) * 4 * qCount * MAX_GROUP * 8);
  const { slot, slots } = depthFirst(
    e,
    src.trees.map((t) => t.root),
  );
  end = Math.ceil(end / 64) * 64;
  const nodesAt = take(slots * NODE_BYTES);
  // Per record: 16 x its subtree's splits (the log bytes it takes); the longest log of a tree.
  const sizesAt = take(slots * 4);
  const size16 = splitsBelow(e).map((n) => n * LOG_ENTRY);
  const logStride = src.trees.reduce((most, t) => Math.max(most, size16[t.root]), LOG_ENTRY);
  const logAt = take(MAX_GROUP * logStride);
  const outAt = end;
  let instance: ReturnType<typeof instantiate>;
  try {
    instance = instantiate(mod, MEMORY, outAt + F * 8);
  } catch {
    return null;
  }
  const { memory, exports } = instance;
  const run = exports.run as (meta: number, nTrees: number, scale: number) => void;
  const init = exports.init as (...addresses: number[]) => void;
  const buf = memory.buffer;
  for (const [q, r] of ruleAt) {
    const Q = qBytes(q) / 8;
    const rule = new Float64Array(buf, r, 4 * Q);
    const t = src.trees.find((tr) => tr.tq.length === q)!;
    for (let k = 0; k < Q; k++) {
      // The padding node: t = 0.5 keeps every factor finite, w = 0 adds nothing.
      const tk = k < q ? t.tq[k] : 0.5;
      const wk = k < q ? t.wq[k] : 0;
      rule[k] = tk;
      rule[Q + k] = wk;
      rule[2 * Q + k] = wk / (1 - tk);
      rule[3 * Q + k] = 1 - tk;
    }
  }
  const meta = new Int32Array(buf, metaAt, T * 8);
  src.trees.forEach((t, i) => {
    meta[8 * i] = nodesAt + slot[t.root] * NODE_BYTES;
    meta[8 * i + 1] = ruleAt.get(t.tq.length)!;
    meta[8 * i + 2] = qBytes(t.tq.length);
    meta[8 * i + 3] = t.output * 8;
    meta[8 * i + 4] = walks.indexOf(walkOf(t.tq.length));
    meta[8 * i + 6] = t.tq.length;
  });
  new Int32Array(buf, posAt, F).fill(-1);
  new Uint32Array(buf, catsAt, e.catBits.length).set(e.catBits);
  writeRecords(buf, e, src.share, slot, slots, nodesAt, catsAt);
  const sizes = new Int32Array(buf, sizesAt, slots);
  for (let i = 0; i < e.left.length; i++) sizes[slot[i]] = size16[i];

  type Run = (meta: number, nTrees: number, scale: number) => void;
  /** Per group size: the group walk's run and init (null where it did not compile), built on first use. */
  const groups = new Map<number, { run: Run; init: (...addresses: number[]) => void } | null>();
  let nOutNow = 0;
  let gOutAt = 0;
  let rowView = new Float64Array(buf, rowAt, F);
  let outView = new Float64Array(buf, outAt, F);
  const initGroup = (G: number, nOut: number): void => {
    groups
      .get(G)
      ?.init(
        gRowsAt,
        posAt,
        gZfAt,
        gOfAt,
        sizesAt - nodesAt / 8,
        gLevelsAt,
        logAt,
        logStride,
        gOutAt,
        F * nOut * 8,
        nOut * 8,
      );
  };
  const setOutputs = (nOut: number): void => {
    gOutAt = outAt + Math.ceil((F * nOut * 8) / 16) * 16;
    const need = gOutAt + MAX_GROUP * F * nOut * 8;
    const have = memory.buffer.byteLength;
    if (need > have) memory.grow(Math.ceil((need - have) / PAGE));
    rowView = new Float64Array(memory.buffer, rowAt, F);
    outView = new Float64Array(memory.buffer, outAt, F * nOut);
    init(rowAt, posAt, zfAt, ofAt, outAt, nOut * 8, levelsAt);
    for (const G of groups.keys()) initGroup(G, nOut);
    nOutNow = nOut;
  };
  const group = (G: number): Run | null => {
    if (!groups.has(G)) {
      const gmod = groupModule(G / 2);
      let built: { run: Run; init: (...addresses: number[]) => void } | null = null;
      if (gmod) {
        try {
          const g = new gmod.api.Instance(gmod.module, { [GROUP_MEMORY[0]]: { [GROUP_MEMORY[1]]: memory } }).exports;
          built = { run: g.run as Run, init: g.init as (...addresses: number[]) => void };
        } catch {
          built = null;
        }
      }
      groups.set(G, built);
      initGroup(G, nOutNow);
    }
    return groups.get(G)?.run ?? null;
  };
  const runOne = (row: Float64Array, out: Float64Array, outOffset: number, nOut: number, scale: number): void => {
    if (nOut !== nOutNow) setOutputs(nOut);
    rowView.set(row.subarray(0, F));
    // The row's values so far go in and come back out: the sums are the JavaScript walk's own.
    outView.set(out.subarray(outOffset, outOffset + F * nOut));
    run(metaAt, T, scale);
    out.set(outView, outOffset);
  };
  return {
    run: runOne,
    runRows(rows, n, out, outOffset, nOut, scale) {
      const size = F * nOut;
      if (nOut !== nOutNow) setOutputs(nOut);
      for (let r = 0; r < n;) {
        const G = groupFor(n - r);
        const groupRun = G > 1 ? group(G) : null;
        if (!groupRun) {
          runOne(rows.subarray(r * F, (r + 1) * F), out, outOffset + r * size, nOut, scale);
          r++;
          continue;
        }
        // A group of up to G rows; a short one repeats its last row in the lanes left over.
        const count = Math.min(G, n - r);
        const gRows = new Float64Array(memory.buffer, gRowsAt, F * G);
        const gOut = new Float64Array(memory.buffer, gOutAt, G * size);
        for (let lane = 0; lane < G; lane++) {
          const from = (r + Math.min(lane, count - 1)) * F;
          for (let f = 0; f < F; f++) gRows[f * G + lane] = rows[from + f];
        }
        gOut.set(out.subarray(outOffset + r * size, outOffset + (r + count) * size));
        groupRun(metaAt, T, scale);
        out.set(gOut.subarray(0, count * size), outOffset + r * size);
        r += count;
      }
    },
  };
}

/**
 * Rows for the next traversal when `left` rows remain: the largest group up to groupRows that they
 * fill, and 3 rows in a group of 4 (one walk of 4 rows costs less than one of 2 and one of 1); a
 * last row alone takes the one-row walk.
 */
function groupFor(left: number): number {
  if (groupRows === 1 || left === 1) return 1;
  if (left === 3 && groupRows >= 4) return 4;
  let g = 2;
  while (g * 2 <= Math.min(left, groupRows)) g *= 2;
  return g;
}

/** Per node: the splits in its subtree (itself included; 0 at a leaf). */
function splitsBelow(e: TreeArrays): Int32Array {
  const n = e.left.length;
  const count = new Int32Array(n);
  // Children after parents in a preorder, so a reverse pass sees children first.
  const order: number[] = [];
  const isChild = new Uint8Array(n);
  for (let i = 0; i < n; i++) if (e.left[i] >= 0) isChild[e.left[i]] = isChild[e.right[i]] = 1;
  for (let i = 0; i < n; i++) {
    if (isChild[i]) continue;
    const stack = [i];
    while (stack.length) {
      const node = stack.pop()!;
      order.push(node);
      if (e.left[node] >= 0) stack.push(e.left[node], e.right[node]);
    }
  }
  for (let i = order.length - 1; i >= 0; i--) {
    const node = order[i];
    if (e.left[node] >= 0) count[node] = 1 + count[e.left[node]] + count[e.right[node]];
  }
  return count;
}
