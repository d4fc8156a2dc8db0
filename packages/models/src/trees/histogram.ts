/**
 * Gradient histograms: for each feature and bin, the sums of K gradient channels, the hessian and
 * the row count, interleaved as `[g_0 .. g_{K-1}, h, count]` (stride K + 2) so one bin is one cache
 * line. A node's histogram is built from its rows; its sibling's is the parent's minus it.
 */

/** Build the histogram of rows idx[start, end) for the listed features (other features untouched). */
export function buildHistogram(
  hist: Float64Array,
  offsets: Int32Array,
  features: Int32Array,
  nFeatures: number,
  bins: Uint8Array,
  rows: number,
  idx: Uint32Array,
  start: number,
  end: number,
  grad: Float64Array,
  hess: Float64Array,
  K: number,
  og: Float64Array,
  oh: Float64Array,
): void {
  const cnt = end - start;
  const S = K + 2;
  // Gather gradients in node order once, so each feature pass reads them sequentially.
  if (K === 1) {
    for (let i = 0; i < cnt; i++) {
      const r = idx[start + i];
      og[i] = grad[r];
      oh[i] = hess[r];
    }
  } else {
    for (let i = 0; i < cnt; i++) {
      const r = idx[start + i];
      oh[i] = hess[r];
      for (let k = 0; k < K; k++) og[k * cnt + i] = grad[k * rows + r];
    }
  }
  for (let fi = 0; fi < nFeatures; fi++) {
    const f = features[fi];
    const base = offsets[f] * S;
    hist.fill(0, base, offsets[f + 1] * S);
    const off = f * rows;
    if (K === 1) {
      for (let i = 0; i < cnt; i++) {
        const j = base + bins[off + idx[start + i]] * 3;
        hist[j] += og[i];
        hist[j + 1] += oh[i];
        hist[j + 2] += 1;
      }
    } else {
      for (let i = 0; i < cnt; i++) {
        const j = base + bins[off + idx[start + i]] * S;
        for (let k = 0; k < K; k++) hist[j + k] += og[k * cnt + i];
        hist[j + K] += oh[i];
        hist[j + K + 1] += 1;
      }
    }
  }
}

/** parent -= child over the listed features: the parent buffer becomes the sibling's histogram. */
export function subtractHistogram(
  parent: Float64Array,
  child: Float64Array,
  offsets: Int32Array,
  features: Int32Array,
  nFeatures: number,
  K: number,
): void {
  const S = K + 2;
  for (let fi = 0; fi < nFeatures; fi++) {
    const f = features[fi];
    const end = offsets[f + 1] * S;
    for (let j = offsets[f] * S; j < end; j++) parent[j] -= child[j];
  }
}
