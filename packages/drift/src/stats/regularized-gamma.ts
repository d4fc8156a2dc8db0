import { gammaln } from 'simple-statistics';

// Math's functions bound once: inside jest's vm context every `Math.x` is a slow global lookup.
const { log, exp, abs } = Math;

/**
 * The regularized incomplete gamma functions P(a, x) and Q(a, x) = 1 - P(a, x), and the two
 * distributions built on them that the tests need: chi-square (Q(k/2, x/2)) and the normal
 * (erfc(z/sqrt 2) = Q(1/2, z^2/2)), so no table and no rational approximation with magic
 * coefficients is involved.
 *
 * Method (as Cephes' igam/igamc, which scipy's chi2.sf uses): the power series for P when
 * x < 1 or x <= a, the continued fraction of Legendre for Q otherwise; the other one is the
 * complement. Each side is only evaluated where it converges fast and is the smaller of the two,
 * so both keep full relative accuracy in their tails (no 1 - (1 - tiny)). log Gamma is
 * simple-statistics' gammaln (Lanczos, g = 607/128), which agrees with Python's math.lgamma to
 * 1 ulp on the half-integers chi-square uses (measured in stats.golden.test.ts).
 */

const EPS = 2.220446049250313e-16;
/** Below exp(-745) a double is 0. */
const MIN_LOG = -745.1332191019411;
const BIG = 4503599627370496; // 2^52: rescale the continued fraction's numerators past this
const BIG_INV = 2.220446049250313e-16;

/** x^a e^-x / Gamma(a), or 0 when it underflows. */
function prefactor(a: number, x: number): number {
  const ax = a * log(x) - x - gammaln(a);
  return ax < MIN_LOG ? 0 : exp(ax);
}

/** P(a, x) by its power series: x^a e^-x / Gamma(a + 1) * sum x^n / ((a+1)...(a+n)). */
function seriesP(a: number, x: number): number {
  const ax = prefactor(a, x);
  if (ax === 0) return 0;
  let r = a;
  let c = 1;
  let sum = 1;
  do {
    r += 1;
    c *= x / r;
    sum += c;
  } while (c / sum > EPS);
  return (sum * ax) / a;
}

/** Q(a, x) by the continued fraction, evaluated with the three-term recurrence (Cephes igamc). */
function fractionQ(a: number, x: number): number {
  const ax = prefactor(a, x);
  if (ax === 0) return 0;
  let y = 1 - a;
  let z = x + y + 1;
  let c = 0;
  let pkm2 = 1;
  let qkm2 = x;
  let pkm1 = x + 1;
  let qkm1 = z * x;
  let ans = pkm1 / qkm1;
  let t: number;
  do {
    c += 1;
    y += 1;
    z += 2;
    const yc = y * c;
    const pk = pkm1 * z - pkm2 * yc;
    const qk = qkm1 * z - qkm2 * yc;
    if (qk !== 0) {
      const r = pk / qk;
      t = abs((ans - r) / r);
      ans = r;
    } else t = 1;
    pkm2 = pkm1;
    pkm1 = pk;
    qkm2 = qkm1;
    qkm1 = qk;
    if (abs(pk) > BIG) {
      pkm2 *= BIG_INV;
      pkm1 *= BIG_INV;
      qkm2 *= BIG_INV;
      qkm1 *= BIG_INV;
    }
  } while (t > EPS);
  return ans * ax;
}

/** Regularized lower incomplete gamma P(a, x), a > 0, x >= 0. */
export function regularizedGammaP(a: number, x: number): number {
  if (!(a > 0) || !(x >= 0)) return NaN;
  if (x === 0) return 0;
  if (x === Infinity) return 1;
  if (x > 1 && x > a) return 1 - fractionQ(a, x);
  return seriesP(a, x);
}

/** Regularized upper incomplete gamma Q(a, x) = 1 - P(a, x), a > 0, x >= 0. */
export function regularizedGammaQ(a: number, x: number): number {
  if (!(a > 0) || !(x >= 0)) return NaN;
  if (x === 0) return 1;
  if (x === Infinity) return 0;
  if (x < 1 || x <= a) return 1 - seriesP(a, x);
  return fractionQ(a, x);
}

/** Survival function of the chi-square distribution with `dof` degrees of freedom (scipy chi2.sf). */
export function chi2Sf(x: number, dof: number): number {
  if (Number.isNaN(x) || !(dof > 0)) return NaN;
  if (x <= 0) return 1;
  return regularizedGammaQ(dof / 2, x / 2);
}

/** Upper tail of the standard normal, P(Z > z) (scipy norm.sf), accurate far into both tails. */
export function normalSf(z: number): number {
  if (Number.isNaN(z)) return NaN;
  const half = 0.5 * regularizedGammaQ(0.5, 0.5 * z * z); // = P(Z > |z|)
  return z >= 0 ? half : 1 - half;
}

/** Two-sided normal p-value, 2 P(Z > |z|). */
export function normalTwoSided(z: number): number {
  if (Number.isNaN(z)) return NaN;
  return z === 0 ? 1 : regularizedGammaQ(0.5, 0.5 * z * z);
}
