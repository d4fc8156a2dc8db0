import { ConfigError, createRng, type Matrix } from '@campaign-ml/core';
import { CoalitionValues, singletonGroups, type ModelFunction } from './coalition-values';
import { expectedOf, type ShapValues } from './shap-values';

export interface AgnosticShapOptions {
  /** Background rows (the model's columns) the absent players take their values from. */
  background: Matrix;
  /** Model outputs per row (default 1). */
  outputs?: number;
  /** Players: groups of feature indices (default: each feature alone). */
  groups?: readonly (readonly number[])[];
  /** Names of the players (default: the features', or "group i"). */
  names?: readonly string[];
  seed?: number;
  /** What the outputs are, for the result ('probability' for predictProba, else 'margin'). */
  output?: 'margin' | 'probability';
}

export interface KernelShapOptions extends AgnosticShapOptions {
  /** Coalitions evaluated per row: default 2M + 2048 (every coalition when 2^M − 2 is fewer). */
  nSamples?: number;
}

/**
 * Kernel SHAP (Lundberg & Lee 2017, shap's KernelExplainer): a weighted least-squares fit of
 * v(S) = E_background f(x_S, b_S̄) over coalitions with the Shapley kernel
 * (M − 1) / (C(M, |S|) |S| (M − |S|)), with Σφ = f(x) − E f imposed. Subset sizes are taken whole
 * from both ends (s and M − s) while the budget holds them, the rest sampled in complementary
 * pairs; with 2^M − 2 or more samples every coalition is used and the values are exact. No L1
 * step: every player may get a non-zero value (shap's default keeps 10 when M > 10).
 */
export function kernelShap(f: ModelFunction, X: Matrix, options: KernelShapOptions): ShapValues {
  const { background, groups, names } = resolvePlayers(X, options);
  const M = groups.length;
  const K = options.outputs ?? 1;
  const v = new CoalitionValues(f, background, groups, K);
  const rng = createRng(options.seed ?? 0);
  const budget = options.nSamples ?? 2 * M + 2048;
  if (!(budget >= 1)) {
    throw new ConfigError('INVALID_OPTION', `nSamples must be at least 1 (got ${budget})`, {
      column: 'nSamples',
      value: budget,
      expected: 'a positive integer',
    });
  }
  const empty = new Uint8Array(M);
  const full = new Uint8Array(M).fill(1);
  const n = X.rows;
  const values = new Float64Array(n * M * K);
  const x = new Float64Array(X.cols);
  let base: Float64Array | null = null;
  // The coalition design depends only on M, the budget and the seed: every row uses the same one.
  const design = coalitionDesign(M, budget, rng);
  for (let r = 0; r < n; r++) {
    for (let c = 0; c < X.cols; c++) x[c] = X.data[c * n + r];
    const ends = v.evaluate(x, concatMasks(empty, full), 2);
    base = ends.subarray(0, K).slice();
    const vs = v.evaluate(x, design.masks, design.count);
    for (let k = 0; k < K; k++) {
      const phi = solveConstrained(design, vs, k, K, ends[k], ends[K + k], M);
      for (let p = 0; p < M; p++) values[(r * M + p) * K + k] = phi[p];
    }
  }
  return {
    values,
    expectedValue: expectedOf(base ?? new Float64Array(K)),
    output: options.output ?? 'margin',
    rows: n,
    features: names,
    outputs: K,
  };
}

export function resolvePlayers(
  X: Matrix,
  options: AgnosticShapOptions,
): { background: Matrix; groups: readonly (readonly number[])[]; names: string[] } {
  const background = options.background;
  if (!background || background.rows === 0) {
    throw new ConfigError('INVALID_OPTION', 'model-agnostic SHAP needs background rows', {
      column: 'background',
      expected: "a Matrix of one or more rows with the model's columns",
    });
  }
  if (background.cols !== X.cols) {
    throw new ConfigError('INVALID_OPTION', `background has ${background.cols} columns, the rows ${X.cols}`, {
      column: 'background',
      value: background.cols,
      expected: `${X.cols} columns`,
    });
  }
  const groups = options.groups ?? singletonGroups(X.cols);
  for (const [i, g] of groups.entries()) {
    for (const f of g) {
      if (!Number.isInteger(f) || f < 0 || f >= X.cols) {
        throw new ConfigError('INVALID_OPTION', `group ${i} names feature ${f}, not a column index of X`, {
          column: 'groups',
          value: f,
          expected: `0..${X.cols - 1}`,
        });
      }
    }
  }
  const names = options.names
    ? [...options.names]
    : options.groups
      ? groups.map((_, i) => `group ${i}`)
      : [...X.columns];
  return { background, groups, names };
}

function concatMasks(...masks: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(masks.reduce((s, m) => s + m.length, 0));
  let o = 0;
  for (const m of masks) {
    out.set(m, o);
    o += m.length;
  }
  return out;
}

interface Design {
  count: number;
  /** count x M, row-major 0/1. */
  masks: Uint8Array;
  /** Kernel weight of each coalition (summing to 1). */
  weights: Float64Array;
}

function binomial(n: number, k: number): number {
  let c = 1;
  for (let i = 1; i <= k; i++) c = (c * (n - k + i)) / i;
  return Math.round(c);
}

/** shap's sampling plan: whole subset sizes from both ends while the budget holds them, then pairs. */
export function coalitionDesign(M: number, budget: number, rng: ReturnType<typeof createRng>): Design {
  const masks: number[][] = [];
  const weights: number[] = [];
  if (M <= 1) return { count: 0, masks: new Uint8Array(0), weights: new Float64Array(0) };
  const total = 2 ** M - 2;
  let remaining = Math.min(budget, total);
  const numSizes = Math.ceil((M - 1) / 2);
  const numPaired = Math.floor((M - 1) / 2);
  const sizeWeight = Array.from({ length: numSizes }, (_, i) => (M - 1) / ((i + 1) * (M - i - 1)));
  for (let i = 0; i < numPaired; i++) sizeWeight[i] *= 2;
  const sum = sizeWeight.reduce((a, b) => a + b, 0);
  for (let i = 0; i < numSizes; i++) sizeWeight[i] /= sum;
  const left = [...sizeWeight];
  let leftMass = 1;
  let fullSizes = 0;
  for (let s = 1; s <= numSizes; s++) {
    const paired = s <= numPaired;
    const nSubsets = binomial(M, s) * (paired ? 2 : 1);
    const share = left[s - 1] / leftMass;
    if ((remaining * share) / nSubsets >= 1 - 1e-8) {
      fullSizes++;
      remaining -= nSubsets;
      const w = sizeWeight[s - 1] / nSubsets;
      forEachSubset(M, s, (members) => {
        const m = new Array<number>(M).fill(0);
        for (const i of members) m[i] = 1;
        masks.push(m);
        weights.push(w);
        if (paired) {
          masks.push(m.map((b) => 1 - b));
          weights.push(w);
        }
      });
      leftMass -= left[s - 1];
      left[s - 1] = 0;
    } else break;
  }
  if (fullSizes < numSizes && remaining > 0 && leftMass > 1e-12) {
    // Sample the sizes not taken whole, by their kernel mass, each coalition with its complement.
    const seen = new Map<string, number>();
    const start = masks.length;
    let drawn = 0;
    for (let attempt = 0; drawn < remaining && attempt < remaining * 20; attempt++) {
      let u = rng.random() * leftMass;
      let s = fullSizes + 1;
      for (; s < numSizes; s++) {
        u -= left[s - 1];
        if (u <= 0) break;
      }
      const perm = rng.permutation(M);
      const m = new Array<number>(M).fill(0);
      for (let i = 0; i < s; i++) m[perm[i]] = 1;
      for (const mask of s <= numPaired ? [m, m.map((b) => 1 - b)] : [m]) {
        const key = mask.join('');
        const at = seen.get(key);
        if (at !== undefined) weights[at] += 1;
        else {
          seen.set(key, masks.length);
          masks.push(mask);
          weights.push(1);
        }
        drawn++;
      }
    }
    // The sampled part shares the mass of the sizes not taken whole, by draw counts.
    let drawsTotal = 0;
    for (let i = start; i < weights.length; i++) drawsTotal += weights[i];
    for (let i = start; i < weights.length; i++) weights[i] = (weights[i] / drawsTotal) * leftMass;
  }
  const count = masks.length;
  const flat = new Uint8Array(count * M);
  masks.forEach((m, i) => flat.set(m, i * M));
  return { count, masks: flat, weights: Float64Array.from(weights) };
}

function forEachSubset(M: number, s: number, visit: (members: number[]) => void): void {
  const idx = Array.from({ length: s }, (_, i) => i);
  for (;;) {
    visit(idx);
    let i = s - 1;
    while (i >= 0 && idx[i] === M - s + i) i--;
    if (i < 0) return;
    idx[i]++;
    for (let j = i + 1; j < s; j++) idx[j] = idx[j - 1] + 1;
  }
}

/**
 * min Σ w (v(z) − v∅ − z·φ)² subject to Σφ = vFull − v∅: the last player is eliminated
 * (φ_M = Δ − Σ_{i<M} φ_i) and the normal equations solved by Gaussian elimination with pivoting.
 */
function solveConstrained(
  d: Design,
  vs: Float64Array,
  k: number,
  K: number,
  vEmpty: number,
  vFull: number,
  M: number,
): Float64Array {
  const delta = vFull - vEmpty;
  const phi = new Float64Array(M);
  if (M === 1) {
    phi[0] = delta;
    return phi;
  }
  const P = M - 1;
  const A = new Float64Array(P * P);
  const b = new Float64Array(P);
  const row = new Float64Array(P);
  for (let c = 0; c < d.count; c++) {
    const w = d.weights[c];
    const zM = d.masks[c * M + P];
    const y = vs[c * K + k] - vEmpty - zM * delta;
    for (let i = 0; i < P; i++) row[i] = d.masks[c * M + i] - zM;
    for (let i = 0; i < P; i++) {
      if (row[i] === 0) continue;
      const wi = w * row[i];
      b[i] += wi * y;
      for (let j = 0; j < P; j++) A[i * P + j] += wi * row[j];
    }
  }
  const sol = solveLinear(A, b, P);
  let rest = delta;
  for (let i = 0; i < P; i++) {
    phi[i] = sol[i];
    rest -= sol[i];
  }
  phi[P] = rest;
  return phi;
}

function solveLinear(A: Float64Array, b: Float64Array, n: number): Float64Array {
  const a = A.slice();
  const x = b.slice();
  for (let col = 0; col < n; col++) {
    let piv = col;
    for (let r = col + 1; r < n; r++) if (Math.abs(a[r * n + col]) > Math.abs(a[piv * n + col])) piv = r;
    if (piv !== col) {
      for (let j = 0; j < n; j++) [a[col * n + j], a[piv * n + j]] = [a[piv * n + j], a[col * n + j]];
      [x[col], x[piv]] = [x[piv], x[col]];
    }
    const p = a[col * n + col];
    if (Math.abs(p) < 1e-300) continue;
    for (let r = col + 1; r < n; r++) {
      const m = a[r * n + col] / p;
      if (m === 0) continue;
      for (let j = col; j < n; j++) a[r * n + j] -= m * a[col * n + j];
      x[r] -= m * x[col];
    }
  }
  const out = new Float64Array(n);
  for (let r = n - 1; r >= 0; r--) {
    let s = x[r];
    for (let j = r + 1; j < n; j++) s -= a[r * n + j] * out[j];
    const p = a[r * n + r];
    out[r] = Math.abs(p) < 1e-300 ? 0 : s / p;
  }
  return out;
}
