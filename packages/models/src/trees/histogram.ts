/**
 * Gradient histograms: for each feature and bin, the sums of K gradient channels, the hessian and
 * the row count, interleaved as `[g_0 .. g_{K-1}, h, count]` (stride K + 2) so one bin is one cache
 * line. A node's histogram is built from its rows; its sibling's is the parent's minus it. Where
 * WebAssembly SIMD exists, single-channel fits build them with histogram-wasm.ts instead (the same
 * sums bit for bit); these loops are the fallback and the reference.
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

/**
 * Row-major global bin indices: for row r and feature f, `offsets[f] + bin` at `r * cols + f`, so
 * one row's bins are adjacent and a histogram slot is found with one load (XGBoost's layout).
 */
export function rowMajorBinIndex(
  bins: Uint8Array,
  rows: number,
  cols: number,
  offsets: Int32Array,
  shared = false,
): Uint16Array | Uint32Array {
  // Uint16 holds up to 257 features x 255 bins; wider matrices need 32-bit indices.
  const wide = offsets[cols] > 0xffff;
  const n = rows * cols;
  const buf = shared ? new SharedArrayBuffer(n * (wide ? 4 : 2)) : undefined;
  const out = wide
    ? buf
      ? new Uint32Array(buf)
      : new Uint32Array(n)
    : buf
      ? new Uint16Array(buf)
      : new Uint16Array(n);
  for (let f = 0; f < cols; f++) {
    const src = f * rows;
    const o = offsets[f];
    for (let r = 0; r < rows; r++) out[r * cols + f] = o + bins[src + r];
  }
  return out;
}

/** Row-major copy of column-major bins: bin of row r, feature f at `r * cols + f`. */
export function rowMajorBins(bins: Uint8Array, rows: number, cols: number): Uint8Array {
  const out = new Uint8Array(rows * cols);
  for (let f = 0; f < cols; f++) {
    const src = f * rows;
    for (let r = 0; r < rows; r++) out[r * cols + f] = bins[src + r];
  }
  return out;
}

/**
 * Single-channel histogram of rows idx[start, end) from the row-major index: each row adds its
 * gradient and hessian to one slot per listed feature. Stride 3: [g, h, count]. (The whole node's
 * features as one block of buildHistogramRowsBlock.)
 */
export function buildHistogramRows(
  hist: Float64Array,
  offsets: Int32Array,
  features: Int32Array,
  nFeatures: number,
  gidx: Uint16Array | Uint32Array,
  cols: number,
  idx: Uint32Array,
  start: number,
  end: number,
  grad: Float64Array,
  hess: Float64Array,
): void {
  buildHistogramRowsBlock(
    hist,
    3,
    offsets,
    features,
    0,
    nFeatures,
    nFeatures === cols,
    gidx,
    cols,
    idx,
    start,
    end,
    grad,
    hess,
  );
}

/**
 * As buildHistogramRows without the count channel (stride 2: [g, h]); a quarter fewer memory
 * operations per update, four rows per step. For trees that never need per-bin row counts (see
 * TreeGrower).
 */
export function buildHistogramRowsNoCount(
  hist: Float64Array,
  offsets: Int32Array,
  features: Int32Array,
  nFeatures: number,
  gidx: Uint16Array | Uint32Array,
  cols: number,
  idx: Uint32Array,
  start: number,
  end: number,
  grad: Float64Array,
  hess: Float64Array,
): void {
  buildHistogramRowsBlock(
    hist,
    2,
    offsets,
    features,
    0,
    nFeatures,
    nFeatures === cols,
    gidx,
    cols,
    idx,
    start,
    end,
    grad,
    hess,
  );
}

/** parent -= child over the listed features: the parent buffer becomes the sibling's histogram. */
export function subtractHistogram(
  parent: Float64Array,
  child: Float64Array,
  offsets: Int32Array,
  features: Int32Array,
  nFeatures: number,
  S: number,
): void {
  for (let fi = 0; fi < nFeatures; fi++) {
    const f = features[fi];
    const end = offsets[f + 1] * S;
    for (let j = offsets[f] * S; j < end; j++) parent[j] -= child[j];
  }
}

/**
 * The histogram of rows idx[start, end) for features[fi0, fi1) only, from the row-major index:
 * one thread's block of a node's features (split-threads.ts). Stride S is 2 ([g, h], count-free)
 * or 3 ([g, h, count]). Each slot sums its rows in row order from zero, so a histogram built
 * block by block on several threads equals the one-thread one (buildHistogramRows and
 * buildHistogramRowsNoCount: every feature as one block) bit for bit. `contiguous` says
 * features[fi0, fi1) are the columns fi0..fi1-1; then gidx may hold only columns colBase.. of each
 * row (`cols` of them: a block's own row-major index).
 */
export function buildHistogramRowsBlock(
  hist: Float64Array,
  S: number,
  offsets: Int32Array,
  features: Int32Array,
  fi0: number,
  fi1: number,
  contiguous: boolean,
  gidx: Uint16Array | Uint32Array,
  cols: number,
  idx: Uint32Array,
  start: number,
  end: number,
  grad: Float64Array,
  hess: Float64Array,
  colBase = 0,
): void {
  if (contiguous) hist.fill(0, offsets[fi0] * S, offsets[fi1] * S);
  else for (let fi = fi0; fi < fi1; fi++) hist.fill(0, offsets[features[fi]] * S, offsets[features[fi] + 1] * S);
  let i = start;
  if (S === 2 && contiguous) {
    // Four rows per step, as buildHistogramRowsNoCount (each slot still sums its rows in order).
    for (; i + 3 < end; i += 4) {
      const r0 = idx[i];
      const r1 = idx[i + 1];
      const r2 = idx[i + 2];
      const r3 = idx[i + 3];
      const g0 = grad[r0];
      const h0 = hess[r0];
      const g1 = grad[r1];
      const h1 = hess[r1];
      const g2 = grad[r2];
      const h2 = hess[r2];
      const g3 = grad[r3];
      const h3 = hess[r3];
      const a = r0 * cols - colBase;
      const b = r1 * cols - colBase;
      const c = r2 * cols - colBase;
      const d = r3 * cols - colBase;
      for (let f = fi0; f < fi1; f++) {
        const j0 = gidx[a + f] << 1;
        hist[j0] += g0;
        hist[j0 + 1] += h0;
        const j1 = gidx[b + f] << 1;
        hist[j1] += g1;
        hist[j1 + 1] += h1;
        const j2 = gidx[c + f] << 1;
        hist[j2] += g2;
        hist[j2 + 1] += h2;
        const j3 = gidx[d + f] << 1;
        hist[j3] += g3;
        hist[j3 + 1] += h3;
      }
    }
    for (; i + 1 < end; i += 2) {
      const r0 = idx[i];
      const r1 = idx[i + 1];
      const g0 = grad[r0];
      const h0 = hess[r0];
      const g1 = grad[r1];
      const h1 = hess[r1];
      const a = r0 * cols - colBase;
      const b = r1 * cols - colBase;
      for (let f = fi0; f < fi1; f++) {
        const j0 = gidx[a + f] << 1;
        hist[j0] += g0;
        hist[j0 + 1] += h0;
        const j1 = gidx[b + f] << 1;
        hist[j1] += g1;
        hist[j1 + 1] += h1;
      }
    }
    for (; i < end; i++) {
      const r = idx[i];
      const g = grad[r];
      const h = hess[r];
      const a = r * cols - colBase;
      for (let f = fi0; f < fi1; f++) {
        const j = gidx[a + f] << 1;
        hist[j] += g;
        hist[j + 1] += h;
      }
    }
  } else if (S === 2) {
    for (; i < end; i++) {
      const r = idx[i];
      const g = grad[r];
      const h = hess[r];
      const a = r * cols;
      for (let fi = fi0; fi < fi1; fi++) {
        const j = gidx[a + features[fi]] << 1;
        hist[j] += g;
        hist[j + 1] += h;
      }
    }
  } else if (contiguous) {
    // Two rows per step (more independent work; each slot still sums its rows in order).
    for (; i + 1 < end; i += 2) {
      const r0 = idx[i];
      const r1 = idx[i + 1];
      const g0 = grad[r0];
      const h0 = hess[r0];
      const g1 = grad[r1];
      const h1 = hess[r1];
      const a = r0 * cols - colBase;
      const b = r1 * cols - colBase;
      for (let f = fi0; f < fi1; f++) {
        const j0 = gidx[a + f] * 3;
        hist[j0] += g0;
        hist[j0 + 1] += h0;
        hist[j0 + 2] += 1;
        const j1 = gidx[b + f] * 3;
        hist[j1] += g1;
        hist[j1 + 1] += h1;
        hist[j1 + 2] += 1;
      }
    }
    for (; i < end; i++) {
      const r = idx[i];
      const g = grad[r];
      const h = hess[r];
      const a = r * cols - colBase;
      for (let f = fi0; f < fi1; f++) {
        const j = gidx[a + f] * 3;
        hist[j] += g;
        hist[j + 1] += h;
        hist[j + 2] += 1;
      }
    }
  } else {
    for (; i < end; i++) {
      const r = idx[i];
      const g = grad[r];
      const h = hess[r];
      const a = r * cols;
      for (let fi = fi0; fi < fi1; fi++) {
        const j = gidx[a + features[fi]] * 3;
        hist[j] += g;
        hist[j + 1] += h;
        hist[j + 2] += 1;
      }
    }
  }
}

/**
 * buildHistogramRowsBlock for a block's own row-major bin codes: `codes` holds, for each row, the
 * bins of columns fi0..fi1-1 (one byte each, `width` = fi1 - fi0 per row), and the slot of feature
 * f's bin is offsets[f] + code, as in the global index. Half the bytes of the Uint16 index per row;
 * the same slots in the same row order, so the same sums bit for bit.
 */
export function buildHistogramCodesBlock(
  hist: Float64Array,
  S: number,
  offsets: Int32Array,
  fi0: number,
  fi1: number,
  codes: Uint8Array,
  idx: Uint32Array,
  start: number,
  end: number,
  grad: Float64Array,
  hess: Float64Array,
): void {
  hist.fill(0, offsets[fi0] * S, offsets[fi1] * S);
  const width = fi1 - fi0;
  let i = start;
  if (S === 2) {
    for (; i + 3 < end; i += 4) {
      const r0 = idx[i];
      const r1 = idx[i + 1];
      const r2 = idx[i + 2];
      const r3 = idx[i + 3];
      const g0 = grad[r0];
      const h0 = hess[r0];
      const g1 = grad[r1];
      const h1 = hess[r1];
      const g2 = grad[r2];
      const h2 = hess[r2];
      const g3 = grad[r3];
      const h3 = hess[r3];
      const a = r0 * width;
      const b = r1 * width;
      const c = r2 * width;
      const d = r3 * width;
      for (let k = 0; k < width; k++) {
        const o = offsets[fi0 + k];
        const j0 = (o + codes[a + k]) << 1;
        hist[j0] += g0;
        hist[j0 + 1] += h0;
        const j1 = (o + codes[b + k]) << 1;
        hist[j1] += g1;
        hist[j1 + 1] += h1;
        const j2 = (o + codes[c + k]) << 1;
        hist[j2] += g2;
        hist[j2 + 1] += h2;
        const j3 = (o + codes[d + k]) << 1;
        hist[j3] += g3;
        hist[j3 + 1] += h3;
      }
    }
    for (; i < end; i++) {
      const r = idx[i];
      const g = grad[r];
      const h = hess[r];
      const a = r * width;
      for (let k = 0; k < width; k++) {
        const j = (offsets[fi0 + k] + codes[a + k]) << 1;
        hist[j] += g;
        hist[j + 1] += h;
      }
    }
    return;
  }
  for (; i < end; i++) {
    const r = idx[i];
    const g = grad[r];
    const h = hess[r];
    const a = r * width;
    for (let k = 0; k < width; k++) {
      const j = (offsets[fi0 + k] + codes[a + k]) * 3;
      hist[j] += g;
      hist[j + 1] += h;
      hist[j + 2] += 1;
    }
  }
}
