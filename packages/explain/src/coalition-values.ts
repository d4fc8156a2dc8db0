import { createMatrix, type Matrix } from '@campaign-ml/core';

/** A model as a function of a Matrix: rows x outputs, row-major. */
export type ModelFunction = (X: Matrix) => Float64Array;

const MAX_ROWS_PER_CALL = 65536;

/**
 * v(S) for one row and many coalitions S of players: the mean model output over the background
 * rows, each with the features of the players in S taken from x (the interventional, independent
 * masking Kernel SHAP and the permutation explainer use). A player is a group of feature indices
 * (one feature, or every feature made from one input column).
 */
export class CoalitionValues {
  readonly outputs: number;
  readonly players: number;

  constructor(
    private readonly f: ModelFunction,
    private readonly background: Matrix,
    private readonly groups: readonly (readonly number[])[],
    outputs: number,
  ) {
    this.outputs = outputs;
    this.players = groups.length;
  }

  /**
   * v for `count` coalitions given as 0/1 masks (count x players, row-major): count x outputs.
   * The model sees count x background rows, in calls of at most 65,536 rows.
   */
  evaluate(x: Float64Array, masks: Uint8Array, count: number): Float64Array {
    const B = this.background;
    const R = B.rows;
    const F = B.cols;
    const K = this.outputs;
    const M = this.players;
    const out = new Float64Array(count * K);
    const perCall = Math.max(1, Math.floor(MAX_ROWS_PER_CALL / R));
    for (let c0 = 0; c0 < count; c0 += perCall) {
      const c1 = Math.min(count, c0 + perCall);
      const rows = (c1 - c0) * R;
      const data = new Float64Array(rows * F);
      for (let f = 0; f < F; f++) {
        const dst = f * rows;
        data.set(B.data.subarray(f * R, (f + 1) * R), dst);
        for (let c = c0 + 1; c < c1; c++) data.copyWithin(dst + (c - c0) * R, dst, dst + R);
      }
      for (let c = c0; c < c1; c++) {
        const off = (c - c0) * R;
        for (let p = 0; p < M; p++) {
          if (!masks[c * M + p]) continue;
          for (const f of this.groups[p]) data.fill(x[f], f * rows + off, f * rows + off + R);
        }
      }
      const y = this.f(createMatrix(rows, F, data, B.columns));
      for (let c = c0; c < c1; c++) {
        const off = (c - c0) * R;
        for (let k = 0; k < K; k++) {
          let s = 0;
          for (let r = 0; r < R; r++) s += y[(off + r) * K + k];
          out[c * K + k] = s / R;
        }
      }
    }
    return out;
  }
}

/** Each feature its own player. */
export function singletonGroups(features: number): number[][] {
  return Array.from({ length: features }, (_, i) => [i]);
}
