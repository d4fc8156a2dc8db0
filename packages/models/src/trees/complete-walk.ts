import type { CompleteLayout } from './complete-layout';
import type { FlatEnsemble } from './flat-ensemble';

/**
 * The float walk of the complete layout, for row blocks the byte-coded walks cannot take (a NaN in
 * the block, or thresholds that do not pack): four rows of a row-major block descend tree t
 * together, D branch-free steps each with no child-index load. Blocks without NaN (`nan` false)
 * skip the missing-value term.
 */
export function addTreeComplete(
  e: FlatEnsemble,
  c: CompleteLayout,
  t: number,
  buf: Float64Array,
  cols: number,
  m: number,
  out: Float64Array,
  outRow: number,
  nan: boolean,
): void {
  const nb = c.nodeBase[t];
  const cf = c.feature.subarray(nb, c.nodeBase[t + 1]);
  const ct = c.threshold.subarray(nb, c.nodeBase[t + 1]);
  const cn = c.nanRight.subarray(nb, c.nodeBase[t + 1]);
  const W = e.valueWidth;
  const cv = c.value.subarray(c.leafBase[t] * W, c.leafBase[t + 1] * W);
  const K = e.nOutputs;
  const scale = e.scale;
  const D = c.depth[t];
  const internal = cf.length;
  const o = W === 1 ? e.treeOutput[t] : 0;
  let i = 0;
  if (W === 1 && !nan) {
    for (; i + 4 <= m; i += 4) {
      const b0 = i * cols;
      const b1 = b0 + cols;
      const b2 = b1 + cols;
      const b3 = b2 + cols;
      let n0 = 0;
      let n1 = 0;
      let n2 = 0;
      let n3 = 0;
      for (let d = 0; d < D; d++) {
        n0 = 2 * n0 + 1 + +(buf[b0 + cf[n0]] > ct[n0]);
        n1 = 2 * n1 + 1 + +(buf[b1 + cf[n1]] > ct[n1]);
        n2 = 2 * n2 + 1 + +(buf[b2 + cf[n2]] > ct[n2]);
        n3 = 2 * n3 + 1 + +(buf[b3 + cf[n3]] > ct[n3]);
      }
      const r = (outRow + i) * K + o;
      out[r] += cv[n0 - internal] * scale;
      out[r + K] += cv[n1 - internal] * scale;
      out[r + 2 * K] += cv[n2 - internal] * scale;
      out[r + 3 * K] += cv[n3 - internal] * scale;
    }
  }
  for (; i < m; i++) {
    const b0 = i * cols;
    let n0 = 0;
    for (let d = 0; d < D; d++) {
      const x = buf[b0 + cf[n0]];
      n0 = 2 * n0 + 1 + (+(x > ct[n0]) | (+(x !== x) & cn[n0]));
    }
    const r = outRow + i;
    const leaf = n0 - internal;
    if (W === 1) out[r * K + o] += cv[leaf] * scale;
    else for (let k = 0; k < W; k++) out[r * K + k] += cv[leaf * W + k] * scale;
  }
}
