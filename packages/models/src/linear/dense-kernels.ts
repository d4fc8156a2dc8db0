/**
 * Column-major dense kernels for the linear models, unrolled over four columns so one pass over
 * the rows serves four features (about 1.6x faster than column-at-a-time in V8). Both work on the
 * rows [r0, r1) of an n-row matrix (all rows by default), so a fused pass can run them block by block.
 */

/** z[zOff + r] += Σ_c X[r, c]·w[wOff + c] for the rows r in [r0, r1) of X column-major n x p. */
export function addMatVec(
  data: Float64Array,
  n: number,
  p: number,
  w: Float64Array,
  wOff: number,
  z: Float64Array,
  zOff = 0,
  r0 = 0,
  r1 = n,
): void {
  let c = 0;
  for (; c + 3 < p; c += 4) {
    const w0 = w[wOff + c];
    const w1 = w[wOff + c + 1];
    const w2 = w[wOff + c + 2];
    const w3 = w[wOff + c + 3];
    if (w0 === 0 && w1 === 0 && w2 === 0 && w3 === 0) continue;
    const o0 = c * n;
    const o1 = o0 + n;
    const o2 = o1 + n;
    const o3 = o2 + n;
    for (let r = r0; r < r1; r++)
      z[zOff + r] += w0 * data[o0 + r] + w1 * data[o1 + r] + w2 * data[o2 + r] + w3 * data[o3 + r];
  }
  for (; c < p; c++) {
    const wc = w[wOff + c];
    if (wc === 0) continue;
    const off = c * n;
    for (let r = r0; r < r1; r++) z[zOff + r] += wc * data[off + r];
  }
}

/**
 * out[outOff + c] = Σ_r X[r, c]·v[vOff + r] over the rows r in [r0, r1) of X column-major n x p;
 * with `accumulate`, the sums are added to out instead (a gradient summed block by block).
 */
export function matTVec(
  data: Float64Array,
  n: number,
  p: number,
  v: Float64Array,
  vOff: number,
  out: Float64Array,
  outOff: number,
  r0 = 0,
  r1 = n,
  accumulate = false,
): void {
  let c = 0;
  for (; c + 3 < p; c += 4) {
    const o0 = c * n;
    const o1 = o0 + n;
    const o2 = o1 + n;
    const o3 = o2 + n;
    let s0 = 0;
    let s1 = 0;
    let s2 = 0;
    let s3 = 0;
    for (let r = r0; r < r1; r++) {
      const vr = v[vOff + r];
      s0 += data[o0 + r] * vr;
      s1 += data[o1 + r] * vr;
      s2 += data[o2 + r] * vr;
      s3 += data[o3 + r] * vr;
    }
    const o = outOff + c;
    if (accumulate) {
      out[o] += s0;
      out[o + 1] += s1;
      out[o + 2] += s2;
      out[o + 3] += s3;
    } else {
      out[o] = s0;
      out[o + 1] = s1;
      out[o + 2] = s2;
      out[o + 3] = s3;
    }
  }
  for (; c < p; c++) {
    const off = c * n;
    let s = 0;
    for (let r = r0; r < r1; r++) s += data[off + r] * v[vOff + r];
    out[outOff + c] = accumulate ? out[outOff + c] + s : s;
  }
}
