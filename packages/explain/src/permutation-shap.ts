import { ConfigError, createRng, type Matrix } from '@campaign-ml/core';
import { CoalitionValues, type ModelFunction } from './coalition-values';
import { resolvePlayers, type AgnosticShapOptions } from './kernel-shap';
import { expectedOf, type ShapValues } from './shap-values';

export interface PermutationShapOptions extends AgnosticShapOptions {
  /** Model evaluations (coalitions) per row, shap's max_evals: default 500; at least 2M + 1. */
  maxEvals?: number;
}

/**
 * The permutation explainer (shap's PermutationExplainer): players are added one at a time in a
 * random order and each gets the change in v(S) it causes; every order is walked forward and then
 * backward (antithetic), which makes the values exact for models with interactions of order two
 * at most and additive always: Σφ = f(x) − E f. Orders: max(1, floor(maxEvals / (2M + 1))).
 */
export function permutationShap(f: ModelFunction, X: Matrix, options: PermutationShapOptions): ShapValues {
  const { background, groups, names } = resolvePlayers(X, options);
  const M = groups.length;
  const K = options.outputs ?? 1;
  const maxEvals = options.maxEvals ?? 500;
  if (!(maxEvals >= 1)) {
    throw new ConfigError('INVALID_OPTION', `maxEvals must be at least 1 (got ${maxEvals})`, {
      column: 'maxEvals',
      value: maxEvals,
      expected: 'a positive integer',
    });
  }
  const nPerm = Math.max(1, Math.floor(maxEvals / (2 * M + 1)));
  const v = new CoalitionValues(f, background, groups, K);
  const rng = createRng(options.seed ?? 0);
  const orders = Array.from({ length: nPerm }, () => rng.permutation(M));
  // Coalitions of one order, forward then backward: ∅, +p0, +p1, ..., all, −p0, −p1, ..., ∅.
  const steps = 2 * M + 1;
  const masks = new Uint8Array(nPerm * steps * M);
  for (let o = 0; o < nPerm; o++) {
    const order = orders[o];
    const cur = new Uint8Array(M);
    let s = o * steps;
    masks.set(cur, s++ * M);
    for (let i = 0; i < M; i++) {
      cur[order[i]] = 1;
      masks.set(cur, s++ * M);
    }
    for (let i = 0; i < M; i++) {
      cur[order[i]] = 0;
      masks.set(cur, s++ * M);
    }
  }
  const n = X.rows;
  const values = new Float64Array(n * M * K);
  const x = new Float64Array(X.cols);
  let base = new Float64Array(K);
  for (let r = 0; r < n; r++) {
    for (let c = 0; c < X.cols; c++) x[c] = X.data[c * n + r];
    const vs = v.evaluate(x, masks, nPerm * steps);
    base = vs.slice(0, K);
    for (let o = 0; o < nPerm; o++) {
      const order = orders[o];
      const s0 = o * steps;
      for (let i = 0; i < M; i++) {
        const p = order[i];
        for (let k = 0; k < K; k++) {
          // Forward: v(with p) − v(without); backward: v(before removing p) − v(after).
          const fwd = vs[(s0 + i + 1) * K + k] - vs[(s0 + i) * K + k];
          const bwd = vs[(s0 + M + i) * K + k] - vs[(s0 + M + i + 1) * K + k];
          values[(r * M + p) * K + k] += (fwd + bwd) / (2 * nPerm);
        }
      }
    }
  }
  return {
    values,
    expectedValue: expectedOf(base),
    output: options.output ?? 'margin',
    rows: n,
    features: names,
    outputs: K,
  };
}
