import type { TreeArrays } from './tree-arrays';
import { createMatrix, createRng, fromRows } from '@campaign-ml/core';
import type { Matrix } from '@campaign-ml/core';

/** Small synthetic data sets shared by the tree tests (not exported from the package). */

export function randomMatrix(n: number, p: number, seed: number): Matrix {
  const rng = createRng(seed);
  const data = new Float64Array(n * p);
  for (let i = 0; i < data.length; i++) data[i] = rng.normal();
  return createMatrix(n, p, data);
}

/** XOR of the signs of the first two features (no single feature carries signal). */
export function xorData(n: number, seed: number): { X: Matrix; y: Float64Array } {
  const X = randomMatrix(n, 3, seed);
  const y = new Float64Array(n);
  for (let r = 0; r < n; r++) y[r] = X.data[r] > 0 !== X.data[n + r] > 0 ? 1 : 0;
  return { X, y };
}

export function matrixFromNullable(rows: (number | null)[][]): Matrix {
  return fromRows(rows);
}

export function accuracy(pred: ArrayLike<number>, y: ArrayLike<number>): number {
  let ok = 0;
  for (let i = 0; i < y.length; i++) if (pred[i] === y[i]) ok++;
  return ok / y.length;
}

/**
 * A hand-built tree of n nodes, every one a leaf with the given values (0 by default) until the
 * test wires its splits: feature, threshold, left, right and defaultLeft per internal node.
 */
export function blankTree(n: number, value?: ArrayLike<number>): TreeArrays {
  return {
    feature: new Int32Array(n).fill(-1),
    threshold: new Float64Array(n).fill(NaN),
    left: new Int32Array(n).fill(-1),
    right: new Int32Array(n).fill(-1),
    defaultLeft: new Uint8Array(n),
    catOffset: new Int32Array(n).fill(-1),
    catBits: new Uint32Array(0),
    value: value ? Float64Array.from(value) : new Float64Array(n),
    cover: new Float64Array(n),
    gain: new Float64Array(n),
  };
}
