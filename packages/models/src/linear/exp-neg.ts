/**
 * exp(x) for x <= 0, inlined by V8 where Math.exp is a call into C: fdlibm's e_exp.c algorithm
 * (the one V8 runs for Math.exp too), so it agrees with Math.exp to within one ulp (measured:
 * identical on a million random arguments). About 25% off the logistic loss's per-row loop.
 */
const LN2_HI = 6.9314718036912381649e-1;
const LN2_LO = 1.90821492927058770002e-10;
const INV_LN2 = 1.442695040888963387;
const P1 = 1.66666666666666019037e-1;
const P2 = -2.77777777770155933842e-3;
const P3 = 6.61375632143793436117e-5;
const P4 = -1.6533902205465251539e-6;
const P5 = 4.13813679705723846039e-8;
/** Adding and subtracting 1.5·2^52 rounds a double of magnitude < 2^51 to the nearest integer. */
const ROUND = 6755399441055744;
/** 2^-k for k = 0..1022 (normal numbers only: below −708 the fallback handles subnormals). */
const POW2_NEG = Float64Array.from({ length: 1023 }, (_, k) => 2 ** -k);

export function expNeg(x: number): number {
  if (!(x >= -708 && x <= 0)) return Math.exp(x); // subnormal results, positive x, NaN
  const k = x * INV_LN2 - ROUND + ROUND; // round(x / ln 2), an integer in [-1022, 0]
  const hi = x - k * LN2_HI;
  const lo = k * LN2_LO;
  const r = hi - lo;
  const rr = r * r;
  const c = r - rr * (P1 + rr * (P2 + rr * (P3 + rr * (P4 + rr * P5))));
  return (1 - (lo - (r * c) / (2 - c) - hi)) * POW2_NEG[-k];
}
