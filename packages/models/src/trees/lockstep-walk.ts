import type { FlatEnsemble } from './flat-ensemble';
import type { LockstepLayout } from './lockstep-layout';

/**
 * Numeric-only trees too deep for the complete layout: four rows of a row-major block walk tree t
 * together, depth[t] branch-free steps each (leaves loop onto themselves, lockstep-layout.ts), so
 * the four chains of dependent loads overlap instead of waiting on each other.
 */
export function addTreeLockstep(
  e: FlatEnsemble,
  w: LockstepLayout,
  t: number,
  buf: Float64Array,
  cols: number,
  m: number,
  out: Float64Array,
  outRow: number,
): void {
  const wt = w.threshold;
  const wi = w.ints;
  const value = e.value;
  const W = e.valueWidth;
  const K = e.nOutputs;
  const scale = e.scale;
  const root = e.roots[t];
  const D = w.depth[t];
  const o = W === 1 ? e.treeOutput[t] : 0;
  let i = 0;
  if (W === 1) {
    for (; i + 4 <= m; i += 4) {
      const b0 = i * cols;
      const b1 = b0 + cols;
      const b2 = b1 + cols;
      const b3 = b2 + cols;
      let n0 = root;
      let n1 = root;
      let n2 = root;
      let n3 = root;
      for (let d = 0; d < D; d++) {
        const f0 = wi[(n0 << 2) + 3];
        const x0 = buf[b0 + (f0 >> 1)];
        const f1 = wi[(n1 << 2) + 3];
        const x1 = buf[b1 + (f1 >> 1)];
        const f2 = wi[(n2 << 2) + 3];
        const x2 = buf[b2 + (f2 >> 1)];
        const f3 = wi[(n3 << 2) + 3];
        const x3 = buf[b3 + (f3 >> 1)];
        n0 = wi[(n0 << 2) + 2] + (+(x0 > wt[n0 << 1]) | (+(x0 !== x0) & f0));
        n1 = wi[(n1 << 2) + 2] + (+(x1 > wt[n1 << 1]) | (+(x1 !== x1) & f1));
        n2 = wi[(n2 << 2) + 2] + (+(x2 > wt[n2 << 1]) | (+(x2 !== x2) & f2));
        n3 = wi[(n3 << 2) + 2] + (+(x3 > wt[n3 << 1]) | (+(x3 !== x3) & f3));
      }
      const r = outRow + i;
      out[r * K + o] += value[n0] * scale;
      out[(r + 1) * K + o] += value[n1] * scale;
      out[(r + 2) * K + o] += value[n2] * scale;
      out[(r + 3) * K + o] += value[n3] * scale;
    }
  }
  for (; i < m; i++) {
    const b0 = i * cols;
    let n0 = root;
    for (let d = 0; d < D; d++) {
      const f0 = wi[(n0 << 2) + 3];
      const x0 = buf[b0 + (f0 >> 1)];
      n0 = wi[(n0 << 2) + 2] + (+(x0 > wt[n0 << 1]) | (+(x0 !== x0) & f0));
    }
    const r = outRow + i;
    if (W === 1) out[r * K + o] += value[n0] * scale;
    else for (let k = 0; k < W; k++) out[r * K + k] += value[n0 * W + k] * scale;
  }
}
