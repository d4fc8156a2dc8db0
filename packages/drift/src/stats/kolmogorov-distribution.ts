import { logFactorialOverPower } from './log-factorial';
import { smirnovSf } from './smirnov-distribution';

// Math's functions bound once: inside jest's vm context every `Math.x` is a slow global lookup.
const { log, exp, pow, abs, sqrt, ceil, floor, min, max } = Math;

/**
 * The two-sided one-sample Kolmogorov-Smirnov distribution for finite n, P(D_n >= d) (scipy's
 * kstwo.sf(d, n)). ks2Samp's asymptotic p-value is kstwo.sf(D, round(n1 n2 / (n1 + n2))): this
 * exact finite-n law, not the limiting Kolmogorov distribution, which is what makes its p-values
 * agree with scipy's to 1e-10 instead of 1e-2.
 *
 * Which method for which (n, d) follows Simard and L'Ecuyer (2011), "Computing the Two-Sided
 * Kolmogorov-Smirnov Distribution", J. Stat. Softw. 39(11), as scipy's stats/_ksstats.py does:
 *  - n d <= 1 and n d >= n - 1: Ruben and Gambino's closed forms;
 *  - d >= 0.5: exactly 2 * P(D+_n >= d) (the two one-sided events cannot both happen);
 *  - n <= 140: Durbin's matrix (Marsaglia, Tsang and Wang 2003) for n d^2 <= 0.754693,
 *    Pomeranz's recursion (1974) for n d^2 <= 4, else 2 * Smirnov;
 *  - n > 140: 2 * Smirnov for n d^2 >= 2.2 (0 from 370 on), else Durbin's matrix while
 *    n <= 100,000 and n d^1.5 <= 1.4, else the Pelz-Good (1976) asymptotic series.
 * The sf is computed directly where it is small (the 2 * Smirnov branches) and as 1 - cdf where
 * it is large, so it is accurate in the tail that decides a test.
 */
export function kolmogorovSf(n: number, d: number): number {
  if (!Number.isInteger(n) || n <= 0 || Number.isNaN(d)) return NaN;
  if (d >= 1) return 0;
  if (d <= 0) return 1;
  const t = n * d;
  if (t <= 1) {
    if (t <= 0.5) return 1;
    // Ruben-Gambino: P(D_n < d) = n! / n^n (2t - 1)^n for 1/(2n) <= d <= 1/n.
    let cdf: number;
    if (n <= 140) {
      cdf = 1;
      const f = (2 * t - 1) / n;
      for (let i = 1; i <= n; i++) cdf *= i * f;
    } else cdf = exp(logFactorialOverPower(n) + n * log(2 * t - 1));
    return clip(1 - cdf);
  }
  if (t >= n - 1) return clip(2 * pow(1 - d, n));
  if (d >= 0.5) return clip(2 * smirnovSf(n, d));
  const nd2 = t * d;
  if (n <= 140) {
    if (nd2 <= 0.754693) return clip(1 - durbinMatrixCdf(n, d));
    if (nd2 <= 4) return clip(1 - pomeranzCdf(n, d));
    return clip(2 * smirnovSf(n, d));
  }
  if (nd2 >= 370) return 0;
  if (nd2 >= 2.2) return clip(2 * smirnovSf(n, d));
  const cdf = n <= 100000 && n * pow(d, 1.5) <= 1.4 ? durbinMatrixCdf(n, d) : pelzGoodCdf(n, d);
  return clip(1 - cdf);
}

function clip(p: number): number {
  return p < 0 ? 0 : p > 1 ? 1 : p;
}

const E128 = 128;
const P128 = 2 ** 128;
const M128 = 2 ** -128;

/** x * 2^e for an integer e of any size (no overflow of the factor itself). */
function scaleByPowerOf2(x: number, e: number): number {
  let out = x;
  let rest = e;
  while (rest > 1000) {
    out *= 2 ** 1000;
    rest -= 1000;
  }
  while (rest < -1000) {
    out *= 2 ** -1000;
    rest += 1000;
  }
  return out * 2 ** rest;
}

/**
 * P(D_n < d) by Durbin's matrix: with n d = k - h (k integer, 0 <= h < 1) and m = 2k - 1, it is
 * n!/n^n times the (k, k) entry of H^n, H the m x m matrix with H[i][j] = 1/(i - j + 1)! on and
 * below the superdiagonal, whose first column and last row carry the (1 - h^i) corrections.
 * Powers by squaring; entries are rescaled by 2^-128 as they grow and the exponent kept apart.
 */
function durbinMatrixCdf(n: number, d: number): number {
  const nd = n * d;
  if (nd <= 0.5) return 0;
  const k = ceil(nd);
  const h = k - nd;
  const m = 2 * k - 1;
  const v = new Float64Array(m);
  const w = new Float64Array(m); // w[j] = 1/j!
  let fac = 1;
  for (let j = 1; j <= m; j++) {
    w[j - 1] = fac;
    fac /= j;
    v[j - 1] = (1 - pow(h, j)) * fac;
  }
  v[m - 1] = (1 + pow(max(2 * h - 1, 0), m) - 2 * pow(h, m)) * fac;
  let H: Float64Array = new Float64Array(m * m);
  for (let c = 1; c < m; c++) for (let r = c - 1; r < m; r++) H[r * m + c] = w[r - c + 1];
  for (let r = 0; r < m; r++) H[r * m] = v[r];
  for (let c = 0; c < m; c++) H[(m - 1) * m + c] = v[m - 1 - c];

  let P: Float64Array | null = null; // H^(bits so far); null stands for the identity
  let pExp = 0;
  let hExp = 0;
  let rest = n;
  while (rest > 0) {
    if (rest % 2) {
      P = P ? matmul(P, H, m) : H.slice();
      pExp += hExp;
    }
    H = matmul(H, H, m);
    hExp *= 2;
    if (abs(H[(k - 1) * m + (k - 1)]) > P128) {
      for (let i = 0; i < H.length; i++) H[i] *= M128;
      hExp += E128;
    }
    rest = floor(rest / 2);
  }
  let p = P![(k - 1) * m + (k - 1)];
  for (let i = 1; i <= n; i++) {
    p = (i * p) / n;
    if (abs(p) < M128) {
      p *= P128;
      pExp -= E128;
    }
  }
  return clip(scaleByPowerOf2(p, pExp));
}

function matmul(A: Float64Array, B: Float64Array, m: number): Float64Array {
  const C = new Float64Array(m * m);
  for (let i = 0; i < m; i++) {
    const row = i * m;
    for (let l = 0; l < m; l++) {
      const a = A[row + l];
      if (a === 0) continue;
      const bRow = l * m;
      for (let j = 0; j < m; j++) C[row + j] += a * B[bRow + j];
    }
  }
  return C;
}

/**
 * P(D_n < d) by Pomeranz's recursion: 2n + 1 rows, each the convolution of the previous one
 * with one of three (unnormalized) Poisson weight vectors; only a short band of each row is
 * non-zero. n! times the last entry of the last row is the probability.
 */
function pomeranzCdf(n: number, d: number): number {
  const t = n * d;
  const ll = floor(t);
  const f = t - ll;
  const g = min(f, 1 - f);
  const ceilf = f > 0 ? 1 : 0;
  const roundf = f > 0.5 ? 1 : 0;
  const len = 2 * (ll + 1);
  const gPow = new Float64Array(len); // (g/n)^j / j!
  const twoGPow = new Float64Array(len); // (2g/n)^j / j!
  const oneMinusTwoGPow = new Float64Array(len); // ((1-2g)/n)^j / j!
  gPow[0] = twoGPow[0] = oneMinusTwoGPow[0] = 1;
  for (let j = 1; j < len; j++) {
    gPow[j] = (gPow[j - 1] * (g / n)) / j;
    twoGPow[j] = (twoGPow[j - 1] * ((2 * g) / n)) / j;
    oneMinusTwoGPow[j] = (oneMinusTwoGPow[j - 1] * ((1 - 2 * g) / n)) / j;
  }
  /** The non-zero band [j1, j2] of row i. */
  const band = (i: number): [number, number] => {
    let j1: number;
    let j2: number;
    if (i === 0) {
      j1 = -ll - ceilf - 1;
      j2 = ll + ceilf - 1;
    } else {
      const half = floor((i + 1) / 2);
      if ((i + 1) % 2 === 0) {
        if (half === n + 1) {
          j1 = n - ll - ceilf - 1;
          j2 = n + ll + ceilf - 1;
        } else {
          j1 = half - 1 - ll - roundf - 1;
          j2 = half + ll - 1 + ceilf - 1;
        }
      } else {
        j1 = half - 1 - ll - 1;
        j2 = half + ll + roundf - 1;
      }
    }
    return [max(j1 + 2, 0), min(j2, n)];
  };
  let prev = new Float64Array(len);
  let cur = new Float64Array(len);
  cur[0] = 1;
  let prevStart = 0;
  let curStart = 0;
  let exponent = 0;
  let [j1, j2] = band(0);
  for (let i = 1; i <= 2 * n + 1; i++) {
    const k1 = j1;
    [prev, cur] = [cur, prev];
    [prevStart, curStart] = [curStart, prevStart];
    cur.fill(0);
    [j1, j2] = band(i);
    const weights = i === 1 || i === 2 * n + 1 ? gPow : i % 2 ? twoGPow : oneMinusTwoGPow;
    const width = j2 - k1 + 1;
    if (width > 0) {
      // cur[0 .. j2 - j1] = (prev[k1 - prevStart ...] * weights)[j1 - k1 ...], a slice of the full convolution.
      const from = k1 - prevStart;
      const xs = min(len, from + width) - from; // the band of the previous row (from >= 0)
      const ws = min(width, len);
      const offset = j1 - k1;
      const count = j2 - j1 + 1;
      let peak = 0;
      for (let q = 0; q < count; q++) {
        const c = offset + q; // index into the full convolution
        let s = 0;
        const lo = max(0, c - ws + 1);
        const hi = min(xs - 1, c);
        for (let a = lo; a <= hi; a++) s += prev[from + a] * weights[c - a];
        cur[q] = s;
        if (s > peak) peak = s;
      }
      if (peak > 0 && peak < M128) {
        for (let q = 0; q < count; q++) cur[q] *= P128;
        exponent -= E128;
      }
      curStart = prevStart + j1 - k1;
    }
  }
  let ans = cur[n - curStart];
  for (let j = 1; j <= n; j++) {
    if (abs(ans) > P128) {
      ans *= M128;
      exponent += E128;
    }
    ans *= j;
  }
  return clip(scaleByPowerOf2(ans, exponent));
}

const PI2 = Math.PI ** 2;
const PI4 = Math.PI ** 4;
const PI6 = Math.PI ** 6;
const SQRT_2PI = sqrt(2 * Math.PI);

/**
 * P(D_n <= d) by Pelz and Good's series: Li-Chien and Korolyuk's expansion
 * K0(z) + K1(z)/sqrt n + K2(z)/n + K3(z)/n^1.5 (z = d sqrt n), each term rewritten through the
 * Jacobi theta functional equation so that it converges fast for small z.
 */
function pelzGoodCdf(n: number, d: number): number {
  if (d <= 0) return 0;
  if (d >= 1) return 1;
  const z = sqrt(n) * d;
  const z2 = z * z;
  const z4 = z2 * z2;
  const z6 = z4 * z2;
  const qlog = -PI2 / 8 / z2;
  if (qlog < -708) return 0;
  let q = exp(qlog);
  const k1a = -z2;
  const k1b = PI2 / 4;
  const k2a = 6 * z6 + 2 * z4;
  const k2b = ((2 * z4 - 5 * z2) * PI2) / 4;
  const k2c = (PI4 * (1 - 2 * z2)) / 16;
  const k3d = (PI6 * (5 - 30 * z2)) / 64;
  const k3c = (PI4 * (-60 * z2 + 212 * z4)) / 16;
  const k3b = (PI2 * (135 * z4 - 96 * z6)) / 4;
  const k3a = -30 * z6 - 90 * z4 * z4;
  const K = [0, 0, 0, 0];
  // Horner in q^8k over odd m = 2k - 1: sum_k c_k q^(m^2).
  const maxk = ceil((16 * z) / Math.PI);
  for (let k = maxk; k >= 1; k--) {
    const m = 2 * k - 1;
    const m2 = m * m;
    const m4 = m2 * m2;
    const m6 = m4 * m2;
    const qp = pow(q, 8 * k);
    K[0] = K[0] * qp + 1;
    K[1] = K[1] * qp + (k1a + k1b * m2);
    K[2] = K[2] * qp + (k2a + k2b * m2 + k2c * m4);
    K[3] = K[3] * qp + (k3a + k3b * m2 + k3c * m4 + k3d * m6);
  }
  const div = [z, 6 * z4, 72 * z6 * z, 6480 * z6 * z4];
  for (let i = 0; i < 4; i++) K[i] = (K[i] * q * SQRT_2PI) / div[i];
  // The terms over all integers k for K2 and K3.
  q = exp(-PI2 / 2 / z2);
  let k2extra = 0;
  let k3extra = 0;
  const sqrt3z = sqrt(3) * z;
  for (let k = maxk; k >= 1; k--) {
    const k2 = k * k;
    const qk = pow(q, k2);
    k2extra += k2 * qk;
    const kpi = Math.PI * k;
    k3extra += (sqrt3z + kpi) * (sqrt3z - kpi) * k2 * qk;
  }
  K[2] += (k2extra * PI2 * SQRT_2PI) / (-36 * z2 * z);
  K[3] += (k3extra * PI2 * SQRT_2PI) / (216 * z6);
  return K[0] + K[1] / sqrt(n) + K[2] / n + K[3] / (n * sqrt(n));
}
