import { InputError } from '@campaign-ml/core';
import type { Matrix } from '@campaign-ml/core';
import { childFor } from './node-walk';
import type { TreeArrays } from './tree-arrays';

/**
 * Out-of-bag sums of a forest, or of a part of one: per training row, the sum of the raw outputs
 * (`outputs` per row, row-major) of the trees whose bootstrap did not draw the row, and how many
 * such trees there were. Parts of one forest (fitPart) add up to the whole forest's sums.
 */
export interface OutOfBagSums {
  /** Raw outputs per row: 1 for a binary classifier (P(class 1)) or a regressor, the class count otherwise. */
  outputs: number;
  /** rows x outputs, row-major. */
  sum: Float64Array;
  /** Trees that left each row out of their bootstrap. */
  hits: Int32Array;
}

export function emptyOutOfBag(rows: number, outputs: number): OutOfBagSums {
  return { outputs, sum: new Float64Array(rows * outputs), hits: new Int32Array(rows) };
}

/**
 * Add one tree's outputs for the rows its bootstrap left out (`counts[r] === 0`). The node walk of
 * node-walk.ts (childFor), so a row gets the leaf value the fitted forest's prediction adds.
 */
export function addOutOfBag(tree: TreeArrays, X: Matrix, counts: Int32Array, s: OutOfBagSums): void {
  const n = X.rows;
  const K = s.outputs;
  const data = X.data;
  const left = tree.left;
  const feature = tree.feature;
  const value = tree.value;
  for (let r = 0; r < n; r++) {
    if (counts[r] > 0) continue;
    let node = 0;
    while (left[node] >= 0) node = childFor(tree, node, data[feature[node] * n + r]);
    s.hits[r]++;
    for (let k = 0; k < K; k++) s.sum[r * K + k] += value[node * K + k];
  }
}

/** The sums of the parts of one forest, added in the order given (the parts' tree order). */
export function mergeOutOfBag(parts: readonly OutOfBagSums[]): OutOfBagSums {
  if (parts.length === 0) throw new InputError('INVALID_PARTS', 'no out-of-bag sums to merge');
  const { outputs } = parts[0];
  const rows = parts[0].hits.length;
  for (const [i, p] of parts.entries()) {
    if (p.outputs !== outputs || p.hits.length !== rows || p.sum.length !== rows * outputs) {
      throw new InputError(
        'INVALID_PARTS',
        `out-of-bag part ${i} has ${p.hits.length} rows x ${p.outputs} outputs; part 0 has ${rows} x ${outputs}: parts of one forest are fitted on the same rows`,
        { value: i },
      );
    }
  }
  const out = emptyOutOfBag(rows, outputs);
  for (const p of parts) {
    for (let i = 0; i < out.sum.length; i++) out.sum[i] += p.sum[i];
    for (let r = 0; r < rows; r++) out.hits[r] += p.hits[r];
  }
  return out;
}

/**
 * Per row, the average over the trees that left it out, laid out as the fitted model predicts:
 * class probabilities rows x classes (classes >= 2, clamped to [0, 1] as predictProba does), or one
 * value per row (classes 0, a regressor). Rows that every tree drew (possible with few trees) get
 * NaN: they have no out-of-bag prediction.
 */
export function outOfBagPrediction(s: OutOfBagSums, classes: number): Float64Array {
  const n = s.hits.length;
  const K = s.outputs;
  const width = classes >= 2 ? classes : 1;
  const out = new Float64Array(n * width);
  for (let r = 0; r < n; r++) {
    const h = s.hits[r];
    if (h === 0) {
      out.fill(NaN, r * width, (r + 1) * width);
      continue;
    }
    if (classes === 0) out[r] = s.sum[r] / h;
    else if (K === 1) {
      const p = Math.min(1, Math.max(0, s.sum[r] / h));
      out[2 * r] = 1 - p;
      out[2 * r + 1] = p;
    } else for (let k = 0; k < K; k++) out[r * K + k] = Math.min(1, Math.max(0, s.sum[r * K + k] / h));
  }
  return out;
}

/**
 * Out-of-bag accuracy (classifiers: P(class 1) >= 0.5, or the largest class sum) or R^2
 * (regressors) over the rows that have an out-of-bag prediction; NaN when none has.
 */
export function outOfBagScore(s: OutOfBagSums, y: ArrayLike<number>, classification: boolean): number {
  const { sum: oob, hits, outputs: K } = s;
  let m = 0;
  let correct = 0;
  let total = 0;
  let sse = 0;
  let sumSq = 0;
  for (let r = 0; r < hits.length; r++) {
    if (hits[r] === 0) continue;
    m++;
    if (classification) {
      let pred: number;
      if (K === 1) pred = oob[r] / hits[r] >= 0.5 ? 1 : 0;
      else {
        pred = 0;
        for (let k = 1; k < K; k++) if (oob[r * K + k] > oob[r * K + pred]) pred = k;
      }
      if (pred === y[r]) correct++;
    } else {
      const d = oob[r] / hits[r] - y[r];
      sse += d * d;
      total += y[r];
      sumSq += y[r] * y[r];
    }
  }
  if (m === 0) return NaN;
  if (classification) return correct / m;
  const sst = sumSq - (total * total) / m;
  return sst > 0 ? 1 - sse / sst : NaN;
}
