import type { CompleteLayout } from './complete-layout';
import type { FlatEnsemble } from './flat-ensemble';

/**
 * Batch prediction on bytes, the fast path: a block of rows is coded once against the model's
 * thresholds (encodeBlock; code = number of the feature's cuts below the value, see
 * packed-layout.ts), then every tree of the complete layout walks the codes, each node one 32-bit
 * load of `feature << 8 | rank` (addTreePacked). packed-walk-wasm.ts runs the same two steps in
 * WebAssembly with the same arithmetic; these are its fallback and the walk of leaf vectors.
 */

/**
 * Codes of rows [b, e) into `codes`, in groups of eight rows: row i's code of feature f at
 * `(i >> 3) * 8 * cols + 8 * f + (i & 7)`, so the eight rows walking a tree together find theirs
 * at one offset from one base. Returns false, leaving the block to the float walk, when it holds
 * a NaN.
 */
export function encodeBlock(
  cp: CompleteLayout,
  data: Float64Array,
  n: number,
  cols: number,
  b: number,
  e: number,
  codes: Uint8Array,
): boolean {
  for (let c = 0; c < cols; c++) {
    const cuts = cp.cuts[c];
    const off = c * n;
    if (!cuts) {
      for (let r = b; r < e; r++) if (data[off + r] !== data[off + r]) return false;
      continue;
    }
    const grid = cp.grids[c];
    const { lo, inv, G, start, steps } = grid;
    const c8 = c << 3;
    const g8 = cols << 3;
    for (let r = b; r < e; r++) {
      const i = r - b;
      const o = (i >>> 3) * g8 + c8 + (i & 7);
      const x = data[off + r];
      if (x !== x) return false;
      const t = (x - lo) * inv;
      // 0 < t < G <= 16384, so t | 0 is floor(t).
      let k = start[t > 0 ? (t < G ? t | 0 : G) : 0];
      if (steps === 2) {
        k += +(cuts[k] < x);
        k += +(cuts[k] < x);
      } else for (let s = 0; s < steps; s++) k += +(cuts[k] < x);
      codes[o] = k;
    }
  }
  return true;
}

/**
 * Tree t over m coded rows: eight rows descend together, one load per node, the branch bit the
 * sign of `rank - code` (code > rank exactly when x > threshold).
 */
export function addTreePacked(
  e: FlatEnsemble,
  cp: CompleteLayout,
  t: number,
  codes: Uint8Array,
  cols: number,
  m: number,
  out: Float64Array,
  outRow: number,
): void {
  const nb = cp.nodeBase[t];
  const pk = cp.packed!.subarray(nb, cp.nodeBase[t + 1]);
  const W = e.valueWidth;
  const lb = cp.leafBase[t];
  const cv = cp.value;
  const K = e.nOutputs;
  const scale = e.scale;
  const D = cp.depth[t];
  const leaf0 = lb - (cp.nodeBase[t + 1] - nb);
  const o = W === 1 ? e.treeOutput[t] : 0;
  let i = 0;
  if (W === 1) {
    for (; i + 8 <= m; i += 8) {
      // The group's codes: row k's code of feature f at g + 8 f + k (see encodeBlock).
      const g = i * cols;
      let n0 = 0;
      let n1 = 0;
      let n2 = 0;
      let n3 = 0;
      let n4 = 0;
      let n5 = 0;
      let n6 = 0;
      let n7 = 0;
      for (let d = 0; d < D; d++) {
        const p0 = pk[n0];
        const p1 = pk[n1];
        const p2 = pk[n2];
        const p3 = pk[n3];
        const p4 = pk[n4];
        const p5 = pk[n5];
        const p6 = pk[n6];
        const p7 = pk[n7];
        n0 = ((n0 << 1) | 1) + (((p0 & 255) - codes[g + (p0 >>> 8)]) >>> 31);
        n1 = ((n1 << 1) | 1) + (((p1 & 255) - codes[g + 1 + (p1 >>> 8)]) >>> 31);
        n2 = ((n2 << 1) | 1) + (((p2 & 255) - codes[g + 2 + (p2 >>> 8)]) >>> 31);
        n3 = ((n3 << 1) | 1) + (((p3 & 255) - codes[g + 3 + (p3 >>> 8)]) >>> 31);
        n4 = ((n4 << 1) | 1) + (((p4 & 255) - codes[g + 4 + (p4 >>> 8)]) >>> 31);
        n5 = ((n5 << 1) | 1) + (((p5 & 255) - codes[g + 5 + (p5 >>> 8)]) >>> 31);
        n6 = ((n6 << 1) | 1) + (((p6 & 255) - codes[g + 6 + (p6 >>> 8)]) >>> 31);
        n7 = ((n7 << 1) | 1) + (((p7 & 255) - codes[g + 7 + (p7 >>> 8)]) >>> 31);
      }
      const r = (outRow + i) * K + o;
      out[r] += cv[leaf0 + n0] * scale;
      out[r + K] += cv[leaf0 + n1] * scale;
      out[r + 2 * K] += cv[leaf0 + n2] * scale;
      out[r + 3 * K] += cv[leaf0 + n3] * scale;
      out[r + 4 * K] += cv[leaf0 + n4] * scale;
      out[r + 5 * K] += cv[leaf0 + n5] * scale;
      out[r + 6 * K] += cv[leaf0 + n6] * scale;
      out[r + 7 * K] += cv[leaf0 + n7] * scale;
    }
  }
  for (; i < m; i++) {
    const b0 = (i >>> 3) * (cols << 3) + (i & 7);
    let n0 = 0;
    for (let d = 0; d < D; d++) {
      const p0 = pk[n0];
      n0 = ((n0 << 1) | 1) + (((p0 & 255) - codes[b0 + (p0 >>> 8)]) >>> 31);
    }
    const r = outRow + i;
    const leaf = leaf0 + n0;
    if (W === 1) out[r * K + o] += cv[leaf] * scale;
    else for (let k = 0; k < W; k++) out[r * K + k] += cv[leaf * W + k] * scale;
  }
}
