import { wasm } from '@campaign-ml/models';
import { CAT_LIMIT, N_FEATURE, N_FLAGS, N_LEFT, N_RIGHT, N_SHARE, N_VALUE } from './tree-shap-wasm-records';

const { Fn, Op, SimdOp, I32, F64, V128, assembleModule, compileModule } = wasm;
type Fn = InstanceType<typeof Fn>;

/**
 * PathShap's one-wide walk (`walk1` in tree-shap-path.ts) for several rows in one traversal: the
 * rows of a group sit in the lanes of f64x2 vectors (V vectors, 2V rows), and every node is read,
 * called and recursed into once per group instead of once per row. Every row visits every node
 * anyway (path-dependent TreeSHAP goes down both children); what depends on the row — which child
 * is hot, whether a repeated feature's element is hot or cold, and so which of walk1's cases and
 * formulas apply — is a lane mask, and each lane takes its own case's result by a bitselect.
 *
 * Same arithmetic in the same order, lane by lane: each of walk1's cases is written out with its
 * own products, quotients and sums, in its order (a case's credit adds its hot child's terms over
 * the quadrature nodes, then its cold child's), and a lane takes the case walk1 takes for its row.
 * A sum S_hot + S_cold is taken as S_left + S_right (addition commutes). Two things differ, and
 * neither can change a value:
 *
 * - walk1 skips a child with no share where it is cold (and a cold element's child with none).
 *   Here every child is walked, for all lanes: such a lane's products (or weight) below are ±0,
 *   so everything it computes there is a zero — its credits are not added (a credit of ±0 is not
 *   added, as in walk1) and its sums take a zero that leaves every non-zero sum as it is. The
 *   same holds where walk1 folds a leaf child differently when the other child has no share.
 *   (Only zeros' signs can differ, and no zero is ever divided by: every divisor is a factor
 *   z + t (1 − z) ≥ t > 0.)
 * - walk1 adds a node's credit to the row's output when it leaves the node, hot child first; here
 *   the children are walked left first. So each lane writes its credits into a log, at the place
 *   walk1's order gives it (a subtree's credits take as many places as it has splits: the hot
 *   child's first, then the cold child's, then the node's own), and after each tree every row's
 *   log is added to its output in that order — the same additions in the same order as walk1's.
 *
 * Memory (the explainer's, shared with the one-row walk: nodes, category bitsets, rules and the
 * path positions are the same; byte addresses, 16-aligned):
 *   rows    per feature 2V f64: the group's values of that feature, lane by lane
 *   zf, of  per path element V vectors: its zero fraction per lane, and whether it is hot (a mask)
 *   levels  per level 4 blocks of q x V vectors: the node's products, its left and right child's
 *           sums S, and its repeated element's 1 / old factor
 *   sizes   per node record an i32: 16 x its splits (log bytes of its subtree)
 *   logs    per lane 16 bytes per split: credit (f64), feature (i32)
 *   outs    per lane features x nOut f64 (the group's rows' values)
 */

// Globals: the tree's rule, its parts' stride (bytes: q padded to even, as the one-row walk's)
// and q, then what init sets.
const G_RULE = 0;
const G_QB = 1;
const G_Q = 2;
const G_ROWS = 3;
const G_POS = 4;
const G_ZF = 5;
const G_OF = 6;
const G_SIZES = 7;
const G_LEVELS = 8;
const G_LOG = 9;
const G_LOGSTRIDE = 10;
const G_OUT = 11;
const G_OUTSTRIDE = 12;
const G_STRIDE = 13;
const GLOBALS = new Array<number>(14).fill(I32);

/** A level's blocks: products, the left and right child's S, saved factors. */
const PROD = 0;
const ACC_L = 1;
const ACC_R = 2;
const SAVED = 3;
/** A rule's parts (tq, wq, wq / (1 − tq), 1 − tq). */
const TQ = 0;
const WQ = 1;
const WC = 2;
const OMT = 3;

/** Bytes of a log entry: the credit and its feature. */
export const LOG_ENTRY = 16;

type E = () => void;

/** i8x16.shuffle lane indexes that copy f64 lane 0 (or 1) of a vector into both lanes. */
const LANE0 = [0, 1, 2, 3, 4, 5, 6, 7, 0, 1, 2, 3, 4, 5, 6, 7];
const LANE1 = [8, 9, 10, 11, 12, 13, 14, 15, 8, 9, 10, 11, 12, 13, 14, 15];

/**
 * walk(node, a, len, dst, w[V], b[V]): the group's walk of the subtree at `node` (a split's record
 * address): `a` its level (products at PROD), `len` the path's elements, `dst` where its S goes, w
 * the lanes' weights, b the lanes' log addresses of the subtree's first credit (i32x4, lanes 0 and
 * 2 of each vector). The quadrature nodes are looped over (written out for each q, the walk was
 * larger and slower: its registers spilled).
 */
function groupWalkFn(V: number, self: number): Fn {
  const f = new Fn([I32, I32, I32, I32, ...new Array<number>(2 * V).fill(V128)]);
  const [node, a, len, dst] = [0, 1, 2, 3];
  const lanes = Array.from({ length: V }, (_, j) => j);
  const w = lanes.map((j) => 4 + j);
  const b = lanes.map((j) => 4 + V + j);
  const i32 = (): number => f.localI32();
  const f64 = (): number => f.localF64();
  const v128 = (): number => f.localV128();
  const vec = (): number[] => lanes.map(() => f.localV128());
  const [left, right, feat, flags, at, below, rule, nL, nR, k, k8, q8, kb, xi, g, zfA, ofA, rowA] = Array.from(
    { length: 18 },
    i32,
  );
  const ruleOff = [-1, i32(), i32(), i32()];
  const leafL = i32();
  const leafR = i32();
  const gl = Array.from({ length: 2 * V }, i32);
  const [zL, zR, dL, dR, vL, vR, thr, x, zv] = Array.from({ length: 9 }, f64);
  const [dl, pairD, pairZ, tK, wK, cK, oK, H1, H2, H3] = Array.from({ length: 10 }, v128);
  const m = vec();
  const hm = vec();
  const z0 = vec();
  const d0 = vec();
  const c = vec();
  const sw = vec();
  const cY = vec();
  const u = vec();
  const u2 = vec();
  const uc = vec();
  const z1L = vec();
  const d1L = vec();
  const z1R = vec();
  const d1R = vec();
  const zH = vec();
  const dH = vec();
  const T1 = vec();
  const T2 = vec();

  /** Vector j of the current quadrature node in `part` of the level block at `blk` (a local). */
  const address = (blk: number, part: number, j: number): number => {
    f.get(blk);
    if (part) f.get(kb).i32(part).op(Op.I32Mul, Op.I32Add);
    f.get(k).op(Op.I32Add);
    return j * 16;
  };
  const at2 =
    (blk: number, part: number, j: number): E =>
    () => {
      const offset = address(blk, part, j);
      f.simdMem(SimdOp.V128Load, 4, offset);
    };
  const store = (blk: number, part: number, j: number, value: E): void => {
    const offset = address(blk, part, j);
    value();
    f.simdMem(SimdOp.V128Store, 4, offset);
  };
  const ruleLocal = [tK, wK, cK, oK];
  /** Rule part `part` at the current node (loaded into its local at the top of the loop). */
  const R =
    (part: number): E =>
    () =>
      f.get(ruleLocal[part]);
  const L =
    (xl: number): E =>
    () =>
      f.get(xl);
  const sp =
    (xl: number): E =>
    () =>
      f.get(xl).simd(SimdOp.F64x2Splat);
  const cst =
    (v: number): E =>
    () =>
      f.f64(v).simd(SimdOp.F64x2Splat);
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
  const and = bin(SimdOp.V128And);
  const not =
    (v: E): E =>
    () => {
      v();
      f.simd(SimdOp.V128Not);
    };
  /** mask ? x : y, lane by lane. */
  const sel =
    (mask: E, xv: E, yv: E): E =>
    () => {
      xv();
      yv();
      mask();
      f.simd(SimdOp.V128Bitselect);
    };
  const keep = (xl: number, v: E): void => {
    v();
    f.set(xl);
  };
  const each = (body: (j: number) => void): void => lanes.forEach(body);
  /**
   * body() for each quadrature node (q at least 1), the rule parts it reads loaded first (into
   * locals: a load is not repeated for each lane). What is the same in every lane (a new feature's
   * factors) is computed once per node, before the lanes' part.
   */
  const forK = (parts: readonly number[], body: () => void): void => {
    f.i32(0).set(k).i32(0).set(k8);
    f.doWhile(
      () => {
        for (const part of parts) {
          f.get(rule);
          if (part) f.get(ruleOff[part]).op(Op.I32Add);
          f.get(k8).op(Op.I32Add).simdMem(SimdOp.V128Load64Splat, 3, 0).set(ruleLocal[part]);
        }
        body();
        f.get(k)
          .i32(V * 16)
          .op(Op.I32Add)
          .set(k);
        f.get(k8).i32(8).op(Op.I32Add).tee(k8);
      },
      () => f.get(q8).op(Op.I32LtS),
    );
  };
  /** hot(child, j)(value where `child` is the hot one, value where it is cold). */
  const hot =
    (child: number, j: number) =>
    (ifHot: E, ifCold: E): E =>
      child === left ? sel(L(m[j]), ifHot, ifCold) : sel(L(m[j]), ifCold, ifHot);
  const hotMask = (child: number, j: number): E => (child === left ? L(m[j]) : not(L(m[j])));
  const plus =
    (v: number, n: number): E =>
    () => {
      f.get(v).get(n).simd(SimdOp.I32x4Splat).simd(SimdOp.I32x4Add);
    };
  /** The child's log start: b where it is hot, after the other child's splits where it is cold. */
  const childBase = (child: number, j: number): E => hot(child, j)(L(b[j]), plus(b[j], child === left ? nR : nL));
  const pk = (j: number): E => at2(a, PROD, j);
  const part = (child: number): number => (child === left ? ACC_L : ACC_R);
  const S = (child: number, j: number): E => at2(below, part(child), j);
  const recurse = (child: number, nextLen: E, weight: (j: number) => E): void => {
    f.get(child).get(below);
    nextLen();
    f.get(below).get(kb).i32(part(child)).op(Op.I32Mul, Op.I32Add);
    each((j) => weight(j)());
    each((j) => childBase(child, j)());
    f.call(self);
  };
  const storeAt = (addr: number, j: number, v: E): void => {
    f.get(addr);
    v();
    f.simdMem(SimdOp.V128Store, 4, j * 16);
  };
  const loadAt =
    (addr: number, j: number): E =>
    () =>
      f.get(addr).simdMem(SimdOp.V128Load, 4, j * 16);
  const setPos = (v: () => void): void => {
    f.globalGet(G_POS).get(feat).i32(2).op(Op.I32Shl, Op.I32Add);
    v();
    f.mem(Op.I32Store, 2);
  };
  /** The hot factor z + t (1 − z) (d = 1 − z). */
  const hotFactor = (z: E, d: E): E => add(z, mul(R(TQ), d));

  // Prologue: the rule, the level blocks; the node and its children.
  f.globalGet(G_RULE).set(rule);
  f.globalGet(G_Q).i32(3).op(Op.I32Shl).set(q8);
  f.globalGet(G_Q)
    .i32(V * 16)
    .op(Op.I32Mul)
    .set(kb);
  f.globalGet(G_QB).tee(ruleOff[1]).i32(1).op(Op.I32Shl).set(ruleOff[2]);
  f.get(ruleOff[1]).get(ruleOff[2]).op(Op.I32Add).set(ruleOff[3]);
  f.get(a).get(kb).i32(2).op(Op.I32Shl, Op.I32Add).set(below);
  f.get(node).mem(Op.I32Load, 2, N_LEFT).set(left);
  f.get(node).mem(Op.I32Load, 2, N_RIGHT).set(right);
  f.get(node).mem(Op.I32Load, 2, N_FEATURE).set(feat);
  f.get(node).mem(Op.I32Load, 2, N_FLAGS).set(flags);
  f.get(left).mem(Op.F64Load, 3, N_SHARE).set(zL);
  f.get(right).mem(Op.F64Load, 3, N_SHARE).set(zR);
  f.get(left).mem(Op.F64Load, 3, N_VALUE).set(vL);
  f.get(right).mem(Op.F64Load, 3, N_VALUE).set(vR);
  f.f64(1).get(zL).op(Op.F64Sub).set(dL);
  f.f64(1).get(zR).op(Op.F64Sub).set(dR);
  f.get(left).mem(Op.I32Load, 2, N_LEFT).op(Op.I32Eqz).set(leafL);
  f.get(right).mem(Op.I32Load, 2, N_LEFT).op(Op.I32Eqz).set(leafR);
  f.globalGet(G_SIZES).get(left).i32(3).op(Op.I32ShrU, Op.I32Add).mem(Op.I32Load, 2).set(nL);
  f.globalGet(G_SIZES).get(right).i32(3).op(Op.I32ShrU, Op.I32Add).mem(Op.I32Load, 2).set(nR);
  f.globalGet(G_ROWS)
    .get(feat)
    .i32(V * 16)
    .op(Op.I32Mul, Op.I32Add)
    .set(rowA);
  // m: the lanes whose row goes left (NaN by the default direction, a number by the threshold or
  // the bitset: childFor's rule).
  f.ifElse(
    () => f.get(flags).i32(2).op(Op.I32LtU),
    () => {
      f.get(node).mem(Op.F64Load, 3, N_VALUE).set(thr);
      f.i32(0).get(flags).i32(1).op(Op.I32And, Op.I32Sub).simd(SimdOp.I32x4Splat).set(dl);
      each((j) => {
        keep(T1[j], loadAt(rowA, j));
        f.get(T1[j]).get(thr).simd(SimdOp.F64x2Splat).simd(SimdOp.F64x2Le);
        f.get(T1[j]).get(T1[j]).simd(SimdOp.F64x2Ne).get(dl).simd(SimdOp.V128And);
        f.simd(SimdOp.V128Or).set(m[j]);
      });
    },
    () => {
      gl.forEach((gi, lane) => {
        f.get(rowA)
          .mem(Op.F64Load, 3, 8 * lane)
          .set(x);
        f.get(flags).i32(1).op(Op.I32And).set(g);
        f.when(
          () => f.get(x).get(x).op(Op.F64Eq),
          () => {
            f.i32(0).set(g);
            f.when(
              () => f.get(x).f64(0).op(Op.F64Ge).get(x).f64(CAT_LIMIT).op(Op.F64Lt, Op.I32And),
              () => {
                f.get(x).op(Op.I32TruncF64S).set(xi);
                f.get(flags).i32(-2).op(Op.I32And).get(xi).i32(5).op(Op.I32ShrU).i32(2).op(Op.I32Shl, Op.I32Add);
                f.mem(Op.I32Load, 2).get(xi).i32(31).op(Op.I32And, Op.I32ShrU).i32(1).op(Op.I32And).set(g);
              },
            );
          },
        );
        f.i32(0).get(g).op(Op.I32Sub).set(gi);
      });
      each((j) => {
        f.get(gl[2 * j]).simd(SimdOp.I32x4Splat);
        f.get(gl[2 * j + 1]).simd(SimdOp.I32x4ReplaceLane, 2);
        f.get(gl[2 * j + 1])
          .simd(SimdOp.I32x4ReplaceLane, 3)
          .set(m[j]);
      });
    },
  );
  f.globalGet(G_POS).get(feat).i32(2).op(Op.I32Shl, Op.I32Add).mem(Op.I32Load, 2).set(at);

  /** A new feature's element for the child's walk: its share as zero fraction, hot where the child is. */
  const newElement = (child: number): void => {
    each((j) => {
      storeAt(zfA, j, sp(child === left ? zL : zR));
      storeAt(ofA, j, hotMask(child, j));
    });
  };
  /** A new feature's child's products: × (z + t (1 − z)) where it is hot, × z (1 − t) where cold. */
  const newProducts = (child: number): void => {
    const z = child === left ? zL : zR;
    const d = child === left ? dL : dR;
    forK([TQ, OMT], () => {
      keep(H1, hotFactor(sp(z), sp(d)));
      keep(H2, mul(sp(z), R(OMT)));
      each((j) => store(below, PROD, j, mul(pk(j), hot(child, j)(L(H1), L(H2)))));
    });
  };

  /** A feature new on the path (walk1's first case). */
  const fresh = (): void => {
    f.globalGet(G_ZF)
      .get(len)
      .i32(V * 16)
      .op(Op.I32Mul, Op.I32Add)
      .set(zfA);
    f.globalGet(G_OF)
      .get(len)
      .i32(V * 16)
      .op(Op.I32Mul, Op.I32Add)
      .set(ofA);
    const nextLen = (): void => {
      f.get(len).i32(1).op(Op.I32Add);
    };
    const same = (j: number): E => L(w[j]);
    f.ifElse(
      () => f.get(leafL).get(leafR).op(Op.I32And),
      () => {
        // Two leaf children: walk1's one loop (its cold terms first, then v d Σ w_q P_q).
        each((j) => {
          keep(u[j], mul(L(w[j]), sel(L(m[j]), sp(vL), sp(vR))));
          keep(u2[j], mul(mul(L(w[j]), sel(L(m[j]), sp(vR), sp(vL))), sel(L(m[j]), sp(zR), sp(zL))));
          keep(zH[j], sel(L(m[j]), sp(zL), sp(zR)));
          keep(dH[j], sel(L(m[j]), sp(dL), sp(dR)));
          keep(sw[j], cst(0));
          keep(c[j], cst(0));
        });
        forK([TQ, WQ, WC, OMT], () =>
          each((j) => {
            keep(T1[j], pk(j));
            keep(T2[j], mul(mul(L(u2[j]), L(T1[j])), R(OMT)));
            store(dst, 0, j, add(mul(mul(L(u[j]), L(T1[j])), hotFactor(L(zH[j]), L(dH[j]))), L(T2[j])));
            keep(sw[j], add(L(sw[j]), mul(R(WQ), L(T1[j]))));
            keep(c[j], sub(L(c[j]), mul(R(WC), L(T2[j]))));
          }),
        );
        each((j) => keep(c[j], add(L(c[j]), mul(mul(L(u[j]), L(dH[j])), L(sw[j])))));
      },
      () => {
        setPos(() => f.get(len));
        const oneLeaf = (leaf: number, other: number): void => {
          const [zX, dX, vX] = leaf === left ? [zL, dL, vL] : [zR, dR, vR];
          const [zY, dY] = other === left ? [zL, dL] : [zR, dR];
          newProducts(other);
          newElement(other);
          recurse(other, nextLen, same);
          // Where the leaf is hot: its S, and v d Σ w_q P_q, then the other child's cold terms;
          // where the other child is hot: its terms, then the leaf's cold ones.
          each((j) => {
            keep(u[j], hot(leaf, j)(mul(L(w[j]), sp(vX)), mul(mul(L(w[j]), sp(vX)), sp(zX))));
            keep(sw[j], cst(0));
            keep(cY[j], cst(0));
          });
          forK([TQ, WQ], () => {
            // The split child's weight factor (1 − z) w_q / (z + t_q (1 − z)): the same in every lane.
            keep(H1, div(mul(sp(dY), R(WQ)), hotFactor(sp(zY), sp(dY))));
            each((j) => {
              keep(sw[j], add(L(sw[j]), mul(R(WQ), pk(j))));
              keep(cY[j], add(L(cY[j]), mul(L(H1), S(other, j))));
            });
          });
          each((j) => keep(c[j], hot(leaf, j)(mul(mul(L(u[j]), sp(dX)), L(sw[j])), L(cY[j]))));
          forK([TQ, WC, OMT], () => {
            keep(H1, hotFactor(sp(zX), sp(dX)));
            each((j) => {
              keep(T2[j], mul(mul(L(u[j]), pk(j)), hot(leaf, j)(L(H1), R(OMT))));
              keep(c[j], sub(L(c[j]), mul(R(WC), hot(leaf, j)(S(other, j), L(T2[j])))));
              store(dst, 0, j, add(L(T2[j]), S(other, j)));
            });
          });
        };
        f.ifElse(
          () => f.get(leafL),
          () => oneLeaf(left, right),
          () =>
            f.ifElse(
              () => f.get(leafR),
              () => oneLeaf(right, left),
              () => {
                newProducts(left);
                newElement(left);
                recurse(left, nextLen, same);
                newProducts(right);
                newElement(right);
                recurse(right, nextLen, same);
                // Both children's weight factors in one division (left's in lane 0, right's in 1).
                f.get(dL).simd(SimdOp.F64x2Splat).get(dR).simd(SimdOp.F64x2ReplaceLane, 1).set(pairD);
                f.get(zL).simd(SimdOp.F64x2Splat).get(zR).simd(SimdOp.F64x2ReplaceLane, 1).set(pairZ);
                each((j) => keep(c[j], cst(0)));
                forK([TQ, WQ], () => {
                  keep(H1, div(mul(L(pairD), R(WQ)), hotFactor(L(pairZ), L(pairD))));
                  f.get(H1)
                    .get(H1)
                    .simd(SimdOp.I8x16Shuffle, ...LANE0)
                    .set(H2);
                  f.get(H1)
                    .get(H1)
                    .simd(SimdOp.I8x16Shuffle, ...LANE1)
                    .set(H3);
                  each((j) => {
                    const hw = sel(L(m[j]), L(H2), L(H3));
                    keep(c[j], add(L(c[j]), mul(hw, sel(L(m[j]), S(left, j), S(right, j)))));
                  });
                });
                forK([WC], () =>
                  each((j) => {
                    keep(c[j], sub(L(c[j]), mul(R(WC), sel(L(m[j]), S(right, j), S(left, j)))));
                    store(dst, 0, j, add(S(left, j), S(right, j)));
                  }),
                );
              },
            ),
        );
        setPos(() => f.i32(-1));
      },
    );
  };

  /** A feature already on the path: hot lanes (hm) take walk1's hot-element case, the others its cold one. */
  const repeated = (): void => {
    f.globalGet(G_ZF)
      .get(at)
      .i32(V * 16)
      .op(Op.I32Mul, Op.I32Add)
      .set(zfA);
    f.globalGet(G_OF)
      .get(at)
      .i32(V * 16)
      .op(Op.I32Mul, Op.I32Add)
      .set(ofA);
    const sameLen = (): void => {
      f.get(len);
    };
    each((j) => {
      keep(z0[j], loadAt(zfA, j));
      keep(hm[j], loadAt(ofA, j));
      keep(d0[j], sub(cst(1), L(z0[j])));
      keep(z1L[j], mul(L(z0[j]), sp(zL)));
      keep(d1L[j], sub(cst(1), L(z1L[j])));
      keep(z1R[j], mul(L(z0[j]), sp(zR)));
      keep(d1R[j], sub(cst(1), L(z1R[j])));
    });
    const r0 = (j: number): E => at2(a, SAVED, j);
    const z1 = (child: number, j: number): E => L(child === left ? z1L[j] : z1R[j]);
    const d1 = (child: number, j: number): E => L(child === left ? d1L[j] : d1R[j]);
    /** A split child: its products and element for the lanes' cases, then its walk. */
    const walkChild = (child: number): void => {
      const z = child === left ? zL : zR;
      forK([TQ, OMT], () =>
        each((j) => {
          const factor = hot(child, j)(hotFactor(z1(child, j), d1(child, j)), mul(z1(child, j), R(OMT)));
          store(below, PROD, j, sel(L(hm[j]), mul(mul(pk(j), r0(j)), factor), pk(j)));
        }),
      );
      each((j) => {
        storeAt(zfA, j, sel(L(hm[j]), z1(child, j), L(z0[j])));
        storeAt(ofA, j, and(L(hm[j]), hotMask(child, j)));
      });
      recurse(child, sameLen, (j) => sel(L(hm[j]), L(w[j]), mul(L(w[j]), sp(z))));
    };
    /** A leaf child's S: hot lanes v P r0 × its new factor (z (1 − t) where cold), cold lanes w z v P. */
    const leafChild = (child: number): void => {
      const [z, v] = child === left ? [zL, vL] : [zR, vR];
      each((j) => {
        keep(u[j], hot(child, j)(mul(L(w[j]), sp(v)), mul(mul(L(w[j]), sp(v)), z1(child, j))));
        keep(uc[j], mul(mul(L(w[j]), sp(z)), sp(v)));
      });
      forK([TQ, OMT], () =>
        each((j) => {
          keep(T1[j], pk(j));
          const factor = hot(child, j)(hotFactor(z1(child, j), d1(child, j)), R(OMT));
          const hotS = mul(mul(mul(L(u[j]), L(T1[j])), r0(j)), factor);
          store(below, part(child), j, sel(L(hm[j]), hotS, mul(L(uc[j]), L(T1[j]))));
        }),
      );
    };
    /** The hot child's credit term: a leaf's pk' w_q (d1 − d0 r0 f1) (pk' = w v P r0) or a split's. */
    const leafTerm = (v: E, z1e: E, d1e: E, j: number): E => {
      const base = mul(mul(mul(L(w[j]), v), pk(j)), r0(j));
      return mul(mul(base, R(WQ)), sub(d1e, mul(mul(L(d0[j]), r0(j)), hotFactor(z1e, d1e))));
    };
    const splitTerm = (z1e: E, d1e: E, s: E, j: number): E =>
      mul(sub(div(mul(d1e, R(WQ)), hotFactor(z1e, d1e)), mul(mul(L(d0[j]), R(WQ)), r0(j))), s);
    const credit = (leftLeaf: boolean, rightLeaf: boolean): void => {
      each((j) => keep(c[j], cst(0)));
      if (leftLeaf === rightLeaf) {
        // Both children alike: one term, of the hot child's fractions (and value or S) per lane.
        each((j) => {
          keep(zH[j], sel(L(m[j]), L(z1L[j]), L(z1R[j])));
          keep(dH[j], sel(L(m[j]), L(d1L[j]), L(d1R[j])));
        });
        forK([TQ, WQ], () =>
          each((j) => {
            const term = leftLeaf
              ? leafTerm(sel(L(m[j]), sp(vL), sp(vR)), L(zH[j]), L(dH[j]), j)
              : splitTerm(L(zH[j]), L(dH[j]), sel(L(m[j]), S(left, j), S(right, j)), j);
            keep(c[j], add(L(c[j]), term));
          }),
        );
      } else {
        const term = (child: number, j: number): E =>
          (child === left ? leftLeaf : rightLeaf)
            ? leafTerm(sp(child === left ? vL : vR), z1(child, j), d1(child, j), j)
            : splitTerm(z1(child, j), d1(child, j), S(child, j), j);
        forK([TQ, WQ], () => each((j) => keep(c[j], add(L(c[j]), sel(L(m[j]), term(left, j), term(right, j))))));
      }
      forK([WQ, WC], () =>
        each((j) => {
          const coldW = add(mul(mul(L(d0[j]), R(WQ)), r0(j)), R(WC));
          keep(c[j], sub(L(c[j]), mul(coldW, sel(L(m[j]), S(right, j), S(left, j)))));
        }),
      );
      each((j) => keep(c[j], sel(L(hm[j]), L(c[j]), cst(0))));
      if (leftLeaf && rightLeaf) {
        // A cold element's two leaves: walk1's w (z_hot v_hot + z_cold v_cold) P.
        f.get(zL).get(vL).op(Op.F64Mul).get(zR).get(vR).op(Op.F64Mul, Op.F64Add).set(zv);
        each((j) => keep(uc[j], mul(L(w[j]), sp(zv))));
        forK([], () =>
          each((j) => store(dst, 0, j, sel(L(hm[j]), add(S(left, j), S(right, j)), mul(L(uc[j]), pk(j))))),
        );
      } else forK([], () => each((j) => store(dst, 0, j, add(S(left, j), S(right, j)))));
    };
    const restore = (): void =>
      each((j) => {
        storeAt(zfA, j, L(z0[j]));
        storeAt(ofA, j, L(hm[j]));
      });
    /** Some lane's element is hot: walk1's hot-element case there, its cold one in the others. */
    const someHot = (): void => {
      forK([TQ], () => each((j) => store(a, SAVED, j, div(cst(1), hotFactor(L(z0[j]), L(d0[j]))))));
      f.ifElse(
        () => f.get(leafL),
        () =>
          f.ifElse(
            () => f.get(leafR),
            () => {
              leafChild(left);
              leafChild(right);
              credit(true, true);
            },
            () => {
              walkChild(right);
              restore();
              leafChild(left);
              credit(true, false);
            },
          ),
        () =>
          f.ifElse(
            () => f.get(leafR),
            () => {
              walkChild(left);
              restore();
              leafChild(right);
              credit(false, true);
            },
            () => {
              walkChild(left);
              walkChild(right);
              restore();
              credit(false, false);
            },
          ),
      );
    };
    /**
     * Every lane's element cold: walk1's cold-element case alone — no credit, the children keep
     * the products (copied) and take their share into the weight, a leaf child is w z v P.
     */
    const allCold = (): void => {
      each((j) => keep(c[j], cst(0)));
      const child = (x: number, leaf: number): void => {
        const [z, v] = x === left ? [zL, vL] : [zR, vR];
        f.ifElse(
          () => f.get(leaf),
          () => {
            each((j) => keep(uc[j], mul(mul(L(w[j]), sp(z)), sp(v))));
            forK([], () => each((j) => store(below, part(x), j, mul(L(uc[j]), pk(j)))));
          },
          () => {
            forK([], () => each((j) => store(below, PROD, j, pk(j))));
            recurse(x, sameLen, (j) => mul(L(w[j]), sp(z)));
          },
        );
      };
      f.ifElse(
        () => f.get(leafL).get(leafR).op(Op.I32And),
        () => {
          f.get(zL).get(vL).op(Op.F64Mul).get(zR).get(vR).op(Op.F64Mul, Op.F64Add).set(zv);
          each((j) => keep(uc[j], mul(L(w[j]), sp(zv))));
          forK([], () => each((j) => store(dst, 0, j, mul(L(uc[j]), pk(j)))));
        },
        () => {
          child(left, leafL);
          child(right, leafR);
          forK([], () => each((j) => store(dst, 0, j, add(S(left, j), S(right, j)))));
        },
      );
    };
    f.ifElse(
      () => {
        f.get(hm[0]);
        for (let j = 1; j < V; j++) f.get(hm[j]).simd(SimdOp.V128Or);
        f.simd(SimdOp.V128AnyTrue);
      },
      someHot,
      allCold,
    );
  };

  f.ifElse(() => f.get(at).i32(0).op(Op.I32LtS), fresh, repeated);

  // The node's credit, lane by lane, at its place in the lane's log (after its subtree's).
  each((j) => {
    keep(T1[j], plus(b[j], nL));
    f.get(T1[j]).get(nR).simd(SimdOp.I32x4Splat).simd(SimdOp.I32x4Add).set(T1[j]);
    for (const h of [0, 1]) {
      f.get(T1[j])
        .simd(SimdOp.I32x4ExtractLane, 2 * h)
        .tee(xi);
      f.get(c[j]).simd(SimdOp.F64x2ExtractLane, h).mem(Op.F64Store, 3);
      f.get(xi).get(feat).mem(Op.I32Store, 2, 8);
    }
  });
  return f;
}

/**
 * run(meta, nTrees, scale): every tree for the group, in order (meta as the one-row walk's, with q
 * at +24): the walk, then each lane's log added into its output, credit by credit.
 */
function groupRunFn(walk: number, V: number): Fn {
  const f = new Fn([I32, I32, F64]);
  const [meta, nTrees, scale] = [0, 1, 2];
  const [t, mm, root, n16, kk, kb, e, addr, col8] = Array.from({ length: 9 }, () => f.localI32());
  /** Per lane: its log, and its row's output (the tree's column). */
  const laneAt = Array.from({ length: 2 * V }, () => f.localI32());
  const outAt = Array.from({ length: 2 * V }, () => f.localI32());
  const [cr, old] = [f.localF64(), f.localF64()];
  const base = Array.from({ length: V }, () => f.localV128());
  const laneLog = (l: number): void => {
    f.globalGet(G_LOG).i32(l).globalGet(G_LOGSTRIDE).op(Op.I32Mul, Op.I32Add);
  };
  for (let j = 0; j < V; j++) {
    laneLog(2 * j);
    f.simd(SimdOp.I32x4Splat);
    laneLog(2 * j + 1);
    f.simd(SimdOp.I32x4ReplaceLane, 2).set(base[j]);
  }
  laneAt.forEach((la, l) => {
    laneLog(l);
    f.set(la);
  });
  f.upTo(t, nTrees, () => {
    f.get(meta).get(t).i32(5).op(Op.I32Shl, Op.I32Add).set(mm);
    f.get(mm).mem(Op.I32Load, 2, 0).set(root);
    f.get(mm).mem(Op.I32Load, 2, 4).globalSet(G_RULE);
    f.get(mm).mem(Op.I32Load, 2, 8).globalSet(G_QB);
    f.get(mm).mem(Op.I32Load, 2, 12).set(col8);
    outAt.forEach((oa, l) => {
      f.globalGet(G_OUT).i32(l).globalGet(G_OUTSTRIDE).op(Op.I32Mul, Op.I32Add).get(col8).op(Op.I32Add).set(oa);
    });
    f.get(mm).mem(Op.I32Load, 2, 24).globalSet(G_Q);
    f.globalGet(G_SIZES).get(root).i32(3).op(Op.I32ShrU, Op.I32Add).mem(Op.I32Load, 2).set(n16);
    f.when(
      () => f.get(n16),
      () => {
        // The products at the root: 1.
        f.globalGet(G_Q)
          .i32(V * 16)
          .op(Op.I32Mul)
          .set(kb);
        f.i32(0).set(kk);
        f.doWhile(
          () => {
            f.globalGet(G_LEVELS).get(kk).op(Op.I32Add).f64(1).simd(SimdOp.F64x2Splat);
            f.simdMem(SimdOp.V128Store, 4);
            f.get(kk).i32(16).op(Op.I32Add).set(kk);
          },
          () => f.get(kk).get(kb).op(Op.I32LtS),
        );
        f.get(root).globalGet(G_LEVELS).i32(0).globalGet(G_LEVELS).get(kb).op(Op.I32Add);
        for (let j = 0; j < V; j++) f.get(scale).simd(SimdOp.F64x2Splat);
        for (let j = 0; j < V; j++) f.get(base[j]);
        f.call(walk);
        // Each lane's credits in walk1's order into its row's output column (a credit of 0 is not
        // added: the sum keeps its bits, a −0 included); the lanes side by side, entry by entry.
        f.i32(0).set(e);
        f.whileNot(
          () => f.get(e).get(n16).op(Op.I32GeS),
          () => {
            for (let l = 0; l < 2 * V; l++) {
              f.get(e).get(laneAt[l]).op(Op.I32Add).tee(addr).mem(Op.F64Load, 3).set(cr);
              f.get(outAt[l]).get(addr).mem(Op.I32Load, 2, 8).globalGet(G_STRIDE).op(Op.I32Mul, Op.I32Add).tee(addr);
              f.get(addr).mem(Op.F64Load, 3).tee(old).get(cr).op(Op.F64Add).get(old);
              f.get(cr).f64(0).op(Op.F64Ne, Op.Select).mem(Op.F64Store, 3);
            }
            f.get(e).i32(LOG_ENTRY).op(Op.I32Add).set(e);
          },
        );
      },
    );
  });
  return f;
}

/** init(rows, pos, zf, of, sizes, levels, log, logStride, out, outStride, stride): the addresses. */
function groupInitFn(): Fn {
  const order = [G_ROWS, G_POS, G_ZF, G_OF, G_SIZES, G_LEVELS, G_LOG, G_LOGSTRIDE, G_OUT, G_OUTSTRIDE, G_STRIDE];
  const f = new Fn(order.map(() => I32));
  order.forEach((gl, i) => f.get(i).globalSet(gl));
  return f;
}

export const GROUP_MEMORY = ['env', 'mem'] as const;

const compiled = new Map<number, wasm.CompiledModule | null>();

/** The group walk's module for V vectors (2V rows) per traversal, or null where it does not compile. */
export function groupModule(V: number): wasm.CompiledModule | null {
  let mod = compiled.get(V);
  if (mod === undefined) {
    mod = compileModule(() =>
      assembleModule(GROUP_MEMORY, { walk: groupWalkFn(V, 0), run: groupRunFn(0, V), init: groupInitFn() }, GLOBALS),
    );
    compiled.set(V, mod);
  }
  return mod;
}
