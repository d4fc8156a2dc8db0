/**
 * XGBoost sends a row left when `float32(x) < thr` (predict_fn.h: `fvalue < split_cond`, both
 * float32); our walks send it left when `x <= t` in float64. For a float32 threshold `thr` this
 * gives the float64 `t` with
 *
 *     x <= t  ⟺  Math.fround(x) < thr     for every float64 x (NaN aside: missing),
 *
 * so the imported trees route every float64 input exactly as XGBoost routes its float32 cast.
 *
 * fround(x) < thr ⟺ fround(x) <= p, p the float32 just below thr. fround rounds to nearest,
 * ties to even, so with m = (p + thr) / 2 (exact in float64): every x < m rounds to p or below,
 * every x > m to thr or above, and x = m rounds to whichever of p and thr has an even
 * significand. So t = m when p's significand is even, else the float64 just below m. The
 * infinities count as ±2^128 (the first value fround rounds to infinity is 2^128 - 2^103, the
 * midpoint between the largest float32 and 2^128, and it rounds up: the largest float32 is odd).
 *
 * One case has no `<=` form: thr = -Infinity sends nothing left but x <= -Infinity holds for
 * x = -Infinity; it maps to -Infinity (only an input of -Infinity itself differs).
 */

const F32 = new Float32Array(1);
const U32 = new Uint32Array(F32.buffer);
const F64 = new Float64Array(1);
const U64 = new BigUint64Array(F64.buffer);

/** 2^128: the infinities' place in the midpoint arithmetic. */
const TWO_128 = 2 ** 128;

/** The float64 just below a non-zero finite x. */
export function nextDown64(x: number): number {
  F64[0] = x;
  U64[0] = x > 0 ? U64[0] - 1n : U64[0] + 1n;
  return F64[0];
}

/** The float64 t with `x <= t` ⟺ `Math.fround(x) < thr` for all float64 x; thr must be a float32 value. */
export function float32LessThanAsLessEqual(thr: number): number {
  if (Number.isNaN(thr)) throw new RangeError('a split threshold is NaN');
  if (Math.fround(thr) !== thr) throw new RangeError(`${thr} is not a float32 value`);
  if (thr === -Infinity) return -Infinity;
  // p: the float32 just below thr (bits - 1 above zero, bits + 1 below; below ±0 it is -2^-149).
  F32[0] = thr;
  if (thr === 0) U32[0] = 0x80000001;
  else if (thr > 0) U32[0] -= 1;
  else U32[0] += 1;
  const p = F32[0];
  const pEven = (U32[0] & 1) === 0;
  const lo = p === -Infinity ? -TWO_128 : p;
  const hi = thr === Infinity ? TWO_128 : thr;
  const m = (lo + hi) / 2;
  return pEven ? m : nextDown64(m);
}
