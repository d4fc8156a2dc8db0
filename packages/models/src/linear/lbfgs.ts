import { throwIfAborted } from '@campaign-ml/core';

/**
 * A smooth objective: returns f(x) and writes its gradient into `grad` (same length as x).
 * The function must not keep `x` or `grad`; they are reused between calls.
 */
export type Objective = (x: Float64Array, grad: Float64Array) => number;

export interface LbfgsOptions {
  /** Maximum number of iterations (each one a line search). */
  maxIter: number;
  /** Stop when the largest absolute (pseudo-)gradient component is at most this. */
  tol: number;
  /**
   * Also stop when an iteration lowers the objective by less than ftol relative. Default 0 (off):
   * scikit-learn uses 64·eps, which on a summed loss can stop with the gradient near 1e-2; without
   * it the run ends on `tol`, on maxIter, or when no step lowers the objective any more.
   */
  ftol?: number;
  /** Number of correction pairs kept. Default 10 (scikit-learn's lbfgs uses 10). */
  memory?: number;
  /** Per-coordinate L1 strength: minimizes f(x) + Σ l1[i]·|x[i]| with OWL-QN. */
  l1?: Float64Array;
  signal?: AbortSignal;
  /** Called after each iteration with the iteration number and the objective. */
  onIteration?: (iteration: number, value: number) => void;
}

export interface LbfgsResult {
  x: Float64Array;
  /** Objective value at x (L1 term included). */
  value: number;
  iterations: number;
  /** Objective evaluations (line-search trials included). */
  evaluations: number;
  converged: boolean;
}

const C1 = 1e-4;
const C2 = 0.9;
const MAX_LINE_SEARCH = 60;
const APPROX_WOLFE_EPS = 1e-10;
const MAX_STALLED = 10;

/**
 * Limited-memory BFGS with a weak-Wolfe line search (Lewis & Overton bisection); with `l1` it runs
 * OWL-QN (Andrew & Gao 2007): pseudo-gradient, orthant-constrained direction and projected
 * backtracking, so coordinates can become exactly zero.
 */
export function minimizeLbfgs(objective: Objective, x0: Float64Array, opts: LbfgsOptions): LbfgsResult {
  const n = x0.length;
  const m = Math.max(1, opts.memory ?? 10);
  const ftol = opts.ftol ?? 0;
  const l1 = opts.l1;
  let evaluations = 0;
  const fun: Objective = (x, g) => {
    evaluations++;
    return objective(x, g);
  };
  let x = Float64Array.from(x0);
  let xn = new Float64Array(n);
  let g = new Float64Array(n);
  let gn = new Float64Array(n);
  const pg = new Float64Array(n);
  const d = new Float64Array(n);
  const orthant = new Float64Array(n);
  const S = new Float64Array(m * n);
  const Y = new Float64Array(m * n);
  const rho = new Float64Array(m);
  const alpha = new Float64Array(m);
  let stored = 0;
  let head = 0; // index of the next slot to write

  let f = fun(x, g) + l1Term(x, l1);
  pseudoGradient(x, g, l1, pg);
  if (maxAbs(pg) <= opts.tol) return { x, value: f, iterations: 0, evaluations, converged: true };

  let iter = 0;
  let converged = false;
  let stalled = 0;
  let bestG = Infinity;
  while (iter < opts.maxIter) {
    throwIfAborted(opts.signal);
    iter++;
    // Two-loop recursion: d = -H pg.
    for (let i = 0; i < n; i++) d[i] = -pg[i];
    for (let j = 0; j < stored; j++) {
      const k = (head - 1 - j + m) % m;
      const off = k * n;
      let a = 0;
      for (let i = 0; i < n; i++) a += S[off + i] * d[i];
      a *= rho[k];
      alpha[k] = a;
      for (let i = 0; i < n; i++) d[i] -= a * Y[off + i];
    }
    if (stored > 0) {
      const k = (head - 1 + m) % m;
      const off = k * n;
      let sy = 0;
      let yy = 0;
      for (let i = 0; i < n; i++) {
        sy += S[off + i] * Y[off + i];
        yy += Y[off + i] * Y[off + i];
      }
      const gamma = sy / yy;
      for (let i = 0; i < n; i++) d[i] *= gamma;
    }
    for (let j = stored - 1; j >= 0; j--) {
      const k = (head - 1 - j + m) % m;
      const off = k * n;
      let b = 0;
      for (let i = 0; i < n; i++) b += Y[off + i] * d[i];
      b *= rho[k];
      const a = alpha[k] - b;
      for (let i = 0; i < n; i++) d[i] += a * S[off + i];
    }
    if (l1) for (let i = 0; i < n; i++) if (d[i] * pg[i] >= 0) d[i] = 0;
    let dg = dot(d, pg);
    if (!(dg < 0)) {
      // Not a descent direction (numerical trouble): restart from steepest descent.
      stored = 0;
      for (let i = 0; i < n; i++) d[i] = -pg[i];
      dg = -dot(pg, pg);
    }
    let t = stored === 0 ? Math.min(1, 1 / Math.sqrt(-dg)) : 1;

    let fn = NaN;
    let ok = false;
    if (l1) {
      for (let i = 0; i < n; i++) orthant[i] = x[i] !== 0 ? Math.sign(x[i]) : -Math.sign(pg[i]);
      for (let ls = 0; ls < MAX_LINE_SEARCH; ls++) {
        for (let i = 0; i < n; i++) {
          let v = x[i] + t * d[i];
          if (l1[i] > 0 && v * orthant[i] <= 0) v = 0;
          xn[i] = v;
        }
        fn = fun(xn, gn) + l1Term(xn, l1);
        let decrease = 0;
        for (let i = 0; i < n; i++) decrease += pg[i] * (xn[i] - x[i]);
        if (fn <= f + C1 * decrease) {
          ok = true;
          break;
        }
        t *= 0.5;
      }
    } else {
      let lo = 0;
      let hi = Infinity;
      for (let ls = 0; ls < MAX_LINE_SEARCH; ls++) {
        for (let i = 0; i < n; i++) xn[i] = x[i] + t * d[i];
        fn = fun(xn, gn);
        const dgn = dot(gn, d);
        if (fn <= f + C1 * t * dg) {
          if (dgn >= C2 * dg) {
            ok = true; // weak Wolfe: sufficient decrease and curvature
            break;
          }
          lo = t;
        } else if (fn <= f + APPROX_WOLFE_EPS * Math.abs(f)) {
          // Near the optimum the decrease drops below the rounding noise of f, so only the slope
          // (accurate to far fewer digits lost) can steer: accept under the approximate Wolfe
          // conditions of Hager & Zhang, otherwise lengthen the step while the slope is still
          // steeply downhill and shorten it once it is steeply uphill.
          if (dgn < C2 * dg) lo = t;
          else if (dgn > (2 * C1 - 1) * dg) hi = t;
          else {
            ok = true;
            break;
          }
        } else hi = t;
        t = hi < Infinity ? 0.5 * (lo + hi) : 2 * t;
      }
      // Accept a sufficient decrease even if the curvature condition never held.
      if (!ok && fn < f) ok = true;
    }
    if (!ok) {
      // Near the optimum the quasi-Newton direction can be built from pairs that are mostly
      // rounding noise, nearly orthogonal to the gradient: retry once from steepest descent.
      if (stored > 0) {
        stored = 0;
        continue;
      }
      break; // no progress possible even downhill: x is as good as we can get
    }

    // Store the correction pair (smooth gradients, as OWL-QN prescribes) unless its curvature is
    // not positive to rounding. The test is relative: near the optimum s and y are tiny and an
    // absolute floor would freeze the memory exactly when the end game needs it.
    const off = head * n;
    let sy = 0;
    let yy = 0;
    for (let i = 0; i < n; i++) {
      const s = xn[i] - x[i];
      const y = gn[i] - g[i];
      S[off + i] = s;
      Y[off + i] = y;
      sy += s * y;
      yy += y * y;
    }
    if (sy > Number.EPSILON * yy) {
      rho[head] = 1 / sy;
      head = (head + 1) % m;
      if (stored < m) stored++;
    }
    const fOld = f;
    [x, xn] = [xn, x];
    [g, gn] = [gn, g];
    f = fn;
    pseudoGradient(x, g, l1, pg);
    opts.onIteration?.(iter, f);
    const gmax = maxAbs(pg);
    if (gmax <= opts.tol) {
      converged = true;
      break;
    }
    if (ftol > 0 && fOld - f <= ftol * Math.max(Math.abs(fOld), Math.abs(f), 1)) {
      converged = true;
      break;
    }
    // Steps accepted on the rounding noise of f: after several that neither lower f nor reach a new
    // smallest gradient, x is as good as floating point allows. Counting gradient progress lets
    // ill-conditioned problems go on while f sits in its last bits (only reached with ftol 0):
    // Kickstarter one-hot at tol 1e-8 ends ~1e-6 from the optimum instead of 1e-4.
    stalled = f < fOld || gmax < bestG ? 0 : stalled + 1;
    if (gmax < bestG) bestG = gmax;
    if (stalled >= MAX_STALLED) {
      converged = true;
      break;
    }
  }
  return { x, value: f, iterations: iter, evaluations, converged };
}

function l1Term(x: Float64Array, l1: Float64Array | undefined): number {
  if (!l1) return 0;
  let s = 0;
  for (let i = 0; i < x.length; i++) s += l1[i] * Math.abs(x[i]);
  return s;
}

/** The gradient, or for L1 the minimum-norm subgradient (OWL-QN's pseudo-gradient). */
function pseudoGradient(x: Float64Array, g: Float64Array, l1: Float64Array | undefined, out: Float64Array): void {
  if (!l1) {
    out.set(g);
    return;
  }
  for (let i = 0; i < x.length; i++) {
    const lam = l1[i];
    if (x[i] > 0) out[i] = g[i] + lam;
    else if (x[i] < 0) out[i] = g[i] - lam;
    else if (g[i] + lam < 0) out[i] = g[i] + lam;
    else if (g[i] - lam > 0) out[i] = g[i] - lam;
    else out[i] = 0;
  }
}

function dot(a: Float64Array, b: Float64Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
}

function maxAbs(a: Float64Array): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) {
    const v = Math.abs(a[i]);
    if (v > m) m = v;
  }
  return m;
}
