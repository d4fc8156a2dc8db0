import { type Matrix, InputError, createMatrix, createRng } from '@campaign-ml/core';
import { type Resampled, classCounts } from './class-counts';
import { membersByClass } from './random-over-sample';

export interface SmoteOptions {
  /** Neighbours per sample (default 5, as imbalanced-learn). Fewer when a class is smaller. */
  k?: number;
  seed?: number;
}

/**
 * SMOTE for training only: each smaller class gets synthetic rows until it matches the largest
 * class. A synthetic row lies at a uniform random point on the segment between a random member of
 * the class and one of its k nearest neighbours (Euclidean, same class). Neighbours are found by
 * brute force, O(m² · cols) for a class of m rows, computed only for rows drawn as bases. Scale
 * features first; X must have no missing values. Output: the original rows, then the synthetic ones.
 */
export function smote(X: Matrix, y: ArrayLike<number>, opts: SmoteOptions = {}): Resampled {
  const k = opts.k ?? 5;
  if (!Number.isInteger(k) || k < 1)
    throw new InputError('INVALID_OPTION', `k must be an integer >= 1, got ${k}`, { value: k });
  const { labels, classes, counts } = classCounts(y, X.rows);
  const { rows: n, cols: d, data } = X;
  for (let c = 0; c < d; c++) {
    for (let r = 0; r < n; r++) {
      if (!Number.isFinite(data[c * n + r])) {
        throw new InputError(
          'MISSING_VALUE',
          `SMOTE needs complete numeric data; feature "${X.columns[c]}" is ${data[c * n + r]} at row ${r} (impute first)`,
          {
            row: r,
            column: X.columns[c],
            value: data[c * n + r],
            expected: 'a finite number',
          },
        );
      }
    }
  }
  const rng = createRng(opts.seed ?? 0);
  const max = Math.max(...counts);
  let total = 0;
  for (let c = 0; c < classes; c++) if (counts[c] > 0) total += max - counts[c];
  const out = new Float64Array((n + total) * d);
  const N = n + total;
  for (let c = 0; c < d; c++) out.set(data.subarray(c * n, (c + 1) * n), c * N);
  const yOut = new Int32Array(N);
  yOut.set(labels);
  const indices = new Int32Array(N).fill(-1);
  for (let i = 0; i < n; i++) indices[i] = i;

  let next = n;
  for (const [cls, members] of membersByClass(labels, classes).entries()) {
    const m = members.length;
    const need = max - m;
    if (need === 0 || m === 0) continue;
    if (m < 2) {
      throw new InputError(
        'CLASS_TOO_SMALL',
        `class ${cls} has a single row; SMOTE needs at least two rows per class to interpolate (use randomOverSample)`,
        {
          value: m,
          expected: 'at least 2 rows',
        },
      );
    }
    const kk = Math.min(k, m - 1);
    // Row-major copy of the class for fast distances.
    const rowsOf = new Float64Array(m * d);
    for (let i = 0; i < m; i++) for (let c = 0; c < d; c++) rowsOf[i * d + c] = data[c * n + members[i]];
    const nn = new Int32Array(m * kk);
    const done = new Uint8Array(m);
    const dist = new Float64Array(kk);
    for (let s = 0; s < need; s++) {
      const i = rng.int(m);
      if (!done[i]) {
        nearest(rowsOf, m, d, i, kk, nn, dist);
        done[i] = 1;
      }
      const j = nn[i * kk + rng.int(kk)];
      const gap = rng.random();
      for (let c = 0; c < d; c++) {
        const a = rowsOf[i * d + c];
        out[c * N + next] = a + gap * (rowsOf[j * d + c] - a);
      }
      yOut[next] = cls;
      next++;
    }
  }
  return { X: createMatrix(N, d, out, X.columns), y: yOut, indices };
}

/** The kk nearest rows to row i (excluding itself), by insertion into a sorted list. */
function nearest(
  rows: Float64Array,
  m: number,
  d: number,
  i: number,
  kk: number,
  nn: Int32Array,
  dist: Float64Array,
): void {
  dist.fill(Infinity);
  const base = i * kk;
  for (let j = 0; j < m; j++) {
    if (j === i) continue;
    let s = 0;
    for (let c = 0; c < d; c++) {
      const t = rows[i * d + c] - rows[j * d + c];
      s += t * t;
    }
    if (s >= dist[kk - 1]) continue;
    let p = kk - 1;
    while (p > 0 && dist[p - 1] > s) {
      dist[p] = dist[p - 1];
      nn[base + p] = nn[base + p - 1];
      p--;
    }
    dist[p] = s;
    nn[base + p] = j;
  }
}
